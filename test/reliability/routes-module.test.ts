// wireplay.routes.mjs cannot take the server down: it runs in a worker thread. An
// import that never settles, an endless loop at import or in a handler, a stray
// asynchronous throw, an unhandled rejection, process.exit(): each is reported with
// the file and line, the request it hit answers 500 (503 past the time limit), the
// worker is started afresh for the next request, and the built-in routes answer
// throughout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { within } from '../support/within.js';
import { startRoutesServer } from './routes-fixture.js';

const GOOD = `export default {\n  'GET /v': (req, res) => res.end('v1'),\n};\n`;

test('while a new version of the module loads (here: forever), the previous routes and the built-ins keep answering', async (t) => {
  const s = await startRoutesServer(t, 'wireplay.routes.mjs', GOOD, { routesLimits: { loadTimeoutMs: 60_000 } });
  writeFileSync(s.file, `export default { 'GET /v': (req, res) => res.end('v2') };\nawait new Promise(() => {});\n`);
  let settled = false;
  void s.server.reloadRoutes().finally(() => (settled = true));
  assert.deepEqual(await s.get('/v'), { status: 200, text: 'v1' }, 'the previous module serves');
  assert.equal((await s.get('/echo')).status, 200);
  assert.equal(settled, false, 'the new version is still loading');
});

test('an import that never settles is reported at its top-level await; the server serves the built-in routes, then the fixed file', async (t) => {
  const s = await within(
    startRoutesServer(t, 'wireplay.routes.mjs', `export default { 'GET /v': (req, res) => res.end('v1') };\n\nawait new Promise(() => {});\n`, {
      routesLimits: { loadTimeoutMs: 500 },
    }),
    'the server to listen (a module that never loads must not hold it)',
    60_000,
  );
  const error = await s.routesError(/did not finish loading/, 'the load timeout');
  assert.deepEqual([error.line, error.column], [3, 1]);
  assert.match(error.message, /within 500 ms: a top-level await that never settles/);
  assert.equal((await s.get('/v')).status, 404, 'a module that did not load serves nothing');
  assert.equal((await s.get('/echo')).status, 200);
  writeFileSync(s.file, GOOD);
  assert.deepEqual(await s.server.reloadRoutes(), []);
  assert.deepEqual(await s.get('/v'), { status: 200, text: 'v1' });
});

test('an endless loop at import is reported at its line', async (t) => {
  const s = await within(
    startRoutesServer(t, 'wireplay.routes.mjs', `export default {};\nlet n = 0;\nwhile (n >= 0) n = (n + 1) % 7;\n`, { routesLimits: { loadTimeoutMs: 500 } }),
    'the server to listen',
    60_000,
  );
  const error = await s.routesError(/did not finish loading/, 'the load timeout');
  assert.match(error.message, /keeps running at import/);
  assert.equal(error.line, 3);
  assert.equal((await s.get('/echo')).status, 200);
});

const HANDLERS = `let count = 0;
export default {
  'GET /ok': (req, res) => res.end('ok'),
  'GET /count': (req, res) => res.end(String(++count)),
  'GET /spin-early': () => {
    for (;;) {}
  },
  'GET /spin': (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('entered\\n');
    setImmediate(() => {
      for (;;) {}
    });
  },
  'GET /boom': (req, res) => {
    setTimeout(() => { throw new Error('async boom'); }, 0);
  },
  'GET /reject': async (req, res) => {
    Promise.reject(new Error('nobody catches this'));
    await new Promise((r) => setTimeout(r, 1000));
    res.end('late');
  },
  'GET /exit': () => process.exit(3),
};
`;

test('a handler stuck in a loop answers 503 after handlerTimeoutMs, is reported at its line, and the next request gets a fresh worker', async (t) => {
  const s = await startRoutesServer(t, 'wireplay.routes.mjs', HANDLERS, { routesLimits: { handlerTimeoutMs: 500 } });
  assert.equal((await s.get('/count')).text, '1');
  const spin = await s.get('/spin-early');
  assert.equal(spin.status, 503);
  assert.match(spin.text, /did not answer within 500 ms/);
  const error = await s.routesError(/blocked the routes worker/, 'the report');
  assert.match(error.message, /^"GET \/spin-early" blocked the routes worker for more than 500 ms/);
  assert.equal(error.line, 6, 'the line of the loop');
  assert.deepEqual(await s.get('/count'), { status: 200, text: '1' }, 'a fresh worker: the module was imported again');
});

