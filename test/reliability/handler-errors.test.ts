// Handler errors do what docs/server.md and docs/websocket.md promise, through
// the real server and real peers:
//   - a route that fails after its head went out: the chunked body ends
//     WITHOUT its last chunk and the connection closes (the client sees the
//     truncation, never a complete body);
//   - an invalid statusMessage answers 500, like an invalid header;
//   - any throw in a WebSocket callback (a bad peer.send(12345) included)
//     closes that connection with 1011, is reported once, and the server goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import WebSocket from 'ws';
import type { Handler } from '../../server-core/index.js';
import type { WebSocketRoute } from '../../server-core/ws/types.js';
import { collect, exchange, firstResponse, open, parseResponses, startServer } from '../integration/server/helpers.js';
import { waitFor } from '../support/wait.js';
import { startRoutesServer } from './routes-fixture.js';

const LAST_CHUNK = /\r\n0\r\n\r\n$/;

test('a route that fails after its head went out: no last chunk, the connection closes', async (t) => {
  const logged: string[] = [];
  const { port, server } = await startServer(t, { log: (level, m) => logged.push(`${level} ${m}`) });
  server.router!.get('/after-write-sync', (_req, res) => {
    res.write('partial');
    throw new Error('failed after the head (sync)');
  });
  server.router!.get('/after-write-async', async (_req, res) => {
    res.write('partial');
    await new Promise((r) => setImmediate(r));
    throw new Error('failed after the head (async)');
  });
  server.router!.get('/after-drain', async (_req, res) => {
    res.write(Buffer.alloc(256 * 1024, 0x61));
    await res.drain();
    throw new Error('failed after a drain');
  });
  for (const path of ['/after-write-sync', '/after-write-async', '/after-drain']) {
    const before = logged.length;
    // Keep-alive: the server, not the request, must close the connection.
    const r = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const text = r.data.toString('latin1');
    assert.equal(r.closed, true, `${path}: the connection closes`);
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/, path);
    assert.match(text, /Transfer-Encoding: chunked/, path);
    assert.doesNotMatch(text, LAST_CHUNK, `${path}: the body must not end with the last chunk`);
    const errors = logged.slice(before).filter((l) => l.startsWith('error'));
    assert.equal(errors.length, 1, `${path}: one error reported: ${JSON.stringify(errors)}`);
    assert.match(errors[0], /failed after/);
  }
  // The server goes on.
  const ok = await exchange(port, 'GET /headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(firstResponse(ok.data).status, 200);
});

test('a custom handler that fails after its head went out: no last chunk, the connection closes', async (t) => {
  const handler: Handler = async (_req, res) => {
    res.write('partial');
    await new Promise((r) => setImmediate(r));
    throw new Error('midway');
  };
  const { port } = await startServer(t, { handler, log: () => {} });
  const r = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(r.closed, true);
  assert.doesNotMatch(r.data.toString('latin1'), LAST_CHUNK);
});

test('an invalid statusMessage answers 500 like an invalid header, and nothing of it reaches the wire', async (t) => {
  const { port, server } = await startServer(t, { log: () => {} });
  const bad = 'Fine\r\nX-Injected: yes';
  server.router!.get('/reason-end', (_req, res) => {
    res.statusMessage = bad;
    res.end('x');
  });
  server.router!.get('/reason-writehead', (_req, res) => {
    res.statusMessage = bad;
    res.writeHead(200);
    res.end('x');
  });
  server.router!.get('/header', (_req, res) => {
    res.setHeader('X-Bad', bad);
    res.end('x');
  });
  for (const path of ['/reason-end', '/reason-writehead', '/header']) {
    const r = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, { responses: 1 });
    const res = firstResponse(r.data);
    assert.equal(res.status, 500, path);
    assert.doesNotMatch(r.data.toString('latin1'), /X-Injected/, path);
  }
  // Through a custom handler too.
  const custom = await startServer(t, {
    handler: (_req, res) => {
      res.statusMessage = bad;
      res.end('x');
    },
    log: () => {},
  });
  const r = await exchange(custom.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', { responses: 1 });
  assert.equal(firstResponse(r.data).status, 500);
});

/** Opens a `ws` client on `path`, sends `send` once open, and resolves with the close code it gets. */
async function closeCodeOf(port: number, path: string, send?: string): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  ws.on('error', () => {});
  const closed = once(ws, 'close') as Promise<[number, Buffer]>;
  if (send !== undefined) {
    await once(ws, 'open');
    ws.send(send);
  }
  const timer = setTimeout(() => ws.terminate(), 10_000);
  const [code, reason] = await closed;
  clearTimeout(timer);
  return { code, reason: reason.toString() };
}

