import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import { arenaStats } from '../../../server-core/capture/chunk-arena.js';
import { CaptureStore, CHUNK_OVERHEAD_BYTES, DEFAULT_CAPTURE_MAX_BYTES, readStreamRange } from '../../../server-core/capture/capture-store.js';
import { Emitter } from '../../../server-core/util/emitter.js';
import type { CaptureEvents, ConnectionOpened } from '../../../server-core/capture/types.js';

function opened(id: string, over: Partial<ConnectionOpened> = {}): ConnectionOpened {
  return {
    connectionId: id,
    side: 'server',
    protocol: 'http',
    tls: false,
    local: { address: '127.0.0.1', port: 8080 },
    remote: { address: '127.0.0.1', port: 50000 },
    t: 100,
    wallTime: 1_700_000_000_000,
    ...over,
  };
}

const REQ = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
const RES = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');

test('records chunks per connection in order with absolute offsets, stats and live events', () => {
  const source = new Emitter<CaptureEvents>();
  const store = new CaptureStore();
  const seen: string[] = [];
  store.events.on('open', (c) => seen.push(`open ${c.id}`));
  store.events.on('chunk', (c) => seen.push(`chunk ${c.entry.dir} ${c.entry.offset}`));
  store.events.on('message', (m) => seen.push(`message ${m.summary}`));
  store.events.on('close', (c) => seen.push(`close ${c.id}`));
  const sub = store.attach(source);
  source.emit('open', opened('s1'));
  source.emit('chunk', { connectionId: 's1', dir: 'c2s', t: 101, bytes: REQ.subarray(0, 10) });
  source.emit('chunk', { connectionId: 's1', dir: 'c2s', t: 102, bytes: REQ.subarray(10) });
  source.emit('chunk', { connectionId: 's1', dir: 's2c', t: 103, bytes: RES });
  source.emit('close', { connectionId: 's1', t: 104 });
  assert.deepEqual(seen, [
    'open s1',
    'chunk c2s 0',
    'chunk c2s 10',
    'message GET / HTTP/1.1',
    'chunk s2c 0',
    'message 200 OK (2 B body)',
    'close s1',
  ]);
  const [c] = store.listConnections();
  assert.deepEqual(c.stats, { c2sBytes: REQ.length, s2cBytes: RES.length, c2sChunks: 2, s2cChunks: 1, droppedBytes: 0, messages: 2, droppedMessages: 0 });
  assert.ok(c.closed);
  const chunks = store.chunks('s1');
  assert.deepEqual(chunks.map((e) => [e.kind, e.dir, e.offset, e.t]), [
    ['data', 'c2s', 0, 101],
    ['data', 'c2s', 10, 102],
    ['data', 's2c', 0, 103],
  ]);
  assert.deepEqual(store.readRange('s1', 'c2s', 5, 20), REQ.subarray(5, 20));
  assert.equal(store.messages('s1')[1].sequence, 0);
  sub.dispose();
  source.emit('open', opened('s2'));
  assert.equal(store.listConnections().length, 1, 'nothing recorded after dispose');
});

test('a view into a larger buffer is copied (a pooled slab, a slice the source may reuse)', () => {
  const store = new CaptureStore({ dissect: false });
  store.open(opened('a'));
  const b = Buffer.from('abc'); // small: a view into Node's shared pool
  assert.ok(b.buffer.byteLength > b.length, 'precondition: a pooled view');
  const slab = Buffer.alloc(4096, 0x41);
  store.chunk('a', 'c2s', 1, b);
  store.chunk('a', 'c2s', 2, slab.subarray(100, 110));
  b.fill(0);
  slab.fill(0);
  const [e1, e2] = store.chunks('a');
  assert.equal(e1.kind === 'data' && e1.bytes.toString(), 'abc');
  assert.equal(e2.kind === 'data' && e2.bytes.toString(), 'AAAAAAAAAA');
  assert.ok(e2.kind === 'data' && e2.bytes.buffer !== slab.buffer, 'the 10 bytes do not keep the 4 KiB slab alive');
});

