// EventStreamParser beyond the corpus: delivery as bytes arrive (never at the
// end of the response), the late LF of a split CRLF, the getters a client
// reads, errors without a handler, and input it must not keep references to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_MAX_EVENT_BYTES,
  DEFAULT_MAX_LINE_BYTES,
  EventStreamParser,
} from '../../../server-core/sse/event-stream-parser.js';
import { SseParseError, type SseBlock, type SseEvent, type SseLine } from '../../../server-core/sse/types.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

test('each event is delivered by the push that completes it, before the stream ends', () => {
  const events: SseEvent[] = [];
  const p = new EventStreamParser({ onEvent: (e) => events.push(e) });
  p.push(b('data: one\n'));
  assert.equal(events.length, 0, 'not before its empty line');
  p.push(b('\n'));
  assert.deepEqual(events.map((e) => e.data), ['one']);
  p.push(b('data: two\n\ndata: thr'));
  assert.deepEqual(events.map((e) => e.data), ['one', 'two']);
  p.push(b('ee\n\n'));
  assert.deepEqual(events.map((e) => [e.index, e.data]), [[0, 'one'], [1, 'two'], [2, 'three']]);
  assert.equal(p.eventCount, 3);
});

test('a CR at the end of a push dispatches at once; the LF that follows widens the delivered event', () => {
  const events: SseEvent[] = [];
  const extended: { line: SseLine; block: SseBlock | undefined }[] = [];
  const p = new EventStreamParser({ onEvent: (e) => events.push(e), onLineEndExtended: (line, block) => extended.push({ line, block }) });
  p.push(b('data: a\r\n\r'));
  assert.equal(events.length, 1, 'the CR alone completes the empty line');
  assert.deepEqual(events[0].range, { start: 0, end: 10 });
  p.push(b('\ndata: b\n\n'));
  assert.equal(extended.length, 1);
  assert.equal(extended[0].block, events[0], 'the block delivered is the one widened, in place');
  assert.deepEqual(events[0].range, { start: 0, end: 11 });
  assert.deepEqual(extended[0].line.range, { start: 9, end: 11 });
  assert.deepEqual(events[1].range, { start: 11, end: 20 }, 'the next event starts after the LF');
  assert.equal(events[1].data, 'b');
});

test('a CR-ended comment is delivered at once; its LF in the next push widens it without a block', () => {
  const comments: SseLine[] = [];
  const extended: (SseBlock | undefined)[] = [];
  const p = new EventStreamParser({ onComment: (c) => comments.push(c), onLineEndExtended: (_l, block) => extended.push(block) });
  p.push(b(': hi\r'));
  assert.equal(comments.length, 1);
  assert.deepEqual(comments[0].range, { start: 0, end: 5 });
  p.push(b('\n'));
  assert.deepEqual(comments[0].range, { start: 0, end: 6 });
  assert.deepEqual(extended, [undefined]);
});

test('a byte other than LF after a CR-ended push is a new line', () => {
  const events: SseEvent[] = [];
  const p = new EventStreamParser({ onEvent: (e) => events.push(e), onLineEndExtended: () => assert.fail('no LF came') });
  p.push(b('data: a\r'));
  p.push(b('\r'));
  p.push(b('data: b\r\r'));
  assert.deepEqual(events.map((e) => [e.data, e.range.start, e.range.end]), [['a', 0, 9], ['b', 9, 18]]);
});

test('retry, comments and the BOM are reported as their line ends', () => {
  const log: string[] = [];
  const p = new EventStreamParser({
    onBom: (r) => log.push(`bom ${r.start}..${r.end}`),
    onRetry: (ms, line) => log.push(`retry ${ms} ${line.range.start}..${line.range.end}`),
    onComment: (c) => log.push(`comment ${c.text}`),
  });
  p.push(Buffer.from([0xef, 0xbb]));
  assert.deepEqual(log, [], 'two bytes do not make a BOM yet');
  p.push(Buffer.from([0xbf]));
  p.push(b('retry: 250\n:x\n'));
  assert.deepEqual(log, ['bom 0..3', 'retry 250 3..14', 'comment x']);
  assert.equal(p.reconnectionTime, 250);
});

