import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseByteSize } from '../../../server-core/cli/byte-size.js';

const MiB = 1024 * 1024;

test('sizes with binary units, case and spacing aside', () => {
  assert.equal(parseByteSize('128MiB', '--x', 1, 2 ** 40), 128 * MiB);
  assert.equal(parseByteSize('1GiB', '--x', 1, 2 ** 40), 1024 * MiB);
  assert.equal(parseByteSize('512k', '--x', 1, 2 ** 40), 512 * 1024);
  assert.equal(parseByteSize('1.5 MB', '--x', 1, 2 ** 40), 1.5 * MiB);
  assert.equal(parseByteSize('65536', '--x', 1, 2 ** 40), 65536);
});

test('anything else, or out of range, is a clear error naming the flag', () => {
  assert.throws(() => parseByteSize('lots', '--capture-limit', 1, 2 ** 40), /--capture-limit must be a size such as 128MiB/);
  assert.throws(() => parseByteSize('-5MiB', '--capture-limit', 1, 2 ** 40), /must be a size/);
  assert.throws(() => parseByteSize('10TB', '--capture-limit', 1, 2 ** 40), /must be a size/);
  assert.throws(() => parseByteSize('512KiB', '--capture-limit', MiB, 64 * 1024 * MiB), /between 1 MiB and 64 GiB, got 512KiB/);
});
