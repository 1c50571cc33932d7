// The input window: raw heads cut out of the chunks they arrived in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputWindow } from '../../../server-core/server/input-window.js';

test('a span across chunks is cut out whole; one inside a chunk is a view', () => {
  const w = new InputWindow();
  const a = Buffer.from('GET / HT');
  const b = Buffer.from('TP/1.1\r\n\r\nrest');
  w.push(0, a);
  w.push(8, b);
  assert.equal(w.slice({ start: 0, end: 18 }).toString(), 'GET / HTTP/1.1\r\n\r\n');
  const inside = w.slice({ start: 8, end: 12 });
  assert.equal(inside.buffer, b.buffer, 'no copy');
});

test('chunks wholly consumed are pruned; stray line breaks after a message are recognised', () => {
  const w = new InputWindow();
  w.push(0, Buffer.from('abc'));
  w.push(3, Buffer.from('de\r\n'));
  w.consumed(3);
  w.prune();
  assert.equal(w.isEmpty, false);
  assert.equal(w.onlyLineBreaksAfter(5), true);
  assert.equal(w.onlyLineBreaksAfter(4), false);
  w.consumed(7);
  w.prune();
  assert.equal(w.isEmpty, true);
});
