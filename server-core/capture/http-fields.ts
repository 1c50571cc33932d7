// The field trees of HTTP heads, and the fields of what went wrong: the start
// line and its parts, each header with its name and value and a line on what
// it means, the empty line; the lines of a head that did not parse; the field
// an error is marked on. Pure functions of the parser's spans, so the live
// dissection and a replay from stored bytes build the same tree.
import type { DissectedField } from './dissection-types.js';
import type { HeaderField, MessageHead, Span } from '../http/parser-types.js';
import { escapeBytes, formatCount } from './format.js';
import { fieldTreeStats } from './lazy-fields.js';

export function notKept(range: { start: number; end: number }): DissectedField[] {
  return [{ name: 'Not kept', explain: 'The bytes of this message are no longer in the capture', range: { ...range } }];
}

export function headFields(head: MessageHead, base: number): DissectedField[] {
  fieldTreeStats.built++;
  const r = (s: Span) => ({ start: s.start + base, end: s.end + base });
  const out: DissectedField[] = [];
  const version = `HTTP/${head.versionMajor}.${head.versionMinor}`;
  if (head.kind === 'request') {
    out.push({
      name: 'Request line',
      value: `${head.method} ${head.target} ${version}`,
      explain: 'Method, request target and protocol version',
      range: r(head.startLineSpan),
      children: [
        { name: 'Method', value: head.method, explain: methodExplain(head.method), range: r(head.methodSpan) },
        { name: 'Target', value: head.target, explain: targetExplain(head.targetForm), range: r(head.targetSpan) },
        { name: 'Version', value: version, explain: 'Protocol version', range: r(head.versionSpan) },
      ],
    });
  } else {
    const children: DissectedField[] = [
      { name: 'Version', value: version, explain: 'Protocol version', range: r(head.versionSpan) },
      { name: 'Status', value: String(head.statusCode), explain: statusExplain(head.statusCode), range: r(head.statusSpan) },
    ];
    if (head.reasonSpan.end > head.reasonSpan.start) children.push({ name: 'Reason', value: head.reason, explain: 'Human-readable reason phrase (ignored by clients)', range: r(head.reasonSpan) });
    out.push({ name: 'Status line', value: `${version} ${head.statusCode}${head.reason ? ` ${head.reason}` : ''}`, explain: 'Protocol version, status code and reason', range: r(head.startLineSpan), children });
  }
  for (const h of head.headers) out.push(headerField(h, base));
  const end = head.headSpan.end + base;
  out.push({ name: 'End of head', value: '\\r\\n', explain: 'The empty line that ends the header section', range: { start: end - 2, end } });
  return out;
}

export function headerField(h: HeaderField, base: number): DissectedField {
  const r = (s: Span) => ({ start: s.start + base, end: s.end + base });
  return {
    name: h.name,
    value: h.value,
    explain: headerExplain(h.name),
    range: r(h.lineSpan),
    children: [
      { name: 'Name', value: h.name, explain: 'Field name (case-insensitive)', range: r(h.nameSpan) },
      { name: 'Value', value: h.value, explain: 'Field value, without surrounding whitespace', range: r(h.valueSpan) },
    ],
  };
}

/** Splits the bytes of a head that failed into line fields, the one holding `errAt` marked. */
export function rawLines(bytes: Buffer, start: number, errAt: number, message: string): DissectedField[] {
  const out: DissectedField[] = [];
  let i = 0;
  let lineNo = 0;
  while (i < bytes.length && out.length < 200) {
    let j = bytes.indexOf(0x0a, i);
    j = j < 0 ? bytes.length : j + 1;
    const range = { start: start + i, end: start + j };
    const field: DissectedField = {
      name: lineNo === 0 ? 'Start line' : 'Line',
      value: escapeBytes(bytes.subarray(i, j), 120),
      explain: lineNo === 0 ? 'The first line, as received' : 'A line of the head, as received',
      range,
    };
    if (errAt >= range.start && errAt < range.end) field.error = message;
    out.push(field);
    // Stop at the empty line that ends the head, once past the error.
    if (range.start > errAt && j - i <= 2 && (bytes[i] === 0x0d || bytes[i] === 0x0a)) break;
    i = j;
    lineNo++;
  }
  if (!out.some((f) => f.error)) {
    out.push({ name: 'Error', explain: message, range: { start: errAt, end: errAt + 1 }, error: message });
  }
  return out;
}