test('a partly dropped chunk keeps its tail, and what a reader gets is its own copy', () => {
  const store = new CaptureStore({ maxBytes: 100_000 + CHUNK_OVERHEAD_BYTES, dissect: false, evictMarginBytes: 0 });
  store.open(opened('a'));
  store.chunk('a', 's2c', 1, Buffer.alloc(60_000, 1));
  const [e] = store.chunks('a');
  assert.ok(e.kind === 'data');
  e.bytes.fill(9); // the reader's copy: the store does not see it
  // 60 000 + 50 000 + 2 × overhead is 10 000 + overhead over: the first chunk loses its first 10 000 + 64 bytes.
  store.chunk('a', 's2c', 2, Buffer.alloc(50_000, 2));
  const [drop, kept, second] = store.chunks('a');
  assert.deepEqual(drop.kind === 'dropped' && [drop.offset, drop.length], [0, 10_000 + CHUNK_OVERHEAD_BYTES]);
  assert.ok(kept.kind === 'data' && kept.offset === 10_000 + CHUNK_OVERHEAD_BYTES && kept.bytes.length === 60_000 - 10_000 - CHUNK_OVERHEAD_BYTES);
  assert.ok(kept.kind === 'data' && kept.bytes.every((x) => x === 1), 'the tail as recorded');
  assert.ok(second.kind === 'data' && second.offset === 60_000 && second.bytes.every((x) => x === 2));
  const range = store.readRange('a', 's2c', 59_990, 60_010)!;
  assert.deepEqual(range, Buffer.concat([Buffer.alloc(10, 1), Buffer.alloc(10, 2)]));
  range.fill(7);
  assert.deepEqual(store.readRange('a', 's2c', 59_990, 60_010), Buffer.concat([Buffer.alloc(10, 1), Buffer.alloc(10, 2)]), 'readRange is a copy');
});

test('a chunk the ring dropped is no longer held by the store (its buffer can be freed)', async () => {
  // Evicted entries used to stay referenced in the slots before the ring's and the connection's heads
  // (up to 1,024 chunks each): 64 KiB reads kept hundreds of megabytes alive past a 64 MiB cap.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const store = new CaptureStore({ maxBytes: 1024 * 1024, dissect: false });
  store.open(opened('c1'));
  const refs: WeakRef<ArrayBufferLike>[] = [];
  for (let i = 0; i < 200; i++) {
    const chunk = Buffer.alloc(64 * 1024, i); // its own ArrayBuffer: kept as handed over
    refs.push(new WeakRef(chunk.buffer));
    store.chunk('c1', i % 2 ? 's2c' : 'c2s', i, chunk);
  }
  const kept = store.chunks('c1').filter((e) => e.kind === 'data').length;
  assert.ok(kept > 0 && kept < 20, `${kept} chunks kept under a 1 MiB cap`);
  await new Promise((r) => setImmediate(r)); // WeakRef targets are held until the job ends
  gc();
  const alive = refs.slice(0, 200 - kept - 1).filter((r) => r.deref() !== undefined).length;
  assert.equal(alive, 0, `${alive} of the ${200 - kept - 1} dropped chunks are still in memory`);
});

