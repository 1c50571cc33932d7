// In-memory ServerRequest / ServerResponse for unit tests of handlers (no sockets).
import type { HeaderValue, ServerRequest, ServerResponse } from '../../server-core/http/handler-types.js';
import type { RequestHead } from '../../server-core/http/parser-types.js';

export interface FakeRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  signal?: AbortSignal;
}

export function fakeRequest(target: string, init: FakeRequestInit = {}): ServerRequest {
  const q = target.indexOf('?');
  const method = init.method ?? 'GET';
  const headers = Object.entries(init.headers ?? {}).map(([name, value]) => ({
    name,
    value,
    lineSpan: { start: 0, end: 0 },
    nameSpan: { start: 0, end: 0 },
    valueSpan: { start: 0, end: 0 },
  }));
  const body = typeof init.body === 'string' ? Buffer.from(init.body) : (init.body ?? Buffer.alloc(0));
  const rawHead = Buffer.from(`${method} ${target} HTTP/1.1\r\n${headers.map((h) => `${h.name}: ${h.value}\r\n`).join('')}\r\n`, 'latin1');
  return {
    connectionId: 'test',
    index: 1,
    head: { kind: 'request', method, target, headers, versionMajor: 1, versionMinor: 1 } as unknown as RequestHead,
    method,
    target,
    path: q >= 0 ? target.slice(0, q) : target,
    query: new URLSearchParams(q >= 0 ? target.slice(q + 1) : ''),
    params: {},
    remote: { address: '127.0.0.1', port: 1 },
    rawHead,
    header: (name) => headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value,
    body: () => Promise.resolve(body),
    async *[Symbol.asyncIterator]() {
      if (body.length) yield body;
    },
    signal: init.signal ?? new AbortController().signal,
  };
}

export interface FakeResponse extends ServerResponse {
  /** Lower-cased header names. */
  readonly headers: Record<string, HeaderValue>;
  readonly body: Buffer;
  readonly text: string;
  /** Resolves when end() is called. */
  readonly done: Promise<void>;
}

export function fakeResponse(): FakeResponse {
  const headers: Record<string, HeaderValue> = {};
  const chunks: Buffer[] = [];
  let sent = false;
  let ended = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const res: FakeResponse = {
    statusCode: 200,
    statusMessage: undefined,
    headers,
    get body() {
      return Buffer.concat(chunks);
    },
    get text() {
      return Buffer.concat(chunks).toString('utf8');
    },
    done,
    get headersSent() {
      return sent;
    },
    get finished() {
      return ended;
    },
    setHeader(name, value) {
      if (sent) throw new Error('headers already sent');
      headers[name.toLowerCase()] = value;
      return res;
    },
    getHeader: (name) => headers[name.toLowerCase()],
    removeHeader(name) {
      delete headers[name.toLowerCase()];
      return res;
    },
    writeHead(status, extra = {}) {
      if (sent) throw new Error('headers already sent');
      res.statusCode = status;
      for (const [k, v] of Object.entries(extra)) headers[k.toLowerCase()] = v;
      sent = true;
      return res;
    },
    write(chunk) {
      sent = true;
      chunks.push(Buffer.from(chunk));
      return true;
    },
    drain: () => Promise.resolve(),
    end(chunk) {
      sent = true;
      if (chunk !== undefined) chunks.push(Buffer.from(chunk));
      ended = true;
      resolveDone();
    },
  };
  return res;
}
