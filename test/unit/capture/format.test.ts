import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeUtf8, formatCount, previewPayload } from '../../../server-core/capture/format.js';

test('decodeUtf8: valid text decodes, invalid bytes give undefined, a character cut at the end is dropped', () => {
  assert.equal(decodeUtf8(Buffer.from('héllo ✓')), 'héllo ✓');
  assert.equal(decodeUtf8(Buffer.alloc(0)), '');
  assert.equal(decodeUtf8(Buffer.from([0x61, 0xff, 0x62, 0x63, 0x64, 0x65])), undefined, 'an invalid byte before the last three');
  assert.equal(decodeUtf8(Buffer.from([0xc3, 0x28])), undefined, 'a bad continuation byte');
  const check = Buffer.from('ok ✓'); // ✓ is three bytes
  assert.equal(decodeUtf8(check.subarray(0, check.length - 1)), 'ok ', 'cut inside the last character');
  assert.equal(decodeUtf8(check.subarray(0, check.length - 2)), 'ok ');
});

test('previewPayload: text is quoted and escaped, masked (binary) bytes are shown as hex', () => {
  assert.equal(previewPayload(Buffer.from('a"b\n'), 4), '"a\\"b\\n"');
  assert.equal(previewPayload(Buffer.from('abcdef'), 10), '"abcdef…"', 'more bytes than the preview');
  const masked = Buffer.from('aaaa').map((b, i) => b ^ [0x81, 0x92, 0xa3, 0xf4][i]);
  assert.equal(previewPayload(masked, 4), 'e0 f3 c2 95');
  assert.equal(previewPayload(Buffer.alloc(0), 0), '""');
});

test('formatCount groups the digits of any whole count in threes, as the general form does', () => {
  const general = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  fc.assert(fc.property(fc.oneof(fc.integer({ min: 0, max: 99_999 }), fc.maxSafeNat()), (n) => formatCount(n) === general(n)));
  assert.equal(formatCount(1_048_576), '1 048 576');
  assert.equal(formatCount(999), '999');
  assert.equal(formatCount(-1234), '-1 234');
  assert.equal(formatCount(1234.5), general(1234.5));
});
