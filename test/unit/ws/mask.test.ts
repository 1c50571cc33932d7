// ws/mask.ts against the byte-wise definition of masking (RFC 6455 §5.3):
// payload byte j is XORed with key[(phase + j) % 4]. The word loops (8-aligned
// BigUint64Array views, the one-pass copy when source and target are
// co-aligned) must give exactly the same bytes at every offset, length, key
// and phase, and never touch a byte outside the range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allocCoAligned, maskCopy, maskInPlace } from '../../../server-core/ws/mask.js';

function reference(src: Uint8Array, start: number, end: number, key: Uint8Array, phase: number): Buffer {
  const out = Buffer.alloc(end - start);
  for (let j = 0; j < out.length; j++) out[j] = src[start + j] ^ key[(phase + j) & 3];
  return out;
}

/** A buffer of `size` random bytes that starts `offset` bytes into a larger ArrayBuffer (so its byteOffset varies). */
const placedBytes = (maxSize: number) =>
  fc.record({ bytes: fc.uint8Array({ minLength: 0, maxLength: maxSize, size: 'max' }), offset: fc.integer({ min: 0, max: 15 }) }).map(({ bytes, offset }) => {
    const backing = new Uint8Array(offset + bytes.length + 16);
    backing.fill(0xee);
    backing.set(bytes, offset);
    return Buffer.from(backing.buffer, offset, bytes.length);
  });
const maskKey = fc.uint8Array({ minLength: 4, maxLength: 4 });

test('maskInPlace equals the byte-wise loop at every byteOffset, range, key and phase, and stays inside its range', () => {
  fc.assert(
    fc.property(placedBytes(600), maskKey, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 1000 }), (buf, key, a, b, phase) => {
      const start = buf.length === 0 ? 0 : a % (buf.length + 1);
      const end = start + (buf.length === 0 ? 0 : b % (buf.length - start + 1));
      const whole = new Uint8Array(buf.buffer.slice(0));
      const expected = reference(buf, start, end, key, phase);
      maskInPlace(buf, start, end, key, phase);
      assert.deepEqual(Buffer.from(buf.subarray(start, end)), expected);
      // Every byte of the backing store outside [start, end) is untouched.
      const after = new Uint8Array(buf.buffer);
      for (let i = 0; i < after.length; i++) {
        const inRange = i >= buf.byteOffset + start && i < buf.byteOffset + end;
        if (!inRange) assert.equal(after[i], whole[i], `byte ${i} outside the range changed`);
      }
    }),
    { numRuns: 2000 },
  );
});

test('maskCopy equals the byte-wise loop, co-aligned or not, and leaves the source and the rest of the target alone', () => {
  fc.assert(
    fc.property(placedBytes(600), maskKey, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), (src, key, a, b, dstStart, phase, coAligned) => {
      const start = src.length === 0 ? 0 : a % (src.length + 1);
      const end = start + (src.length === 0 ? 0 : b % (src.length - start + 1));
      const srcBefore = Buffer.from(src);
      const n = end - start;
      const dst = coAligned ? allocCoAligned(dstStart + n + 9, src, start - dstStart) : Buffer.alloc(dstStart + n + 9, 0xcc);
      if (coAligned) dst.fill(0xcc);
      if (coAligned) assert.equal((dst.byteOffset + dstStart - (src.byteOffset + start)) & 7, 0);
      const dstBefore = Buffer.from(dst);
      maskCopy(src, start, end, dst, dstStart, key, phase);
      assert.deepEqual(Buffer.from(dst.subarray(dstStart, dstStart + n)), reference(src, start, end, key, phase));
      assert.deepEqual(src, srcBefore, 'the source changed');
      assert.deepEqual(dst.subarray(0, dstStart), dstBefore.subarray(0, dstStart));
      assert.deepEqual(dst.subarray(dstStart + n), dstBefore.subarray(dstStart + n));
    }),
    { numRuns: 2000 },
  );
});

test('allocCoAligned gives a buffer of the length asked whose first byte is co-aligned (mod 8) with the source byte', () => {
  fc.assert(
    fc.property(placedBytes(64), fc.nat(), fc.integer({ min: 0, max: 70_000 }), (src, a, length) => {
      const at = src.length === 0 ? 0 : a % src.length;
      const buf = allocCoAligned(length, src, at);
      assert.equal(buf.length, length);
      assert.equal((buf.byteOffset - (src.byteOffset + at)) & 7, 0);
    }),
    { numRuns: 300 },
  );
});

test('masking twice restores the input (one function masks and unmasks), across the word-loop threshold', () => {
  const key = Buffer.from('a1b2c3d4', 'hex');
  for (let len = 0; len < 80; len++) {
    for (let off = 0; off < 8; off++) {
      const backing = Buffer.alloc(len + 16);
      for (let i = 0; i < backing.length; i++) backing[i] = (i * 91 + len) & 0xff;
      const buf = backing.subarray(off, off + len);
      const original = Buffer.from(buf);
      maskInPlace(buf, 0, len, key, off);
      maskInPlace(buf, 0, len, key, off);
      assert.deepEqual(buf, original);
    }
  }
});
