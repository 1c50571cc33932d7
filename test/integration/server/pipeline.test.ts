// The pipeline record of each request (issue 18; docs/pipeline.md), read from the
// server's request events over real sockets: the stages each kind of request
// passes, in the drawing's order, and the route decision (pattern, layer, file and
// line, kind, params, the path served). Order is asserted, never a duration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { RequestLogEntry, WireplayServer } from '../../../server-core/index.js';
import { STAGE_NAMES, type RequestStages } from '../../../server-core/server/request-stages.js';
import { exchange, firstResponse, parseResponses, startServer } from './helpers.js';
import { waitFor } from '../../support/wait.js';

/** Every request event from now on. */
function record(t: { after(fn: () => unknown): void }, server: WireplayServer): RequestLogEntry[] {
  const entries: RequestLogEntry[] = [];
  const sub = server.events.on('request', (e) => entries.push(e));
  t.after(() => sub.dispose());
  return entries;
}

/** The stages present, in the drawing's order; and each is no earlier than the one before it. */
function assertOrdered(stages: RequestStages, expected: string[]): void {
  const present = STAGE_NAMES.filter((n) => stages[n] !== undefined);
  // bodyParsed may come after the handler started (a streamed body): it is checked on its own.
  const chain = present.filter((n) => n !== 'bodyParsed');
  assert.deepEqual(present, expected, 'the stages the request passed');
  for (let i = 1; i < chain.length; i++) {
    assert.ok(stages[chain[i]]! >= stages[chain[i - 1]]!, `${chain[i]} (${stages[chain[i]]}) is not before ${chain[i - 1]} (${stages[chain[i - 1]]})`);
  }
  if (stages.bodyParsed !== undefined) {
    assert.ok(stages.bodyParsed >= stages.headParsed!, 'bodyParsed after headParsed');
    if (stages.lastResponseByte !== undefined && !stages.bodyNotRead) assert.ok(stages.bodyParsed <= stages.lastResponseByte, 'bodyParsed before the last response byte');
  }
}

test('a code route: every stage in order, the route with its params; the next request on the connection has no accept', async (t) => {
  const { server, port } = await startServer(t);
  const entries = record(t, server);
  const r = await exchange(port, 'GET /delay/0 HTTP/1.1\r\nHost: x\r\n\r\nGET /headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.deepEqual(
    parseResponses(r.data).map((x) => x.status),
    [200, 200],
  );
  await waitFor(() => entries.length === 2, 'two request events');
  const [a, b] = entries;
  assert.equal(a.index, 1);
  assertOrdered(a.stages, ['accepted', 'firstByte', 'headParsed', 'bodyParsed', 'routed', 'handlerStart', 'firstResponseByte', 'lastResponseByte']);
  assert.equal(a.stages.accepted, 0);
  assert.equal(a.stages.bodyParsed, a.stages.headParsed, 'a GET without a body is complete with its head');
  assert.deepEqual(a.route, { pattern: '/delay/:ms', method: '*', layer: 'built-in', kind: 'code', params: { ms: '0' } });
  assert.equal(b.index, 2);
  assertOrdered(b.stages, ['firstByte', 'headParsed', 'bodyParsed', 'routed', 'handlerStart', 'firstResponseByte', 'lastResponseByte']);
  assert.ok(b.stages.firstByte! >= a.stages.firstByte!, 'times are relative to the same accept');
  assert.equal(b.route?.pattern, '/headers');
});

