// Static files over a real socket: MIME types, validators and 304, ranges (206/416),
// directories (index, listing, redirect), HEAD, and a large file streamed with backpressure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Handler } from '../../../server-core/http/handler-types.js';
import { Router } from '../../../server-core/router/router.js';
import { createStaticHandler, DEFAULT_HIGH_WATER_MARK } from '../../../server-core/static/static-files.js';
import { registerDemoRoutes } from '../../../server-core/routes/demo-routes.js';
import { serveHandler, sendRaw, type TestServer } from '../../support/handler-server.js';
import { makeStaticFixture, type StaticFixture } from '../../support/static-fixture.js';

let fx: StaticFixture;
let server: TestServer;
let listingServer: TestServer;
const writes = { count: 0, maxChunk: 0, bytes: 0, drains: 0 };
let firstDrain: ((bytesSoFar: number) => void) | undefined;

before(async () => {
  fx = makeStaticFixture(16 * 1024 * 1024);
  const router = new Router();
  registerDemoRoutes(router, { root: fx.root });
  // Counts what the handlers write, to show that files go out in bounded chunks with backpressure.
  const counting: Handler = (req, res) => {
    if (req.path === '/files/big.bin') {
      const write = res.write.bind(res);
      const drain = res.drain.bind(res);
      res.write = (chunk) => {
        writes.count++;
        writes.bytes += chunk.length;
        writes.maxChunk = Math.max(writes.maxChunk, chunk.length);
        return write(chunk);
      };
      res.drain = () => {
        writes.drains++;
        firstDrain?.(writes.bytes);
        firstDrain = undefined;
        return drain();
      };
    }
    return router.handle(req, res);
  };
  server = await serveHandler(counting);
  const plain = new Router().get('/*', createStaticHandler({ root: fx.root, index: [] }), { kind: 'static' });
  listingServer = await serveHandler(plain.handle);
});

after(async () => {
  await server?.close();
  await listingServer?.close();
  fx?.cleanup();
});

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(server.url + path, { method, headers, redirect: 'manual' });

test('a file: 200 with type, length, weak ETag, Last-Modified, Accept-Ranges', async () => {
  const res = await get('/files/hello.txt');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(res.headers.get('content-length'), '17');
  assert.match(res.headers.get('etag') ?? '', /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
  assert.ok(!Number.isNaN(Date.parse(res.headers.get('last-modified') ?? '')));
  assert.equal(res.headers.get('accept-ranges'), 'bytes');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(await res.text(), 'Hello, Wireplay!\n');
});

test('MIME types from the extension, charset on text', async () => {
  const expected: Record<string, string> = {
    'index.html': 'text/html; charset=utf-8',
    'data.json': 'application/json; charset=utf-8',
    'style.css': 'text/css; charset=utf-8',
    'app.js': 'text/javascript; charset=utf-8',
    'image.png': 'image/png',
    'blob.unknownext': 'application/octet-stream',
    'big.bin': 'application/octet-stream',
  };
  for (const [name, type] of Object.entries(expected)) {
    const res = await get(`/files/${name}`, {}, 'HEAD');
    assert.equal(res.headers.get('content-type'), type, name);
  }
});

test('names with spaces and other characters are found through percent-encoding', async () => {
  const res = await get('/files/a%20b.txt');
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'space\n');
  const weird = await get(`/files/${encodeURIComponent(`weird <&>"'.txt`)}`);
  assert.equal(await weird.text(), 'weird\n');
});

test('If-None-Match → 304 (weak comparison, lists, *); a different tag → 200', async () => {
  const etag = (await get('/files/hello.txt', {}, 'HEAD')).headers.get('etag')!;
  for (const inm of [etag, etag.slice(2), `W/"nope", ${etag}`, '*']) {
    const res = await get('/files/hello.txt', { 'If-None-Match': inm });
    assert.equal(res.status, 304, inm);
    assert.equal(res.headers.get('etag'), etag);
    assert.equal(await res.text(), '');
  }
  const other = await get('/files/hello.txt', { 'If-None-Match': 'W/"other"' });
  assert.equal(other.status, 200);
  await other.arrayBuffer();
});

test('If-Modified-Since → 304 when not modified since; If-None-Match takes precedence', async () => {
  const lm = (await get('/files/hello.txt', {}, 'HEAD')).headers.get('last-modified')!;
  const same = await get('/files/hello.txt', { 'If-Modified-Since': lm });
  assert.equal(same.status, 304);
  const earlier = await get('/files/hello.txt', { 'If-Modified-Since': new Date(Date.parse(lm) - 3600_000).toUTCString() });
  assert.equal(earlier.status, 200);
  await earlier.arrayBuffer();
  const both = await get('/files/hello.txt', { 'If-Modified-Since': lm, 'If-None-Match': 'W/"other"' });
  assert.equal(both.status, 200);
  await both.arrayBuffer();
});

test('Range: bytes=a-b, a-, -n → 206 with Content-Range', async () => {
  const cases: Array<[string, string, string]> = [
    ['bytes=0-4', 'bytes 0-4/17', 'Hello'],
    ['bytes=7-', 'bytes 7-16/17', 'Wireplay!\n'],
    ['bytes=-6', 'bytes 11-16/17', 'play!\n'],
    ['bytes=16-100', 'bytes 16-16/17', '\n'],
    ['bytes=-100', 'bytes 0-16/17', 'Hello, Wireplay!\n'],
  ];
  for (const [range, contentRange, body] of cases) {
    const res = await get('/files/hello.txt', { Range: range });
    assert.equal(res.status, 206, range);
    assert.equal(res.headers.get('content-range'), contentRange, range);
    assert.equal(res.headers.get('content-length'), String(body.length), range);
    assert.equal(await res.text(), body, range);
  }
  // A range in the middle of the big file is exactly those bytes.
  const res = await get('/files/big.bin', { Range: 'bytes=1000000-1000099' });
  assert.equal(res.status, 206);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), fx.big.subarray(1000000, 1000100));
});

