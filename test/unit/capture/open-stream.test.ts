// An event-stream response while its stream is open: with onUpdate, the
// dissector emits the response when its head is parsed and the same object
// again as each piece of body arrives, its "Event stream" field listing the
// events so far; when the stream ends, that object becomes exactly the
// message a dissection without onUpdate gives. The capture store announces
// every update and its deferred trees do not get in the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionDissector, type DetailedMessage } from '../../../server-core/capture/dissector.js';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
import type { DissectedMessage } from '../../../server-core/capture/dissection-types.js';
import { field, run, shape } from './dissect-helpers.js';

const REQ = Buffer.from('GET /events HTTP/1.1\r\nHost: a\r\nAccept: text/event-stream\r\n\r\n');
const HEAD = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n');
const chunk = (s: string) => Buffer.from(`${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`);
const EVENTS = ['id: 1\ndata: one\n\n', ': heartbeat\n\n', 'event: tick\nid: 2\ndata: two\n\n'];
const LAST = Buffer.from('0\r\n\r\n');

function streamField(m: DissectedMessage) {
  return m.fields.find((f) => f.name === 'Event stream');
}

test('an open event stream is emitted at its head and grows with each event; at its end it is the usual message', () => {
  const added: DetailedMessage[] = [];
  const updates: DetailedMessage[] = [];
  const d = new ConnectionDissector('c1', 'http', { onMessage: (m) => added.push(m), onUpdate: (m) => updates.push(m) });
  d.push('c2s', REQ, 1);
  d.push('s2c', HEAD, 2);
  assert.equal(added.length, 2, 'the request, then the response as soon as its head is parsed');
  const res = added[1];
  assert.equal(res.kind, 'http-response');
  assert.equal(res.open, true);
  assert.equal(res.summary, '200 OK · 0 events');
  assert.equal(field(res.fields, 'Status line').value, 'HTTP/1.1 200 OK');
  assert.equal(streamField(res)?.value, '0 events', 'the field is there from the head on');

  d.push('s2c', chunk(EVENTS[0]), 3);
  assert.equal(updates.at(-1), res, 'the same object comes back');
  assert.equal(res.open, true);
  assert.equal(streamField(res)?.value, '1 event');
  assert.equal(field(res.fields, 'Event stream', 'Event').value, 'message #1 "one"');
  assert.equal(res.summary, '200 OK (17 B body) · 1 event');
  assert.equal(res.range.end, HEAD.length + chunk(EVENTS[0]).length - 2, 'up to the last body byte');
  assert.equal(res.tEnd, 3);

  d.push('s2c', Buffer.concat([chunk(EVENTS[1]), chunk(EVENTS[2])]), 4);
  const blocks = streamField(res)!.children!.map((f) => f.name);
  assert.deepEqual(blocks, ['Event', 'Comments', 'Event']);
  assert.equal(streamField(res)?.value, '2 events');
  assert.equal(res.http?.bodySize, EVENTS.reduce((n, e) => n + e.length, 0));

  d.push('s2c', LAST, 5);
  assert.equal(added.length, 2, 'the end is an update, not a second message');
  assert.equal(updates.at(-1), res);
  assert.equal(res.open, undefined, 'no longer open');
  d.end(6);

  const plain = run('http', [
    { dir: 'c2s', bytes: REQ },
    { dir: 's2c', bytes: Buffer.concat([HEAD, ...EVENTS.map(chunk), LAST]) },
  ]);
  assert.deepEqual(shape(res), shape(plain[1]), 'the same message as without updates');
  assert.equal(res.id, added[1].id);
});

test('a stream cut by the close ends as the cut message, and the chunk framing is there while open', () => {
  const added: DetailedMessage[] = [];
  const d = new ConnectionDissector('c1', 'http', { onMessage: (m) => added.push(m), onUpdate: () => undefined });
  d.push('c2s', REQ, 1);
  d.push('s2c', Buffer.concat([HEAD, chunk(EVENTS[0]), Buffer.from('5\r\nda')]), 2);
  const res = added[1];
  assert.deepEqual(field(res.fields, 'Chunked body').children!.map((f) => f.name), ['Chunk size', 'Chunk data', 'Chunk size', 'Chunk data']);
  d.end(3);
  assert.equal(res.open, undefined);
  assert.equal(res.summary, '200 OK (19 B body) · 1 event — malformed');
  assert.equal(res.error?.code, 'UNEXPECTED_EOF');
});

test('without onUpdate nothing is emitted before the end (the exports)', () => {
  const added: DetailedMessage[] = [];
  const d = new ConnectionDissector('c1', 'http', { onMessage: (m) => added.push(m) });
  d.push('c2s', REQ, 1);
  d.push('s2c', Buffer.concat([HEAD, chunk(EVENTS[0])]), 2);
  assert.equal(added.length, 1);
});

test('the capture store announces the open response at every push and shows its events while open', () => {
  const store = new CaptureStore();
  const seen: DissectedMessage[] = [];
  store.events.on('message', (m) => seen.push(m));
  store.open({ connectionId: 'k', side: 'client', protocol: 'http', tls: false, local: { address: '127.0.0.1', port: 1 }, remote: { address: '127.0.0.1', port: 2 }, t: 0, wallTime: 0 });
  store.chunk('k', 'c2s', 1, REQ);
  store.chunk('k', 's2c', 2, HEAD);
  store.chunk('k', 's2c', 3, chunk(EVENTS[0]));
  store.chunk('k', 's2c', 4, chunk(EVENTS[2]));
  const res = store.messages('k').find((m) => m.kind === 'http-response')!;
  assert.equal(res.open, true);
  assert.equal(streamField(res)?.value, '2 events', 'read from the store while the stream is open');
  assert.equal(seen.filter((m) => m === res).length, 3, 'announced at the head and at each of the two pushes');
  assert.equal(store.messages('k').length, 2, 'listed once');
  store.chunk('k', 's2c', 5, LAST);
  assert.equal(res.open, undefined);
  assert.equal(streamField(res)?.value, '2 events');
  store.dispose();
});
