// openSseResponse on the server's real HttpResponseWriter (with a recording sink in
// place of the connection): the head goes out before the first event, the body
// is chunked, backpressure and the end of the response pass through, and the
// request's signal closes the stream. The bytes it writes are then read back
// with the HTTP parser, the event-stream parser and the body offset map, the
// way the dissector will: every line's raw ranges hold exactly its bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpResponseWriter, type ResponseSink } from '../../../server-core/server/response-writer.js';
import { HttpMessageParser } from '../../../server-core/http/message-parser.js';
import type { ServerResponse } from '../../../server-core/http/handler-types.js';
import { asSseWritable, openSseResponse } from '../../../server-core/sse/response-adapter.js';
import { EventStreamParser } from '../../../server-core/sse/event-stream-parser.js';
import { BodyOffsetMap } from '../../../server-core/sse/body-offset-map.js';
import type { SseEvent, SseRange } from '../../../server-core/sse/types.js';

class RecordingSink implements ResponseSink {
  readonly writes: Buffer[] = [];
  full = false;
  finished = false;
  drains = 0;
  writeResponseBytes(_res: HttpResponseWriter, data: Buffer): boolean {
    this.writes.push(Buffer.from(data));
    return !this.full;
  }
  waitForDrain(): Promise<void> {
    this.drains++;
    return Promise.resolve();
  }
  mustClose(): boolean {
    return false;
  }
  responseFinished(): void {
    this.finished = true;
  }
  get wire(): Buffer {
    return Buffer.concat(this.writes);
  }
}

function open(extra?: Record<string, string>) {
  const sink = new RecordingSink();
  const res = new HttpResponseWriter(sink, { head: false, http10: false, keepAlive: true });
  const ac = new AbortController();
  const stream = openSseResponse(res, ac.signal, extra ? { headers: extra } : {});
  return { sink, res, ac, stream };
}

test('ServerResponse is an SseWritable as it is', () => {
  const sink = new RecordingSink();
  const res: ServerResponse = new HttpResponseWriter(sink, { head: false, http10: false, keepAlive: true });
  assert.equal(asSseWritable(res), res);
});

test('the head is on the wire before any event: 200, text/event-stream, no-cache, chunked', () => {
  const { sink } = open();
  const head = sink.wire.toString('latin1');
  assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(head, /\r\nContent-Type: text\/event-stream\r\n/);
  assert.match(head, /\r\nCache-Control: no-cache\r\n/);
  assert.match(head, /\r\nTransfer-Encoding: chunked\r\n/);
  assert.ok(head.endsWith('\r\n\r\n'), 'only the head so far');
});

test('extra headers are added, and replace a default of the same name in any case', () => {
  const { sink } = open({ 'cache-control': 'no-store', 'X-Stream': 'ticker' });
  const head = sink.wire.toString('latin1');
  assert.match(head, /\r\ncache-control: no-store\r\n/);
  assert.doesNotMatch(head, /no-cache/);
  assert.match(head, /\r\nX-Stream: ticker\r\n/);
});

test('events go out as chunks; close() sends the last chunk and finishes the response', () => {
  const { sink, stream } = open();
  const headBytes = sink.wire.length;
  stream.send({ id: 1, data: 'one' });
  stream.comment('hb');
  stream.close();
  assert.equal(sink.wire.subarray(headBytes).toString('latin1'), '11\r\nid: 1\ndata: one\n\n\r\n4\r\n:hb\n\r\n0\r\n\r\n');
  assert.equal(sink.finished, true);
});

test('the socket being full makes send() return false; drain() asks the connection', async () => {
  const { sink, stream } = open();
  sink.full = true;
  assert.equal(stream.send({ data: 'x' }), false);
  await stream.drain();
  assert.equal(sink.drains, 1);
});

test('sends in one turn: the first is written at once, the rest as one chunk on nextTick, in order', async () => {
  const { sink, stream } = open();
  const before = sink.writes.length;
  for (let i = 1; i <= 5; i++) assert.equal(stream.send({ id: i, data: 'x' }), true);
  assert.equal(sink.writes.length - before, 1, 'the first event went out at once');
  await new Promise((resolve) => process.nextTick(resolve));
  assert.equal(sink.writes.length - before, 2, 'the four others as one chunk');
  const body = Buffer.concat(sink.writes.slice(before)).toString('latin1');
  assert.deepEqual([...body.matchAll(/id: (\d)/g)].map((m) => m[1]), ['1', '2', '3', '4', '5']);
  // The next turn starts again with a direct write.
  stream.send({ id: 6, data: 'x' });
  assert.equal(sink.writes.length - before, 3);
});

