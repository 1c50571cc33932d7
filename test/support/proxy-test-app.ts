// The app the proxy tests put behind the proxy: a node:http server with a `ws`
// WebSocket endpoint, on 127.0.0.1 port 0, that records every byte each of its
// sockets received and sent (so a test can compare them with the proxy's
// capture of its upstream leg). Streams (SSE, NDJSON, chunked) send their first
// part, then wait for the test to release the rest: a test can prove the first
// part crossed the proxy before the stream ended, without a sleep.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface AppConnection {
  remotePort: number;
  received: Buffer[];
  sent: Buffer[];
  closed: Promise<void>;
}

export interface ProxyTestApp {
  port: number;
  origin: string;
  server: Server;
  wss: WebSocketServer;
  connections: AppConnection[];
  /** The connection whose client port is `port` (the proxy's upstream leg local port). */
  connection(remotePort: number): AppConnection | undefined;
  /** Lets a waiting stream (`/sse`, `/ndjson`, `/chunked`) go on: `release('sse')`. */
  release(name: string): void;
  /** Resolves when a request for `path` has arrived (counting from the start). */
  requested(path: string): Promise<IncomingMessage>;
  close(): Promise<void>;
}

/** Deterministic bytes of any length, for large bodies. */
export function patternBytes(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

export const BROWSER_PAGE = `<!doctype html>
<meta charset="utf-8"><title>proxy test</title>
<script>
window.results = (async () => {
  const out = {};
  const r = await fetch('/echo?from=fetch', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ hello: 'proxy' }) });
  out.fetch = await r.json();
  out.events = await new Promise((resolve, reject) => {
    const got = [];
    const es = new EventSource('/sse?count=3');
    es.onmessage = (e) => { got.push(e.data); if (got.length === 3) { es.close(); resolve(got); } };
    es.onerror = () => { if (got.length < 3) { es.close(); reject(new Error('EventSource failed after ' + got.length)); } };
  });
  out.ws = await new Promise((resolve, reject) => {
    const ws = new WebSocket('ws://' + location.host + '/ws');
    const got = [];
    ws.onopen = () => { ws.send('one'); ws.send('two'); };
    ws.onmessage = (e) => { got.push(e.data); if (got.length === 2) ws.close(1000, 'done'); };
    ws.onclose = (e) => resolve({ got, code: e.code });
    ws.onerror = () => reject(new Error('WebSocket failed'));
  });
  return out;
})();
</script>
<p>proxy test page</p>
`;

export async function startProxyTestApp(): Promise<ProxyTestApp> {
  const connections: AppConnection[] = [];
  const releases = new Map<string, (() => void)[]>();
  const released = new Set<string>();
  const waitRelease = (name: string) =>
    new Promise<void>((resolve) => {
      if (released.has(name)) return resolve();
      releases.set(name, [...(releases.get(name) ?? []), resolve]);
    });
  const seen: IncomingMessage[] = [];
  const seenWaiters: { path: string; resolve: (m: IncomingMessage) => void }[] = [];
  const sockets = new Set<Socket>();

  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    seen.push(req);
    const path = (req.url ?? '').split('?')[0];
    for (const w of seenWaiters.filter((x) => x.path === path)) {
      seenWaiters.splice(seenWaiters.indexOf(w), 1);
      w.resolve(req);
    }
    // A client that goes away mid-request (a test's purpose) rejects the body read: the socket is gone anyway.
    route(req, res, waitRelease).catch(() => res.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    const conn: AppConnection = {
      remotePort: socket.remotePort!,
      received: [],
      sent: [],
      closed: new Promise((resolve) => socket.once('close', () => resolve())),
    };
    socket.once('close', () => sockets.delete(socket));
    connections.push(conn);
    socket.on('data', (b: Buffer) => conn.received.push(Buffer.from(b)));
    const write = socket.write;
    const end = socket.end;
    const record = (chunk: unknown, encoding: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      conn.sent.push(typeof chunk === 'string' ? Buffer.from(chunk, (typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding) : Buffer.from(chunk as Uint8Array));
    };
    socket.write = function (this: Socket, chunk: unknown, encoding?: unknown, cb?: unknown) {
      record(chunk, encoding);
      return (write as (...a: unknown[]) => boolean).call(this, chunk, encoding, cb);
    } as Socket['write'];
    socket.end = function (this: Socket, chunk?: unknown, encoding?: unknown, cb?: unknown) {
      record(chunk, encoding);
      return (end as (...a: unknown[]) => Socket).call(this, chunk, encoding, cb);
    } as Socket['end'];
  });
  const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: true });
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    server,
    wss,
    connections,
    connection: (remotePort) => connections.find((c) => c.remotePort === remotePort),
    release(name) {
      released.add(name);
      for (const r of releases.get(name) ?? []) r();
      releases.delete(name);
    },
    requested(path) {
      const done = seen.find((m) => (m.url ?? '').split('?')[0] === path);
      if (done) return Promise.resolve(done);
      return new Promise((resolve) => seenWaiters.push({ path, resolve }));
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function route(req: IncomingMessage, res: ServerResponse, waitRelease: (name: string) => Promise<void>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://app');
  const body: Buffer[] = [];
  for await (const chunk of req) body.push(chunk as Buffer);
  const count = Number(url.searchParams.get('count') ?? '3');
  switch (url.pathname) {
    case '/hello':
      res.setHeader('Content-Type', 'text/plain');
      res.end('hello through the proxy\n');
      return;
    case '/echo': {
      const text = JSON.stringify({ method: req.method, url: req.url, headers: req.rawHeaders, body: Buffer.concat(body).toString('utf8') });
      res.setHeader('Content-Type', 'application/json');
      res.end(text);
      return;
    }
    case '/page':
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(BROWSER_PAGE);
      return;
    case '/big': {
      const size = Number(url.searchParams.get('size') ?? String(1024 * 1024));
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Length', size);
      res.end(patternBytes(size));
      return;
    }
    case '/sse': {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write(`data: event 1\n\n`);
      if (url.searchParams.get('gate') === '1') await waitRelease('sse');
      for (let i = 2; i <= count; i++) res.write(`data: event ${i}\n\n`);
      res.end();
      return;
    }
    case '/ndjson': {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      res.write(`{"line":1}\n`);
      await waitRelease('ndjson');
      for (let i = 2; i <= count; i++) res.write(`{"line":${i}}\n`);
      res.end();
      return;
    }
    case '/slow':
      // Never answers: the proxy's timeout is the subject.
      await waitRelease('slow');
      res.end('late\n');
      return;
    case '/reset-mid-body':
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '1000' });
      res.write('x'.repeat(100), () => req.socket.destroy());
      return;
    case '/head-only':
      res.setHeader('Content-Length', '5');
      res.end(req.method === 'HEAD' ? undefined : 'head\n');
      return;
    default:
      res.statusCode = 404;
      res.end('not found\n');
  }
}