/** Marks the deepest field that contains `at`, or adds an error field. */
export function markError(fields: DissectedField[], at: number, message: string): void {
  const find = (list: DissectedField[]): DissectedField | undefined => {
    for (const f of list) {
      if (at >= f.range.start && at < f.range.end) return (f.children && find(f.children)) || f;
    }
    return undefined;
  };
  const f = find(fields);
  if (f) f.error = message;
  else fields.push({ name: 'Error', explain: message, range: { start: at, end: at + 1 }, error: message });
}

export function bodyExplain(head: MessageHead | undefined): string {
  if (!head) return 'Body';
  if (head.contentLength !== null) return `Content-Length: ${formatCount(head.contentLength)} bytes`;
  return 'Body delimited by the end of the connection';
}

function methodExplain(m: string): string {
  const known: Record<string, string> = {
    GET: 'Retrieve the target resource',
    HEAD: 'Like GET, but the response has no body',
    POST: 'Process the enclosed body',
    PUT: 'Replace the target resource with the body',
    DELETE: 'Remove the target resource',
    PATCH: 'Apply a partial modification',
    OPTIONS: 'Ask which methods and options the target supports',
    CONNECT: 'Open a tunnel to the authority',
    TRACE: 'Echo the request back (loop-back test)',
  };
  return known[m] ?? 'Request method (a token)';
}

function targetExplain(form: string): string {
  switch (form) {
    case 'origin': return 'Origin form: absolute path and query';
    case 'absolute': return 'Absolute form: a full URI (proxies)';
    case 'authority': return 'Authority form: host:port (CONNECT)';
    case 'asterisk': return 'Asterisk form: the server as a whole (OPTIONS)';
    default: return 'Request target';
  }
}

function statusExplain(s: number): string {
  if (s === 101) return 'Switching Protocols: the connection leaves HTTP after this head';
  if (s < 200) return 'Informational (1xx): a final response follows';
  if (s < 300) return 'Success (2xx)';
  if (s < 400) return 'Redirection (3xx)';
  if (s < 500) return 'Client error (4xx)';
  return 'Server error (5xx)';
}

const HEADER_EXPLAIN: Record<string, string> = {
  host: 'The authority (host and port) the request is for',
  'content-length': 'Body length in bytes',
  'content-type': 'Media type of the body',
  'transfer-encoding': 'Codings applied to the body for transfer (chunked)',
  connection: 'Options for this connection only (close, keep-alive, upgrade)',
  upgrade: 'Protocols the sender would switch to',
  'user-agent': 'The client software',
  accept: 'Media types the client accepts in the response',
  'accept-encoding': 'Content codings the client accepts',
  'content-encoding': 'Coding applied to the body (gzip, br, …)',
  date: 'When the message was generated',
  server: 'The server software',
  location: 'Where to go next (redirects, created resources)',
  'set-cookie': 'A cookie for the client to store',
  cookie: 'Cookies the client stored for this origin',
  authorization: 'Credentials for the target',
  'cache-control': 'Caching directives',
  etag: 'An opaque version tag of the representation',
  'last-modified': 'When the representation last changed',
  'if-none-match': 'Send the body only if the ETag changed',
  'if-modified-since': 'Send the body only if it changed since then',
  expect: '100-continue: wait for the server before sending the body',
  'sec-websocket-key': 'WebSocket handshake nonce (base64 of 16 bytes)',
  'sec-websocket-accept': 'SHA-1 of the key and the WebSocket GUID, base64',
  'sec-websocket-version': 'WebSocket protocol version (13)',
  'sec-websocket-protocol': 'WebSocket subprotocols offered or selected',
  'sec-websocket-extensions': 'WebSocket extensions offered or accepted (permessage-deflate)',
  origin: 'The origin that initiated the request',
  range: 'Ask for part of the representation',
  'content-range': 'Which part of the representation the body is',
  'keep-alive': 'Keep-alive parameters (HTTP/1.0 style)',
  te: 'Transfer codings the client accepts (trailers)',
  trailer: 'Header fields that will follow the chunked body',
  vary: 'Request headers that select the response variant',
  allow: 'Methods the target supports',
};

function headerExplain(name: string): string {
  return HEADER_EXPLAIN[name.toLowerCase()] ?? 'Header field';
}