test('forgetting a closed connection (maxConnections) frees its bytes: its blocks are reused, its large chunks let go', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const store = new CaptureStore({ maxBytes: 64 * 1024 * 1024, maxConnections: 2, dissect: false });
  const allocated = arenaStats.blocksAllocated;
  const large: WeakRef<ArrayBufferLike>[] = [];
  for (let n = 0; n < 40; n++) {
    const id = `c${n}`;
    store.open(opened(id, { remote: { address: '127.0.0.1', port: 40_000 + n } }));
    // 1 MiB in 16 KiB reads (into the store's blocks), and one 512 KiB chunk (kept apart, in its own buffer).
    for (let i = 0; i < 64; i++) store.chunk(id, 's2c', i, Buffer.alloc(16 * 1024, n));
    const big = Buffer.alloc(512 * 1024, n);
    large.push(new WeakRef(big.buffer));
    store.chunk(id, 'c2s', 64, big);
    store.close({ connectionId: id, t: 65 });
  }
  assert.equal(store.listConnections().length, 2);
  // The store never filled (40 × 1.5 MiB < 64 MiB): nothing was evicted, what left is the forgotten connections'.
  assert.equal(store.totalBytes, 2 * (64 * (16 * 1024 + CHUNK_OVERHEAD_BYTES) + 512 * 1024 + CHUNK_OVERHEAD_BYTES));
  const blocks = arenaStats.blocksAllocated - allocated;
  assert.ok(blocks <= 5, `${blocks} blocks of 1 MiB made for 40 MiB recorded, 2 connections kept`);
  await new Promise((r) => setImmediate(r)); // WeakRef targets are held until the job ends
  gc();
  const alive = large.slice(0, 38).filter((r) => r.deref() !== undefined).length;
  assert.equal(alive, 0, `${alive} of the 38 forgotten connections' large chunks are still in memory`);
  const [kept] = store.chunks('c39').filter((e) => e.kind === 'data' && e.dir === 'c2s');
  assert.ok(kept.kind === 'data' && kept.bytes.length === 512 * 1024 && kept.bytes.every((b) => b === 39));
});

test('the default cap is 64 MiB', () => {
  assert.equal(new CaptureStore().maxBytes, 64 * 1024 * 1024);
  assert.equal(DEFAULT_CAPTURE_MAX_BYTES, 64 * 1024 * 1024);
});

test('over the cap the oldest bytes go, across connections, and a drop marker stands at their spot', () => {
  const cap = 1000;
  const store = new CaptureStore({ maxBytes: cap, dissect: false, evictMarginBytes: 0 });
  const drops: { id: string; offset: number; length: number }[] = [];
  store.events.on('dropped', (d) => drops.push({ id: d.connectionId, offset: d.entry.offset, length: d.entry.length }));
  store.open(opened('a'));
  store.open(opened('b', { remote: { address: '127.0.0.1', port: 50001 } }));
  store.chunk('a', 'c2s', 1, Buffer.alloc(300, 1)); // a c2s [0,300)
  store.chunk('b', 's2c', 2, Buffer.alloc(300, 2)); // b s2c [0,300)
  store.chunk('a', 'c2s', 3, Buffer.alloc(200, 3)); // a c2s [300,500)
  assert.equal(store.totalBytes, 800 + 3 * CHUNK_OVERHEAD_BYTES);
  assert.deepEqual(drops, []);
  // 1 156 > 1 000: the oldest chunk (a's first) loses its first 156 bytes, exactly what is over.
  store.chunk('a', 's2c', 4, Buffer.alloc(100, 4));
  assert.equal(store.totalBytes, cap);
  assert.deepEqual(drops, [{ id: 'a', offset: 0, length: 156 }]);
  const a = store.chunks('a');
  assert.deepEqual(a.map((e) => [e.kind, e.dir, e.offset, e.kind === 'dropped' ? e.length : e.bytes.length]), [
    ['dropped', 'c2s', 0, 156],
    ['data', 'c2s', 156, 144],
    ['data', 'c2s', 300, 200],
    ['data', 's2c', 0, 100],
  ]);
  assert.equal(store.readRange('a', 'c2s', 100, 200), undefined, 'dropped bytes are not read back');
  assert.deepEqual(store.readRange('a', 'c2s', 250, 350), Buffer.concat([Buffer.alloc(50, 1), Buffer.alloc(50, 3)]));
  // 464 over: the rest of a's first chunk goes (its marker grows at the same spot), then 256 bytes of b's.
  store.chunk('b', 's2c', 5, Buffer.alloc(400, 5));
  assert.equal(store.totalBytes, cap);
  assert.deepEqual(drops.slice(1), [
    { id: 'a', offset: 0, length: 300 },
    { id: 'b', offset: 0, length: 256 },
  ]);
  const a2 = store.chunks('a');
  assert.deepEqual(a2[0], { kind: 'dropped', dir: 'c2s', t: 1, offset: 0, length: 300 });
  assert.equal(a2.filter((e) => e.kind === 'dropped').length, 1);
  const b = store.chunks('b');
  assert.deepEqual(b.map((e) => [e.kind, e.offset]), [['dropped', 0], ['data', 256], ['data', 300]]);
  assert.equal(store.getConnection('a')!.stats.droppedBytes, 300);
});

