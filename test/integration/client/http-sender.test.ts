import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequestSpec } from '../../../server-core/client/request-spec.js';
import { HttpConnectionPool, sendRequest } from '../../../server-core/client/http-sender.js';
import { SendError } from '../../../server-core/client/transport.js';
import { Emitter } from '../../../server-core/util/emitter.js';
import type { CaptureChunk, CaptureEvents, ConnectionClosed, ConnectionOpened } from '../../../server-core/capture/types.js';
import { closeServer, freePort, listen, makeCertificate, portOf } from './helpers.js';

const seen: { rawHeaders: string[]; method: string; url: string; body: Buffer }[] = [];
const BIG = 96 * 1024 * 1024;

function handler(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({ rawHeaders: req.rawHeaders, method: req.method!, url: req.url!, body: Buffer.concat(chunks) });
    const u = new URL(req.url!, 'http://x');
    if (u.pathname === '/echo') {
      res.setHeader('Content-Type', 'application/octet-stream');
      res.end(Buffer.concat(chunks));
    } else if (u.pathname === '/chunked') {
      res.writeHead(200, { 'Content-Type': 'text/plain', Trailer: 'X-Sum' });
      res.write('hello ');
      res.write('world');
      res.addTrailers({ 'X-Sum': '11' });
      res.end();
    } else if (u.pathname === '/gzip') {
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Type': 'text/plain' });
      res.end(gzipSync('compressed hello'));
    } else if (u.pathname === '/redirect') {
      res.writeHead(Number(u.searchParams.get('status') ?? 302), { Location: '/final?from=r' });
      res.end('moved');
    } else if (u.pathname === '/loop') {
      res.writeHead(302, { Location: '/loop' });
      res.end();
    } else if (u.pathname === '/silent') {
      // never answers
    } else if (u.pathname === '/big') {
      res.writeHead(200, { 'Content-Length': String(BIG) });
      const block = Buffer.alloc(1024 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < BIG) {
          sent += block.length;
          if (!res.write(block)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    } else {
      res.setHeader('X-Path', u.pathname);
      res.end(`you asked for ${req.method} ${req.url}`);
    }
  });
}

const server = createServer(handler);
server.on('checkContinue', (req, res) => {
  res.writeContinue();
  handler(req, res);
});
let base = '';
before(async () => {
  await listen(server);
  base = `http://127.0.0.1:${portOf(server)}`;
});
after(() => closeServer(server));

test('GET: the server receives exactly the prepared headers, we parse its response', async () => {
  const capture = new Emitter<CaptureEvents>();
  const opened: ConnectionOpened[] = [];
  const chunks: CaptureChunk[] = [];
  const closed: ConnectionClosed[] = [];
  capture.on('open', (e) => opened.push(e));
  capture.on('chunk', (e) => chunks.push(e));
  capture.on('close', (e) => closed.push(e));
  const spec = createRequestSpec({ url: `${base}/hello?x=1`, headers: [{ name: 'X-Custom', value: 'v' }] });
  const r = await sendRequest(spec, { capture });
  assert.equal(r.response.statusCode, 200);
  assert.equal(r.response.reason, 'OK');
  assert.equal(r.response.body.toString(), 'you asked for GET /hello?x=1');
  assert.equal(r.response.headers.find((h) => h.name === 'X-Path')?.value, '/hello');
  assert.match(r.response.rawHead.toString(), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n$/);
  const last = seen[seen.length - 1];
  assert.deepEqual(last.rawHeaders, ['Host', `127.0.0.1:${portOf(server)}`, 'User-Agent', 'wireplay/0.1.0', 'Accept', '*/*', 'X-Custom', 'v', 'Connection', 'close']);
  // Capture: one client connection, c2s is exactly the prepared bytes, s2c starts with the raw head.
  assert.equal(opened.length, 1);
  assert.equal(opened[0].side, 'client');
  assert.equal(opened[0].protocol, 'http');
  assert.equal(opened[0].remote.port, portOf(server));
  const c2s = Buffer.concat(chunks.filter((c) => c.dir === 'c2s').map((c) => c.bytes));
  const s2c = Buffer.concat(chunks.filter((c) => c.dir === 's2c').map((c) => c.bytes));
  assert.deepEqual(c2s, r.request.bytes);
  assert.ok(s2c.subarray(0, r.response.rawHead.length).equals(r.response.rawHead));
  assert.ok(chunks.every((c) => c.connectionId === opened[0].connectionId));
  assert.equal(closed.length, 1);
  assert.equal(closed[0].connectionId, opened[0].connectionId);
  const t = r.timings;
  for (const k of ['dns', 'connect', 'tls', 'firstByte', 'download', 'total'] as const) assert.ok(t[k] >= 0, k);
  assert.equal(t.dns, 0);
  assert.equal(t.tls, 0);
  assert.ok(t.total >= t.firstByte);
});

