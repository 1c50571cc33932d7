// The Timeline's layout of streamed responses (webview/panel/timeline-streams.ts):
// dissected by server-core's dissector from bytes pushed at known times, an
// event stream becomes one request arrow, its head's arrow, and one arrow back
// per block at the time its last byte arrived; an NDJSON body one arrow per
// chunk; a JSON body in two chunks and a plain exchange stay one arrow each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionDissector, type DetailedMessage } from '../../../../server-core/capture/dissector.js';
import type { Direction } from '../../../../server-core/capture/types.js';
import { layoutTimeline } from '../../../../webview/panel/timeline.js';
import { isStreamPart } from '../../../../webview/panel/timeline-streams.js';

const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;

/** Dissects the pushes (t = 1, 2, …) and returns the messages with a timeAt over the same chunks. */
function capture(pushes: { dir: Direction; text: string }[]) {
  const msgs: DetailedMessage[] = [];
  const d = new ConnectionDissector('c', 'http', { onMessage: (m) => msgs.push(m) });
  const chunks: { dir: Direction; start: number; end: number; t: number }[] = [];
  const pos = { c2s: 0, s2c: 0 };
  pushes.forEach((p, i) => {
    const b = Buffer.from(p.text);
    chunks.push({ dir: p.dir, start: pos[p.dir], end: pos[p.dir] + b.length, t: i + 1 });
    pos[p.dir] += b.length;
    d.push(p.dir, b, i + 1);
  });
  d.end(pushes.length + 1);
  const timeAt = (dir: Direction, offset: number) => chunks.find((c) => c.dir === dir && offset >= c.start && offset < c.end)?.t;
  return { msgs, timeAt };
}

const REQ = 'GET /sse HTTP/1.1\r\nHost: a\r\n\r\n';

test('an event stream: the request, the head, then one arrow back per block at its time', () => {
  const { msgs, timeAt } = capture([
    { dir: 'c2s', text: REQ },
    { dir: 's2c', text: 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n' },
    { dir: 's2c', text: chunk('event: tick\nid: 1\ndata: one\n\n') },
    { dir: 's2c', text: chunk(': hb\n\n') },
    // An event split over two pushes arrives with its second half.
    { dir: 's2c', text: chunk('id: 2\nda') },
    { dir: 's2c', text: chunk('ta: two\n\n') + '0\r\n\r\n' },
  ]);
  const L = layoutTimeline(msgs, timeAt);
  assert.deepEqual(
    L.msgs.map((m) => [m.dir, isStreamPart(m), m.tStart, m.summary]),
    [
      ['c2s', false, 1, 'GET /sse HTTP/1.1'],
      ['s2c', false, 2, '200 OK (52 B body) · 2 events'],
      ['s2c', true, 3, 'event tick #1 "one"'],
      ['s2c', true, 4, 'comments " hb"'],
      ['s2c', true, 6, 'event message #2 "two"'],
    ],
  );
  assert.equal(L.answerOf[1], 0, 'the head answers the request (the server bar)');
  assert.deepEqual([...L.answerOf].slice(2), [-1, -1, -1], 'the parts draw no server bar');
  assert.deepEqual([...L.endRow], [0, 1, 2, 3, 4], 'one row each: the head does not reach down over its events');
  const part = L.msgs[2];
  assert.ok(isStreamPart(part) && part.partOf === msgs[1], 'a part opens its response');
  assert.equal(L.msgs[2].id, msgs[1].id);
});

test('NDJSON: one arrow per chunk; a JSON body in two chunks stays one arrow', () => {
  const nd = capture([
    { dir: 'c2s', text: REQ },
    { dir: 's2c', text: 'HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n' + chunk('{"chunk":1}\n') },
    { dir: 's2c', text: chunk('{"chunk":2}\n') + '0\r\n\r\n' },
  ]);
  const L = layoutTimeline(nd.msgs, nd.timeAt);
  assert.deepEqual(L.msgs.map((m) => m.summary), ['GET /sse HTTP/1.1', '200 OK (24 B body)', 'chunk 1 · 12 B', 'chunk 2 · 12 B']);
  assert.deepEqual(L.msgs.map((m) => m.tStart), [1, 2, 2, 3]);

  const json = capture([
    { dir: 'c2s', text: REQ },
    { dir: 's2c', text: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' + chunk('{"a":') },
    { dir: 's2c', text: chunk('1}') + '0\r\n\r\n' },
  ]);
  assert.equal(layoutTimeline(json.msgs, json.timeAt).msgs.length, 2);
});
