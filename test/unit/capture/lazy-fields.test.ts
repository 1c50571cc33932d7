// The capture store builds HTTP field trees on demand from its kept bytes: none
// while recording, the same tree as the live dissection when read (for every
// shape of message, however the bytes were split), and still the same when the
// memory cap drops bytes under a message or in the middle of one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
import type { DissectedMessage } from '../../../server-core/capture/dissection-types.js';
import { fieldTreeStats } from '../../../server-core/capture/lazy-fields.js';
import { replayStats } from '../../../server-core/capture/http-replay.js';
import type { ConnectionOpened, Direction } from '../../../server-core/capture/types.js';
import { run, UPGRADE_REQ, UPGRADE_RES, MASKED_HELLO, type Feed } from './dissect-helpers.js';

function opened(id: string): ConnectionOpened {
  return {
    connectionId: id,
    side: 'server',
    protocol: 'http',
    tls: false,
    local: { address: '10.0.0.1', port: 8080 },
    remote: { address: '10.0.0.2', port: 50000 },
    t: 0,
    wallTime: 1_700_000_000_000,
  };
}

const REQ = Buffer.from('GET /a HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n');
const RES = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello');

/** Feeds a store the way an emitter would, chunk by chunk, `split` bytes at most each. */
function record(store: CaptureStore, id: string, feeds: Feed[], split: number | 'whole' = 'whole', close = true): void {
  store.open(opened(id));
  let t = 0;
  for (const f of feeds) {
    const step = split === 'whole' ? f.bytes.length : split;
    for (let i = 0; i < f.bytes.length; i += step) store.chunk(id, f.dir, ++t, Buffer.from(f.bytes.subarray(i, i + step)));
  }
  if (close) store.close({ connectionId: id, t: ++t });
}

/** What the views see of a message, the tree included (ids and times depend on the store). */
function seen(m: DissectedMessage): unknown {
  const { id: _i, tStart: _a, tEnd: _b, connectionId: _c, ...rest } = m as DissectedMessage & { http?: unknown; ws?: unknown };
  return JSON.parse(JSON.stringify(rest, (k, v) => (k === 'body' && v && v.type === 'Buffer' ? undefined : v)));
}

