// The live lines of a streamed response in the .http response tab (stream-lines.ts): records parsed by the
// sender's own stream reader from real bytes, one line each; the tab keeps the latest and counts the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BodyStreamReader, type StreamKind, type StreamRecord } from '../../../server-core/client/body-stream.js';
import { formatStreamRecord, LiveStreamLines } from '../../../server-core/httpfile/stream-lines.js';

function records(kind: StreamKind, body: string): StreamRecord[] {
  const out: StreamRecord[] = [];
  const reader = new BodyStreamReader(kind, (r) => out.push(r), {});
  reader.push(Buffer.from(body));
  reader.finish();
  return out;
}

test('an event stream: each event with its type, id and data on one line; comments, retry and a bare id too', () => {
  const rs = records('events', ': hello\nretry: 1500\nid: 7\nevent: tick\ndata: one\ndata: two\n\nid: 8\n\ndata: plain\n\n');
  const lines = rs.map((r) => formatStreamRecord(r, r.t - 1250).replace(/^< \+[\d.]+ s {2}/, ''));
  assert.deepEqual(lines, [': hello', 'retry 1500 ms', 'event tick  id 7  one⏎two', 'id 8', 'event message  id 8  plain']);
  assert.match(formatStreamRecord(rs[0], rs[0].t - 1250), /^< \+1\.250 s {2}: hello$/);
});

test('NDJSON: a numbered line each, a line that is not JSON says so', () => {
  const lines = records('json-lines', '{"n":1}\nnot json\n').map((r) => formatStreamRecord(r, r.t));
  assert.equal(lines[0], '< +0.000 s  line 1  {"n":1}');
  assert.match(lines[1], /^< \+0\.000 s {2}line 2 {2}not json {2}\(not JSON: .+\)$/);
});

test('long data is cut on its line; the tab keeps the latest 200 lines and counts the ones before', () => {
  const [r] = records('events', `data: ${'x'.repeat(500)}\n\n`);
  assert.ok(formatStreamRecord(r, r.t).endsWith(`${'x'.repeat(200)}…`));
  const live = new LiveStreamLines(200);
  for (let i = 1; i <= 1000; i++) live.add(`line ${i}`);
  const text = live.text();
  assert.equal(live.count, 1000);
  assert.equal(text.length, 201);
  assert.match(text[0], /^… 800 earlier records/);
  assert.equal(text[1], 'line 801');
  assert.equal(text[200], 'line 1000');
  live.clear();
  assert.deepEqual(live.text(), []);
  assert.equal(live.count, 0);
});
