// One eviction of many small chunks: how far below the cap it goes, and that the drop markers and the
// kept chunks still tell the whole stream (each connection, each direction) after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureStore, CHUNK_OVERHEAD_BYTES } from '../../../server-core/capture/capture-store.js';
import type { ConnectionOpened } from '../../../server-core/capture/types.js';

const opened = (id: string, port: number): ConnectionOpened => ({
  connectionId: id,
  side: 'server',
  protocol: 'http',
  tls: false,
  local: { address: '127.0.0.1', port: 8080 },
  remote: { address: '127.0.0.1', port },
  t: 0,
  wallTime: 0,
});

/** Small chunks on 5 connections, both ways, until `n` were recorded; returns what each direction was sent. */
function fill(store: CaptureStore, n: number): Map<string, Buffer[]> {
  const sent = new Map<string, Buffer[]>();
  for (let c = 0; c < 5; c++) store.open(opened(`c${c}`, 40000 + c));
  for (let i = 0; i < n; i++) {
    const id = `c${i % 5}`;
    const dir = i % 2 === 0 ? 'c2s' : 's2c';
    const bytes = Buffer.from(`${i}:`.padEnd(8 + (i % 7), String.fromCharCode(97 + (i % 26))));
    store.chunk(id, dir, i, bytes);
    const key = `${id} ${dir}`;
    sent.set(key, [...(sent.get(key) ?? []), bytes]);
  }
  return sent;
}

test('a store that does not dissect drops down to its margin in one eviction, however many chunks that is', () => {
  const maxBytes = 64 * 1024;
  const margin = 32 * 1024;
  const store = new CaptureStore({ maxBytes, evictMarginBytes: margin, dissect: false });
  const dropped: number[] = [];
  store.events.on('dropped', (e) => dropped.push(e.entry.length));
  let n = 0;
  // Up to the first eviction: ~450 chunks go at once (more than the 256 a dissecting store stops at).
  fill(store, 0);
  while (dropped.length === 0) {
    store.chunk(`c${n % 5}`, 'c2s', n, Buffer.alloc(10, 120));
    n++;
  }
  assert.ok(store.totalBytes <= maxBytes - margin, `${store.totalBytes} kept after the eviction`);
  assert.ok(store.totalBytes > maxBytes - margin - (10 + CHUNK_OVERHEAD_BYTES), 'no further than the margin');
});

test('a dissecting store keeps its batches short while its dissection waits; both tell every stream whole', () => {
  for (const dissect of [false, true]) {
    const store = new CaptureStore({ maxBytes: 16 * 1024, evictMarginBytes: 8 * 1024, dissect });
    const sent = fill(store, 3000);
    if (dissect) assert.ok(store.totalBytes > 8 * 1024, 'a batch of at most 256 chunks: still above the margin');
    for (const [key, parts] of sent) {
      const [id, dir] = key.split(' ');
      const whole = Buffer.concat(parts);
      const entries = store.chunks(id).filter((e) => e.dir === dir);
      const marker = entries.find((e) => e.kind === 'dropped');
      const kept = entries.filter((e) => e.kind === 'data');
      assert.ok(marker && marker.kind === 'dropped', `${key}: a drop marker (dissect ${dissect})`);
      assert.equal(marker.offset, 0);
      // The kept bytes start where the marker ends and are exactly the rest of the stream.
      assert.equal(kept[0].offset, marker.length, key);
      assert.deepEqual(Buffer.concat(kept.map((e) => (e.kind === 'data' ? e.bytes : Buffer.alloc(0)))), whole.subarray(marker.length), key);
    }
    for (let c = 0; c < 5; c++) {
      const markers = store.chunks(`c${c}`).filter((e) => e.kind === 'dropped');
      assert.equal(store.getConnection(`c${c}`)!.stats.droppedBytes, markers.reduce((a, e) => a + (e.kind === 'dropped' ? e.length : 0), 0));
    }
  }
});
