// A capture leg's tap: what it hands the capture for the bytes the proxy reads
// and writes. The pieces the proxy writes from one read (a response head, then
// the body that came with it) are recorded as one chunk that is a view of that
// read, byte for byte and in order; other pieces stay separate; a read's own
// timestamp is the chunk's time when the caller passes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { Emitter } from '../../../server-core/util/emitter.js';
import type { CaptureEvents } from '../../../server-core/capture/types.js';
import { CaptureQueue } from '../../../server-core/proxy/capture-queue.js';
import { LegTap } from '../../../server-core/proxy/leg-tap.js';

function tapWithLog(): { tap: LegTap; chunks: CaptureEvents['chunk'][]; queue: CaptureQueue } {
  const target = new Emitter<CaptureEvents>();
  const chunks: CaptureEvents['chunk'][] = [];
  target.on('open', () => {});
  target.on('chunk', (e) => chunks.push(e));
  const queue = new CaptureQueue(target);
  const tap = new LegTap(queue, 'leg', 'server', 'proxy-downstream');
  tap.open(new Socket(), false);
  return { tap, chunks, queue };
}

test('pieces of one read written in a batch are one chunk: a view of that read, exact, then the next piece apart', () => {
  const { tap, chunks, queue } = tapWithLog();
  const read = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 204 No Content\r\n\r\n');
  const headEnd = read.indexOf('\r\n\r\n') + 4;
  const other = Buffer.from('HTTP/1.1 502 Bad Gateway\r\n\r\n');
  tap.batch();
  tap.chunk('s2c', read.subarray(0, headEnd));
  tap.chunk('s2c', read.subarray(headEnd, headEnd + 5));
  tap.chunk('s2c', other); // not a continuation of the read: its own chunk
  tap.chunk('s2c', read.subarray(headEnd + 5)); // continues the read, but after another piece
  tap.chunk('c2s', Buffer.from('GET / HTTP/1.1\r\n\r\n')); // another direction
  tap.flush();
  queue.flush();
  assert.deepEqual(
    chunks.map((c) => [c.dir, c.bytes.toString('latin1')]),
    [
      ['s2c', read.subarray(0, headEnd + 5).toString('latin1')],
      ['s2c', other.toString('latin1')],
      ['s2c', read.subarray(headEnd + 5).toString('latin1')],
      ['c2s', 'GET / HTTP/1.1\r\n\r\n'],
    ],
  );
  assert.equal(chunks[0].bytes.buffer, read.buffer, 'the joined pieces are a view of the read, not a copy');
  assert.equal(chunks[0].bytes.byteOffset, read.byteOffset);
  assert.equal(tap.s2c, read.length + other.length);
  assert.equal(tap.c2s, 18);
});

test('a read recorded with the time its handler took; a write without one is stamped when it is recorded', () => {
  const { tap, chunks, queue } = tapWithLog();
  tap.chunk('c2s', Buffer.from('GET / HTTP/1.1\r\n\r\n'), 1234.5);
  const before = performance.now();
  tap.chunk('s2c', Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
  queue.flush();
  assert.equal(chunks[0].t, 1234.5);
  assert.ok(chunks[1].t >= before, 'stamped at record time');
});

test('nothing is built without a chunk listener, and the offsets still count', () => {
  const target = new Emitter<CaptureEvents>();
  const queue = new CaptureQueue(target);
  let emitted = 0;
  const counting = { hasListeners: queue.hasListeners.bind(queue), emit: () => void emitted++ };
  const tap = new LegTap(counting, 'leg', 'client', 'proxy-upstream');
  tap.open(new Socket(), false);
  tap.batch();
  tap.chunk('s2c', Buffer.alloc(10));
  tap.flush();
  tap.chunk('c2s', Buffer.alloc(3));
  assert.equal(emitted, 0);
  assert.equal(tap.s2c, 10);
  assert.equal(tap.c2s, 3);
});
