// application/x-www-form-urlencoded bodies written over several lines.
// REST Client joins a line starting with `&` to the previous one and keeps a
// line break before any other line; httpYac joins every line and trims the
// spaces around `=` and `&`. Both then percent-encode what is not allowed in a
// URL, leaving valid %XX escapes alone (the `encodeurl` package: REST Client
// uses version 1, which also encodes \ ^ |; httpYac version 2, which does not).
// The JetBrains client's form handling is not published; Wireplay assumes it
// joins `&` lines like REST Client and sends the rest as written.
import type { Dialect } from './types.js';

/** Characters encodeURI would encode that encodeurl leaves alone: [ and ] always, \ ^ | from version 2 on. */
const KEPT = new Set(['[', ']']);
const KEPT_BY_V2 = new Set(['\\', '^', '|']);

/**
 * Percent-encodes characters that may not appear in a URL (space, quotes,
 * angle brackets, braces, backtick, controls, non-ASCII as UTF-8), keeps
 * reserved characters and valid %XX escapes, encodes a stray `%` as %25.
 */
export function encodeUrlText(text: string, version: 1 | 2): string {
  // Lone surrogates cannot be encoded: they become U+FFFD, as in encodeurl.
  const clean = text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  let out = '';
  for (let i = 0; i < clean.length; i++) {
    const c = clean[i];
    if (c === '%') {
      out += /^[0-9A-Fa-f]{2}$/.test(clean.slice(i + 1, i + 3)) ? '%' : '%25';
      continue;
    }
    if (KEPT.has(c) || (version === 2 && KEPT_BY_V2.has(c))) {
      out += c;
      continue;
    }
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdbff) {
      out += encodeURI(clean.slice(i, i + 2));
      i++;
      continue;
    }
    out += encodeURI(c);
  }
  return out;
}

/** Joins and encodes a form body as the dialect's tool does; `warn` is told where `auto` had to choose. */
export function encodeFormBody(text: string, dialect: Dialect, warn: (message: string) => void): string {
  const lines = text.split('\n');
  const joined = lines.reduce((acc, line, i) => acc + (i === 0 || line.startsWith('&') ? '' : '\n') + line, '');
  if (dialect === 'httpyac') {
    const trimmed = joined
      .split('\n')
      .map((l) => l.split('=').map((t) => t.trim()).join('=').split('&').map((t) => t.trim()).join('&'))
      .join('');
    return encodeUrlText(trimmed, 2);
  }
  if (dialect === 'jetbrains') return joined;
  const restClient = encodeUrlText(joined, 1);
  if (dialect === 'auto') {
    const httpyac = encodeFormBody(text, 'httpyac', () => undefined);
    if (httpyac !== restClient) {
      warn('This form body is encoded differently by the tools (a line not starting with &, spaces around = or &, or one of \\ ^ |): Wireplay sends what REST Client sends');
    } else if (restClient !== joined) {
      warn('This form body holds characters that REST Client and httpYac (and Wireplay) percent-encode; the JetBrains client is not known to');
    }
  }
  return restClient;
}