test('Range: unsatisfiable → 416 with bytes */size; multiple or invalid ranges → 200 whole', async () => {
  for (const range of ['bytes=17-', 'bytes=100-200', 'bytes=-0']) {
    const res = await get('/files/hello.txt', { Range: range });
    assert.equal(res.status, 416, range);
    assert.equal(res.headers.get('content-range'), 'bytes */17', range);
    await res.arrayBuffer();
  }
  const empty = await get('/files/empty.txt', { Range: 'bytes=0-' });
  assert.equal(empty.status, 416);
  assert.equal(empty.headers.get('content-range'), 'bytes */0');
  await empty.arrayBuffer();
  for (const range of ['bytes=0-1,3-4', 'bytes=5-2', 'items=0-1', 'bytes=x-y']) {
    const res = await get('/files/hello.txt', { Range: range });
    assert.equal(res.status, 200, range);
    assert.equal(await res.text(), 'Hello, Wireplay!\n', range);
  }
});

test('If-Range: a matching date keeps the range, an ETag or an old date gives the whole file', async () => {
  const head = await get('/files/hello.txt', {}, 'HEAD');
  const lm = head.headers.get('last-modified')!;
  const ok = await get('/files/hello.txt', { Range: 'bytes=0-4', 'If-Range': lm });
  assert.equal(ok.status, 206);
  await ok.arrayBuffer();
  for (const ifRange of [head.headers.get('etag')!, new Date(Date.parse(lm) - 60_000).toUTCString()]) {
    const res = await get('/files/hello.txt', { Range: 'bytes=0-4', 'If-Range': ifRange });
    assert.equal(res.status, 200, ifRange);
    await res.arrayBuffer();
  }
});

test('HEAD: the headers of GET and no body', async () => {
  const out = await sendRaw(server.port, 'HEAD /files/hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const text = out.toString('latin1');
  assert.match(text, /^HTTP\/1\.1 200 /);
  assert.match(text, /\r\ncontent-length: 17\r\n/i);
  assert.ok(text.endsWith('\r\n\r\n'), 'nothing after the head');
});

test('an empty file is 200 with Content-Length 0', async () => {
  const res = await get('/files/empty.txt');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), '0');
  assert.equal(await res.text(), '');
});

