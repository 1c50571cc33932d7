// Large chunks in the capture store's arena (chunk-arena.ts): a chunk larger than
// a quarter of a block is copied into a large block of its own, reused once the
// chunk has left the store. The store must never keep the buffer it was handed
// (the caller reuses it: a static file read buffer, a socket's), and no read
// result may change when a large block is reused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CaptureStore, type CaptureEntry } from '../../../server-core/capture/capture-store.js';
import { arenaStats, isArenaBytes } from '../../../server-core/capture/chunk-arena.js';
import type { ConnectionOpened, Direction } from '../../../server-core/capture/types.js';

function opened(id: string, port: number): ConnectionOpened {
  return {
    connectionId: id,
    side: 'server',
    protocol: 'http',
    tls: false,
    local: { address: '127.0.0.1', port: 8080 },
    remote: { address: '127.0.0.1', port },
    t: 1,
    wallTime: 1_700_000_000_000,
  };
}

const dataBytes = (entries: CaptureEntry[]): string[] => entries.map((e) => (e.kind === 'data' ? e.bytes.toString('latin1') : ''));

test('large and small chunks: the handed buffer is overwritten after each call, reads never change, and large blocks are reused', () => {
  const reusedBefore = arenaStats.largeReused;
  fc.assert(
    fc.property(
      fc.record({
        sizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 900 }), fc.constantFrom(1500, 4096, 4097, 9000), fc.integer({ min: 1025, max: 12_000 })), { minLength: 5, maxLength: 80 }),
        maxBytes: fc.integer({ min: 8_000, max: 60_000 }),
        conns: fc.array(fc.nat(2), { minLength: 1, maxLength: 80 }),
        readEvery: fc.integer({ min: 1, max: 10 }),
      }),
      ({ sizes, maxBytes, conns, readEvery }) => {
        const store = new CaptureStore({ maxBytes, blockBytes: 4096, dissect: false });
        const ids = ['a', 'b', 'c'];
        ids.forEach((id, i) => store.open(opened(id, 1000 + i)));
        const sent = new Map<string, Record<Direction, Buffer[]>>(ids.map((id) => [id, { c2s: [], s2c: [] }]));
        const held: { id: string; entries: CaptureEntry[]; copies: string[] }[] = [];
        const check = (id: string, entries: CaptureEntry[]) => {
          for (const dir of ['c2s', 's2c'] as const) {
            const all = Buffer.concat(sent.get(id)![dir]);
            for (const e of entries) if (e.kind === 'data' && e.dir === dir) assert.deepEqual(e.bytes, all.subarray(e.offset, e.offset + e.bytes.length), `${id} ${dir} @${e.offset}`);
          }
        };
        // One reused buffer, as a file reader's pooled buffer: every chunk is handed in it.
        const reused = Buffer.alloc(12_000);
        sizes.forEach((size, k) => {
          const id = ids[conns[k % conns.length]];
          const dir: Direction = k % 3 === 0 ? 'c2s' : 's2c';
          const bytes = reused.subarray(0, size);
          for (let i = 0; i < size; i++) bytes[i] = (k * 31 + i) & 0xff;
          sent.get(id)![dir].push(Buffer.from(bytes));
          store.chunk(id, dir, k, bytes);
          reused.fill(0xee); // the caller's next use
          if (k % readEvery === 0) {
            const entries = store.chunks(id);
            check(id, entries);
            held.push({ id, entries, copies: dataBytes(entries) });
          }
        });
        for (const id of ids) check(id, store.chunks(id));
        for (const h of held) {
          assert.deepEqual(dataBytes(h.entries), h.copies, `a held read of ${h.id}`);
          check(h.id, h.entries);
        }
        store.dispose();
      },
    ),
    { numRuns: 200 },
  );
  assert.ok(arenaStats.largeReused > reusedBefore, 'large blocks were reused');
});

test('a large chunk that is evicted gives its block to the next chunk of its size; what was read of it stays', () => {
  const store = new CaptureStore({ maxBytes: 64 * 1024, blockBytes: 64 * 1024, evictMarginBytes: 0, dissect: false });
  store.open(opened('a', 1));
  const first = Buffer.alloc(40_000, 0x41);
  store.chunk('a', 's2c', 1, first);
  const [readFirst] = store.chunks('a');
  assert.ok(readFirst.kind === 'data' && !isArenaBytes(readFirst.bytes), 'readers get copies, never a view of a block');
  const reusedBefore = arenaStats.largeReused;
  // More of the same size: the first leaves (its tail first, trimmed into a copy), its block is taken by a later one.
  const fills = [0x42, 0x43, 0x44];
  for (const [k, fill] of fills.entries()) store.chunk('a', 's2c', 2 + k, Buffer.alloc(40_000, fill));
  assert.ok(arenaStats.largeReused > reusedBefore, "the evicted chunk's block was reused");
  const left = store.chunks('a').filter((e) => e.kind === 'data');
  const last = left[left.length - 1];
  assert.ok(last.kind === 'data');
  assert.deepEqual([last.offset, last.bytes.length], [120_000, 40_000]);
  assert.ok(last.bytes.every((b) => b === 0x44), 'the last chunk has its own bytes');
  for (const e of left) {
    assert.ok(e.kind === 'data');
    const fill = 0x41 + Math.floor(e.offset / 40_000);
    assert.ok(e.bytes.every((b) => b === fill), `the bytes at ${e.offset} are the chunk's`);
  }
  assert.ok(readFirst.kind === 'data' && readFirst.bytes.every((b) => b === 0x41), 'the first read is unchanged');
  assert.equal(store.readRange('a', 's2c', 120_000, 160_000)?.every((b) => b === 0x44), true);
  store.dispose();
});

test("the same large read recorded twice (a proxy's two legs) is copied once, and its block outlives the first to leave", () => {
  // Room for about two and a half 20,000-byte chunks: a third evicts the first leg's, a fourth would take a freed block.
  const store = new CaptureStore({ maxBytes: 50_000, blockBytes: 64 * 1024, evictMarginBytes: 0, dissect: false });
  for (const [i, id] of ['a', 'b', 'c'].entries()) store.open(opened(id, i + 1));
  const read = Buffer.alloc(20_000, 7);
  const before = arenaStats.sharedCopies;
  store.chunk('a', 'c2s', 1, read);
  store.chunk('b', 's2c', 1, read);
  assert.equal(arenaStats.sharedCopies, before + 1);
  // Smaller chunks of the same rounded size (a sixteenth of a block): each may take a block freed before it.
  for (let k = 0; k < 4; k++) {
    store.chunk('c', 's2c', 2 + k, Buffer.alloc(16_500, 0x60 + k));
    const kept = store.chunks('b').filter((e) => e.kind === 'data');
    assert.ok(kept.every((e) => e.kind === 'data' && e.bytes.every((b) => b === 7)), `after ${k + 1}: the second leg's bytes are still the read's`);
  }
  store.dispose();
});
