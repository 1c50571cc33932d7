// The reconnect policy as EventSource behaves: which responses end the
// session, how long to wait after a drop (3000 ms, or the last retry), which
// Last-Event-ID to send, and waits that a close cancels. Time is the subject
// here, so it runs on mocked timers and a mocked clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RECONNECTION_TIME, ReconnectPolicy, type ReconnectDecision } from '../../../server-core/sse/reconnect-policy.js';
import { EventStreamParser } from '../../../server-core/sse/event-stream-parser.js';
import { isEventStreamContentType, mimeEssence } from '../../../server-core/sse/media-type.js';

const OK = { status: 200, contentType: 'text/event-stream' };

test('the default reconnection time is 3000 ms', () => {
  assert.equal(DEFAULT_RECONNECTION_TIME, 3000);
  const p = new ReconnectPolicy();
  assert.equal(p.reconnectionTime, 3000);
  p.connecting();
  p.responded(OK);
  const d = p.dropped('end-of-body');
  assert.equal(d.action, 'reconnect');
  assert.equal(d.action === 'reconnect' && d.delay, 3000);
});

test('the first request has no Last-Event-ID; later ones carry the last event ID string', () => {
  const p = new ReconnectPolicy();
  const first = p.connecting();
  assert.deepEqual(first.headers, { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' });
  assert.equal(first.connection, 1);
  assert.equal(first.previous, undefined);
  p.responded(OK);
  p.dispatched({ lastEventId: '41' });
  p.dispatched({ lastEventId: '42' });
  p.dropped('network-error');
  const second = p.connecting();
  assert.equal(second.headers['Last-Event-ID'], '42');
  assert.equal(second.connection, 2);
  assert.equal(second.previous, 1);
});

test('an id reset to empty stops sending Last-Event-ID', () => {
  const p = new ReconnectPolicy({ lastEventId: 'typed' });
  assert.equal(p.connecting().headers['Last-Event-ID'], 'typed', 'a starting ID is sent on the first request');
  p.responded(OK);
  p.dispatched({ lastEventId: '' });
  p.dropped('end-of-body');
  assert.equal('Last-Event-ID' in p.connecting().headers, false);
});

test('fed by the parser: retry and ids from the stream decide the next connection', () => {
  const p = new ReconnectPolicy();
  p.connecting();
  p.responded({ status: 200, contentType: 'Text/Event-Stream; charset=utf-8' });
  const parser = new EventStreamParser({ onEvent: (e) => p.dispatched(e), onDiscard: (b, why) => why === 'no-data' && p.dispatched(b), onRetry: (ms) => p.retry(ms) });
  parser.push(Buffer.from('retry: 750\nid: 1\ndata: a\n\nid: 2\n\nid: 3\ndata: never dispatched\n'));
  parser.finish();
  const d = p.dropped('end-of-body');
  assert.deepEqual(d.action === 'reconnect' && [d.delay, d.lastEventId], [750, '2']);
  assert.equal(p.connecting().headers['Last-Event-ID'], '2');
});

test('a status other than 200 fails the connection: no reconnect', () => {
  for (const status of [204, 301, 404, 500]) {
    const p = new ReconnectPolicy();
    p.connecting();
    const v = p.responded({ status, contentType: 'text/event-stream' });
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.code, 'SSE_BAD_STATUS');
    assert.equal(p.state, 'closed');
    const d = p.dropped('end-of-body');
    assert.deepEqual(d.action === 'stop' && d.reason, 'failed');
    assert.throws(() => p.connecting(), /cannot connect/);
  }
});

test('a Content-Type other than text/event-stream fails the connection', () => {
  const p = new ReconnectPolicy();
  p.connecting();
  const v = p.responded({ status: 200, contentType: 'application/json' });
  assert.deepEqual(v, { ok: false, code: 'SSE_BAD_CONTENT_TYPE', message: 'the Content-Type is application/json, not text/event-stream: EventSource does not reconnect' });
  const missing = new ReconnectPolicy();
  missing.connecting();
  const v2 = missing.responded({ status: 200, contentType: undefined });
  assert.equal(!v2.ok && v2.message, 'the Content-Type is missing, not text/event-stream: EventSource does not reconnect');
});

test('media types are compared by essence', () => {
  assert.equal(mimeEssence(' Text/Event-Stream ;charset=utf-8'), 'text/event-stream');
  assert.equal(isEventStreamContentType('text/event-stream'), true);
  assert.equal(isEventStreamContentType('text/event-streams'), false);
  assert.equal(isEventStreamContentType(undefined), false);
});

test('a network error before any response reconnects too, with backoff only when asked', () => {
  const plain = new ReconnectPolicy({ reconnectionTime: 100 });
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    plain.connecting();
    const d = plain.dropped('network-error');
    delays.push(d.action === 'reconnect' ? d.delay : -1);
  }
  assert.deepEqual(delays, [100, 100, 100, 100], 'EventSource waits the same time every time');

  const backoff = new ReconnectPolicy({ reconnectionTime: 100, backoff: { factor: 2, maxDelay: 500 } });
  const seen: [number, number][] = [];
  for (let i = 0; i < 5; i++) {
    backoff.connecting();
    const d = backoff.dropped('network-error');
    if (d.action === 'reconnect') seen.push([d.failures, d.delay]);
  }
  assert.deepEqual(seen, [[1, 100], [2, 200], [3, 400], [4, 500], [5, 500]]);
  backoff.connecting();
  backoff.responded(OK);
  const after = backoff.dropped('end-of-body');
  assert.deepEqual(after.action === 'reconnect' && [after.failures, after.delay], [0, 100], 'a stream that opened resets the count');
});

