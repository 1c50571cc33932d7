// The encoder writes exactly what the rules read back: exact text for each
// field, refusals with stable codes, and (fast-check) encode → parse gives the
// event back for any data, type and id the encoder accepts, however the bytes
// are split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeComment, encodeCommentBytes, encodeEvent, encodeEventBytes, type SseEventInit } from '../../../server-core/sse/encoder.js';
import { EventStreamParser } from '../../../server-core/sse/event-stream-parser.js';
import { SseEncodeError, type SseEncodeErrorCode } from '../../../server-core/sse/types.js';

test('fields are written in order, one value after ": ", each line ending in LF, then the empty line', () => {
  assert.equal(encodeEvent({ data: 'hello' }), 'data: hello\n\n');
  assert.equal(encodeEvent({ event: 'tick', id: '7', retry: 2500, data: 'x' }), 'event: tick\nid: 7\nretry: 2500\ndata: x\n\n');
  assert.equal(encodeEvent({ data: 'x', id: 42 }), 'id: 42\ndata: x\n\n', 'a numeric id is written in decimal');
});

test('data is split on CRLF, CR and LF into data lines; empty lines become `data:`', () => {
  assert.equal(encodeEvent({ data: 'a\nb\r\nc\rd' }), 'data: a\ndata: b\ndata: c\ndata: d\n\n');
  assert.equal(encodeEvent({ data: '' }), 'data:\n\n');
  assert.equal(encodeEvent({ data: '\n' }), 'data:\ndata:\n\n');
  assert.equal(encodeEvent({ data: ' lead' }), 'data:  lead\n\n', 'a leading space survives the one the parser removes');
});

test('an empty id resets the last event ID; retry alone and id alone are valid blocks', () => {
  assert.equal(encodeEvent({ id: '' }), 'id:\n\n');
  assert.equal(encodeEvent({ retry: 0 }), 'retry: 0\n\n');
  assert.equal(encodeEvent({ id: 'x' }), 'id: x\n\n');
});

test('comments are `:` + text per line, nothing added', () => {
  assert.equal(encodeComment('ping'), ':ping\n');
  assert.equal(encodeComment(' ping'), ': ping\n');
  assert.equal(encodeComment(), ':\n');
  assert.equal(encodeComment('a\r\nb'), ':a\n:b\n');
  assert.deepEqual(encodeCommentBytes('é'), Buffer.from(':é\n', 'utf8'));
  assert.deepEqual(encodeEventBytes({ data: '€' }), Buffer.from('data: €\n\n', 'utf8'));
});

const refusals: [string, unknown, SseEncodeErrorCode, string][] = [
  ['LF in event', { event: 'a\nb', data: 'x' }, 'SSE_EVENT_HAS_LINE_BREAK', 'event'],
  ['CR in event', { event: 'a\rb', data: 'x' }, 'SSE_EVENT_HAS_LINE_BREAK', 'event'],
  ['LF in id', { id: '1\n', data: 'x' }, 'SSE_ID_HAS_LINE_BREAK', 'id'],
  ['CR in id', { id: '\r1', data: 'x' }, 'SSE_ID_HAS_LINE_BREAK', 'id'],
  ['NUL in id', { id: 'a\0b', data: 'x' }, 'SSE_ID_HAS_NUL', 'id'],
  ['negative retry', { retry: -1, data: 'x' }, 'SSE_RETRY_INVALID', 'retry'],
  ['fractional retry', { retry: 1.5 }, 'SSE_RETRY_INVALID', 'retry'],
  ['NaN retry', { retry: NaN }, 'SSE_RETRY_INVALID', 'retry'],
  ['string retry', { retry: '100' }, 'SSE_RETRY_INVALID', 'retry'],
  ['retry past 2^53', { retry: 2 ** 53 }, 'SSE_RETRY_INVALID', 'retry'],
  ['object data', { data: { a: 1 } }, 'SSE_FIELD_TYPE', 'data'],
  ['numeric event', { event: 1, data: 'x' }, 'SSE_FIELD_TYPE', 'event'],
  ['infinite id', { id: Infinity, data: 'x' }, 'SSE_FIELD_TYPE', 'id'],
  ['lone surrogate in data', { data: 'a\uD800' }, 'SSE_LONE_SURROGATE', 'data'],
  ['lone low surrogate in event', { event: '\uDC00', data: 'x' }, 'SSE_LONE_SURROGATE', 'event'],
  ['event without data', { event: 'ping' }, 'SSE_EVENT_WITHOUT_DATA', 'event'],
  ['nothing at all', {}, 'SSE_EMPTY_EVENT', 'data'],
  ['not an object', null, 'SSE_FIELD_TYPE', 'event'],
];