test('POST bodies: text, bytes and a streamed file', async (t) => {
  let r = await sendRequest(createRequestSpec({ method: 'POST', url: `${base}/echo`, body: { kind: 'text', text: 'héllo' } }));
  assert.equal(r.response.body.toString(), 'héllo');
  const bin = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a]);
  r = await sendRequest(createRequestSpec({ method: 'PUT', url: `${base}/echo`, body: { kind: 'base64', data: bin.toString('base64') } }));
  assert.deepEqual(r.response.body, bin);
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-send-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = Buffer.alloc(3 * 1024 * 1024 + 7);
  for (let i = 0; i < file.length; i++) file[i] = (i * 31) & 0xff;
  writeFileSync(join(dir, 'up.bin'), file);
  r = await sendRequest(createRequestSpec({ method: 'POST', url: `${base}/echo`, body: { kind: 'file', path: join(dir, 'up.bin') } }), { previewBytes: 16 });
  assert.equal(r.response.bodyBytes, file.length);
  assert.equal(r.response.body.length, 16);
  assert.equal(r.response.bodyTruncated, true);
  assert.deepEqual(seen[seen.length - 1].body, file);
});

test('chunked response with trailers; HEAD has no body; a gzip body is decoded beside the wire bytes', async () => {
  let r = await sendRequest(createRequestSpec({ url: `${base}/chunked` }));
  assert.equal(r.response.head.chunked, true);
  assert.equal(r.response.body.toString(), 'hello world');
  assert.deepEqual(r.response.trailers, [{ name: 'X-Sum', value: '11' }]);
  r = await sendRequest(createRequestSpec({ method: 'HEAD', url: `${base}/x` }));
  assert.equal(r.response.statusCode, 200);
  assert.equal(r.response.bodyBytes, 0);
  r = await sendRequest(createRequestSpec({ url: `${base}/gzip`, headers: [{ name: 'Accept-Encoding', value: 'gzip' }] }));
  assert.deepEqual(r.response.body, gzipSync('compressed hello'));
  assert.equal(r.response.decodedBody?.toString(), 'compressed hello');
});

test('Expect: 100-continue shows the informational response', async () => {
  const r = await sendRequest(
    createRequestSpec({ method: 'POST', url: `${base}/echo`, headers: [{ name: 'Expect', value: '100-continue' }], body: { kind: 'text', text: 'abc' } }),
  );
  assert.deepEqual(r.response.informational.map((i) => i.statusCode), [100]);
  assert.equal(r.response.statusCode, 200);
  assert.equal(r.response.body.toString(), 'abc');
});

test('redirects: shown by default, followed when asked, bounded', async () => {
  let r = await sendRequest(createRequestSpec({ method: 'POST', url: `${base}/redirect`, body: { kind: 'text', text: 'x' } }));
  assert.equal(r.response.statusCode, 302);
  assert.equal(r.redirects.length, 0);
  r = await sendRequest(createRequestSpec({ method: 'POST', url: `${base}/redirect`, body: { kind: 'text', text: 'x' }, options: { followRedirects: true } }));
  assert.equal(r.response.statusCode, 200);
  assert.equal(r.response.body.toString(), 'you asked for GET /final?from=r');
  assert.equal(r.redirects.length, 1);
  assert.equal(r.redirects[0].response.statusCode, 302);
  r = await sendRequest(createRequestSpec({ method: 'POST', url: `${base}/redirect?status=307`, body: { kind: 'text', text: 'kept' }, options: { followRedirects: true } }));
  assert.equal(r.response.body.toString(), 'you asked for POST /final?from=r');
  assert.equal(seen[seen.length - 1].body.toString(), 'kept');
  await assert.rejects(
    sendRequest(createRequestSpec({ url: `${base}/loop`, options: { followRedirects: true, maxRedirects: 3 } })),
    (e: unknown) => e instanceof SendError && e.code === 'TOO_MANY_REDIRECTS',
  );
});

test('keep-alive: a pool reuses the connection', async (t) => {
  const pool = new HttpConnectionPool();
  t.after(() => pool.dispose());
  const spec = createRequestSpec({ url: `${base}/a`, options: { keepAlive: true } });
  const r1 = await sendRequest(spec, { pool });
  assert.equal(r1.reused, false);
  assert.equal(pool.size, 1);
  const r2 = await sendRequest({ ...spec, url: `${base}/b` }, { pool });
  assert.equal(r2.reused, true);
  assert.equal(r2.connectionId, r1.connectionId);
  assert.equal(r2.timings.connect, 0);
  assert.equal(r2.response.body.toString(), 'you asked for GET /b');
  assert.ok(!r2.request.headers.some((h) => h.name === 'Connection'));
  // Without keepAlive the pool is not used.
  const r3 = await sendRequest(createRequestSpec({ url: `${base}/c` }), { pool });
  assert.equal(r3.reused, false);
});

