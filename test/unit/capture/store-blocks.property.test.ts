// The capture store copies what it records into blocks of its own and reuses a
// block once every chunk in it has left (chunk-arena.ts). That must never be
// visible: no reader may see bytes change under it. This property test records
// random conversations over several connections (HTTP exchanges, malformed
// heads, an upgrade to WebSocket), split and interleaved at random, into a
// store whose small cap forces eviction and block reuse, reads it through every
// read API at random moments, holds every result, then records more, clears,
// and checks that each held result still equals what it was and what was sent.
// Dissection results are compared with a store that keeps everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CaptureStore, type CaptureEntry, type CapturedConnection } from '../../../server-core/capture/capture-store.js';
import { arenaStats } from '../../../server-core/capture/chunk-arena.js';
import type { ConnectionOpened, Direction } from '../../../server-core/capture/types.js';
import type { DissectedMessage } from '../../../server-core/capture/dissection-types.js';

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

function wsFrame(payload: Buffer, masked: boolean): Buffer {
  const head = Buffer.from([0x81, (masked ? 0x80 : 0) | payload.length]);
  if (!masked) return Buffer.concat([head, payload]);
  const key = Buffer.from([9, 8, 7, 6]);
  return Buffer.concat([head, key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]))]);
}

type Part = { dir: Direction; bytes: Buffer } | 'switch';

/** One exchange of a conversation, by kind: 0 a POST and its response, 1 a chunked response, 2 a malformed head, 3 an upgrade. */
function exchange(kind: number, n: number): Part[] {
  const body = Buffer.alloc((n * 37) % 500, 0x61 + (n % 26));
  switch (kind) {
    case 0:
      return [
        { dir: 'c2s', bytes: Buffer.from(`POST /item/${n} HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n${body}`) },
        { dir: 's2c', bytes: Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`) },
      ];
    case 1:
      return [
        { dir: 'c2s', bytes: Buffer.from(`GET /chunked/${n} HTTP/1.1\r\nHost: a\r\n\r\n`) },
        { dir: 's2c', bytes: Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n${(body.length || 1).toString(16)}\r\n${body.length ? body : 'x'}\r\n0\r\n\r\n`) },
      ];
    case 2:
      // A long head that turns out malformed at its end: its error report shows the retained head.
      return [{ dir: 'c2s', bytes: Buffer.from(`GET /bad/${n} HTTP/1.1\r\nHost: a\r\nX-Long: ${'v'.repeat(200 + body.length)}\r\nBad Header\r\n\r\n`) }];
    default:
      return [
        { dir: 'c2s', bytes: Buffer.from('GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n') },
        { dir: 's2c', bytes: Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n') },
        'switch',
        { dir: 'c2s', bytes: wsFrame(Buffer.from(`frame ${n} ${'z'.repeat(n % 100)}`), true) },
        { dir: 's2c', bytes: wsFrame(Buffer.from(`echo ${n}`), false) },
      ];
  }
}

/** A conversation: exchanges (an upgrade ends it), then the close. */
function conversation(kinds: number[]): Part[] {
  const parts: Part[] = [];
  for (const [i, k] of kinds.entries()) {
    parts.push(...exchange(k, i * 7 + k));
    if (k === 3) break;
  }
  return parts;
}

type Held =
  | { what: 'chunks' | 'connection' | 'snapshot'; conn: string; entries: CaptureEntry[]; copies: (string | undefined)[] }
  | { what: 'readRange'; conn: string; dir: Direction; start: number; bytes: Buffer; copy: string }
  | { what: 'message'; message: DissectedMessage; json: string };

const plainMessage = (m: DissectedMessage): string => JSON.stringify({ ...m, id: 0 });
/** What must equal a full store's dissection of the same bytes. */
const meaning = (m: DissectedMessage): string => JSON.stringify({ kind: m.kind, dir: m.dir, range: m.range, summary: m.summary, fields: m.fields, error: m.error });

const scriptArb = fc.record({
  conversations: fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }),
  cuts: fc.array(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 900 })), { minLength: 1, maxLength: 40 }),
  turns: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
  reads: fc.array(fc.record({ at: fc.nat(400), api: fc.integer({ min: 0, max: 5 }), pick: fc.nat() }), { maxLength: 25 }),
  maxBytes: fc.integer({ min: 600, max: 12_000 }),
  blockBytes: fc.constantFrom(undefined, 256, 1024),
  margin: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }),
  live: fc.boolean(),
});

