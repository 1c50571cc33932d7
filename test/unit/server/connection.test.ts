// HttpConnection on a fake socket: request order, batching, closing, errors,
// timeouts and the upgrade hand-off, without the network. Integration tests
// (test/integration/server) drive the same paths with real peers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpMessageParser } from '../../../server-core/http/message-parser.js';
import type { Handler } from '../../../server-core/http/handler-types.js';
import { HttpConnection, type ConnectionContext, type ConnectionErrorEntry, type RequestLogEntry, type UpgradeHook, type ListedConnection } from '../../../server-core/server/connection.js';
import { LIFECYCLE_TRANSITIONS, LifecycleError, transition } from '../../../server-core/server/connection-lifecycle.js';
import { parserLimitsOf, resolveLimits, type ServerLimits } from '../../../server-core/server/limits.js';
import { Scheduler } from '../../../server-core/server/scheduler.js';
import type { CaptureEvents } from '../../../server-core/capture/types.js';
import { Emitter } from '../../../server-core/util/emitter.js';
import { FakeHttpSocket } from '../../support/http-fake-socket.js';
import { Router } from '../../../server-core/router/router.js';
import { compileEntry } from '../../../server-core/routes/route-entry.js';
import { stageList } from '../../../server-core/server/request-stages.js';

interface Setup {
  handler?: Handler;
  limits?: Partial<ServerLimits>;
  upgrade?: UpgradeHook;
}

function open(setup: Setup = {}) {
  const socket = new FakeHttpSocket();
  const limits = resolveLimits(setup.limits);
  const log: RequestLogEntry[] = [];
  const errors: ConnectionErrorEntry[] = [];
  const capture = new Emitter<CaptureEvents>();
  const chunks: CaptureEvents['chunk'][] = [];
  capture.on('chunk', (c) => chunks.push(c));
  let closed = false;
  let upgradedTo: ListedConnection | undefined;
  const handler: Handler =
    setup.handler ??
    ((req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(`hello ${req.path}`);
    });
  const ctx: ConnectionContext = {
    limits,
    parserLimits: parserLimitsOf(limits),
    createParser: (h, l) => new HttpMessageParser('request', h, l),
    scheduler: new Scheduler('concurrent'),
    capture,
    getHandler: () => handler,
    upgrade: setup.upgrade,
    onRequestLog: (e) => log.push(e),
    wantsRequestLog: () => true,
    onError: (e) => errors.push(e),
    onClosed: () => (closed = true),
    onUpgraded: (_from, to) => (upgradedTo = to),
  };
  const conn = new HttpConnection('c1', socket.asSocket(), ctx);
  return { socket, conn, log, errors, chunks, isClosed: () => closed, upgraded: () => upgradedTo };
}

/** Bytes written outside a read are batched until the setImmediate after it (output-batcher.ts). */
const nextFlush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Status lines of the responses written so far. */
const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));

