// The built-in demo routes over a real socket, with fetch, curl and raw bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import type { Handler } from '../../../server-core/http/handler-types.js';
import { Router } from '../../../server-core/router/router.js';
import { registerDemoRoutes } from '../../../server-core/routes/demo-routes.js';
import { serveHandler, sendRaw, type TestServer } from '../../support/handler-server.js';
import { makeStaticFixture, type StaticFixture } from '../../support/static-fixture.js';

let fx: StaticFixture;
let server: TestServer;
let router: Router;
const started = new Map<string, () => void>();
/** The JSON bodies of tracked responses, by path. */
const bodies = new Map<string, { aborted?: boolean }>();
/** Called with whether the response was finished when the handler settled. */
const settled = new Map<string, (finished: boolean) => void>();

before(async () => {
  fx = makeStaticFixture(1024);
  router = new Router();
  registerDemoRoutes(router, { root: fx.root, streamIntervalMs: 5, maxBytes: 1024 * 1024, maxDelayMs: 120_000 });
  router.ws('/ws/echo', { handler: {} }, { description: 'echo socket (stand-in)' });
  // Reports when a handler's promise settles, to show that /delay gives up when the client leaves.
  const tracking: Handler = async (req, res) => {
    started.get(req.path)?.();
    if (started.has(req.path)) {
      const end = res.end.bind(res);
      res.end = (chunk) => {
        if (chunk !== undefined) bodies.set(req.path, JSON.parse(chunk.toString()));
        end(chunk);
      };
    }
    try {
      await router.handle(req, res);
    } finally {
      settled.get(req.path)?.(res.finished);
    }
  };
  server = await serveHandler(tracking);
});

after(async () => {
  await server?.close();
  fx?.cleanup();
});

const url = (p: string) => server.url + p;

test('/ lists the routes with links', async () => {
  const res = await fetch(url('/'));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  const html = await res.text();
  for (const href of ['/echo', '/status/418', '/delay/1000', '/stream/5', '/bytes/5', '/redirect/5', '/headers', '/files/']) {
    assert.ok(html.includes(`href="${href}"`), href);
  }
  assert.ok(html.includes('<code>/ws/echo</code>'), 'WebSocket endpoints are listed without a link');
});

test('/echo reflects method, target, query, headers in order and a UTF-8 body', async () => {
  const res = await fetch(url('/echo?a=1&b=two&a=3'), {
    method: 'POST',
    headers: { 'X-First': 'one', 'Content-Type': 'text/plain', 'X-Last': 'z' },
    body: 'héllo',
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  const echo = await res.json();
  assert.equal(echo.method, 'POST');
  assert.equal(echo.target, '/echo?a=1&b=two&a=3');
  assert.equal(echo.path, '/echo');
  assert.deepEqual(echo.query, { a: ['1', '3'], b: 'two' });
  const names = (echo.headers as [string, string][]).map(([n]) => n.toLowerCase());
  assert.ok(names.indexOf('x-first') < names.indexOf('x-last'));
  assert.deepEqual(echo.body, { encoding: 'utf8', length: 6, text: 'héllo' });
  assert.equal(echo.httpVersion, '1.1');
});

test('/echo: a binary body comes back as base64; the raw head as escaped text and base64', async () => {
  const head = 'PUT /echo?x=%20 HTTP/1.1\r\nHost: h\r\nX-Tab: a\tb\r\nContent-Length: 3\r\nConnection: close\r\n\r\n';
  const out = await sendRaw(server.port, Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from([0xff, 0x00, 0xfe])]));
  const text = out.toString('utf8');
  assert.match(text, /^HTTP\/1\.1 200 /);
  const echo = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
  assert.deepEqual(echo.body, { encoding: 'base64', length: 3, base64: Buffer.from([0xff, 0x00, 0xfe]).toString('base64') });
  assert.equal(Buffer.from(echo.raw.headBase64, 'base64').toString('latin1'), head);
  assert.equal(echo.raw.head, head.replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n'));
  assert.equal(echo.raw.headLength, head.length);
  assert.deepEqual(echo.query, { x: ' ' });
});

test('/headers returns the request headers as ordered pairs', async () => {
  const out = await sendRaw(server.port, 'GET /headers HTTP/1.1\r\nHost: h\r\nX-B: 2\r\nx-a: 1\r\nConnection: close\r\n\r\n');
  const text = out.toString('utf8');
  const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
  assert.deepEqual(body.headers, [
    ['Host', 'h'],
    ['X-B', '2'],
    ['x-a', '1'],
    ['Connection', 'close'],
  ]);
});

test('/status/:code answers the code with its reason; 204 and 304 carry no body', async () => {
  const teapot = await fetch(url('/status/418'));
  assert.equal(teapot.status, 418);
  assert.equal(await teapot.text(), "418 I'm a Teapot\n");
  const created = await fetch(url('/status/201'), { method: 'POST' });
  assert.equal(created.status, 201);
  await created.arrayBuffer();
  const moved = await fetch(url('/status/302'), { redirect: 'manual' });
  assert.equal(moved.status, 302);
  assert.equal(moved.headers.get('location'), '/echo');
  await moved.arrayBuffer();
  for (const code of [204, 304]) {
    const out = await sendRaw(server.port, `GET /status/${code} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`);
    const text = out.toString('latin1');
    assert.match(text, new RegExp(`^HTTP/1\\.1 ${code} `));
    assert.ok(text.endsWith('\r\n\r\n'), `${code}: no body`);
  }
  const server500 = await fetch(url('/status/599'));
  assert.equal(server500.status, 599);
  await server500.arrayBuffer();
  for (const bad of ['99', '600', 'abc', '0200', '-1']) {
    const res = await fetch(url(`/status/${bad}`));
    assert.equal(res.status, 400, bad);
    await res.arrayBuffer();
  }
});

test('/delay/:ms answers after the delay; over the cap is 400', async () => {
  const res = await fetch(url('/delay/20'));
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.delayMs, 20);
  const over = await fetch(url('/delay/120001'));
  assert.equal(over.status, 400);
  await over.arrayBuffer();
});

