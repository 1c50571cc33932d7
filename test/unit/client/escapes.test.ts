import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BytesSyntaxError, formatEscapedBytes, parseEscapedBytes, parseHexBytes } from '../../../server-core/client/escapes.js';

test('escapes become their bytes; everything else is UTF-8', () => {
  assert.deepEqual(parseEscapedBytes('GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.deepEqual(parseEscapedBytes('a\\tb\\\\c\\0d\\x00\\xff\\xAb'), Buffer.from([0x61, 9, 0x62, 0x5c, 0x63, 0, 0x64, 0, 0xff, 0xab]));
  assert.deepEqual(parseEscapedBytes('é\n'), Buffer.from('é\n', 'utf8'));
  assert.deepEqual(parseEscapedBytes(''), Buffer.alloc(0));
});

function syntaxError(fn: () => unknown): BytesSyntaxError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BytesSyntaxError);
    return err;
  }
  assert.fail('expected a BytesSyntaxError');
}

test('a bad escape reports its code, line and column', () => {
  let e = syntaxError(() => parseEscapedBytes('GET /\\q'));
  assert.equal(e.code, 'UNKNOWN_ESCAPE');
  assert.equal(e.line, 1);
  assert.equal(e.column, 6);
  assert.match(e.message, /unknown escape \\q .*column 6/);
  e = syntaxError(() => parseEscapedBytes('ab\ncd\\x4g'));
  assert.equal(e.code, 'BAD_HEX_ESCAPE');
  assert.equal(e.line, 2);
  assert.equal(e.column, 3);
  e = syntaxError(() => parseEscapedBytes('abc\\x4'));
  assert.equal(e.code, 'BAD_HEX_ESCAPE');
  assert.equal(e.column, 4);
  e = syntaxError(() => parseEscapedBytes('abc\\'));
  assert.equal(e.code, 'TRAILING_BACKSLASH');
  assert.equal(e.column, 4);
});

test('hex allows spaces, newlines and 0x; odd digits and non-hex are errors with their column', () => {
  assert.deepEqual(parseHexBytes('47 45 54\n20 2f\t0a'), Buffer.from('GET /\n'));
  assert.deepEqual(parseHexBytes('0x47 0x4554'), Buffer.from('GET'));
  assert.deepEqual(parseHexBytes(''), Buffer.alloc(0));
  let e = syntaxError(() => parseHexBytes('47 4z'));
  assert.equal(e.code, 'BAD_HEX_DIGIT');
  assert.equal(e.column, 5);
  e = syntaxError(() => parseHexBytes('47 4\n'));
  assert.equal(e.code, 'ODD_HEX_DIGITS');
  assert.equal(e.column, 4);
});

test('formatEscapedBytes is the inverse of parseEscapedBytes for any bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      assert.deepEqual(parseEscapedBytes(formatEscapedBytes(bytes)), Buffer.from(bytes));
    }),
  );
  assert.equal(formatEscapedBytes(Buffer.from('a\r\n\x00\\\x7f')), 'a\\r\\n\\0\\\\\\x7f');
});
