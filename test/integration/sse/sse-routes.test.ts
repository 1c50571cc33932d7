// The built-in event-stream routes (/sse/ticker, /sse/chat, /poll/chat) over real sockets,
// read by an independent client (Node's fetch) and the event-stream parser:
// spec-exact events, the retry hint, resuming from Last-Event-ID, HEAD without
// a stream, the chat broadcast and its backlog, the route list, and the one
// handler slot an open stream holds in sequential mode (seen in the
// scheduler's queue events, never timed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { QueueEvent } from '../../../server-core/index.js';
import { startServer } from '../server/helpers.js';
import { readSse } from '../../support/sse-reader.js';
import { waitFor } from '../../support/wait.js';
import { within } from '../../support/within.js';

test('/sse/ticker: tick events with increasing ids, a retry hint first, then the stream ends after count', async (t) => {
  const { url } = await startServer(t);
  const r = await readSse(`${url}/sse/ticker?interval=10&count=3&retry=1500`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/event-stream');
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  assert.equal(r.ended, true);
  assert.deepEqual(r.events.map((e) => [e.type, e.lastEventId]), [['tick', '1'], ['tick', '2'], ['tick', '3']]);
  assert.deepEqual(r.retries, [1500]);
  const data = r.events.map((e) => JSON.parse(e.data) as { seq: number; time: string });
  assert.deepEqual(data.map((d) => d.seq), [1, 2, 3]);
  for (const d of data) assert.ok(!Number.isNaN(Date.parse(d.time)), d.time);
  // The retry field rides in the first event's block only.
  assert.ok(r.events[0].lines.some((l) => l.kind === 'field' && l.name === 'retry'));
  assert.ok(!r.events[1].lines.some((l) => l.kind === 'field' && l.name === 'retry'));
});

test('/sse/ticker resumes after Last-Event-ID: nothing lost, nothing repeated', async (t) => {
  const { url } = await startServer(t);
  const r = await readSse(`${url}/sse/ticker?interval=10&count=2`, { headers: { 'Last-Event-ID': '41' } });
  assert.deepEqual(r.comments, ['resuming after 41']);
  assert.deepEqual(r.events.map((e) => e.lastEventId), ['42', '43']);
});

test('/sse/ticker: heartbeats are comments', async (t) => {
  const { url } = await startServer(t, { demo: { sse: { heartbeatMs: 10, tickerIntervalMs: 60_000 } } });
  const r = await readSse(`${url}/sse/ticker`, { until: (x) => x.comments.length >= 2 });
  assert.deepEqual(r.comments.slice(0, 2), ['heartbeat', 'heartbeat']);
  assert.equal(r.events.length, 1, 'one tick at once, the next a minute later');
});

test('/sse/ticker: a bad query is a 400 with the rule', async (t) => {
  const { url } = await startServer(t);
  for (const q of ['interval=5', 'count=0', 'retry=x', 'interval=01']) {
    const res = await fetch(`${url}/sse/ticker?${q}`);
    assert.equal(res.status, 400, q);
    assert.match(await res.text(), /must be an integer from/);
  }
});

test('HEAD /sse/ticker: the event-stream head, no stream', async (t) => {
  const { url, server } = await startServer(t, { mode: 'sequential' });
  const res = await within(fetch(`${url}/sse/ticker`, { method: 'HEAD' }), 'the HEAD response');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  assert.equal(await res.text(), '');
  // Nothing stays open: the handler slot is free for the next request at once.
  const echo = await within(fetch(`${url}/echo`), 'a request after the HEAD');
  assert.equal(echo.status, 200);
  assert.deepEqual(server.queue(), []);
});

test('/sse/chat: a POST reaches every listener; a reconnect with Last-Event-ID gets what it missed', async (t) => {
  const { url } = await startServer(t);
  const gotPresence = (n: number) => (x: { events: { type: string; data: string }[] }) => x.events.some((e) => e.type === 'presence' && JSON.parse(e.data).listeners === n);
  let bothListening!: () => void;
  const listening = new Promise<void>((resolve) => (bothListening = resolve));
  const a = readSse(`${url}/sse/chat`, { onRecord: (x) => gotPresence(2)(x) && bothListening(), until: (x) => x.events.some((e) => e.type === 'message') });
  const b = readSse(`${url}/sse/chat`, { until: (x) => x.events.some((e) => e.type === 'message') });
  await within(listening, 'both listeners to be announced');
  const post = await fetch(`${url}/sse/chat`, { method: 'POST', body: 'hello\nworld' });
  assert.equal(post.status, 200);
  assert.deepEqual(await post.json(), { id: 1, delivered: 2 });
  for (const r of await Promise.all([a, b])) {
    const m = r.events.find((e) => e.type === 'message')!;
    assert.equal(m.data, 'hello\nworld', 'a line break in the body arrives as two data lines joined');
    assert.equal(m.lastEventId, '1');
  }
  // Two more messages while nobody listens; a listener resuming after 1 gets exactly 2 and 3.
  for (const text of ['two', 'three']) assert.equal((await fetch(`${url}/sse/chat`, { method: 'POST', body: text })).status, 200);
  const c = await readSse(`${url}/sse/chat`, { headers: { 'Last-Event-ID': '1' }, until: (x) => x.events.filter((e) => e.type === 'message').length >= 2 });
  assert.deepEqual(c.events.filter((e) => e.type === 'message').map((e) => [e.lastEventId, e.data]), [['2', 'two'], ['3', 'three']]);
  const empty = await fetch(`${url}/sse/chat`, { method: 'POST', body: '' });
  assert.equal(empty.status, 400);
});

test('/poll/chat: the same room by polling — the messages after an id, at once, as JSON', async (t) => {
  const { url } = await startServer(t);
  const empty = await fetch(`${url}/poll/chat?after=0`);
  assert.equal(empty.status, 200);
  assert.match(empty.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await empty.json(), { messages: [], last: 0 }, 'nothing yet, answered without waiting');
  for (const text of ['one', 'two', 'three']) assert.equal((await fetch(`${url}/sse/chat`, { method: 'POST', body: text })).status, 200);
  assert.deepEqual(await (await fetch(`${url}/poll/chat?after=1`)).json(), { messages: [{ id: 2, text: 'two' }, { id: 3, text: 'three' }], last: 3 });
  assert.deepEqual(await (await fetch(`${url}/poll/chat`)).json(), { messages: [{ id: 1, text: 'one' }, { id: 2, text: 'two' }, { id: 3, text: 'three' }], last: 3 }, 'no after: from the start');
  assert.deepEqual(await (await fetch(`${url}/poll/chat?after=3`)).json(), { messages: [], last: 3 });
  const bad = await fetch(`${url}/poll/chat?after=-1`);
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /after must be a non-negative integer/);
});