test('held bytes past 64 KiB make send() false; drain() writes them; a response ended underneath drops them', async () => {
  const { sink, stream, res } = open();
  stream.send({ data: 'first' });
  let ok = true;
  let n = 0;
  while (ok) ok = stream.send({ data: 'y'.repeat(1024) }) && ++n < 1000;
  assert.ok(n < 70, `false after about 64 KiB held (${n} events)`);
  const writes = sink.writes.length;
  await stream.drain();
  assert.equal(sink.writes.length, writes + 1, 'drain() flushed the held events as one chunk');
  stream.send({ data: 'a' });
  stream.send({ data: 'held' });
  res.end(); // the route's handler ended the response (the client left)
  await new Promise((resolve) => process.nextTick(resolve)); // no "write after end" thrown on flush
});

test('the request signal closes the stream as remote', () => {
  const { ac, stream } = open();
  const reasons: string[] = [];
  stream.onClose((r) => reasons.push(r));
  ac.abort();
  assert.deepEqual(reasons, ['remote']);
});

test('read back like the dissector: every line\'s raw ranges hold its bytes inside the chunked body', async () => {
  const { sink, stream, res } = open();
  stream.send({ event: 'greeting', id: 'a1', data: 'hello\nworld' });
  stream.comment(' heartbeat');
  stream.send({ data: 'é'.repeat(5), retry: 1500 });
  // The sends after the first of a turn are written together on nextTick: let them out before the
  // raw writes below.
  await new Promise((resolve) => process.nextTick(resolve));
  // A server may also write one event in several pieces: each piece is a chunk, so lines cross the
  // chunk framing (and here a two-byte character is cut between chunks).
  res.write(Buffer.from('data: sp'));
  res.write(Buffer.from('lit \xC3', 'latin1'));
  res.write(Buffer.from('\xA9\n\n', 'latin1'));
  stream.close();
  const wire = sink.wire;

  // Split the wire oddly, as TCP would.
  const map = new BodyOffsetMap();
  const events: SseEvent[] = [];
  const sse = new EventStreamParser({ onEvent: (e) => events.push(e) });
  let complete = false;
  const http = new HttpMessageParser('response', {
    onHead: () => undefined,
    onBody: (data, span) => {
      map.add(span);
      sse.push(data);
    },
    onMessageComplete: () => {
      complete = true;
      sse.finish();
    },
    onError: (err) => assert.fail(err.message),
  });
  for (let i = 0; i < wire.length; i += 7) http.push(wire.subarray(i, i + 7));
  assert.equal(complete, true);
  assert.deepEqual(events.map((e) => [e.type, e.data, e.lastEventId]), [['greeting', 'hello\nworld', 'a1'], ['message', 'ééééé', 'a1'], ['message', 'split é', 'a1']]);

  const rawText = (ranges: SseRange[]): string => Buffer.concat(ranges.map((r) => wire.subarray(r.start, r.end))).toString('utf8');
  let chunkFraming = 0;
  for (const e of events) {
    for (const line of e.lines) {
      const raw = map.toRaw(line.range);
      chunkFraming += raw.length - 1;
      const bodyText = line.kind === 'field' ? `${line.name}${line.colon ? ':' : ''}${line.value ? ' ' + line.value : ''}\n` : line.kind === 'comment' ? `:${line.text}\n` : '\n';
      assert.equal(rawText(raw), bodyText, `line at body ${line.range.start}`);
      if (line.kind === 'field') assert.equal(rawText(map.toRaw(line.valueRange)), line.value);
    }
    // The event as a whole, mapped: its raw ranges skip the chunk-size lines between its chunks.
    const whole = map.toRaw(e.range);
    for (const r of whole) assert.doesNotMatch(wire.subarray(r.start, r.end).toString('latin1'), /\r\n[0-9a-f]+\r\n/);
  }
  assert.equal(chunkFraming, 2, 'the split data line crosses two chunk boundaries; every other line sits in one chunk');
});