test('lastEventId follows every dispatch, with or without data, and starts from the option', () => {
  const p = new EventStreamParser({}, { lastEventId: 'seed' });
  assert.equal(p.lastEventId, 'seed');
  p.push(b('data: a\n\n'));
  assert.equal(p.lastEventId, 'seed');
  p.push(b('id: 5\n\n'));
  assert.equal(p.lastEventId, '5', 'a block without data sets it too');
  p.push(b('id: 6\ndata: x\n'));
  assert.equal(p.lastEventId, '5', 'not before the dispatch');
  p.finish();
  assert.equal(p.lastEventId, '5', 'a discarded block does not set it');
});

test('the end of the stream reports the pending block with its unfinished line', () => {
  const discards: { block: SseBlock; reason: string }[] = [];
  const p = new EventStreamParser({ onDiscard: (block, reason) => discards.push({ block, reason }) });
  p.push(b('data: a\nda'));
  p.finish();
  p.finish();
  assert.equal(discards.length, 1, 'finish() twice reports once');
  assert.equal(discards[0].reason, 'end-of-stream');
  assert.deepEqual(discards[0].block.lines.map((l) => l.kind), ['field', 'partial']);
  assert.throws(() => p.push(b('x')), /after finish/);
});

test('without onError, a limit throws SseParseError from push(); the parser then ignores input', () => {
  const p = new EventStreamParser({}, { maxLineBytes: 4 });
  assert.throws(
    () => p.push(b('data: x\n')),
    (err: unknown) => err instanceof SseParseError && err.code === 'SSE_LINE_TOO_LONG' && err.offset === 0,
  );
  assert.equal(p.hasFailed, true);
  p.push(b('\n\n'));
  p.finish();
});

test('the defaults are 16 MiB per line and 64 MiB per event', () => {
  assert.equal(DEFAULT_MAX_LINE_BYTES, 16 * 1024 * 1024);
  assert.equal(DEFAULT_MAX_EVENT_BYTES, 64 * 1024 * 1024);
  // A line of 1 MiB passes with the defaults.
  const events: SseEvent[] = [];
  const p = new EventStreamParser({ onEvent: (e) => events.push(e) });
  const big = 'x'.repeat(1024 * 1024);
  p.push(b(`data: ${big.slice(0, 1000)}`));
  p.push(b(`${big.slice(1000)}\n\n`));
  assert.equal(events[0].data.length, big.length);
});

test('a plain Uint8Array is accepted, and a reused input buffer does not change pending bytes', () => {
  const events: SseEvent[] = [];
  const p = new EventStreamParser({ onEvent: (e) => events.push(e) });
  const reused = new Uint8Array(8);
  reused.set(b('data: ab'));
  p.push(reused);
  reused.fill(0x7a); // the caller reuses its buffer for the next read
  p.push(new TextEncoder().encode('c\n\n'));
  assert.equal(events[0].data, 'abc');
});

test('offset() counts every byte pushed, from the offset option', () => {
  const p = new EventStreamParser({}, { offset: 40 });
  p.push(b('data: a\r'));
  p.push(b('\n\nda'));
  assert.equal(p.offset, 40 + 12);
});

test('a handler may call finish() to stop: nothing after that event is delivered', () => {
  const seen: string[] = [];
  const p: EventStreamParser = new EventStreamParser({
    onEvent: (e) => {
      seen.push(e.data);
      if (seen.length === 2) p.finish();
    },
    onDiscard: (_b, reason) => seen.push(`discard ${reason}`),
    onComment: (c) => seen.push(`comment ${c.text}`),
  });
  p.push(b('data: 1\n\ndata: 2\n\n:after\ndata: 3\n\n'));
  assert.deepEqual(seen, ['1', '2']);
  assert.equal(p.offset, 18, 'reading stopped after the second event');
});