const CORPUS: Record<string, Feed[]> = {
  'keep-alive exchanges': [
    { dir: 'c2s', bytes: Buffer.concat([REQ, REQ]) },
    { dir: 's2c', bytes: Buffer.concat([RES, RES]) },
  ],
  'chunked response with extensions and trailers': [
    { dir: 'c2s', bytes: REQ },
    { dir: 's2c', bytes: Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n') },
  ],
  'interim response, HEAD and a close-delimited body': [
    { dir: 'c2s', bytes: Buffer.from('HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n') },
    { dir: 's2c', bytes: Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nHTTP/1.1 200 OK\r\n\r\nuntil the close') },
  ],
  'a malformed header': [{ dir: 'c2s', bytes: Buffer.from('GET / HTTP/1.1\r\nHost : x\r\n\r\n') }],
  'a bad chunk size after a good chunk': [
    { dir: 'c2s', bytes: REQ },
    { dir: 's2c', bytes: Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n') },
  ],
  'a body cut by the close': [{ dir: 'c2s', bytes: Buffer.from('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc') }],
  'more chunks than the field cap': [
    { dir: 'c2s', bytes: REQ },
    { dir: 's2c', bytes: Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${'1\r\nx\r\n'.repeat(600)}0\r\n\r\n`) },
  ],
  'an upgrade to WebSocket': [
    { dir: 'c2s', bytes: UPGRADE_REQ },
    { dir: 's2c', bytes: UPGRADE_RES },
    { dir: 'c2s', bytes: MASKED_HELLO },
  ],
  'WebSocket frames both ways: fragments, a ping, a close with a reason, an invalid close code': [
    { dir: 'c2s', bytes: UPGRADE_REQ },
    { dir: 's2c', bytes: UPGRADE_RES },
    { dir: 'c2s', bytes: MASKED_HELLO },
    { dir: 's2c', bytes: Buffer.from([0x01, 0x02, 0x68, 0x69, 0x89, 0x00, 0x80, 0x01, 0x21, 0x88, 0x05, 0x03, 0xe8, 0x62, 0x79, 0x65]) },
    { dir: 'c2s', bytes: Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xed]) },
  ],
  'a refused upgrade, then HTTP again': [
    { dir: 'c2s', bytes: Buffer.concat([UPGRADE_REQ, REQ]) },
    { dir: 's2c', bytes: Buffer.concat([Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'), RES]) },
  ],
};

test('recording builds no HTTP field tree; reading one builds it once, then the cache serves it', () => {
  const store = new CaptureStore();
  const before = fieldTreeStats.built;
  const feeds: Feed[] = [];
  for (let i = 0; i < 100; i++) feeds.push({ dir: 'c2s', bytes: REQ }, { dir: 's2c', bytes: RES });
  record(store, 's1', feeds);
  const messages = store.messages('s1');
  assert.equal(messages.length, 200);
  // What the live views read is there without a tree.
  assert.equal(messages[0].summary, 'GET /a HTTP/1.1');
  assert.equal(messages[1].summary, '200 OK (5 B body)');
  assert.equal(fieldTreeStats.built - before, 0, 'a field tree was built while recording (eager dissection is back)');
  const tree = messages[1].fields;
  assert.equal(fieldTreeStats.built - before, 1);
  assert.deepEqual(tree.map((f) => f.name), ['Status line', 'Content-Type', 'Content-Length', 'End of head', 'Body']);
  assert.equal(messages[1].fields, tree, 'read again: the cached tree');
  assert.equal(fieldTreeStats.built - before, 1);
});

for (const [name, feeds] of Object.entries(CORPUS)) {
  test(`on demand, the same messages and trees as the live dissection: ${name}`, () => {
    for (const split of ['whole', 1, 7] as const) {
      // Where a malformed message ends depends on how its bytes arrived: compare with the same split.
      const expected = run('http', feeds, split === 1 ? 'bytes' : split).map(seen);
      const store = new CaptureStore();
      record(store, 'c1', feeds, split);
      assert.deepEqual(store.messages('c1').map(seen), expected, `split ${split}`);
    }
  });
}

test('bytes dropped under a listed message or a message in progress: their trees are built before the bytes go', () => {
  const body = Buffer.alloc(3000, 0x61);
  const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
  const feeds: Feed[] = [
    { dir: 'c2s', bytes: REQ },
    { dir: 's2c', bytes: Buffer.concat([head, body]) },
    { dir: 'c2s', bytes: REQ },
    { dir: 's2c', bytes: Buffer.concat([head, body]) },
  ];
  const expected = run('http', feeds, 500);
  const byStart = (dir: Direction, start: number) => expected.find((m) => m.dir === dir && m.range.start === start);
  // A cap smaller than one response: the head of each response goes while its body is still arriving.
  const store = new CaptureStore({ maxBytes: 2000 });
  record(store, 'c1', feeds, 500);
  const kept = store.messages('c1').filter((m) => m.kind !== 'dropped');
  assert.ok(kept.length > 0);
  assert.ok(store.getConnection('c1')!.stats.droppedBytes > 0);
  for (const m of kept) {
    const e = byStart(m.dir, m.range.start);
    assert.ok(e, `no live message at ${m.dir} ${m.range.start}`);
    assert.deepEqual(seen(m), seen(e));
    assert.ok(!m.fields.some((f) => f.name === 'Not kept'));
  }
});

test('a listed message whose first bytes were dropped after it completed keeps its tree', () => {
  const head = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 960\r\n\r\n');
  const response = Buffer.concat([head, Buffer.alloc(1000 - head.length, 0x62)]);
  const feeds: Feed[] = [
    { dir: 'c2s', bytes: REQ },
    { dir: 's2c', bytes: response },
    { dir: 'c2s', bytes: REQ },
  ];
  // 1,100 bytes hold the response and the second request only if the response's first bytes go.
  const store = new CaptureStore({ maxBytes: 1100 });
  record(store, 'c1', feeds, 500);
  const res = store.messages('c1').find((m) => m.kind === 'http-response');
  assert.ok(res, 'the response is still listed');
  assert.ok(store.readRange('c1', 's2c', 0, 1) === undefined, 'its first byte was dropped');
  const expected = run('http', feeds, 500).find((m) => m.kind === 'http-response')!;
  assert.deepEqual(seen(res), seen(expected));
});

test('a message read after clear() while its connection is open still shows its tree when it was in progress', () => {
  const store = new CaptureStore();
  record(store, 'c1', [{ dir: 'c2s', bytes: REQ }, { dir: 's2c', bytes: RES.subarray(0, 30) }], 'whole', false);
  store.clear();
  store.chunk('c1', 's2c', 10, Buffer.from(RES.subarray(30)));
  const expected = run('http', [{ dir: 'c2s', bytes: REQ }, { dir: 's2c', bytes: RES }]).find((m) => m.dir === 's2c')!;
  const m = store.messages('c1').find((x) => x.kind === 'http-response');
  assert.ok(m, 'the response completed after the clear');
  assert.deepEqual(seen(m), seen(expected));
});

/** A response with a `size`-byte Content-Length body (not all one byte, so the preview shows where it starts). */
function bigResponse(size: number): Buffer {
  const body = Buffer.alloc(size, 0x5a);
  body.write('first bytes of the body ', 0, 'latin1');
  return Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`), body]);
}

test("a 1 MiB response's tree is built from its head and preview, not by replaying the megabyte; when its first bytes leave, only those are kept aside", () => {
  const feeds: Feed[] = [
    { dir: 'c2s', bytes: REQ },
    { dir: 's2c', bytes: bigResponse(1024 * 1024) },
    { dir: 'c2s', bytes: Buffer.concat([Buffer.from('POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 8192\r\n\r\n'), Buffer.alloc(8192, 0x75)]) },
  ];
  const expected = run('http', feeds, 64 * 1024).map(seen);
  // Read from the store while all its bytes are kept.
  const store = new CaptureStore();
  record(store, 'c1', feeds, 64 * 1024);
  let before = replayStats.bytes;
  assert.deepEqual(store.messages('c1').map(seen), expected);
  assert.ok(replayStats.bytes - before < 4096, `reading the trees replayed ${replayStats.bytes - before} bytes (the whole body again?)`);
  // A cap that holds the first exchange whole, then drops the response's head for the upload: its tree is pinned first.
  const small = new CaptureStore({ maxBytes: 1024 * 1024 + 4096 });
  // Nobody reads it: its dissection is deferred, and the eviction feeds the response on to its end before
  // its head leaves (capture-store.ts, evict), so it keeps its head aside like a live store's.
  before = replayStats.bytes;
  const built = fieldTreeStats.built;
  record(small, 'c2', feeds, 64 * 1024);
  assert.ok(small.getConnection('c2')!.stats.droppedBytes > 0, 'the cap dropped bytes');
  // Only its head and preview were kept aside: no tree built, nothing replayed, just to drop bytes.
  assert.equal(fieldTreeStats.built - built, 0, 'a tree was built to drop bytes');
  assert.equal(replayStats.bytes - before, 0, 'bytes were replayed to drop bytes');
  const res = small.messages('c2').find((m) => m.kind === 'http-response' && m.range.end - m.range.start > 1000);
  assert.ok(res, 'the big response is still listed');
  assert.equal(small.readRange('c2', 's2c', res.range.start, res.range.start + 1), undefined, 'its head was dropped');
  assert.deepEqual(seen(res), expected[1]);
  assert.ok(replayStats.bytes - before < 4096, `reading its tree replayed ${replayStats.bytes - before} bytes (the whole body again?)`);
});

test('a response whose start leaves the store while its long body is still arriving keeps the live tree, replaying only its head and preview', () => {
  const feeds: Feed[] = [
    { dir: 'c2s', bytes: REQ },
    { dir: 's2c', bytes: bigResponse(512 * 1024) },
  ];
  const expected = run('http', feeds, 16 * 1024).map(seen);
  const store = new CaptureStore({ maxBytes: 100 * 1024 });
  const before = replayStats.bytes;
  record(store, 'c1', feeds, 16 * 1024);
  const res = store.messages('c1').find((m) => m.kind === 'http-response');
  assert.ok(res);
  assert.deepEqual(seen(res), expected[1]);
  assert.ok(replayStats.bytes - before < 4096, `pinning the draft replayed ${replayStats.bytes - before} bytes`);
});

test('every deferred message, of every connection and direction, has the same one `fields` getter (one hidden class for all)', () => {
  const store = new CaptureStore();
  for (const id of ['a', 'b', 'c']) record(store, id, [{ dir: 'c2s', bytes: REQ }, { dir: 's2c', bytes: RES }]);
  const getters = new Set<unknown>();
  for (const id of ['a', 'b', 'c']) {
    for (const m of store.messages(id)) {
      const d = Object.getOwnPropertyDescriptor(m, 'fields');
      assert.ok(d?.get, `${id} ${m.dir}: fields is not deferred`);
      getters.add(d.get);
      // Nothing the views or a clone see but the tree itself.
      assert.deepEqual(Object.keys(m).filter((k) => k === 'fields'), ['fields']);
      assert.equal(Object.getOwnPropertySymbols({ ...m }).length, 0);
    }
  }
  assert.equal(getters.size, 1, 'a getter per connection or direction makes V8 keep the messages as slow dictionary objects');
  assert.equal(structuredClone(store.messages('b')[1]).fields[0].name, 'Status line');
});