test('failures: refused, timeout, abort', async () => {
  const port = await freePort();
  await assert.rejects(sendRequest(createRequestSpec({ url: `http://127.0.0.1:${port}/` })), (e: unknown) => e instanceof SendError && e.code === 'CONNECTION_REFUSED');
  await assert.rejects(
    sendRequest(createRequestSpec({ url: `${base}/silent`, options: { timeoutMs: 200 } })),
    (e: unknown) => e instanceof SendError && e.code === 'TIMEOUT',
  );
  const ac = new AbortController();
  const p = sendRequest(createRequestSpec({ url: `${base}/silent` }), { signal: ac.signal });
  setImmediate(() => ac.abort());
  await assert.rejects(p, (e: unknown) => e instanceof SendError && e.code === 'ABORTED');
});

test('a large download streams to a file; memory keeps only the preview', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-dl-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'big.bin');
  // Retained memory, measured after a full collection, so garbage not yet collected cannot blur it.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const retained = () => {
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = retained();
  let peak = 0;
  let seen = 0;
  let nextCheck = 0;
  const r = await sendRequest(createRequestSpec({ url: `${base}/big` }), {
    bodyFile: out,
    previewBytes: 1024,
    onBody: (chunk) => {
      seen += chunk.length;
      if (seen < nextCheck) return;
      nextCheck += 8 * 1024 * 1024;
      peak = Math.max(peak, retained() - before);
    },
  });
  assert.equal(r.response.bodyBytes, BIG);
  assert.equal(r.response.body.length, 1024);
  assert.equal(r.response.bodyFile, out);
  assert.equal(statSync(out).size, BIG);
  // Socket, file-stream and server buffers only: far below the body size.
  assert.ok(peak < 32 * 1024 * 1024, `retained memory grew by ${peak} bytes during a ${BIG}-byte download`);
});

test('HTTPS against a node https server with a certificate made by openssl', async (t) => {
  const { key, cert } = makeCertificate();
  const tlsServer = createHttpsServer({ key, cert }, handler);
  await listen(tlsServer);
  t.after(() => closeServer(tlsServer));
  const url = `https://localhost:${portOf(tlsServer)}/secure`;
  await assert.rejects(sendRequest(createRequestSpec({ url })), (e: unknown) => e instanceof SendError && e.code === 'TLS_FAILED');
  const capture = new Emitter<CaptureEvents>();
  const opened: ConnectionOpened[] = [];
  capture.on('open', (e) => opened.push(e));
  const r = await sendRequest(createRequestSpec({ url, options: { insecure: true } }), { capture });
  assert.equal(r.response.body.toString(), 'you asked for GET /secure');
  assert.ok(r.timings.tls > 0);
  assert.equal(opened[0].tls, true);
  assert.equal(seen[seen.length - 1].rawHeaders[1], `localhost:${portOf(tlsServer)}`);
});

test('a body delimited by the end of the connection; an invalid response is INVALID_RESPONSE', async (t) => {
  const replies = ['HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end', 'HTTP/1.1 2x0 Nope\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'];
  const server = createNetServer((s) => {
    s.on('error', () => {});
    s.once('data', () => s.end(replies.shift() ?? ''));
  });
  await listen(server);
  t.after(() => closeServer(server));
  const url = `http://127.0.0.1:${portOf(server)}/`;
  const r = await sendRequest(createRequestSpec({ url }));
  assert.equal(r.response.body.toString(), 'until the end');
  assert.equal(r.response.keepAlive, false);
  await assert.rejects(sendRequest(createRequestSpec({ url })), (e: unknown) => e instanceof SendError && e.code === 'INVALID_RESPONSE' && /byte 10: .*INVALID_STATUS/.test(e.message));
  await assert.rejects(sendRequest(createRequestSpec({ url })), (e: unknown) => e instanceof SendError && e.code === 'CONNECTION_CLOSED');
});

test('an answer before the whole body was taken (413) still counts; the connection is not reused', async (t) => {
  const early = createServer((req, res) => {
    res.writeHead(413, { Connection: 'close', 'Content-Length': '8' });
    res.end('too big!');
    req.socket.end();
  });
  await listen(early);
  t.after(() => closeServer(early));
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-413-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'big.bin'), Buffer.alloc(32 * 1024 * 1024));
  const pool = new HttpConnectionPool();
  t.after(() => pool.dispose());
  const r = await sendRequest(
    createRequestSpec({ method: 'POST', url: `http://127.0.0.1:${portOf(early)}/upload`, body: { kind: 'file', path: join(dir, 'big.bin') }, options: { keepAlive: true } }),
    { pool },
  );
  assert.equal(r.response.statusCode, 413);
  assert.equal(r.response.body.toString(), 'too big!');
  assert.equal(pool.size, 0);
});
