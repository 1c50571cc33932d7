// What the playground refuses to send, checked as the user types and again by
// the host before anything goes out: a URL the sender would have to guess at
// (`htp:/bad url here` would otherwise become http://htp/bad%20url%20here), a
// WebSocket URL that is not ws:// or wss://, a port out of range. Each check
// returns why, in words, or undefined when the value can be sent exactly as
// written. Plain functions with no imports: the webview and the host share
// them, so they never disagree.

const SCHEME = /^([a-z][a-z0-9+.-]*):(?!\d)/i;

function urlProblem(raw: string, schemes: readonly string[], example: string): string | undefined {
  const text = raw.trim();
  if (!text) return `Enter a URL, like ${example}`;
  const scheme = SCHEME.exec(text);
  let absolute = text;
  if (scheme) {
    const name = scheme[1].toLowerCase();
    if (!schemes.includes(name)) return `Use ${schemes.map((s) => `${s}://`).join(' or ')}, not ${scheme[1]}:`;
    if (!text.slice(scheme[0].length).startsWith('//')) return `Write ${name}:// with two slashes after the scheme.`;
  } else absolute = `${schemes[0]}://${text.replace(/^\/\//, '')}`;
  const space = /\s/.exec(text);
  if (space) return `A URL cannot contain ${space[0] === ' ' ? 'a space' : 'white space'} (at character ${space.index + 1}): write it as %20${schemes[0].startsWith('http') ? ', or + in a query' : ''}.`;
  let url: URL;
  try {
    url = new URL(absolute);
  } catch {
    return `Not a valid URL: ${text.length > 60 ? `${text.slice(0, 57)}…` : text}`;
  }
  if (!url.hostname) return 'The URL has no host name.';
  return undefined;
}

/** Why an HTTP request's URL cannot be sent as written (http:// or https://; no scheme means http://). */
export function httpUrlProblem(url: string): string | undefined {
  return urlProblem(url, ['http', 'https'], 'http://127.0.0.1:8080/');
}

/** Why a WebSocket URL cannot be opened as written (ws:// or wss://). */
export function wsUrlProblem(url: string): string | undefined {
  const text = url.trim();
  if (text && !SCHEME.test(text)) return 'Start the URL with ws:// or wss://.';
  return urlProblem(url, ['ws', 'wss'], 'ws://127.0.0.1:8080/ws/echo');
}

/** Why a raw connection's host cannot be used. */
export function hostProblem(host: string): string | undefined {
  const text = host.trim();
  if (!text) return 'Enter a host name or an address, like 127.0.0.1.';
  if (/[\s/?#@]/.test(text) || /^[^:]*:\d*$/.test(text)) return 'A host is a name or an address only: no spaces, slashes or ports (the port has its own field).';
  return undefined;
}

/** Why a port cannot be used (1 to 65535, digits only). */
export function portProblem(port: string): string | undefined {
  const text = port.trim();
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) return 'A port is a number from 1 to 65535.';
  return undefined;
}