test('setMaxBytes applies at once: a smaller cap drops the oldest bytes now, a larger one keeps more from then on', () => {
  const store = new CaptureStore({ maxBytes: 10_000, dissect: false, evictMarginBytes: 0 });
  const drops: { offset: number; length: number }[] = [];
  store.events.on('dropped', (d) => drops.push({ offset: d.entry.offset, length: d.entry.length }));
  store.open(opened('a'));
  store.chunk('a', 'c2s', 1, Buffer.alloc(400, 1));
  store.chunk('a', 'c2s', 2, Buffer.alloc(400, 2));
  assert.deepEqual(drops, []);
  store.setMaxBytes(400 + 2 * CHUNK_OVERHEAD_BYTES);
  assert.equal(store.maxBytes, 400 + 2 * CHUNK_OVERHEAD_BYTES);
  assert.deepEqual(drops, [{ offset: 0, length: 400 }]);
  assert.deepEqual(store.readRange('a', 'c2s', 400, 800), Buffer.alloc(400, 2));
  store.setMaxBytes(10_000);
  store.chunk('a', 'c2s', 3, Buffer.alloc(400, 3));
  assert.equal(drops.length, 1, 'nothing more dropped under the larger cap');
  assert.throws(() => store.setMaxBytes(0), RangeError);
});

test('one eviction goes down to the low-water mark (the cap minus the margin), one drop marker and event per connection and direction', () => {
  const chunk = 1000;
  const cap = 10 * (chunk + CHUNK_OVERHEAD_BYTES);
  const store = new CaptureStore({ maxBytes: cap, evictMarginBytes: 3 * (chunk + CHUNK_OVERHEAD_BYTES), dissect: false });
  const drops: string[] = [];
  store.events.on('dropped', (d) => drops.push(`${d.connectionId} ${d.entry.dir} ${d.entry.offset}+${d.entry.length}`));
  store.open(opened('a'));
  store.open(opened('b', { remote: { address: '127.0.0.1', port: 50001 } }));
  for (let i = 0; i < 10; i++) store.chunk(i % 2 ? 'b' : 'a', 'c2s', i, Buffer.alloc(chunk, i));
  assert.deepEqual(drops, [], 'at the cap, nothing goes');
  store.chunk('a', 's2c', 10, Buffer.alloc(chunk, 10));
  // 11 chunks over a cap of 10: down to 7, so the 4 oldest go (a, b, a, b), in one batch.
  assert.equal(store.totalBytes, 7 * (chunk + CHUNK_OVERHEAD_BYTES));
  assert.deepEqual(drops, ['a c2s 0+2000', 'b c2s 0+2000']);
  assert.deepEqual(store.chunks('a')[0], { kind: 'dropped', dir: 'c2s', t: 2, offset: 0, length: 2000 });
  // The next three chunks fit under the cap again: no eviction until it is crossed.
  for (let i = 11; i < 14; i++) store.chunk('b', 's2c', i, Buffer.alloc(chunk, i));
  assert.equal(drops.length, 2);
  assert.equal(store.totalBytes, cap);
  assert.equal(new CaptureStore().evictMarginBytes, 1024 * 1024, 'the default: 1 MiB of the 64 MiB cap');
  assert.equal(new CaptureStore({ maxBytes: 6400 }).evictMarginBytes, 100, 'a sixty-fourth of a smaller cap');
});