for (const [what, evt, code, field] of refusals) {
  test(`refused: ${what} (${code})`, () => {
    assert.throws(
      () => encodeEvent(evt as SseEventInit),
      (err: unknown) => err instanceof SseEncodeError && err.code === code && err.field === field && err.message.length > 10,
    );
  });
}

test('a comment with a lone surrogate is refused', () => {
  assert.throws(() => encodeComment('\uD83D'), (err: unknown) => err instanceof SseEncodeError && err.code === 'SSE_LONE_SURROGATE');
});

test('a surrogate pair is not a lone surrogate', () => {
  assert.equal(encodeEvent({ data: '\u{1F600}' }), 'data: \u{1F600}\n\n');
});

// ---- round trip

const lineBreak = fc.constantFrom('\n', '\r', '\r\n');
const text = fc.string({ unit: 'binary', maxLength: 12 });
/** Any string, with line breaks of every style mixed in. */
const dataString = fc.array(fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: lineBreak }), { maxLength: 6 }).map((a) => a.join(''));
const noBreak = text.map((s) => s.replace(/[\r\n]/g, ''));
const idString = noBreak.map((s) => s.replace(/\0/g, ''));

const eventInit: fc.Arbitrary<SseEventInit> = fc
  .record(
    {
      event: noBreak,
      id: fc.oneof(idString, fc.integer({ min: -1000, max: 1_000_000 })),
      data: dataString,
      retry: fc.nat(),
    },
    { requiredKeys: ['data'] },
  );

test('encode → parse gives every event back, whatever the chunking', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof({ weight: 5, arbitrary: eventInit }, { weight: 1, arbitrary: text.map((c) => ({ comment: c })) }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), (items, cuts) => {
      const wire = Buffer.concat(items.map((i) => ('comment' in i ? encodeCommentBytes(i.comment as string) : encodeEventBytes(i as SseEventInit))));
      const got: { type: string; data: string; id: string }[] = [];
      const retries: number[] = [];
      const comments: string[] = [];
      const discards: string[] = [];
      const parser = new EventStreamParser({
        onEvent: (e) => got.push({ type: e.type, data: e.data, id: e.lastEventId }),
        onRetry: (ms) => retries.push(ms),
        onComment: (c) => comments.push(c.text),
        onDiscard: (_b, reason) => discards.push(reason),
      });
      const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
      let from = 0;
      for (const p of points) {
        parser.push(wire.subarray(from, p));
        from = p;
      }
      parser.push(wire.subarray(from));
      parser.finish();

      const expected: { type: string; data: string; id: string }[] = [];
      const expectedComments: string[] = [];
      let lastId = '';
      for (const i of items) {
        if ('comment' in i) {
          expectedComments.push(...(i.comment as string).split(/\r\n|\r|\n/));
          continue;
        }
        const e = i as SseEventInit;
        if (e.id !== undefined) lastId = String(e.id);
        expected.push({ type: e.event || 'message', data: e.data!.replace(/\r\n|\r/g, '\n'), id: lastId });
      }
      assert.deepEqual(got, expected);
      assert.deepEqual(retries, items.flatMap((i) => ('comment' in i || (i as SseEventInit).retry === undefined ? [] : [(i as SseEventInit).retry!])));
      assert.deepEqual(comments, expectedComments);
      // Comments after the last event are a block that the end of the stream discards; nothing else is.
      assert.deepEqual(discards, 'comment' in items[items.length - 1] ? ['end-of-stream'] : []);
    }),
    { numRuns: 1500 },
  );
});
