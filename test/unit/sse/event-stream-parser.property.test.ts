// Properties of the event-stream parser over random streams built from the
// pieces that matter (field names, colons, spaces, every line end, BOMs,
// multi-byte and invalid UTF-8, NUL, digits):
//   - any chunking gives the same event log and the same ranges as the whole input;
//   - the event log is the reference interpreter's;
//   - the BOM and the blocks cover the stream without gap or overlap, and every range holds the
//     bytes of what it names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseChunks } from './sse-log.js';
import { interpret } from './reference-interpreter.js';
import type { SseRange } from '../../../server-core/sse/types.js';

const piece = fc.constantFrom(
  'data', 'data', 'data', 'event', 'id', 'retry', 'Data', 'foo',
  ':', ':', ': ', ' ', '  ', 'x', 'ab', '1', '007', '-', '\0', '\t',
  '\n', '\n', '\n', '\r', '\r', '\r\n', '\r\n',
  'é', '\u{1F600}', '\uFEFF',
);
const rawByte = fc.constantFrom(0xff, 0x80, 0xc0, 0xe2, 0x82, 0xed, 0xa0, 0xf0, 0x9f, 0xef, 0xbb, 0xbf);

/** A stream: text pieces (as UTF-8) with now and then a raw byte, maybe after a BOM. */
const stream: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.oneof({ weight: 12, arbitrary: piece.map((p) => Buffer.from(p, 'utf8')) }, { weight: 1, arbitrary: rawByte.map((b) => Buffer.from([b])) }), {
      maxLength: 60,
    }),
  )
  .map(([bom, parts]) => Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), ...parts]));

/** The input cut at the given positions (sorted, deduplicated, inside the input). */
function cut(input: Buffer, positions: number[]): Buffer[] {
  const points = [...new Set(positions.map((p) => p % (input.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(input.subarray(from, p));
    from = p;
  }
  out.push(input.subarray(from));
  return out;
}

test('any chunking gives the same events and ranges as the whole input', () => {
  fc.assert(
    fc.property(stream, fc.array(fc.nat(), { maxLength: 12 }), (input, positions) => {
      const whole = parseChunks([input]);
      const split = parseChunks(cut(input, positions));
      assert.deepEqual(split.events, whole.events);
      assert.deepEqual(split.ranges, whole.ranges);
    }),
    { numRuns: 2000 },
  );
});

test('the event log is the reference interpreter\'s', () => {
  fc.assert(
    fc.property(stream, fc.constantFrom('', '7', 'prev'), (input, lastEventId) => {
      assert.deepEqual(parseChunks([input], { lastEventId }).events, interpret(input, lastEventId));
    }),
    { numRuns: 2000 },
  );
});

test('the BOM and the blocks cover the stream, and each range holds what it names', () => {
  fc.assert(
    fc.property(stream, fc.array(fc.nat(), { maxLength: 6 }), (input, positions) => {
      const spans: SseRange[] = [];
      const { blocks } = parseChunks(cut(input, positions));
      const hasBom = input.length >= 3 && input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf;
      if (hasBom) spans.push({ start: 0, end: 3 });
      const text = (r: SseRange): string => input.toString('utf8', r.start, r.end);
      for (const b of blocks) {
        spans.push(b.range);
        let at = b.range.start;
        for (const line of b.lines) {
          assert.equal(line.range.start, at, 'lines of a block follow each other');
          at = line.range.end;
          const eol = input.subarray(line.contentEnd, line.range.end).toString('latin1');
          if (line.kind === 'partial') assert.equal(eol, '');
          else assert.ok(['\n', '\r', '\r\n'].includes(eol), `end-of-line ${JSON.stringify(eol)}`);
          assert.ok(!input.subarray(line.range.start, line.contentEnd).some((c) => c === 10 || c === 13), 'no line end inside a line');
          if (line.kind === 'field') {
            assert.equal(text(line.nameRange), line.name);
            assert.equal(text(line.valueRange), line.value);
          } else if (line.kind === 'comment') {
            assert.equal(text(line.textRange), line.text);
          }
        }
        assert.equal(at, b.range.end, 'the lines fill their block');
      }
      let at = 0;
      for (const s of spans) {
        assert.equal(s.start, at, 'no gap or overlap');
        at = s.end;
      }
      assert.equal(at, input.length, 'everything is covered');
    }),
    { numRuns: 1500 },
  );
});