test('a chunk larger than the cap keeps its tail and says how much of its head was dropped', () => {
  const store = new CaptureStore({ maxBytes: 500, dissect: false, evictMarginBytes: 0 });
  store.open(opened('a'));
  store.chunk('a', 'c2s', 1, Buffer.from('x'.repeat(1000)));
  const [drop, data] = store.chunks('a');
  assert.equal(drop.kind, 'dropped');
  assert.equal(drop.kind === 'dropped' && drop.length, 564);
  assert.equal(data.kind === 'data' && data.offset, 564);
  assert.equal(data.kind === 'data' && data.bytes.length, 436);
  assert.equal(store.totalBytes, 500);
});

test('dissected messages whose bytes were dropped give way to one "n bytes dropped" message', () => {
  const store = new CaptureStore({ maxBytes: 400 });
  store.open(opened('a'));
  for (let i = 0; i < 5; i++) store.chunk('a', 'c2s', i, Buffer.from(`GET /${i} HTTP/1.1\r\nHost: a\r\n\r\n`));
  const msgs = store.messages('a');
  assert.equal(msgs[0].kind, 'dropped');
  assert.match(msgs[0].summary, /^\d+ bytes dropped$/);
  const dropped = store.chunks('a')[0];
  assert.equal(dropped.kind, 'dropped');
  assert.deepEqual(msgs[0].range, { start: 0, end: dropped.kind === 'dropped' ? dropped.length : -1 });
  // Every remaining request message starts at or after the drop.
  for (const m of msgs.slice(1)) assert.ok(m.range.start >= msgs[0].range.end);
  assert.equal(msgs[msgs.length - 1].summary, 'GET /4 HTTP/1.1');
});

test('maxMessages bounds the kept messages, oldest first', () => {
  const store = new CaptureStore({ maxMessages: 3 });
  store.open(opened('a'));
  for (let i = 0; i < 6; i++) store.chunk('a', 'c2s', i, Buffer.from(`GET /${i} HTTP/1.1\r\nHost: a\r\n\r\n`));
  // Evicted in batches (a sixteenth of the cap, at least one): never more than the cap, the newest kept.
  const kept = store.messages('a').map((m) => m.summary);
  assert.ok(kept.length <= 3 && kept.length >= 2, String(kept));
  assert.deepEqual(kept.slice(-2), ['GET /4 HTTP/1.1', 'GET /5 HTTP/1.1']);
  assert.equal(store.totalMessages, kept.length);
  assert.equal(store.getConnection('a')!.stats.droppedMessages, 6 - kept.length);
  const big = new CaptureStore({ maxMessages: 1000 });
  big.open(opened('b'));
  const frame = Buffer.from([0x81, 0x00]);
  big.switchProtocol({ connectionId: 'b', t: 0, protocol: 'ws', c2sOffset: 0, s2cOffset: 0 });
  for (let i = 0; i < 5000; i++) big.chunk('b', 's2c', i, frame);
  assert.ok(big.totalMessages <= 1000 && big.totalMessages > 900);
  assert.equal(big.messages('b').at(-1)!.sequence, 4999);
});

test('maxConnections forgets the oldest closed connections', () => {
  const store = new CaptureStore({ maxConnections: 2, dissect: false });
  for (const id of ['a', 'b', 'c']) {
    store.open(opened(id, { remote: { address: '10.0.0.1', port: id.charCodeAt(0) } }));
    store.chunk(id, 'c2s', 1, Buffer.from('x'));
    store.close({ connectionId: id, t: 2 });
  }
  assert.deepEqual(store.listConnections().map((c) => c.id), ['b', 'c']);
  assert.equal(store.totalBytes, 2 * (1 + CHUNK_OVERHEAD_BYTES));
});