test('the event-stream routes are listed on / and in the route list, as built-in SSE routes', async (t) => {
  const { url, server } = await startServer(t);
  const html = await (await fetch(`${url}/`)).text();
  assert.ok(html.includes('href="/sse/ticker"'));
  assert.ok(html.includes('href="/sse/chat"'));
  const routes = server.routes();
  const ticker = routes.find((r) => r.pattern === '/sse/ticker')!;
  assert.deepEqual([ticker.method, ticker.kind, ticker.source], ['GET', 'sse', 'builtin']);
  assert.match(ticker.description, /event stream/);
  assert.deepEqual(
    routes.filter((r) => r.pattern === '/sse/chat').map((r) => [r.method, r.kind]),
    [['GET', 'sse'], ['POST', 'http']],
  );
});

test('sequential mode: an open event stream holds the one handler slot until it closes', async (t) => {
  const { url, server } = await startServer(t, { mode: 'sequential' });
  const events: QueueEvent[] = [];
  const sub = server.events.on('queue', (e) => events.push(e));
  t.after(() => sub.dispose());
  const stream = new AbortController();
  t.after(() => stream.abort());
  let firstEvent!: () => void;
  const opened = new Promise<void>((resolve) => (firstEvent = resolve));
  const reading = readSse(`${url}/sse/ticker?interval=10`, { onRecord: () => firstEvent(), until: () => stream.signal.aborted }).catch(() => undefined);
  await within(opened, 'the first tick');
  const echo = fetch(`${url}/echo`);
  await waitFor(() => events.some((e) => e.type === 'queued' && e.target === '/echo'), '/echo to be queued behind the stream');
  const queued = events.find((e) => e.type === 'queued' && e.target === '/echo')!;
  assert.equal(queued.position, 0, 'first in line, behind the running stream');
  assert.ok(!events.some((e) => e.type === 'started' && e.target === '/echo'), '/echo does not start while the stream is open');
  assert.deepEqual(server.queue().map((q) => q.target), ['/echo']);
  // The client leaves: the stream closes, its job finishes, and /echo runs.
  stream.abort();
  await reading;
  const res = await within(echo, '/echo once the stream closed');
  assert.equal(res.status, 200);
  const order = events.filter((e) => e.type !== 'queued').map((e) => `${e.type} ${e.target.split('?')[0]}`);
  assert.deepEqual(order, ['started /sse/ticker', 'finished /sse/ticker', 'started /echo', 'finished /echo']);
  assert.equal(events.find((e) => e.type === 'finished' && e.target.startsWith('/sse/ticker'))?.aborted, true, 'the stream ended with its connection');
});
