// The playground's event-stream sessions (sse.connect / sse.disconnect)
// against a real Wireplay server: states and batched records reach the UI,
// the connection is captured and its response dissected with its events, a
// server that ends the stream is reconnected with Last-Event-ID on a new
// connection linked to the previous one, disconnect stops it, a reloaded UI
// gets the session back, and bad messages are refused by validation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PlaygroundController } from '../../../server-core/playground/controller.js';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import type { SseRecordView } from '../../../server-core/protocol/playground.js';
import { logMessages, type Of } from './message-log.js';

let server: WireplayServer;
let base: string;

before(async () => {
  server = createWireplayServer({ host: '127.0.0.1', port: 0 });
  base = (await server.listen()).url;
});
after(() => server.close());

function harness(t: { after(fn: () => void): void }) {
  const controller = new PlaygroundController({ flushIntervalMs: 1 });
  t.after(() => controller.dispose());
  return { controller, ...logMessages(controller, t) };
}

const records = (seen: { type: string }[], sessionId: string): SseRecordView[] =>
  seen.filter((m): m is Of<'sse.records'> => m.type === 'sse.records' && (m as Of<'sse.records'>).sessionId === sessionId).flatMap((m) => m.records);

test('sse.connect: open, events as they come, reconnect after the stream ends with Last-Event-ID, disconnect', async (t) => {
  const h = harness(t);
  // count=2: the ticker ends its stream after two events; retry=0 makes the reconnect immediate.
  void h.controller.receive({ type: 'sse.connect', sessionId: 's1', url: `${base}/sse/ticker?interval=10&count=2&retry=0`, headers: [], lastEventId: '', autoReconnect: true });
  const open1 = await h.next('sse.state', (m) => m.state === 'open' && m.connection === 1);
  assert.equal(open1.status, 200);
  const waiting = await h.next('sse.state', (m) => m.state === 'waiting');
  assert.equal(waiting.lastEventId, '2');
  assert.equal(waiting.delay, 0);
  const open2 = await h.next('sse.state', (m) => m.state === 'open' && m.connection === 2);
  assert.equal(open2.previousConnectionId, open1.connectionId, 'the reconnect names the connection it follows');
  const info2 = await h.next('connection.opened', (m) => m.info.connectionId === open2.connectionId);
  assert.equal(info2.info.previousConnectionId, open1.connectionId, 'and so does its connection in the list');
  assert.match(info2.info.label, /^SSE http:.*\/sse\/ticker.* · reconnect 1$/);
  await h.until(() => records(h.seen, 's1').filter((r) => r.kind === 'event').length >= 3, 'an event of the second connection');
  const evs = records(h.seen, 's1').filter((r): r is Extract<SseRecordView, { kind: 'event' }> => r.kind === 'event');
  assert.deepEqual(evs.slice(0, 3).map((e) => [e.connection, e.type, e.id]), [
    [1, 'tick', '1'],
    [1, 'tick', '2'],
    [2, 'tick', '3'],
  ]);
  assert.ok(records(h.seen, 's1').some((r) => r.kind === 'comment' && r.text === 'resuming after 2'), 'the server saw Last-Event-ID: 2');
  void h.controller.receive({ type: 'sse.disconnect', sessionId: 's1' });
  const closed = await h.next('sse.state', (m) => m.state === 'closed');
  assert.equal(closed.code, undefined);
  // The first connection's response in the capture, dissected with its two events.
  const msgs = h.controller.store.messages(open1.connectionId!);
  const res = msgs.find((m) => m.kind === 'http-response')!;
  const stream = res.fields.find((f) => f.name === 'Event stream')!;
  assert.equal(stream.value, '2 events');
});

test('a reloaded UI gets the session and its records again', async (t) => {
  const h = harness(t);
  void h.controller.receive({ type: 'sse.connect', sessionId: 's2', url: `${base}/sse/ticker?interval=10`, headers: [], lastEventId: '', autoReconnect: false });
  await h.until(() => records(h.seen, 's2').filter((r) => r.kind === 'event').length >= 2, 'two events');
  // While the stream is open, the capture already shows the response and its events.
  const open = h.seen.find((m): m is Of<'sse.state'> => m.type === 'sse.state' && (m as Of<'sse.state'>).sessionId === 's2' && (m as Of<'sse.state'>).state === 'open')!;
  const live = h.controller.store.messages(open.connectionId!).find((m) => m.kind === 'http-response')!;
  assert.equal(live.open, true, 'the response is listed while its stream is open');
  assert.ok(Number(/^(\d+) event/.exec(live.fields.find((f) => f.name === 'Event stream')?.value ?? '')?.[1]) >= 2, live.summary);
  const from = h.seen.length;
  await h.controller.receive({ type: 'ready', version: 1 });
  const again = await h.next('sse.state', (m) => m.sessionId === 's2', from);
  assert.equal(again.state, 'open');
  const replay = await h.next('sse.records', (m) => m.sessionId === 's2', from);
  assert.ok(replay.records.filter((r) => r.kind === 'event').length >= 2);
  void h.controller.receive({ type: 'sse.disconnect', sessionId: 's2' });
  await h.next('sse.state', (m) => m.sessionId === 's2' && m.state === 'closed');
});

test('a response that is not an event stream closes the session with its code; bad messages are refused', async (t) => {
  const h = harness(t);
  void h.controller.receive({ type: 'sse.connect', sessionId: 's3', url: `${base}/echo`, headers: [{ name: 'X-A', value: '1', enabled: true }], lastEventId: '7', autoReconnect: true });
  const closed = await h.next('sse.state', (m) => m.sessionId === 's3' && m.state === 'closed');
  assert.equal(closed.code, 'SSE_BAD_CONTENT_TYPE');
  assert.equal(closed.connection, 1, 'no reconnect after a refusal');
  await h.controller.receive({ type: 'sse.connect', sessionId: 's4', url: base, headers: [], lastEventId: 5, autoReconnect: true });
  const notice = await h.next('notice', (m) => /lastEventId/.test(m.message));
  assert.equal(notice.level, 'error');
  void h.controller.receive({ type: 'sse.connect', sessionId: 's5', url: 'not a url', headers: [], lastEventId: '', autoReconnect: true });
  const bad = await h.next('sse.state', (m) => m.sessionId === 's5');
  assert.equal(bad.code, 'INVALID_URL');
});