test('past a large maxConnections, a sixteenth of it is forgotten at once, oldest closed first, open ones kept, their bytes freed', () => {
  const store = new CaptureStore({ maxConnections: 32, dissect: false });
  const removed: string[] = [];
  store.events.on('removed', (e) => removed.push(e.connectionId));
  // Two that stay open at the front, then closed ones.
  for (const id of ['open1', 'open2']) store.open(opened(id, { remote: { address: '10.0.0.1', port: id.length } }));
  for (let i = 0; i < 30; i++) {
    const id = `c${i}`;
    store.open(opened(id, { remote: { address: '10.0.0.1', port: 1000 + i } }));
    store.chunk(id, 'c2s', 1, Buffer.from('xy'));
    store.close({ connectionId: id, t: 2 });
  }
  assert.equal(store.listConnections().length, 32);
  assert.deepEqual(removed, []);
  store.open(opened('c30', { remote: { address: '10.0.0.1', port: 1030 } }));
  // 33 > 32: down to 32 - 32/16 = 30 in one go — the two oldest closed ones, not the open ones.
  assert.deepEqual(removed, [], 'opening does not trim');
  store.close({ connectionId: 'c30', t: 2 });
  assert.deepEqual(removed, ['c0', 'c1', 'c2']);
  const ids = store.listConnections().map((c) => c.id);
  assert.equal(ids.length, 30);
  assert.deepEqual(ids.slice(0, 3), ['open1', 'open2', 'c3']);
  assert.equal(store.totalBytes, 27 * (2 + CHUNK_OVERHEAD_BYTES));
  assert.deepEqual(store.chunks('c0'), []);
});

test('a client-side connection is tied to the server-side one when both ends are ours', () => {
  const server = new Emitter<CaptureEvents>();
  const client = new Emitter<CaptureEvents>();
  const store = new CaptureStore({ dissect: false });
  const peers: unknown[] = [];
  store.events.on('peer', (p) => peers.push(p));
  store.attach(server);
  store.attach(client);
  client.emit('open', opened('c1', { side: 'client', local: { address: '127.0.0.1', port: 50000 }, remote: { address: '127.0.0.1', port: 8080 } }));
  client.emit('open', opened('c2', { side: 'client', local: { address: '127.0.0.1', port: 50009 }, remote: { address: '127.0.0.1', port: 8080 } }));
  server.emit('open', opened('s1'));
  assert.deepEqual(peers, [{ clientId: 'c1', serverId: 's1' }]);
  assert.equal(store.getConnection('c1')!.peerConnectionId, 's1');
  assert.equal(store.getConnection('s1')!.peerConnectionId, 'c1');
  assert.equal(store.getConnection('c2')!.peerConnectionId, undefined);
});

test('ties follow the port pair among thousands of connections: closed and tied ones are passed over, the earliest open one wins', () => {
  const store = new CaptureStore({ dissect: false });
  const peers: string[] = [];
  store.events.on('peer', (p) => peers.push(`${p.clientId}-${p.serverId}`));
  const client = (id: string, port: number) => opened(id, { side: 'client', local: { address: '127.0.0.1', port }, remote: { address: '127.0.0.1', port: 8080 } });
  const server = (id: string, port: number) => opened(id, { remote: { address: '127.0.0.1', port } });
  for (let i = 0; i < 3000; i++) {
    store.open(server(`old${i}`, 20000 + i));
    store.close({ connectionId: `old${i}`, t: 1 });
  }
  store.open(client('c-closed', 20001)); // its server end closed long ago: not tied to it
  assert.deepEqual(peers, []);
  store.open(client('c-a', 30000));
  store.open(client('c-b', 30000)); // a second client with the same ports (another source): the earliest wins
  store.open(server('s1', 30000));
  store.open(server('s2', 30000));
  assert.deepEqual(peers, ['c-a-s1', 'c-b-s2']);
  store.close({ connectionId: 'c-closed', t: 2 });
  store.open(server('s3', 20001));
  assert.equal(store.getConnection('s3')!.peerConnectionId, undefined, 'a closed client is not tied');
  store.open(opened('far', { side: 'client', local: { address: '10.0.0.2', port: 40000 }, remote: { address: '10.0.0.3', port: 8080 } }));
  store.open(server('s4', 40000));
  assert.equal(store.getConnection('s4')!.peerConnectionId, 'far', 'tied when the new end is on loopback, as before');
});