test('no result read from the store changes when its blocks are reused, and each equals what was sent', () => {
  const reusedBefore = arenaStats.blocksReused;
  fc.assert(
    fc.property(scriptArb, (s) => {
      const store = new CaptureStore({ maxBytes: s.maxBytes, evictMarginBytes: s.margin, blockBytes: s.blockBytes });
      const full = new CaptureStore({ maxBytes: 1 << 30 });
      if (s.live) store.events.on('message', () => {});
      full.events.on('message', () => {});
      const sent = new Map<string, Record<Direction, Buffer[]>>();
      const stream = (id: string, dir: Direction) => Buffer.concat(sent.get(id)![dir]);
      const held: Held[] = [];
      const heard: { conn: string; entry: CaptureEntry }[] = [];
      store.events.on('chunk', ({ connectionId, entry }) => heard.push({ conn: connectionId, entry }));

      const checkEntries = (conn: string, entries: CaptureEntry[]) => {
        for (const e of entries) {
          if (e.kind !== 'data') continue;
          assert.deepEqual(e.bytes, stream(conn, e.dir).subarray(e.offset, e.offset + e.bytes.length), `${conn} ${e.dir} @${e.offset}`);
        }
      };
      const holdEntries = (what: 'chunks' | 'connection' | 'snapshot', conn: string, entries: CaptureEntry[]) => {
        checkEntries(conn, entries);
        held.push({ what, conn, entries, copies: entries.map((e) => (e.kind === 'data' ? e.bytes.toString('latin1') : undefined)) });
      };
      const checkMessages = (conn: string) => {
        const fullMessages = new Map(full.messages(conn).map((m) => [`${m.dir}@${m.range.start}`, m]));
        for (const m of store.messages(conn)) {
          if (m.kind === 'dropped') continue;
          const ref = fullMessages.get(`${m.dir}@${m.range.start}`);
          assert.ok(ref, `${conn}: a message at ${m.dir}@${m.range.start} in the full store`);
          assert.equal(meaning(m), meaning(ref), `${conn}: the message at ${m.dir}@${m.range.start} as a full store dissects it`);
          held.push({ what: 'message', message: m, json: plainMessage(m) });
        }
      };

      const read = (api: number, pick: number) => {
        const ids = store.listConnections().map((c) => c.id);
        if (ids.length === 0) return;
        const id = ids[pick % ids.length];
        if (api === 0) holdEntries('chunks', id, store.chunks(id));
        else if (api === 1) holdEntries('connection', id, store.connection(id)!.entries);
        else if (api === 2) for (const c of store.snapshot() as CapturedConnection[]) holdEntries('snapshot', c.id, c.entries);
        else if (api === 3) {
          const dir: Direction = pick % 2 ? 's2c' : 'c2s';
          const all = stream(id, dir);
          const start = pick % (all.length + 1);
          const end = Math.min(all.length, start + 1 + (pick % 700));
          const bytes = store.readRange(id, dir, start, end);
          if (bytes) {
            assert.deepEqual(bytes, all.subarray(start, end), 'readRange');
            held.push({ what: 'readRange', conn: id, dir, start, bytes, copy: bytes.toString('latin1') });
          }
        } else checkMessages(id);
      };

      // Interleave the conversations, cut at random.
      const queues = s.conversations.map((kinds) => conversation(kinds));
      const at = queues.map(() => ({ part: 0, byte: 0 }));
      const offsets = queues.map(() => ({ c2s: 0, s2c: 0 }));
      queues.forEach((_, i) => {
        const id = `c${i}`;
        sent.set(id, { c2s: [], s2c: [] });
        for (const st of [store, full]) st.open(opened(id, 40_000 + i));
      });
      let step = 0;
      let readAt = 0;
      const reads = [...s.reads].sort((a, b) => a.at - b.at);
      for (let turn = 0; queues.some((q, k) => at[k].part < q.length); turn++) {
        // The chosen connection, or the next one with something left.
        let i = s.turns[turn % s.turns.length] % queues.length;
        while (at[i].part >= queues[i].length) i = (i + 1) % queues.length;
        const q = queues[i];
        const pos = at[i];
        const part = q[pos.part];
        const id = `c${i}`;
        step++;
        if (part === 'switch') {
          for (const st of [store, full]) st.switchProtocol({ connectionId: id, t: step, protocol: 'ws', c2sOffset: offsets[i].c2s, s2cOffset: offsets[i].s2c });
          pos.part++;
        } else {
          const n = s.cuts[step % s.cuts.length];
          // A fresh buffer each time, overwritten after the call as a socket's reused memory would be.
          const piece = Buffer.from(part.bytes.subarray(pos.byte, pos.byte + n));
          sent.get(id)![part.dir].push(Buffer.from(piece));
          offsets[i][part.dir] += piece.length;
          for (const st of [store, full]) st.chunk(id, part.dir, step, Buffer.from(piece));
          pos.byte += piece.length;
          if (pos.byte >= part.bytes.length) {
            pos.part++;
            pos.byte = 0;
          }
        }
        if (pos.part === q.length) for (const st of [store, full]) st.close({ connectionId: id, t: step });
        while (readAt < reads.length && reads[readAt].at <= step) read(reads[readAt].api, reads[readAt++].pick);
      }
      for (; readAt < reads.length; readAt++) read(reads[readAt].api, reads[readAt].pick);
      for (let i = 0; i < queues.length; i++) read(5, i);

      // More traffic on a new connection (every block reused at least once), then a clear.
      store.open(opened('flood', 50_000));
      sent.set('flood', { c2s: [], s2c: [] });
      for (let k = 0; k < 40; k++) {
        const b = Buffer.alloc(300, k);
        sent.get('flood')!.c2s.push(b);
        store.chunk('flood', 'c2s', 10_000 + k, Buffer.from(b));
      }
      store.clear();
      for (let k = 0; k < 40; k++) {
        const b = Buffer.alloc(300, 0x80 + k);
        sent.get('flood')!.c2s.push(b);
        store.chunk('flood', 'c2s', 20_000 + k, Buffer.from(b));
      }

      // Nothing held changed.
      for (const h of held) {
        if (h.what === 'message') {
          const now = plainMessage(h.message);
          // A message that left the store with all its bytes may answer `fields` with "no longer kept"; nothing else may differ.
          if (now !== h.json) assert.equal(JSON.stringify({ ...JSON.parse(now), fields: undefined }), JSON.stringify({ ...JSON.parse(h.json), fields: undefined }), 'a held message');
          if (now !== h.json) assert.match(JSON.stringify(h.message.fields), /no longer kept|not kept/i, 'a held message whose tree changed says its bytes are gone');
        } else if (h.what === 'readRange') {
          assert.equal(h.bytes.toString('latin1'), h.copy, 'a held readRange');
          assert.deepEqual(h.bytes, stream(h.conn, h.dir).subarray(h.start, h.start + h.bytes.length));
        } else {
          assert.deepEqual(h.entries.map((e) => (e.kind === 'data' ? e.bytes.toString('latin1') : undefined)), h.copies, `held ${h.what} of ${h.conn}`);
          checkEntries(h.conn, h.entries);
        }
      }
      for (const { conn, entry } of heard) checkEntries(conn, [entry]);
      store.dispose();
      full.dispose();
    }),
    { numRuns: 150 },
  );
  assert.ok(arenaStats.blocksReused > reusedBefore, 'blocks were reused');
});