test('while a handler blocks its worker, the built-in routes answer; requests queued behind it go to the next worker', async (t) => {
  const s = await startRoutesServer(t, 'wireplay.routes.mjs', HANDLERS, { routesLimits: { handlerTimeoutMs: 3000 } });
  let ended = false;
  const entered = within(
    new Promise<void>((resolve, reject) => {
      const req = request(`${s.url}/spin`, (res) => {
        res.once('data', () => resolve()); // "entered": the worker is in the loop now
        res.on('end', () => (ended = true));
        res.on('error', () => (ended = true));
        res.resume();
      });
      req.on('error', reject);
      req.end();
    }),
    'the handler to enter its loop',
  );
  await entered;
  const queued = s.get('/ok'); // posted to the blocked worker
  assert.equal((await s.get('/echo')).status, 200, 'a built-in route answers while the worker is blocked');
  assert.equal(ended, false, 'the blocked handler has not been stopped yet');
  assert.deepEqual(await within(queued, 'the queued request'), { status: 200, text: 'ok' }, 'sent again to the fresh worker');
  const error = await s.routesError(/"GET \/spin" blocked/, 'the report');
  assert.equal(error.line, 12);
});

test('a stray asynchronous throw answers 500, is reported at its line, and the worker starts afresh', async (t) => {
  const s = await startRoutesServer(t, 'wireplay.routes.mjs', HANDLERS);
  assert.equal((await s.get('/count')).text, '1');
  assert.equal((await s.get('/count')).text, '2');
  const boom = await s.get('/boom');
  assert.equal(boom.status, 500);
  assert.match(boom.text, /async boom/);
  const error = await s.routesError(/async boom/, 'the report');
  assert.deepEqual([error.line, error.column], [16, 30]);
  assert.match(error.message, /uncaught in the routes worker/);
  assert.equal((await s.get('/echo')).status, 200);
  assert.equal((await s.get('/count')).text, '1', 'a fresh worker');
});

test('an unhandled rejection answers 500 and is reported at its line', async (t) => {
  const s = await startRoutesServer(t, 'wireplay.routes.mjs', HANDLERS);
  const res = await s.get('/reject');
  assert.equal(res.status, 500);
  const error = await s.routesError(/nobody catches this/, 'the report');
  assert.equal(error.line, 19);
  assert.deepEqual(await s.get('/ok'), { status: 200, text: 'ok' });
});

test('process.exit() in a handler ends its worker only', async (t) => {
  const s = await startRoutesServer(t, 'wireplay.routes.mjs', HANDLERS);
  assert.equal((await s.get('/exit')).status, 500);
  const error = await s.routesError(/exited with code 3/, 'the report');
  assert.match(error.message, /process\.exit/);
  assert.deepEqual(await s.get('/ok'), { status: 200, text: 'ok' });
  assert.equal((await s.get('/echo')).status, 200);
});

test('a WebSocket callback stuck in a loop: its connection closes with 1011, it is reported at its line, the next connection works', async (t) => {
  const s = await startRoutesServer(
    t,
    'wireplay.routes.mjs',
    `export default {\n  'WS /ws/spin': {\n    onOpen(peer) { peer.send('open'); },\n    onMessage(peer, m) {\n      if (m.text === 'spin') for (;;) {}\n      peer.send(m.text);\n    },\n  },\n};\n`,
    { routesLimits: { handlerTimeoutMs: 500 } },
  );
  const connect = () =>
    new Promise<{ ws: WebSocket; closed: Promise<number> }>((resolve, reject) => {
      const ws = new WebSocket(`${s.url.replace('http', 'ws')}/ws/spin`);
      const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
      ws.once('message', () => resolve({ ws, closed }));
      ws.once('error', reject);
    });
  const first = await within(connect(), 'the first connection');
  first.ws.send('spin');
  assert.equal(await within(first.closed, 'the close'), 1011);
  const error = await s.routesError(/"WS \/ws\/spin" blocked the routes worker/, 'the report');
  assert.equal(error.line, 5);
  assert.equal((await s.get('/echo')).status, 200);
  const second = await within(connect(), 'a connection to the fresh worker');
  const echoed = new Promise<string>((r) => second.ws.once('message', (d) => r(String(d))));
  second.ws.send('hi');
  assert.equal(await within(echoed, 'the echo'), 'hi');
  second.ws.close();
});
