// Realistic captures with their dissection, built byte by byte so every range
// is exact: an HTTP exchange with a chunked response, and a WebSocket session
// with masked client frames and messages crossing in both directions. Used by
// the UI before a host is attached (?fixtures), by the browser test and by the
// benchmark (wsSession(100_000)).
import type { ConnectionInfo, Direction, DissectedField, DissectedMessage } from '../../server-core/protocol/playground.js';
import { utf8 } from './bytes-util.js';

export interface FixtureCapture {
  info: ConnectionInfo;
  chunks: { dir: Direction; t: number; bytes: Uint8Array }[];
  messages: DissectedMessage[];
}

/** One direction's bytes, appended to a growable buffer (a 100 000-frame session is a few megabytes). */
class StreamBuilder {
  private buf = new Uint8Array(4096);
  private len = 0;
  get offset(): number {
    return this.len;
  }
  push(bytes: Uint8Array | number[]): { start: number; end: number } {
    const start = this.len;
    if (start + bytes.length > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, start + bytes.length));
      bigger.set(this.buf.subarray(0, start));
      this.buf = bigger;
    }
    this.buf.set(bytes, start);
    this.len += bytes.length;
    return { start, end: this.len };
  }
  text(s: string): { start: number; end: number } {
    return this.push(utf8(s));
  }
  bytes(start: number, end: number): Uint8Array {
    return this.buf.slice(start, end);
  }
}

function httpHead(
  s: StreamBuilder,
  startLine: [string, string, string],
  names: [string, string, string],
  headers: [string, string][],
): { fields: DissectedField[]; start: number } {
  const start = s.offset;
  const parts: DissectedField[] = [];
  const a = s.text(startLine[0]);
  s.text(' ');
  const b = s.text(startLine[1]);
  s.text(' ');
  const c = s.text(startLine[2]);
  s.text('\r\n');
  parts.push({ name: names[0], value: startLine[0], range: a }, { name: names[1], value: startLine[1], range: b }, { name: names[2], value: startLine[2], range: c });
  const fields: DissectedField[] = [
    { name: names[0] === 'Method' ? 'Request line' : 'Status line', value: startLine.join(' '), range: { start, end: s.offset }, children: parts },
  ];
  const hStart = s.offset;
  const hs: DissectedField[] = [];
  for (const [n, v] of headers) {
    const ls = s.offset;
    const nr = s.text(n);
    s.text(': ');
    const vr = s.text(v);
    s.text('\r\n');
    hs.push({ name: n, value: v, range: { start: ls, end: s.offset }, children: [{ name: 'Name', value: n, range: nr }, { name: 'Value', value: v, range: vr }] });
  }
  fields.push({ name: 'Headers', value: `${headers.length}`, range: { start: hStart, end: s.offset }, children: hs });
  fields.push({ name: 'End of head', value: 'CRLF', explain: 'An empty line ends the head', range: s.text('\r\n') });
  return { fields, start };
}

export function httpChunkedExchange(connectionId = 'fx-http-1', t0 = 1000): FixtureCapture {
  const c = new StreamBuilder();
  const s = new StreamBuilder();
  const messages: DissectedMessage[] = [];
  const body = '{"user":"ada","langs":["en","fr"]}';
  const req = httpHead(c, ['POST', '/api/users?id=7', 'HTTP/1.1'], ['Method', 'Target', 'Version'], [
    ['Host', '127.0.0.1:8080'],
    ['User-Agent', 'wireplay/0.1'],
    ['Content-Type', 'application/json'],
    ['Content-Length', String(body.length)],
  ]);
  const bodyRange = c.text(body);
  req.fields.push({ name: 'Body', value: `${body.length} bytes`, explain: 'Content-Length framing', range: bodyRange });
  messages.push({
    id: 0, connectionId, kind: 'http-request', protocol: 'http', dir: 'c2s', range: { start: req.start, end: c.offset },
    tStart: t0 + 1.2, tEnd: t0 + 1.3, summary: 'POST /api/users?id=7 HTTP/1.1', fields: req.fields, sequence: 0,
  });
  const res = httpHead(s, ['HTTP/1.1', '200', 'OK'], ['Version', 'Status', 'Reason'], [
    ['Content-Type', 'application/json; charset=utf-8'],
    ['Transfer-Encoding', 'chunked'],
    ['Date', 'Mon, 23 Nov 2026 05:40:00 GMT'],
  ]);
  const pieces = ['{"id":7,"user":"ada",', '"langs":["en","fr"],', '"created":true}'];
  const chunkFields: DissectedField[] = [];
  const bodyStart = s.offset;
  for (const p of pieces) {
    const cs = s.offset;
    const size = s.text(p.length.toString(16));
    s.text('\r\n');
    const sizeLine = { start: cs, end: s.offset };
    const data = s.text(p);
    const crlf = s.text('\r\n');
    chunkFields.push({
      name: 'Chunk', value: `${p.length} bytes`, range: { start: cs, end: s.offset }, children: [
        { name: 'Chunk size', value: `0x${p.length.toString(16)} = ${p.length}`, explain: 'Hex size of the chunk that follows', range: sizeLine, children: [{ name: 'Size', value: p.length.toString(16), range: size }] },
        { name: 'Chunk data', value: JSON.stringify(p), range: data },
        { name: 'Chunk end', value: 'CRLF', range: crlf },
      ],
    });
  }
  const last = s.text('0\r\n\r\n');
  chunkFields.push({ name: 'Last chunk', value: '0', explain: 'A zero-size chunk ends the body; no trailers', range: last });
  res.fields.push({ name: 'Body', value: `chunked, ${pieces.join('').length} bytes decoded`, explain: 'Transfer-Encoding: chunked framing', range: { start: bodyStart, end: s.offset }, children: chunkFields });
  messages.push({
    id: 1, connectionId, kind: 'http-response', protocol: 'http', dir: 's2c', range: { start: res.start, end: s.offset },
    tStart: t0 + 4.8, tEnd: t0 + 6.1, summary: '200 OK (chunked)', fields: res.fields, sequence: 0,
  });
  // The response arrives in three TCP chunks, the request in one.
  const headEnd = res.fields[2].range.end;
  const mid = chunkFields[1].range.end;
  const chunks = [
    { dir: 'c2s' as const, t: t0 + 1.2, bytes: c.bytes(0, c.offset) },
    { dir: 's2c' as const, t: t0 + 4.8, bytes: s.bytes(0, headEnd) },
    { dir: 's2c' as const, t: t0 + 5.4, bytes: s.bytes(headEnd, mid) },
    { dir: 's2c' as const, t: t0 + 6.1, bytes: s.bytes(mid, s.offset) },
  ];
  return {
    info: { connectionId, side: 'client', protocol: 'http', label: 'POST http://127.0.0.1:8080/api/users?id=7', remote: '127.0.0.1:8080', t: t0, wallTime: Date.now(), closed: { t: t0 + 9 } },
    chunks,
    messages,
  };
}