test('a POST whose body streams in after the handler started: bodyParsed comes when the body is complete', async (t) => {
  const { server, port } = await startServer(t);
  const entries = record(t, server);
  const r = await exchange(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nConnection: close\r\n\r\nhello', 'world']);
  assert.equal(firstResponse(r.data).status, 200);
  await waitFor(() => entries.length === 1, 'the request event');
  const s = entries[0].stages;
  assertOrdered(s, ['accepted', 'firstByte', 'headParsed', 'bodyParsed', 'routed', 'handlerStart', 'firstResponseByte', 'lastResponseByte']);
  assert.equal(s.bodyNotRead, undefined);
});

test('no route: routed is recorded with no route and no handler start (404)', async (t) => {
  const { server, port } = await startServer(t);
  const entries = record(t, server);
  const r = await exchange(port, 'GET /no/such/thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(firstResponse(r.data).status, 404);
  await waitFor(() => entries.length === 1, 'the request event');
  assertOrdered(entries[0].stages, ['accepted', 'firstByte', 'headParsed', 'bodyParsed', 'routed', 'firstResponseByte', 'lastResponseByte']);
  assert.equal(entries[0].route, null);
});

test('refused by the parser (400): the stage where it stopped and why, no route, the request line it had', async (t) => {
  const { server, port } = await startServer(t);
  const entries = record(t, server);
  const r = await exchange(port, 'GET /x HTTP/1.1\r\nBad Header\r\n\r\n');
  assert.equal(firstResponse(r.data).status, 400);
  await waitFor(() => entries.length === 1, 'the request event of the refused head');
  const e = entries[0];
  assert.equal(e.status, 400);
  assert.equal(e.method, 'GET');
  assert.equal(e.target, '/x');
  assert.equal(e.route, null);
  assertOrdered(e.stages, ['accepted', 'firstByte', 'firstResponseByte', 'lastResponseByte']);
  assert.deepEqual({ ...e.stages.refused, message: undefined }, { stage: 'head', status: 400, code: 'WHITESPACE_BEFORE_COLON', message: undefined });
  assert.match(e.stages.refused!.message, /whitespace/);
});

test('refused for its header size (431) and its body size (413): head and body stages', async (t) => {
  const { server, port } = await startServer(t, { limits: { maxHeaderBytes: 256, maxBodyBytes: 8 } });
  const entries = record(t, server);
  const big = await exchange(port, `GET /headers HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(400)}\r\n\r\n`);
  assert.equal(firstResponse(big.data).status, 431);
  await waitFor(() => entries.length === 1, 'the 431 request event');
  assert.equal(entries[0].stages.refused?.stage, 'head');
  assert.equal(entries[0].stages.refused?.status, 431);
  assert.equal(entries[0].stages.headParsed, undefined);

  // A declared length over the limit is refused with the head: no request is made of it.
  const declared = await exchange(port, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n' + 'b'.repeat(100));
  assert.equal(firstResponse(declared.data).status, 413);
  await waitFor(() => entries.length === 2, 'the first 413 request event');
  assert.deepEqual([entries[1].method, entries[1].target, entries[1].stages.refused?.stage, entries[1].stages.refused?.code], ['POST', '/echo', 'head', 'BODY_TOO_LARGE']);

  // A chunked body that grows over it is refused in the body, after its handler started.
  const body = await exchange(port, 'POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n' + 'b'.repeat(32) + '\r\n0\r\n\r\n');
  assert.equal(firstResponse(body.data).status, 413);
  await waitFor(() => entries.length === 3, 'the second 413 request event');
  const e = entries[2];
  assert.equal(e.method, 'POST');
  assert.equal(e.stages.refused?.stage, 'body');
  assert.equal(e.stages.refused?.status, 413);
  assert.ok(e.stages.headParsed !== undefined, 'the head was parsed before the body was refused');
  assert.equal(e.stages.bodyParsed, undefined);
});

test('sequential mode: both requests pass queued and dequeued; the second waits behind the first', async (t) => {
  const { server, port } = await startServer(t, { mode: 'sequential' });
  const entries = record(t, server);
  const started: string[] = [];
  const sub = server.events.on('queue', (e) => started.push(e.type));
  t.after(() => sub.dispose());
  const first = exchange(port, 'GET /delay/100 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await waitFor(() => started.includes('started'), 'the first request to start');
  const second = exchange(port, 'GET /delay/0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await waitFor(() => started.includes('queued'), 'the second request to be queued');
  await Promise.all([first, second]);
  await waitFor(() => entries.length === 2, 'two request events');
  const [a, b] = entries;
  for (const e of [a, b]) assertOrdered(e.stages, ['accepted', 'firstByte', 'headParsed', 'bodyParsed', 'queued', 'dequeued', 'routed', 'handlerStart', 'firstResponseByte', 'lastResponseByte']);
  // The second left the queue when the first finished: after its own queueing by at least
  // the time the first still ran. Both are measured from different accepts, so compare
  // through the first's response, which ended before the second's dequeue.
  assert.equal(b.target, '/delay/0');
  assert.ok(b.stages.dequeued! > b.stages.queued!, 'the second request waited in the queue');
});

test('concurrent mode: no queue stages', async (t) => {
  const { server, port } = await startServer(t, { mode: 'concurrent' });
  const entries = record(t, server);
  await exchange(port, 'GET /delay/0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await waitFor(() => entries.length === 1, 'the request event');
  assert.equal(entries[0].stages.queued, undefined);
  assert.equal(entries[0].stages.dequeued, undefined);
});

test('user routes: file, dir and fixed entries of a routes file, with the file, the line and the path served', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-pipeline-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'site', 'docs'), { recursive: true });
  writeFileSync(join(dir, 'hello.txt'), 'hello\n');
  writeFileSync(join(dir, 'site', 'docs', 'a.txt'), 'a\n');
  const routesFile = join(dir, 'wireplay.routes.json');
  writeFileSync(
    routesFile,
    [
      '{',
      '  "routes": [',
      '    { "path": "/hello", "file": "hello.txt" },',
      '    { "path": "/site/*", "dir": "site" },',
      '    {',
      '      "method": "POST", "path": "/users/:id", "status": 201, "body": { "ok": true }',
      '    }',
      '  ]',
      '}',
      '',
    ].join('\n'),
  );
  const { server, port } = await startServer(t, { routesFile });
  const entries = record(t, server);
  const r = await exchange(
    port,
    'GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /site/docs/a.txt HTTP/1.1\r\nHost: x\r\n\r\nPOST /users/7 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
  );
  assert.deepEqual(
    parseResponses(r.data).map((x) => x.status),
    [200, 200, 201],
  );
  await waitFor(() => entries.length === 3, 'three request events');
  assert.deepEqual(entries[0].route, { pattern: '/hello', method: 'GET', layer: 'user', file: routesFile, line: 3, kind: 'file', path: 'hello.txt', params: {} });
  assert.deepEqual(entries[1].route, { pattern: '/site/*', method: 'GET', layer: 'user', file: routesFile, line: 4, kind: 'dir', path: 'docs/a.txt', params: { '*': 'docs/a.txt' } });
  assert.deepEqual(entries[2].route, { pattern: '/users/:id', method: 'POST', layer: 'user', file: routesFile, line: 5, kind: 'fixed', params: { id: '7' } });
});

test('a .mjs route: kind code at the line of its key', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-pipeline-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const routesFile = join(dir, 'wireplay.routes.mjs');
  writeFileSync(routesFile, ['export default {', "  'GET /ping': (req, res) => res.end('pong'),", "  'GET /fixed': { status: 204 },", '};', ''].join('\n'));
  const { server, port } = await startServer(t, { routesFile, allowCode: true });
  const entries = record(t, server);
  const r = await exchange(port, 'GET /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /fixed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.deepEqual(
    parseResponses(r.data).map((x) => x.status),
    [200, 204],
  );
  await waitFor(() => entries.length === 2, 'two request events');
  assert.deepEqual(entries[0].route, { pattern: '/ping', method: 'GET', layer: 'user', file: routesFile, line: 2, kind: 'code', params: {} });
  assert.equal(entries[1].route?.kind, 'fixed');
  assert.equal(entries[1].route?.line, 3);
});

test('a WebSocket upgrade: status 101, the websocket route, its handshake stages', async (t) => {
  const { server, port } = await startServer(t);
  const entries = record(t, server);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/echo`);
  t.after(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await waitFor(() => entries.length === 1, 'the upgrade request event');
  const e = entries[0];
  assert.equal(e.status, 101);
  assert.equal(e.route?.kind, 'websocket');
  assert.equal(e.route?.pattern, '/ws/echo');
  assert.equal(e.route?.layer, 'built-in');
  assertOrdered(e.stages, ['accepted', 'firstByte', 'headParsed', 'bodyParsed', 'routed', 'handlerStart', 'firstResponseByte', 'lastResponseByte']);
  // The entry builds its stages and route when read (request-log-entry.ts): JSON carries them as the plain entry does.
  const plain = { connectionId: e.connectionId, index: e.index, method: e.method, target: e.target, status: e.status, bytes: e.bytes, durationMs: e.durationMs, remote: e.remote, stages: e.stages, route: e.route };
  assert.equal(JSON.stringify(e), JSON.stringify(plain));
  assert.deepEqual(JSON.parse(JSON.stringify(e)).route, { pattern: '/ws/echo', method: 'WS', layer: 'built-in', kind: 'websocket', params: {} });
});

test('recordStages: false leaves the request event without stages or route', async (t) => {
  const { server, port } = await startServer(t, { recordStages: false });
  const entries = record(t, server);
  await exchange(port, 'GET /delay/0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await waitFor(() => entries.length === 1, 'the request event');
  assert.deepEqual(entries[0].stages, {});
  assert.equal(entries[0].route, null);
});

test('a head that never ends (headers timeout, 408): refused in its head with HEADERS_TIMEOUT, the request line it had', async (t) => {
  const { server, port } = await startServer(t, { limits: { headersTimeout: 200 } });
  const entries = record(t, server);
  // Half a head; the server's timer (not the test) decides when it is refused.
  const r = await exchange(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n');
  assert.equal(firstResponse(r.data).status, 408);
  await waitFor(() => entries.length === 1, 'the 408 request event');
  const e = entries[0];
  assert.deepEqual([e.method, e.target, e.status, e.route], ['GET', '/slow', 408, null]);
  assert.deepEqual([e.stages.refused?.stage, e.stages.refused?.status, e.stages.refused?.code], ['head', 408, 'HEADERS_TIMEOUT']);
  assertOrdered(e.stages, ['accepted', 'firstByte', 'firstResponseByte', 'lastResponseByte']);
});

test("the server's one-line text log names the route pattern and kind", async (t) => {
  const lines: string[] = [];
  const { port } = await startServer(t, { log: (level, message) => level === 'info' && lines.push(message) });
  await exchange(port, 'GET /delay/0 HTTP/1.1\r\nHost: x\r\n\r\nGET /none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await waitFor(() => lines.filter((l) => l.includes(' → ')).length === 2, 'two request log lines');
  const [a, b] = lines.filter((l) => l.includes(' → '));
  assert.match(a, /^srv-\d+#1 GET \/delay\/0 → 200 \(\d+ B, [\d.]+ ms\) \/delay\/:ms \[code\]$/);
  assert.match(b, /^srv-\d+#2 GET \/none → 404 \(\d+ B, [\d.]+ ms\)$/);
});