test('maxAttempts gives up after that many attempts without a response', () => {
  const p = new ReconnectPolicy({ maxAttempts: 2 });
  p.connecting();
  assert.equal(p.dropped('network-error').action, 'reconnect');
  p.connecting();
  const d = p.dropped('network-error');
  assert.equal(d.action, 'stop');
  assert.equal(d.action === 'stop' && d.reason, 'max-attempts');
  assert.match(d.action === 'stop' ? d.message : '', /2 attempts/);
});

test('auto-reconnect off stops at the first drop', () => {
  const p = new ReconnectPolicy({ autoReconnect: false });
  p.connecting();
  p.responded(OK);
  const d = p.dropped('end-of-body');
  assert.deepEqual(d, { action: 'stop', reason: 'auto-reconnect-off', message: 'the server ended the stream; auto-reconnect is off' });
});

test('wait() resolves when the delay has passed, and `at` is on the clock', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const p = new ReconnectPolicy();
  p.connecting();
  p.responded(OK);
  p.retry(2000);
  const d = p.dropped('end-of-body');
  assert.deepEqual(d.action === 'reconnect' && [d.delay, d.at, d.connection], [2000, 1_002_000, 2]);
  let done: boolean | undefined;
  const waiting = p.wait(d).then((v) => (done = v));
  t.mock.timers.tick(1999);
  await Promise.resolve();
  assert.equal(done, undefined, 'not before the reconnection time');
  t.mock.timers.tick(1);
  await waiting;
  assert.equal(done, true);
  assert.equal(p.connecting().connection, 2);
});

test('close() during the wait cancels it: wait() resolves false and nothing reconnects', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const p = new ReconnectPolicy();
  p.connecting();
  p.responded(OK);
  const d: ReconnectDecision = p.dropped('network-error');
  const waiting = p.wait(d);
  t.mock.timers.tick(1000);
  p.close();
  assert.equal(await waiting, false);
  t.mock.timers.tick(5000);
  assert.equal(p.state, 'closed');
  assert.deepEqual(p.dropped('end-of-body'), { action: 'stop', reason: 'closed', message: 'the stream was closed' });
});

test('an aborted signal cancels the wait too', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const p = new ReconnectPolicy({ reconnectionTime: 10 });
  p.connecting();
  const d = p.dropped('network-error');
  const ac = new AbortController();
  const waiting = p.wait(d, ac.signal);
  ac.abort();
  assert.equal(await waiting, false);
  assert.equal(await p.wait({ action: 'stop', reason: 'closed', message: '' }), false, 'a stop decision never waits');
});

test('retry 0 reconnects at once; invalid retry values are ignored', () => {
  const p = new ReconnectPolicy();
  p.retry(-5);
  p.retry(1.5);
  assert.equal(p.reconnectionTime, 3000);
  p.retry(0);
  p.connecting();
  p.responded(OK);
  const d = p.dropped('end-of-body');
  assert.equal(d.action === 'reconnect' && d.delay, 0);
});

test('calls out of order are refused', () => {
  const p = new ReconnectPolicy();
  assert.throws(() => p.responded(OK), /while idle/);
  assert.throws(() => p.dropped('end-of-body'), /while idle/);
  p.connecting();
  assert.throws(() => p.connecting(), /already in progress/);
  assert.throws(() => new ReconnectPolicy({ reconnectionTime: -1 }), RangeError);
});