test("a head in progress whose first bytes leave, and whose block is reused, is still reported with the bytes it had", () => {
  for (const live of [false, true]) {
    const store = new CaptureStore({ maxBytes: 2_000, blockBytes: 512, evictMarginBytes: 0 });
    const full = new CaptureStore({});
    if (live) store.events.on('message', () => {});
    const head = Buffer.from(`GET /x HTTP/1.1\r\nHost: a\r\nX-Long: ${'v'.repeat(90)}\r\n`);
    for (const st of [store, full]) {
      st.open(opened('a', 1));
      st.open(opened('b', 2));
      for (let i = 0; i < head.length; i += 50) st.chunk('a', 'c2s', 1, head.subarray(i, i + 50));
      // Another connection's bytes push a's out and reuse their blocks many times over.
      for (let k = 0; k < 100; k++) st.chunk('b', 's2c', 2, Buffer.alloc(100, 0x30 + (k % 10)));
      st.chunk('a', 'c2s', 3, Buffer.from('Bad Header\r\n\r\n'));
      st.close({ connectionId: 'a', t: 4 });
    }
    const [drop, bad] = store.messages('a');
    assert.equal(drop.kind, 'dropped');
    const ref = full.messages('a').find((m) => m.range.start === bad.range.start)!;
    assert.ok(bad.error, 'the malformed head is reported');
    assert.equal(meaning(bad), meaning(ref), `live ${live}: the same report as a store that kept everything`);
    assert.ok(arenaStats.blocksReused > 0);
  }
});

