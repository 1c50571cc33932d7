// BodyOffsetMap: body offsets back to raw bytes, across chunk framing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BodyOffsetMap } from '../../../server-core/sse/body-offset-map.js';

test('a body that is not chunked is one shifted piece', () => {
  const m = new BodyOffsetMap();
  m.add({ start: 120, end: 130 });
  m.add({ start: 130, end: 150 });
  assert.equal(m.pieces, 1, 'touching slices merge');
  assert.equal(m.length, 30);
  assert.deepEqual(m.toRaw({ start: 5, end: 25 }), [{ start: 125, end: 145 }]);
  assert.equal(m.rawOffset(0), 120);
  assert.equal(m.rawOffset(30), 150, 'the end maps just past the last byte');
});

test('a range across chunks maps to one raw range per chunk, skipping the framing', () => {
  // "5\r\nhello\r\n6\r\n world\r\n" after a 10-byte head: data at 13..18 and 23..29.
  const m = new BodyOffsetMap();
  m.add({ start: 13, end: 18 });
  m.add({ start: 23, end: 29 });
  assert.equal(m.pieces, 2);
  assert.deepEqual(m.toRaw({ start: 3, end: 8 }), [{ start: 16, end: 18 }, { start: 23, end: 26 }]);
  assert.deepEqual(m.toRaw({ start: 5, end: 11 }), [{ start: 23, end: 29 }], 'a range that starts at a chunk boundary');
  assert.deepEqual(m.toRaw({ start: 5, end: 5 }), [{ start: 23, end: 23 }], 'an empty range sits at the next byte');
  assert.deepEqual(m.toRaw({ start: 11, end: 11 }), [{ start: 29, end: 29 }], 'or at the end');
});

test('offsets outside the mapped part are refused', () => {
  const m = new BodyOffsetMap();
  assert.throws(() => m.rawOffset(0), RangeError);
  m.add({ start: 0, end: 4 });
  assert.throws(() => m.toRaw({ start: 2, end: 5 }), RangeError);
  assert.throws(() => m.toRaw({ start: 3, end: 2 }), RangeError);
  assert.throws(() => m.add({ start: 2, end: 3 }), /backwards/);
});

test('forgetBefore drops pieces nobody will ask for, and the rest still maps', () => {
  const m = new BodyOffsetMap();
  for (let i = 0; i < 3000; i++) m.add({ start: i * 10, end: i * 10 + 4 });
  assert.equal(m.pieces, 3000);
  m.forgetBefore(4 * 2500);
  assert.equal(m.pieces, 500);
  assert.deepEqual(m.toRaw({ start: 4 * 2500 + 1, end: 4 * 2500 + 6 }), [{ start: 25001, end: 25004 }, { start: 25010, end: 25012 }]);
  assert.throws(() => m.rawOffset(0), RangeError);
});

test('the body offset option starts the map there', () => {
  const m = new BodyOffsetMap(100);
  m.add({ start: 7, end: 9 });
  assert.deepEqual(m.toRaw({ start: 100, end: 102 }), [{ start: 7, end: 9 }]);
});

test('property: the raw ranges of any body range hold exactly its bytes, whatever the chunking', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 80 }),
      fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 10 }),
      fc.nat(),
      fc.nat(),
      (body, sizes, a, b) => {
        // Chunk the body with the given sizes (cycled), framing each chunk as on the wire.
        const parts: Buffer[] = [Buffer.from('HTTP/1.1 200 OK\r\n\r\n')];
        let wireLen = parts[0].length;
        const m = new BodyOffsetMap();
        for (let at = 0, k = 0; at < body.length; k++) {
          const n = Math.min(sizes[k % sizes.length], body.length - at);
          const size = Buffer.from(`${n.toString(16)}\r\n`);
          parts.push(size);
          wireLen += size.length;
          m.add({ start: wireLen, end: wireLen + n });
          parts.push(Buffer.from(body.subarray(at, at + n)), Buffer.from('\r\n'));
          wireLen += n + 2;
          at += n;
        }
        const wire = Buffer.concat(parts);
        const start = a % (body.length + 1);
        const end = start + (b % (body.length - start + 1));
        const raw = m.toRaw({ start, end });
        const got = Buffer.concat(raw.map((r) => wire.subarray(r.start, r.end)));
        assert.deepEqual(got, Buffer.from(body.subarray(start, end)));
        for (let i = 1; i < raw.length; i++) assert.ok(raw[i].start > raw[i - 1].end, 'pieces are apart (framing between)');
      },
    ),
    { numRuns: 1000 },
  );
});