const OPCODES: Record<number, string> = { 0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };

/** Appends one frame to s and returns its dissection. */
export function wsFrame(
  s: StreamBuilder,
  opts: { fin?: boolean; opcode: number; payload: Uint8Array; maskKey?: [number, number, number, number] },
): { fields: DissectedField[]; start: number; summary: string } {
  const fin = opts.fin ?? true;
  const start = s.offset;
  const len = opts.payload.length;
  const b0 = (fin ? 0x80 : 0) | opts.opcode;
  const masked = opts.maskKey !== undefined;
  const head = [b0];
  let lenForm: string;
  if (len < 126) {
    head.push((masked ? 0x80 : 0) | len);
    lenForm = '7-bit';
  } else if (len < 65536) {
    head.push((masked ? 0x80 : 0) | 126, len >> 8, len & 255);
    lenForm = '16-bit (126)';
  } else {
    head.push((masked ? 0x80 : 0) | 127, 0, 0, 0, 0, (len >>> 24) & 255, (len >> 16) & 255, (len >> 8) & 255, len & 255);
    lenForm = '64-bit (127)';
  }
  s.push(head);
  const name = OPCODES[opts.opcode] ?? 'reserved';
  const fields: DissectedField[] = [
    { name: 'FIN', value: fin ? '1' : '0', explain: fin ? 'Final fragment of the message' : 'More fragments follow', range: { start, end: start + 1 }, bitMask: 0x80 },
    { name: 'RSV1', value: '0', range: { start, end: start + 1 }, bitMask: 0x40 },
    { name: 'RSV2', value: '0', range: { start, end: start + 1 }, bitMask: 0x20 },
    { name: 'RSV3', value: '0', range: { start, end: start + 1 }, bitMask: 0x10 },
    { name: 'Opcode', value: `0x${opts.opcode.toString(16)} (${name})`, range: { start, end: start + 1 }, bitMask: 0x0f },
    { name: 'MASK', value: masked ? '1' : '0', explain: masked ? 'Client frames are masked' : 'Server frames are not masked', range: { start: start + 1, end: start + 2 }, bitMask: 0x80 },
    { name: 'Payload length', value: `${len} (${lenForm})`, range: { start: start + 1, end: start + head.length } },
  ];
  let payload = opts.payload;
  if (masked) {
    const key = opts.maskKey!;
    fields.push({ name: 'Masking key', value: key.map((k) => k.toString(16).padStart(2, '0')).join(' '), range: s.push(key) });
    payload = payload.map((b, i) => b ^ key[i & 3]);
  }
  const pr = s.push(payload);
  const text = opts.opcode === 1 ? new TextDecoder().decode(opts.payload) : '';
  fields.push({
    name: masked ? 'Payload (masked)' : 'Payload', value: text ? JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text) : `${len} bytes`, range: pr,
    children: masked ? [{ name: 'Unmasked', value: text ? JSON.stringify(text.slice(0, 40)) : `${len} bytes`, explain: 'Payload XOR masking key', range: pr }] : undefined,
  });
  const summary = `${name[0].toUpperCase()}${name.slice(1)}${fin ? ' (FIN)' : ''} ${len} B${text ? ` “${text.length > 30 ? text.slice(0, 30) + '…' : text}”` : ''}`;
  return { fields, start, summary };
}