test('two sources using the same connection id are kept apart', () => {
  const a = new Emitter<CaptureEvents>();
  const b = new Emitter<CaptureEvents>();
  const store = new CaptureStore({ dissect: false });
  store.attach(a);
  store.attach(b);
  a.emit('open', opened('1'));
  b.emit('open', opened('1', { side: 'client', local: { address: '10.0.0.2', port: 1 }, remote: { address: '10.0.0.3', port: 2 } }));
  b.emit('chunk', { connectionId: '1', dir: 'c2s', t: 1, bytes: Buffer.from('b') });
  const ids = store.listConnections().map((c) => c.id);
  assert.equal(ids.length, 2);
  assert.equal(store.chunks(ids[0]).length, 0);
  assert.equal(store.chunks(ids[1]).length, 1);
});

test('clear() forgets closed connections and marks what open ones had', () => {
  const store = new CaptureStore();
  store.open(opened('a'));
  store.open(opened('b', { remote: { address: '127.0.0.1', port: 1 } }));
  store.chunk('a', 'c2s', 1, REQ);
  store.chunk('b', 'c2s', 1, REQ);
  store.close({ connectionId: 'b', t: 2 });
  let cleared = 0;
  store.events.on('clear', () => cleared++);
  store.clear();
  assert.equal(cleared, 1);
  assert.deepEqual(store.listConnections().map((c) => c.id), ['a']);
  assert.equal(store.totalBytes, 0);
  assert.deepEqual(store.chunks('a').map((e) => [e.kind, e.offset]), [['dropped', 0]]);
  store.chunk('a', 'c2s', 3, Buffer.from('GET /after HTTP/1.1\r\nHost: a\r\n\r\n'));
  const last = store.chunks('a').at(-1)!;
  assert.equal(last.offset, REQ.length, 'offsets continue after clear');
  assert.equal(store.messages('a').at(-1)!.summary, 'GET /after HTTP/1.1');
});

test('readStreamRange joins chunks and refuses gaps', () => {
  const entries = [
    { kind: 'data' as const, dir: 'c2s' as const, t: 0, offset: 0, bytes: Buffer.from('abc') },
    { kind: 'data' as const, dir: 's2c' as const, t: 0, offset: 0, bytes: Buffer.from('XYZ') },
    { kind: 'data' as const, dir: 'c2s' as const, t: 0, offset: 3, bytes: Buffer.from('def') },
  ];
  assert.equal(readStreamRange(entries, 'c2s', 1, 5)?.toString(), 'bcde');
  assert.equal(readStreamRange(entries, 'c2s', 4, 9), undefined);
});

test('a failing dissector stops dissecting its connection, never the capture', () => {
  const errors: string[] = [];
  const store = new CaptureStore({
    onDissectorError: (err, id) => errors.push(`${id}: ${(err as Error).message}`),
    dissector: { httpParser: () => ({ push: () => { throw new Error('boom'); } }) },
  });
  store.open(opened('a'));
  store.chunk('a', 'c2s', 1, REQ);
  store.chunk('a', 'c2s', 2, REQ);
  // Dissection is deferred until something reads it: the failure is told when it runs.
  assert.deepEqual(store.messages('a'), []);
  assert.deepEqual(errors, ['a: boom']);
  assert.equal(store.chunks('a').length, 2);
  assert.equal(store.getConnection('a')!.stats.c2sBytes, 2 * REQ.length);
});