test('a throw in any WebSocket callback closes that connection with 1011; the server goes on', async (t) => {
  const logged: string[] = [];
  const reportedToRoute: string[] = [];
  const route = (handler: WebSocketRoute['handler']): WebSocketRoute => ({
    handler: { ...handler, onError: handler.onError ?? ((_p, e) => reportedToRoute.push(e.message)) },
  });
  const routes: { path: string; route: WebSocketRoute }[] = [
    {
      path: '/throw-message',
      route: route({
        onMessage() {
          throw new Error('onMessage exploded');
        },
      }),
    },
    {
      path: '/bad-send',
      route: route({
        onMessage(peer) {
          peer.send(12345 as unknown as string);
        },
      }),
    },
    {
      path: '/throw-open',
      route: route({
        onOpen() {
          throw new Error('onOpen exploded');
        },
      }),
    },
    {
      path: '/throw-error',
      route: {
        handler: {
          onMessage() {
            throw new Error('first');
          },
          onError() {
            throw new Error('onError exploded too');
          },
        },
      },
    },
    {
      path: '/throw-close',
      route: {
        handler: {
          onMessage(peer) {
            peer.close(1000, 'bye');
          },
          onClose() {
            throw new Error('onClose exploded');
          },
        },
      },
    },
  ];
  const { port, server } = await startServer(t, { webSocketRoutes: routes, log: (level, m) => logged.push(`${level} ${m}`) });
  const errors: string[] = [];
  server.events.on('error', (e) => errors.push(e.message));

  assert.equal((await closeCodeOf(port, '/throw-message', 'hi')).code, 1011);
  assert.equal((await closeCodeOf(port, '/bad-send', 'hi')).code, 1011);
  assert.equal((await closeCodeOf(port, '/throw-open')).code, 1011);
  assert.equal((await closeCodeOf(port, '/throw-error', 'hi')).code, 1011);
  assert.equal((await closeCodeOf(port, '/throw-close', 'hi')).code, 1000, 'onClose runs after the close: its throw changes nothing on the wire');

  assert.ok(reportedToRoute.some((m) => m.includes('onMessage exploded')), 'the route hears of its own error');
  assert.ok(reportedToRoute.some((m) => /send/.test(m) && /12345|number/.test(m)), `a readable error for the bad send: ${JSON.stringify(reportedToRoute)}`);
  // onClose runs when the server's socket closes, which may be after the client saw the close.
  await waitFor(() => errors.some((m) => m.includes('onClose exploded')), 'the onClose error report');
  for (const what of ['onMessage exploded', 'onOpen exploded', 'onError exploded too', 'onClose exploded']) {
    assert.ok(errors.some((m) => m.includes(what)), `reported: ${what} (${JSON.stringify(errors)})`);
    assert.ok(logged.some((l) => l.startsWith('error') && l.includes(what)), `logged: ${what}`);
  }
  // The server goes on: the built-in echo still answers.
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/echo`);
  t.after(() => ws.terminate());
  await once(ws, 'open');
  ws.send('still here');
  const [data] = (await once(ws, 'message')) as [Buffer];
  assert.equal(data.toString(), 'still here');
});

test('a handler error on a pipelined request never completes the response', async (t) => {
  const { port, server } = await startServer(t, { log: () => {} });
  server.router!.get('/fail', async (_req, res) => {
    res.write('a');
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('late');
  });
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write('GET /fail HTTP/1.1\r\nHost: x\r\n\r\nGET /headers HTTP/1.1\r\nHost: x\r\n\r\n');
  const chunks: Buffer[] = [];
  assert.equal(await collect(socket, chunks), true);
  const text = Buffer.concat(chunks).toString('latin1');
  assert.doesNotMatch(text, LAST_CHUNK);
  let complete = 0;
  try {
    complete = parseResponses(Buffer.concat(chunks)).filter((r) => r.status >= 200).length;
  } catch {
    complete = 0; // the stream ends inside the cut response: what a client must see
  }
  assert.equal(complete, 0, 'the broken response is not complete, and the next one is never sent');
});

// The same promises across the hop to the routes worker (wireplay.routes.mjs runs in a worker thread).
const ROUTES_MJS = `export default {
  'GET /late-async': async (req, res) => {
    res.write('partial');
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('failed after the head (worker, async)');
  },
  'GET /late-sync': (req, res) => {
    res.write('partial');
    throw new Error('failed after the head (worker, sync)');
  },
  'GET /late-after-settle': (req, res) => {
    res.write('partial');
    setTimeout(() => { throw new Error('a stray throw after the head'); }, 5);
  },
  'GET /reason': (req, res) => {
    res.statusMessage = 'Fine\\r\\nX-Injected: yes';
    res.end('x');
  },
  'WS /ws/bad-send': { onMessage(peer) { peer.send(12345); } },
  'WS /ws/throw': { onMessage() { throw new Error('worker onMessage exploded'); } },
};
`;

test('across the routes worker: a handler that fails after its head went out leaves the body truncated and closes; a bad statusMessage is 500; a throwing WebSocket callback closes 1011', async (t) => {
  const s = await startRoutesServer(t, 'wireplay.routes.mjs', ROUTES_MJS);
  const port = Number(new URL(s.url).port);
  for (const path of ['/late-async', '/late-sync', '/late-after-settle']) {
    const r = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    const text = r.data.toString('latin1');
    assert.equal(r.closed, true, `${path}: the connection closes`);
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/, path);
    assert.match(text, /partial/, path);
    assert.doesNotMatch(text, LAST_CHUNK, `${path}: no last chunk`);
  }
  const reason = await exchange(port, 'GET /reason HTTP/1.1\r\nHost: x\r\n\r\n', { responses: 1 });
  assert.equal(firstResponse(reason.data).status, 500);
  assert.doesNotMatch(reason.data.toString('latin1'), /X-Injected/);
  assert.equal((await closeCodeOf(port, '/ws/bad-send', 'hi')).code, 1011);
  assert.equal((await closeCodeOf(port, '/ws/throw', 'hi')).code, 1011);
  // The built-in routes and the worker's good routes go on.
  const ok = await exchange(port, 'GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(firstResponse(ok.data).status, 200);
});
