// The hex view's keyboard cursor over rows that interleave both directions,
// and the byte under it in words (direction, offset, value, field).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DissectedMessage } from '../../../../server-core/protocol/playground.js';
import { ChunkIndex } from '../../../../webview/panel/chunk-index.js';
import { describeByte, moveCursor, rowSpan } from '../../../../webview/panel/hex-cursor.js';

/** 20 bytes client → server (rows 0–1: 16 + 4), then 3 bytes back (row 2). */
function index(): ChunkIndex {
  const idx = new ChunkIndex();
  idx.add('c2s', 1, 0, 20);
  idx.add('s2c', 2, 0, 3);
  return idx;
}

test('rows know their direction, first offset and length', () => {
  const idx = index();
  assert.deepEqual([0, 1, 2].map((r) => rowSpan(idx, r)), [
    { dir: 'c2s', base: 0, len: 16 },
    { dir: 'c2s', base: 16, len: 4 },
    { dir: 's2c', base: 0, len: 3 },
  ]);
  assert.equal(rowSpan(idx, 3), undefined);
});

test('← → move byte by byte across rows and directions; ↑ ↓ keep the column where the row is long enough', () => {
  const idx = index();
  const move = (row: number, col: number, key: string, ctrl = false) => moveCursor(idx, { row, col }, key, ctrl, 10);
  assert.deepEqual(move(0, 15, 'ArrowRight'), { row: 1, col: 0 });
  assert.deepEqual(move(1, 3, 'ArrowRight'), { row: 2, col: 0 }, 'from the last client byte to the first server byte');
  assert.deepEqual(move(2, 2, 'ArrowRight'), { row: 2, col: 2 }, 'the last byte stays');
  assert.deepEqual(move(2, 0, 'ArrowLeft'), { row: 1, col: 3 });
  assert.deepEqual(move(0, 0, 'ArrowLeft'), { row: 0, col: 0 });
  assert.deepEqual(move(0, 12, 'ArrowDown'), { row: 1, col: 3 }, 'a short row: its last byte');
  assert.deepEqual(move(1, 2, 'ArrowUp'), { row: 0, col: 2 });
  assert.deepEqual(move(0, 5, 'PageDown'), { row: 2, col: 2 });
  assert.deepEqual(move(0, 5, 'End'), { row: 0, col: 15 });
  assert.deepEqual(move(2, 1, 'Home'), { row: 2, col: 0 });
  assert.deepEqual(move(1, 1, 'End', true), { row: 2, col: 2 });
  assert.deepEqual(move(2, 1, 'Home', true), { row: 0, col: 0 });
  assert.equal(move(0, 0, 'Tab'), undefined, 'Tab is not the cursor\'s: the focus leaves');
});

test('the byte in words: direction, offset, value and the field it belongs to', () => {
  const msg: DissectedMessage = {
    id: 1, connectionId: 'c', kind: 'http-request', protocol: 'http', dir: 'c2s', range: { start: 0, end: 20 }, tStart: 1, tEnd: 1,
    summary: 'GET / HTTP/1.1', fields: [{ name: 'Method', value: 'GET', explain: 'the request method', range: { start: 0, end: 3 } }],
  };
  assert.equal(describeByte('c2s', 1, 0x45, msg, msg.fields[0]), "→ client to server, offset 0x1 (1): 0x45 'E'. Method: GET — the request method. In GET / HTTP/1.1.");
  assert.equal(describeByte('s2c', 26, 0x0d), '← server to client, offset 0x1a (26): 0x0d (CR). Not part of a dissected message.');
  assert.match(describeByte('s2c', 0, undefined), /byte not loaded yet/);
});