test('/delay/:ms answers at once when the client goes away', async () => {
  const path = '/delay/60000';
  const running = new Promise<void>((resolve) => started.set(path, resolve));
  const done = new Promise<boolean>((resolve) => settled.set(path, resolve));
  const socket = connect(server.port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write(`GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`);
  await running; // the handler is waiting: now the client leaves
  socket.destroy();
  assert.equal(await done, true, 'the response was finished');
  assert.equal(bodies.get(path)?.aborted, true, 'early, with aborted: true');
  started.delete(path);
  settled.delete(path);
});

test('/stream/:n sends n chunks with chunked encoding', async () => {
  const out = await sendRaw(server.port, 'GET /stream/4 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n');
  const text = out.toString('latin1');
  assert.match(text, /\r\ntransfer-encoding: chunked\r\n/i);
  assert.ok(!/\r\ncontent-length:/i.test(text));
  assert.ok(text.endsWith('0\r\n\r\n'));
  const res = await fetch(url('/stream/4'));
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => [l.chunk, l.of]),
    [
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ],
  );
  const over = await fetch(url('/stream/1001'));
  assert.equal(over.status, 400);
  await over.arrayBuffer();
});

test('/bytes/:n sends n random bytes as application/octet-stream; over the cap is 400', async () => {
  for (const n of [0, 1, 70_000]) {
    const res = await fetch(url(`/bytes/${n}`));
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(res.headers.get('content-length'), String(n));
    assert.equal((await res.arrayBuffer()).byteLength, n);
  }
  const a = Buffer.from(await (await fetch(url('/bytes/32'))).arrayBuffer());
  const b = Buffer.from(await (await fetch(url('/bytes/32'))).arrayBuffer());
  assert.ok(!a.equals(b), 'random');
  const over = await fetch(url(`/bytes/${1024 * 1024 + 1}`));
  assert.equal(over.status, 400);
  await over.arrayBuffer();
});

test('/redirect/:n is a chain of 302s ending at /echo', async () => {
  const first = await fetch(url('/redirect/3'), { redirect: 'manual' });
  assert.equal(first.status, 302);
  assert.equal(first.headers.get('location'), '/redirect/2');
  await first.arrayBuffer();
  const last = await fetch(url('/redirect/1'), { redirect: 'manual' });
  assert.equal(last.headers.get('location'), '/echo');
  await last.arrayBuffer();
  const followed = await fetch(url('/redirect/3'));
  assert.equal(followed.status, 200);
  assert.ok(followed.redirected);
  assert.equal((await followed.json()).path, '/echo');
  const zero = await fetch(url('/redirect/0'), { redirect: 'manual' });
  assert.equal(zero.status, 400);
  await zero.arrayBuffer();
});

test('curl follows /redirect and sees the whole chain', async () => {
  const out = await new Promise<string>((resolve, reject) =>
    execFile('curl', ['-sS', '-L', '-i', '--max-time', '10', url('/redirect/2')], (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
  assert.equal((out.match(/^HTTP\/1\.1 302 /gm) ?? []).length, 2);
  assert.match(out, /^HTTP\/1\.1 200 /m);
});

test('/files/* serves the root; HEAD and OPTIONS are automatic; 404 and 405 otherwise', async () => {
  const file = await fetch(url('/files/hello.txt'));
  assert.equal(await file.text(), 'Hello, Wireplay!\n');
  const head = await fetch(url('/headers'), { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
  const options = await fetch(url('/headers'), { method: 'OPTIONS' });
  assert.equal(options.status, 204);
  assert.equal(options.headers.get('allow'), 'GET, HEAD, OPTIONS');
  const notAllowed = await fetch(url('/headers'), { method: 'DELETE' });
  assert.equal(notAllowed.status, 405);
  assert.equal(notAllowed.headers.get('allow'), 'GET, HEAD, OPTIONS');
  await notAllowed.arrayBuffer();
  const missing = await fetch(url('/nowhere'));
  assert.equal(missing.status, 404);
  await missing.arrayBuffer();
});

test('without a root, /files/ answers 404', async () => {
  const bare = new Router();
  registerDemoRoutes(bare);
  const s = await serveHandler(bare.handle);
  try {
    const res = await fetch(s.url + '/files/hello.txt');
    assert.equal(res.status, 404);
    await res.arrayBuffer();
  } finally {
    await s.close();
  }
});