test('directories: index.html, redirect to the slash form, generated listing', async () => {
  const rootIndex = await get('/files/');
  assert.equal(rootIndex.status, 200);
  assert.match(await rootIndex.text(), /root index/);
  const noSlash = await get('/files/site?x=1');
  assert.equal(noSlash.status, 301);
  assert.equal(noSlash.headers.get('location'), '/files/site/?x=1');
  await noSlash.arrayBuffer();
  const site = await get('/files/site/');
  assert.equal(await site.text(), '<p>site index</p>\n');
  const sub = await get('/files/sub/');
  assert.equal(sub.status, 200);
  assert.equal(sub.headers.get('content-type'), 'text/html; charset=utf-8');
  const html = await sub.text();
  assert.match(html, /<a href="inner\.txt">inner\.txt<\/a>/);
  assert.match(html, /<a href="\.\.\/">\.\.\/<\/a>/);
});

test('a listing escapes names, encodes links, hides dot-files', async () => {
  const res = await fetch(listingServer.url + '/');
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.ok(html.includes('weird &lt;&amp;&gt;&quot;&#39;.txt'), 'the name is HTML-escaped');
  assert.ok(html.includes(`href="${encodeURIComponent(`weird <&>"'.txt`).replace(/'/g, '&#39;')}"`), 'the link is percent-encoded');
  assert.ok(!html.includes(`<&>"'`), 'no raw markup from a file name');
  assert.ok(html.includes('href="a%20b.txt"'));
  assert.ok(html.includes('href="sub/"'));
  assert.ok(!html.includes('.env') && !html.includes('.hidden'), 'dot-files are not listed');
  assert.ok(!html.includes('href="../"'), 'no parent link at the root');
  assert.ok(html.includes('href="link-in.txt"'), 'a symlink inside the root is listed');
  assert.ok(!html.includes('link-out') && !html.includes('dir-out'), 'symlinks pointing out are not listed');
});

test('static handlers answer only GET and HEAD', async () => {
  const res = await get('/files/hello.txt', {}, 'POST');
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'GET, HEAD, OPTIONS');
  await res.arrayBuffer();
});

test('a large file is streamed in bounded chunks with backpressure, byte for byte', async () => {
  writes.count = writes.bytes = writes.maxChunk = writes.drains = 0;
  const stalled = new Promise<number>((resolve) => (firstDrain = resolve));
  const socket = connect(server.port, '127.0.0.1');
  const chunks: Buffer[] = [];
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('data', (c) => chunks.push(c));
  socket.pause(); // a slow reader: nothing is read until the server has waited for drain
  socket.write('GET /files/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const writtenAtStall = await stalled;
  assert.ok(writtenAtStall < fx.big.length, `the server waited for drain after ${writtenAtStall} of ${fx.big.length} bytes`);
  socket.resume();
  await closed;
  const all = Buffer.concat(chunks);
  const bodyStart = all.indexOf('\r\n\r\n') + 4;
  const body = all.subarray(bodyStart);
  assert.equal(body.length, fx.big.length);
  assert.equal(createHash('sha256').update(body).digest('hex'), createHash('sha256').update(fx.big).digest('hex'));
  assert.ok(writes.count >= fx.big.length / DEFAULT_HIGH_WATER_MARK, `${writes.count} writes`);
  assert.ok(writes.maxChunk <= DEFAULT_HIGH_WATER_MARK, `largest write ${writes.maxChunk}`);
  assert.ok(writes.drains >= 1);
});

test('node:http as a client reads the large file whole', async () => {
  const body = await new Promise<Buffer>((resolve, reject) => {
    httpRequest(server.url + '/files/big.bin', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
  assert.ok(body.equals(fx.big));
});

test('a file named with a trailing slash is not found (a file is not a folder)', async () => {
  for (const path of ['/files/hello.txt/', '/files/sub/inner.txt/', '/files/link-in.txt/']) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.equal(await res.text(), 'Not found\n', path);
  }
  // The same names without the slash are served, and a folder with one still is.
  assert.equal((await get('/files/hello.txt')).status, 200);
  assert.equal((await get('/files/sub/')).status, 200);
});

// The read buffers are pooled (server-core/static/read-buffer-pool.ts): a buffer goes back into
// use only once the socket handed it to the kernel. The file's bytes differ at every offset, so a
// buffer refilled too early shows as wrong bytes in some body.
function readBody(port: number, requests: string, paused: boolean): { socket: ReturnType<typeof connect>; done: Promise<Buffer> } {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
  if (paused) socket.pause();
  socket.write(requests);
  return { socket, done };
}

function bodiesOf(raw: Buffer, count: number): Buffer[] {
  const bodies: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const headEnd = raw.indexOf('\r\n\r\n', at);
    assert.ok(headEnd >= 0, `response ${i + 1} of ${count} has a head`);
    const length = Number(/content-length: (\d+)/i.exec(raw.subarray(at, headEnd).toString('latin1'))?.[1]);
    bodies.push(raw.subarray(headEnd + 4, headEnd + 4 + length));
    at = headEnd + 4 + length;
  }
  return bodies;
}

test('pooled read buffers: concurrent slow readers and a pipelined pair each get the file byte for byte', async (t) => {
  const big = 'GET /files/big.bin HTTP/1.1\r\nHost: x\r\n\r\n';
  const close = 'GET /files/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  // Four readers stall with writes in flight while a fifth, pipelined connection keeps taking buffers.
  const slow = [0, 1, 2, 3].map(() => readBody(server.port, close, true));
  const pipelined = readBody(server.port, big + big + close, false);
  t.after(() => [...slow, pipelined].forEach((c) => c.socket.destroy()));
  const pipelinedBodies = bodiesOf(await pipelined.done, 3);
  for (const c of slow) c.socket.resume();
  const slowBodies = await Promise.all(slow.map(async (c) => bodiesOf(await c.done, 1)[0]));
  for (const [i, body] of [...pipelinedBodies, ...slowBodies].entries()) assert.ok(body.equals(fx.big), `body ${i + 1} is the file`);
});

test('pooled read buffers are never refilled while a capture keeps the written bytes', async (t) => {
  const { createWireplayServer } = await import('../../../server-core/server/wireplay-server.js');
  const router = new Router();
  registerDemoRoutes(router, { root: fx.root });
  const captured = createWireplayServer({ handler: router.handle, host: '127.0.0.1', port: 0 });
  // The capture keeps the buffers it is given (no copy), as a recording store may.
  const s2c = new Map<string, Buffer[]>();
  captured.capture.on('chunk', (e) => {
    if (e.dir === 's2c') (s2c.get(e.connectionId) ?? s2c.set(e.connectionId, []).get(e.connectionId)!).push(e.bytes);
  });
  const { port } = await captured.listen();
  t.after(() => captured.close());
  const close = 'GET /files/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  for (let i = 0; i < 3; i++) assert.ok(bodiesOf(await readBody(port, close, false).done, 1)[0].equals(fx.big), `response ${i + 1}`);
  assert.equal(s2c.size, 3);
  for (const [id, chunks] of s2c) assert.ok(bodiesOf(Buffer.concat(chunks), 1)[0].equals(fx.big), `the capture of ${id} still holds the file's bytes`);
});

test('pooled read buffers stay untouched after the capture that was given them stops listening', async (t) => {
  const { createWireplayServer } = await import('../../../server-core/server/wireplay-server.js');
  const router = new Router();
  registerDemoRoutes(router, { root: fx.root });
  const server2 = createWireplayServer({ handler: router.handle, host: '127.0.0.1', port: 0 });
  const kept: Buffer[] = [];
  const keep = (e: { dir: string; bytes: Buffer }) => {
    if (e.dir === 's2c') kept.push(e.bytes);
  };
  const listening = server2.capture.on('chunk', keep);
  const { port } = await server2.listen();
  t.after(() => server2.close());
  const get = 'GET /files/big.bin HTTP/1.1\r\nHost: x\r\n\r\n';
  const close = 'GET /files/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
  // A keep-alive connection whose response the capture recorded; it stays open, so its buffers are not retired with it.
  const recorded = connect(port, '127.0.0.1', () => recorded.write(get));
  t.after(() => recorded.destroy());
  const received: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    recorded.once('error', reject);
    recorded.on('data', (c: Buffer) => {
      received.push(c);
      const raw = Buffer.concat(received);
      const headEnd = raw.indexOf('\r\n\r\n');
      if (headEnd >= 0 && raw.length >= headEnd + 4 + fx.big.length) resolve();
    });
  });
  listening.dispose();
  // Other requests now take buffers from the pool.
  for (let i = 0; i < 3; i++) assert.ok(bodiesOf(await readBody(port, close, false).done, 1)[0].equals(fx.big), `response ${i + 1}`);
  // Had a buffer the capture keeps gone back to the pool, one of those reads would have refilled it.
  assert.ok(bodiesOf(Buffer.concat(kept), 1)[0].equals(fx.big), "the capture still holds the file's bytes");
});