test('the same bytes recorded twice (both legs of a proxied read) share one copy, and never a stale one', () => {
  const sharedBefore = arenaStats.sharedCopies;
  fc.assert(
    fc.property(
      fc.record({
        maxBytes: fc.integer({ min: 40_000, max: 160_000 }),
        ops: fc.array(fc.record({ size: fc.integer({ min: 4096, max: 8192 }), again: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 20, max: 60 })), conn: fc.nat(2), fill: fc.nat(255) }), { minLength: 30, maxLength: 150 }),
        readEvery: fc.integer({ min: 1, max: 20 }),
      }),
      ({ maxBytes, ops, readEvery }) => {
        const store = new CaptureStore({ maxBytes, blockBytes: 32 * 1024, dissect: false });
        const ids = ['a', 'b', 'c'];
        const sent = new Map(ids.map((id) => [id, [] as Buffer[]]));
        ids.forEach((id, i) => store.open(opened(id, 1000 + i)));
        const recorded: Buffer[] = [];
        const held: { id: string; entries: CaptureEntry[]; copies: string[] }[] = [];
        const check = (id: string, entries: CaptureEntry[]) => {
          const all = Buffer.concat(sent.get(id)!);
          for (const e of entries) if (e.kind === 'data') assert.deepEqual(e.bytes, all.subarray(e.offset, e.offset + e.bytes.length), `${id} @${e.offset}`);
        };
        for (const [k, op] of ops.entries()) {
          // A new read, or one recorded before (again > 0: the k-again-th last), as a proxy's other leg writes it.
          const again = op.again > 0 && recorded.length >= op.again ? recorded[recorded.length - op.again] : undefined;
          // Every new read differs from the others (its index at its start and end), so a stale copy cannot pass for it.
          const fresh = (): Buffer => {
            const b = Buffer.alloc(op.size, op.fill);
            b.writeUInt32BE(k, 0);
            b.writeUInt32BE(k, b.length - 4);
            return b;
          };
          const bytes = again ?? fresh();
          if (!again) recorded.push(bytes);
          const id = ids[op.conn];
          sent.get(id)!.push(Buffer.from(bytes));
          store.chunk(id, 's2c', k, bytes);
          if (k % readEvery === 0) {
            const entries = store.chunks(id);
            check(id, entries);
            held.push({ id, entries, copies: entries.map((e) => (e.kind === 'data' ? e.bytes.toString('latin1') : '')) });
          }
        }
        for (const id of ids) check(id, store.chunks(id));
        for (const h of held) {
          assert.deepEqual(h.entries.map((e) => (e.kind === 'data' ? e.bytes.toString('latin1') : '')), h.copies);
          check(h.id, h.entries);
        }
      },
    ),
    { numRuns: 200 },
  );
  assert.ok(arenaStats.sharedCopies > sharedBefore, 'copies were shared');
});

test("retainedRange copies what the hex view draws: the same answer as scanning chunks(), for any range, drops and gaps included", async () => {
  const { retainedRange } = await import('../../../server-core/playground/capture-transfer.js');
  fc.assert(
    fc.property(
      fc.array(fc.record({ dir: fc.constantFrom<Direction>('c2s', 's2c'), size: fc.integer({ min: 1, max: 600 }) }), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 500, max: 6_000 }),
      fc.array(fc.tuple(fc.nat(20_000), fc.nat(3_000), fc.constantFrom<Direction>('c2s', 's2c')), { minLength: 1, maxLength: 20 }),
      (chunks, maxBytes, ranges) => {
        const store = new CaptureStore({ maxBytes, blockBytes: 1024, dissect: false });
        store.open(opened('a', 1));
        chunks.forEach((c, k) => store.chunk('a', c.dir, k, Buffer.alloc(c.size, k)));
        for (const [start, length, dir] of ranges) {
          const mine = store.retainedRange('a', dir, start, start + length);
          assert.deepEqual(mine, retainedRange(store.chunks('a'), dir, start, start + length));
          const before = Buffer.from(mine.bytes);
          store.chunk('a', dir, 99, Buffer.alloc(700, 0xee)); // more traffic: evictions, reuse
          assert.deepEqual(mine.bytes, before, 'a copy');
        }
      },
    ),
    { numRuns: 200 },
  );
});
