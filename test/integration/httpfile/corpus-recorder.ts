// The server the `.http` corpus is sent to: a TCP listener on 127.0.0.1 port 0
// that keeps every request's exact bytes (split into messages by Wireplay's
// own HTTP parser) and answers each one. It answers JSON with an X-Request-Id
// header (what the corpus' request references read), and on /digest/* it
// speaks HTTP Digest: a 401 challenge first, then 200 for a correct answer
// to it (user "ada", password "passwd"), 401 again for a wrong one.
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { HttpMessageParser } from '../../../server-core/http/message-parser.js';
import type { RequestHead } from '../../../server-core/http/parser-types.js';

export interface RecordedRequest {
  /** Every byte of the message, as received. */
  raw: Buffer;
  method: string;
  target: string;
  version: string;
  headers: [string, string][];
  /** The body, de-chunked. */
  body: Buffer;
}

export const DIGEST = { realm: 'corpus', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', opaque: '5ccc069c403ebaf9f0171e9517f40e41', user: 'ada', password: 'passwd' };

const JSON_BODY = JSON.stringify({ id: 42, token: 'abc-123', name: 'ada', items: [1, 2, 3] });

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function digestIsValid(method: string, authorization: string): boolean {
  const p: Record<string, string> = {};
  for (const m of authorization.matchAll(/([a-z]+)=(?:"([^"]*)"|([^\s,]+))/gi)) p[m[1]] = m[2] ?? m[3];
  const ha1 = md5(`${DIGEST.user}:${DIGEST.realm}:${DIGEST.password}`);
  const ha2 = md5(`${method}:${p.uri}`);
  return p.username === DIGEST.user && p.nonce === DIGEST.nonce && p.response === md5(`${ha1}:${DIGEST.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`);
}

function answer(req: RecordedRequest): string {
  const header = (name: string) => req.headers.find(([n]) => n.toLowerCase() === name)?.[1];
  if (req.target.startsWith('/digest')) {
    const auth = header('authorization');
    if (!auth || !digestIsValid(req.method, auth)) {
      return `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="${DIGEST.realm}", qop="auth", nonce="${DIGEST.nonce}", opaque="${DIGEST.opaque}"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;
    }
  }
  return `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: req-7\r\nContent-Length: ${Buffer.byteLength(JSON_BODY)}\r\nConnection: close\r\n\r\n${JSON_BODY}`;
}

export class Recorder {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor() {
    this.server = createServer((socket) => this.accept(socket));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** Takes what was recorded since the last call. */
  take(): RecordedRequest[] {
    return this.requests.splice(0);
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const chunks: Buffer[] = [];
    let head: RequestHead | undefined;
    let body: Buffer[] = [];
    let start = 0;
    const parser = new HttpMessageParser('request', {
      onHead: (h) => {
        head = h as RequestHead;
        start = h.headSpan.start;
        body = [];
      },
      onBody: (data) => void body.push(Buffer.from(data)),
      onMessageComplete: (span) => {
        const all = Buffer.concat(chunks);
        const h = head!;
        const req: RecordedRequest = {
          raw: all.subarray(start, span.end),
          method: h.method,
          target: h.target,
          version: `HTTP/${h.versionMajor}.${h.versionMinor}`,
          headers: h.headers.map((f) => [f.name, f.value]),
          body: Buffer.concat(body),
        };
        this.requests.push(req);
        socket.end(answer(req));
      },
      onError: (e) => {
        this.requests.push({ raw: Buffer.concat(chunks), method: 'PARSE-ERROR', target: e.message, version: '', headers: [], body: Buffer.alloc(0) });
        socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      },
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      parser.push(chunk);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