/**
 * A WebSocket session: the upgrade exchange, then `frames` frames. The server
 * pushes ticks while the client sends chats, so messages cross in flight.
 */
export function wsSession(frames = 12, connectionId = 'fx-ws-1', t0 = 2000): FixtureCapture {
  const c = new StreamBuilder();
  const s = new StreamBuilder();
  const messages: DissectedMessage[] = [];
  const chunks: FixtureCapture['chunks'] = [];
  let id = 0;
  const up = httpHead(c, ['GET', '/chat', 'HTTP/1.1'], ['Method', 'Target', 'Version'], [
    ['Host', '127.0.0.1:8080'],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ['Sec-WebSocket-Version', '13'],
  ]);
  messages.push({ id: id++, connectionId, kind: 'http-request', protocol: 'http', dir: 'c2s', range: { start: 0, end: c.offset }, tStart: t0 + 0.5, tEnd: t0 + 0.5, summary: 'GET /chat HTTP/1.1 (upgrade)', fields: up.fields, sequence: 0 });
  chunks.push({ dir: 'c2s', t: t0 + 0.5, bytes: c.bytes(0, c.offset) });
  const acc = httpHead(s, ['HTTP/1.1', '101', 'Switching Protocols'], ['Version', 'Status', 'Reason'], [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
  ]);
  messages.push({ id: id++, connectionId, kind: 'http-response', protocol: 'http', dir: 's2c', range: { start: 0, end: s.offset }, tStart: t0 + 1.1, tEnd: t0 + 1.1, summary: '101 Switching Protocols', fields: acc.fields, sequence: 0 });
  chunks.push({ dir: 's2c', t: t0 + 1.1, bytes: s.bytes(0, s.offset) });
  let t = t0 + 2;
  for (let i = 0; i < frames; i++) {
    const fromClient = i % 3 !== 2;
    const st = fromClient ? c : s;
    const text = fromClient ? `chat #${i} from the client` : `{"tick":${i},"at":${Math.round(t)}}`;
    const opcode = i > 0 && i % 11 === 0 ? 9 : 1;
    const payload = opcode === 9 ? utf8('hb') : utf8(text);
    const mask: [number, number, number, number] | undefined = fromClient ? [(i * 37) & 255, 0x1f, 0xa4, (i * 11) & 255] : undefined;
    const before = st.offset;
    const f = wsFrame(st, { opcode, payload, maskKey: mask });
    // Crossing: a client frame and a server push are both in flight (overlapping times).
    const tStart = t;
    const tEnd = t + (i % 3 === 1 ? 1.6 : 0.4);
    messages.push({ id: id++, connectionId, kind: 'ws-frame', protocol: 'ws', dir: fromClient ? 'c2s' : 's2c', range: { start: before, end: st.offset }, tStart, tEnd, summary: f.summary, fields: f.fields, sequence: i });
    chunks.push({ dir: fromClient ? 'c2s' : 's2c', t: tStart, bytes: st.bytes(before, st.offset) });
    t += i % 3 === 1 ? 0.7 : 1.3;
  }
  return {
    info: { connectionId, side: 'client', protocol: 'ws', label: 'ws://127.0.0.1:8080/chat', remote: '127.0.0.1:8080', t: t0, wallTime: Date.now() },
    chunks,
    messages,
  };
}

/** A raw exchange with a malformed request (the server answers 400): the error is marked at its byte. */
export function malformedRaw(connectionId = 'fx-raw-1', t0 = 3000): FixtureCapture {
  const req = utf8('GET / HTTP/1.1\r\nHost : x\r\n\r\n');
  const res = utf8('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  const errAt = 20;
  return {
    info: { connectionId, side: 'client', protocol: 'raw', label: '127.0.0.1:8080 (raw)', remote: '127.0.0.1:8080', t: t0, wallTime: Date.now(), closed: { t: t0 + 4 } },
    chunks: [
      { dir: 'c2s', t: t0 + 0.3, bytes: req },
      { dir: 's2c', t: t0 + 1.5, bytes: res },
    ],
    messages: [
      {
        id: 0, connectionId, kind: 'http-request', protocol: 'http', dir: 'c2s', range: { start: 0, end: req.length }, tStart: t0 + 0.3, tEnd: t0 + 0.3,
        summary: 'GET / HTTP/1.1 (malformed)', fields: [
          { name: 'Request line', value: 'GET / HTTP/1.1', range: { start: 0, end: 16 } },
          { name: 'Host ', value: 'x', range: { start: 16, end: 25 }, error: 'Whitespace between the header name and the colon' },
        ],
        error: { offset: errAt, message: 'Whitespace between the header name and the colon', code: 'WHITESPACE_BEFORE_COLON' },
      },
      {
        id: 1, connectionId, kind: 'http-response', protocol: 'http', dir: 's2c', range: { start: 0, end: res.length }, tStart: t0 + 1.5, tEnd: t0 + 1.5,
        summary: '400 Bad Request', fields: [{ name: 'Status line', value: 'HTTP/1.1 400 Bad Request', range: { start: 0, end: 26 } }],
      },
    ],
  };
}