test('a GET is answered on the same connection, which stays open and idle', () => {
  const { socket, conn, log } = open();
  socket.receive('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(socket.text(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 8\r\n[\s\S]*\r\n\r\nhello \/a$/);
  assert.equal(socket.ended, false);
  assert.equal(conn.state, 'idle');
  assert.equal(conn.lifecycle, 'reading');
  assert.deepEqual(log.map((e) => [e.index, e.method, e.target, e.status]), [[1, 'GET', '/a', 200]]);
  assert.equal(conn.bytesOut, socket.text().length);
});

test('pipelined requests are answered in order, in one socket write, even when the first finishes last', async () => {
  const later: (() => void)[] = [];
  const { socket } = open({
    handler: (req, res) => {
      if (req.path === '/slow') later.push(() => res.end('slow'));
      else res.end('fast');
    },
  });
  socket.receive('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(socket.written.length, 0, 'nothing before the first response is done');
  later[0]();
  await nextFlush();
  const text = socket.text();
  assert.ok(text.indexOf('slow') < text.indexOf('fast'));
  assert.equal(socket.writes, 1);
});

test('a fixed route pipelined in one read: prepared responses in order in one write, each the bytes of a single request, stages in order', async () => {
  const router = new Router();
  router.setUserRoutes([compileEntry({ body: 'hello world\n', headers: { 'Content-Type': 'text/plain' } }, ['GET'], '/small', '/nowhere')]);
  const one = open({ handler: router.handle });
  one.socket.receive('GET /small HTTP/1.1\r\nHost: x\r\n\r\n');
  await nextFlush();
  const single = one.socket.text();
  assert.match(single, /^HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain\r\nContent-Length: 12\r\nDate: [^\r]+ GMT\r\n\r\nhello world\n$/);

  const { socket, log } = open({ handler: router.handle });
  const n = 16;
  socket.receive('GET /small HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(n) + 'HEAD /small HTTP/1.1\r\nHost: x\r\n\r\n');
  await nextFlush();
  assert.equal(socket.writes, 1, 'one write for the read');
  const dateOf = (s: string) => /Date: ([^\r]+)\r\n/.exec(s)![1];
  // The Date may have turned between the two connections: compare with it set to the same.
  const expected = single.replace(dateOf(single), dateOf(socket.text()));
  const headOnly = expected.slice(0, expected.indexOf('\r\n\r\n') + 4);
  assert.equal(socket.text(), expected.repeat(n) + headOnly, 'each response byte for byte, in order, HEAD without its body');
  assert.deepEqual(log.map((e) => e.index), Array.from({ length: n + 1 }, (_, i) => i + 1));
  for (const e of log) {
    const list = stageList(e.stages);
    for (let i = 1; i < list.length; i++) assert.ok(list[i].ms >= list[i - 1].ms, `#${e.index}: ${list[i].name} before ${list[i - 1].name}`);
    assert.deepEqual(e.route && { pattern: e.route.pattern, kind: e.route.kind }, { pattern: '/small', kind: 'fixed' });
    assert.ok(e.durationMs >= 0);
    for (const name of ['firstByte', 'headParsed', 'bodyParsed', 'routed', 'handlerStart', 'firstResponseByte', 'lastResponseByte'] as const) {
      assert.equal(typeof e.stages[name], 'number', `#${e.index} ${name}`);
    }
    assert.equal(e.stages.firstResponseByte, e.stages.lastResponseByte, 'one buffer: first and last byte handed over together');
    assert.equal(e.stages.routed, e.stages.handlerStart, 'the router runs the handler at once');
    assert.equal(e.stages.firstByte, log[0].stages.firstByte, 'every request of the read arrived with it');
  }
});

test('a handler other than the router: the connection records its start (no routed stage)', async () => {
  const { socket, log } = open();
  socket.receive('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
  await nextFlush();
  assert.equal(log.length, 1);
  const s = log[0].stages;
  assert.equal(typeof s.handlerStart, 'number');
  assert.equal(s.routed, undefined);
  assert.ok(s.handlerStart! >= s.headParsed! && s.firstResponseByte! >= s.handlerStart!);
});

test('rawHead: the exact bytes of each head, pipelined in one read, split across reads, read before and after the read is gone', async () => {
  const seen: string[] = [];
  const kept: { rawHead: Buffer }[] = [];
  const { socket } = open({
    handler: (req, res) => {
      if (req.path === '/early') seen.push(req.rawHead.toString('latin1'));
      else kept.push(req); // read only after the connection pruned its input
      res.end('ok');
    },
  });
  const a = 'GET /early HTTP/1.1\r\nHost: x\r\n\r\n';
  const b = 'GET /late?q=1 HTTP/1.1\r\nHost: x\r\nX-Pad: 1\r\n\r\n';
  const c = 'GET /early HTTP/1.1\r\nHost: split\r\n\r\n';
  socket.receive(a + b + c.slice(0, 9));
  socket.receive(c.slice(9, 20));
  socket.receive(c.slice(20));
  await nextFlush();
  assert.deepEqual(seen, [a, c]);
  assert.deepEqual(
    kept.map((r) => r.rawHead.toString('latin1')),
    [b],
  );
});

test('Connection: close is honoured: the response says so and our side ends', async () => {
  const { socket, conn, isClosed } = open();
  socket.receive('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(socket.text(), /Connection: close\r\n/);
  assert.equal(statuses(socket.text()).length, 1, 'nothing after a closing request is answered');
  assert.equal(socket.ended, true);
  await socket.closed();
  assert.equal(conn.lifecycle, 'closed');
  assert.equal(isClosed(), true);
});

test('bytes that do not parse get 400 with Connection: close after the responses already due', () => {
  const { socket, conn, errors } = open();
  socket.receive('GET /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /bad HTTP/1.1\r\nHost x\r\n\r\n');
  assert.deepEqual(statuses(socket.text()), [200, 400]);
  assert.match(socket.text(), /Connection: close\r\n[\s\S]*400 Bad Request: /);
  assert.equal(errors[0].kind, 'parse');
  assert.equal(socket.ended, true);
  assert.equal(conn.lifecycle, 'ended');
});

test('a handler that throws is answered 500 in its place, and the connection closes after it', () => {
  const { socket, errors } = open({
    handler: () => {
      throw new Error('boom');
    },
  });
  socket.receive('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.deepEqual(statuses(socket.text()), [500]);
  assert.match(socket.text(), /Connection: close\r\n[\s\S]*the handler failed/);
  assert.equal(errors[0].kind, 'handler');
  assert.equal(socket.ended, true);
});

test('the peer ending its side: the answer in progress is written, then our side ends', async () => {
  let finish: (() => void) | undefined;
  const { socket, conn } = open({ handler: (_req, res) => void (finish = () => res.end('late')) });
  socket.receive('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  socket.peerEnd();
  assert.equal(socket.ended, false);
  finish!();
  await nextFlush();
  assert.match(socket.text(), /Connection: close\r\n[\s\S]*late$/);
  assert.equal(socket.ended, true);
  await socket.closed();
  assert.equal(conn.lifecycle, 'closed');
});

test('timeouts: an unfinished head gets 408 after headersTimeout; an idle connection ends after keepAliveTimeout', () => {
  const a = open({ limits: { headersTimeout: 1000 } });
  a.socket.receive('GET / HTTP/1.1\r\nHo');
  a.conn.checkTimeouts(performance.now() + 500);
  assert.equal(a.socket.written.length, 0);
  a.conn.checkTimeouts(performance.now() + 1500);
  assert.deepEqual(statuses(a.socket.text()), [408]);
  assert.equal(a.errors[0].kind, 'timeout');

  const b = open({ limits: { keepAliveTimeout: 1000 } });
  b.socket.receive('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  b.conn.checkTimeouts(performance.now() + 500);
  assert.equal(b.socket.ended, false);
  b.conn.checkTimeouts(performance.now() + 1500);
  assert.equal(b.socket.ended, true);
});

test('a peer that never closes after our FIN is destroyed after the linger time', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { socket } = open();
  socket.receive('GET / HTTP/1.1\r\nHost x\r\n\r\n');
  assert.equal(socket.ended, true);
  t.mock.timers.tick(1999);
  assert.equal(socket.destroyed, false);
  t.mock.timers.tick(1);
  assert.equal(socket.destroyed, true);
});

test('shutdown: an idle connection ends at once; a busy one drains (its response closes) and then ends', async () => {
  const idle = open();
  idle.conn.shutdown();
  assert.equal(idle.socket.ended, true);

  let finish: (() => void) | undefined;
  const busy = open({ handler: (_req, res) => void (finish = () => res.end('x')) });
  busy.socket.receive('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  busy.conn.shutdown();
  assert.equal(busy.conn.lifecycle, 'reading-draining');
  assert.equal(busy.conn.state, 'closing');
  finish!();
  await nextFlush();
  assert.match(busy.socket.text(), /Connection: close\r\n/);
  assert.equal(busy.socket.ended, true);
});

test('upgrade: the hook takes the socket after the responses owed; later bytes both ways are counted and captured', () => {
  let taken: { rest: Buffer } | undefined;
  const hook: UpgradeHook = {
    match: (req) => (req.path === '/ws' ? 'token' : undefined),
    accept: (_req, socket, rest) => {
      taken = { rest };
      socket.write('HTTP/1.1 101 Switching Protocols\r\n\r\n');
      return { extensions: '' };
    },
  };
  const { socket, conn, chunks, upgraded } = open({ upgrade: hook });
  const head = 'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\nframes';
  socket.receive(head);
  assert.equal(conn.lifecycle, 'upgraded');
  assert.equal(taken!.rest.toString(), 'frames');
  // The listener now lists the small record in the connection's place; it carries the counters on.
  const rec = upgraded()!;
  assert.ok(rec, 'the connection handed its place to a record');
  assert.equal(rec.id, 'c1');
  assert.equal(rec.snapshot().state, 'upgraded');
  assert.equal(rec.snapshot().protocol, 'ws');
  assert.equal(rec.snapshot().bytesIn, head.length);
  socket.receive('more');
  socket.write('reply');
  assert.equal(rec.snapshot().bytesIn, head.length + 4);
  assert.equal(rec.snapshot().bytesOut, 'HTTP/1.1 101 Switching Protocols\r\n\r\n'.length + 5);
  assert.deepEqual(chunks.filter((c) => c.dir === 's2c').map((c) => c.bytes.toString()), ['HTTP/1.1 101 Switching Protocols\r\n\r\n', 'reply']);
});

test('the lifecycle refuses a transition its table does not allow', () => {
  assert.equal(transition('reading', 'answering'), 'answering');
  assert.throws(() => transition('closed', 'reading'), LifecycleError);
  assert.throws(() => transition('upgraded', 'closing'), LifecycleError);
  for (const [from, targets] of Object.entries(LIFECYCLE_TRANSITIONS)) {
    if (from !== 'closed') assert.ok(targets.includes('closed'), `${from} can close`);
  }
});

test('a peer that does not read: no handler starts and nothing is read while the output is over its high-water mark; drain resumes both', async () => {
  const started: string[] = [];
  const { socket } = open({
    handler: (req, res) => {
      started.push(req.path);
      res.end(Buffer.alloc(40 * 1024, 0x61));
    },
  });
  // The kernel takes nothing: the socket keeps what it is given.
  socket.write = function (this: FakeHttpSocket, chunk: Buffer | string) {
    this.writes++;
    const b = Buffer.isBuffer(chunk) ? Buffer.from(chunk) : Buffer.from(chunk);
    this.written.push(b);
    this.writableLength += b.length;
    return this.writableLength < 16 * 1024;
  } as FakeHttpSocket['write'];
  socket.receive(['/a', '/b', '/c', '/d'].map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
  await nextFlush();
  assert.deepEqual(started, ['/a', '/b'], 'the second answer takes the output over 64 KiB: the others wait');
  assert.equal(socket.paused, true, 'reading stops');
  // The peer reads: the socket drains, the held handlers run, reading resumes.
  socket.writableLength = 0;
  socket.emit('drain');
  assert.deepEqual(started, ['/a', '/b', '/c', '/d']);
  socket.writableLength = 0;
  socket.emit('drain');
  assert.equal(socket.paused, false);
  assert.deepEqual(statuses(socket.text()), [200, 200, 200, 200], 'every answer, in order');
});

test('the client closing its side mid-body: one abort report, 400 in the handler\'s place, no request-log line', async () => {
  const { socket, errors, log } = open({
    handler: async (req, res) => {
      await req.body();
      res.end('never');
    },
  });
  socket.receive('POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel');
  socket.peerEnd();
  await nextFlush();
  assert.deepEqual(
    errors.map((e) => [e.kind, e.code, e.status]),
    [['abort', 'CLIENT_ABORTED', 400]],
  );
  assert.deepEqual(statuses(socket.text()), [400]);
  assert.equal(log.length, 0);
});
