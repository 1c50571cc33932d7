// The capture store defers dissection while nobody listens to 'message' events
// (capture-store.ts, header). These tests hold it to its promise: nothing is
// dissected before something reads a result, and every answer — messages with
// their times, summaries and field trees, the order of their ids, drop markers,
// stats, totals — is the one a live dissection (a store with a 'message'
// listener from the start) gives, whatever the interleaving of connections, the
// chunk boundaries, the memory cap and the moments the store is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureStore, type CaptureStoreOptions } from '../../../server-core/capture/capture-store.js';
import { HttpMessageParser } from '../../../server-core/http/message-parser.js';
import { standInStats } from '../../../server-core/capture/http-dissector.js';
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

function wsFrame(opcode: number, payload: Buffer, masked: boolean): Buffer {
  const head = [0x80 | opcode];
  if (payload.length < 126) head.push((masked ? 0x80 : 0) | payload.length);
  else head.push((masked ? 0x80 : 0) | 126, payload.length >> 8, payload.length & 0xff);
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const key = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([Buffer.from(head), key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]))]);
}

type Step =
  | { kind: 'bytes'; dir: Direction; bytes: Buffer }
  | { kind: 'switch' }
  | { kind: 'close' };

/** One connection's conversation: keep-alive exchanges (plain, chunked, a bad one), maybe an upgrade. */
function conversation(n: number, seed: number): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < n; i++) {
    const body = Buffer.alloc((seed * 7 + i * 13) % 300, 0x61 + (i % 26));
    steps.push({ kind: 'bytes', dir: 'c2s', bytes: Buffer.from(`POST /item/${seed}/${i} HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n${body}`) });
    if ((seed + i) % 3 === 0) {
      steps.push({ kind: 'bytes', dir: 's2c', bytes: Buffer.from(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n${(body.length || 1).toString(16)}\r\n${body.length ? body : 'x'}\r\n0\r\nX-T: 1\r\n\r\n`) });
    } else {
      steps.push({ kind: 'bytes', dir: 's2c', bytes: Buffer.from(`HTTP/1.1 201 Created\r\nContent-Length: ${body.length}\r\n\r\n${body}`) });
    }
  }
  if (seed % 4 === 1) {
    steps.push({ kind: 'bytes', dir: 'c2s', bytes: Buffer.from('GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n') });
    steps.push({ kind: 'bytes', dir: 's2c', bytes: Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n') });
    steps.push({ kind: 'switch' });
    for (let i = 0; i < 3; i++) {
      steps.push({ kind: 'bytes', dir: 'c2s', bytes: wsFrame(1, Buffer.from(`message ${i} ${'z'.repeat(i * 70)}`), true) });
      steps.push({ kind: 'bytes', dir: 's2c', bytes: wsFrame(1, Buffer.from(`message ${i} ${'z'.repeat(i * 70)}`), false) });
    }
  } else if (seed % 4 === 2) {
    steps.push({ kind: 'bytes', dir: 'c2s', bytes: Buffer.from('GET /bad HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n') });
  }
  steps.push({ kind: 'close' });
  return steps;
}

/** A small deterministic generator (the same script for both stores). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Op {
  conn: string;
  step: Step | { kind: 'open' } | { kind: 'read' };
  t: number;
}

/** Conversations of several connections, their bytes split at random and interleaved at random, with reads here and there. */
function script(seed: number, connections: number): Op[] {
  const rnd = random(seed);
  const queues = Array.from({ length: connections }, (_, i) => {
    const steps: Op['step'][] = [{ kind: 'open' }];
    for (const s of conversation(1 + Math.floor(rnd() * 6), seed + i)) {
      if (s.kind !== 'bytes') {
        steps.push(s);
        continue;
      }
      for (let at = 0; at < s.bytes.length; ) {
        const n = 1 + Math.floor(rnd() * (rnd() < 0.5 ? 8 : 400));
        steps.push({ kind: 'bytes', dir: s.dir, bytes: s.bytes.subarray(at, at + n) });
        at += n;
      }
    }
    return steps;
  });
  const ops: Op[] = [];
  let t = 1;
  while (queues.some((q) => q.length)) {
    const i = Math.floor(rnd() * connections);
    const q = queues[i];
    if (!q.length) continue;
    ops.push({ conn: `c${i}`, step: q.shift()!, t: t++ });
    if (rnd() < 0.01) ops.push({ conn: `c${Math.floor(rnd() * connections)}`, step: { kind: 'read' }, t });
  }
  return ops;
}

/**
 * Messages as plain data (field trees included), ids replaced by their rank: a store nobody reads dissects
 * what leaves the ring when it leaves, so its "n bytes dropped" messages take their ids earlier than a live
 * store's, and the ids after them shift. What must hold is the order of the ids of the dissected messages,
 * across connections (arrival order), and everything else exactly.
 */
function plain(messages: DissectedMessage[][]): unknown[][] {
  const ids = messages.flat().filter((m) => m.kind !== 'dropped').map((m) => m.id).sort((a, b) => a - b);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  const rank = new Map(ids.map((id, i) => [id, i]));
  return messages.map((list) => list.map((m) => ({ ...JSON.parse(JSON.stringify(m)), id: m.kind === 'dropped' ? 'drop' : rank.get(m.id) })));
}

/** Everything a reader can learn from the store about the dissection, as plain data. */
function answers(store: CaptureStore): unknown {
  const conns = store.listConnections();
  const messages = plain(conns.map((c) => store.messages(c.id)));
  return {
    total: store.totalMessages,
    conns: conns.map((c, i) => ({ summary: c, messages: messages[i], entries: store.chunks(c.id).map((e) => ({ ...e, bytes: e.kind === 'data' ? e.bytes.toString('latin1') : undefined })) })),
  };
}

function play(ops: Op[], options: CaptureStoreOptions, live: boolean): { store: CaptureStore; reads: unknown[]; heard: number[] } {
  const store = new CaptureStore(options);
  const heard: number[] = [];
  if (live) store.events.on('message', (m) => heard.push(m.id));
  const reads: unknown[] = [];
  const offsets = new Map<string, { c2s: number; s2c: number }>();
  for (const op of ops) {
    const s = op.step;
    if (s.kind === 'open') {
      store.open(opened(op.conn, 40000 + Number(op.conn.slice(1))));
      offsets.set(op.conn, { c2s: 0, s2c: 0 });
    } else if (s.kind === 'bytes') {
      store.chunk(op.conn, s.dir, op.t, s.bytes);
      offsets.get(op.conn)![s.dir] += s.bytes.length;
    } else if (s.kind === 'switch') {
      const o = offsets.get(op.conn)!;
      store.switchProtocol({ connectionId: op.conn, t: op.t, protocol: 'ws', c2sOffset: o.c2s, s2cOffset: o.s2c });
    } else if (s.kind === 'close') store.close({ connectionId: op.conn, t: op.t });
    else if (s.kind === 'read') reads.push(plain([store.messages(op.conn)])[0]);
  }
  return { store, reads, heard };
}

test('a deferred dissection answers exactly as a live one, with and without the memory cap, whenever it is read', () => {
  const configs: CaptureStoreOptions[] = [
    {},
    { maxBytes: 6_000 },
    { maxBytes: 2_500, maxMessages: 40, maxConnections: 5 },
    { maxBytes: 900, maxMessages: 12, maxConnections: 3 },
    { maxBytes: 3_000, evictMarginBytes: 1_200 },
    { maxBytes: 1_500, evictMarginBytes: 0 },
  ];
  let compared = 0;
  for (const [k, options] of configs.entries()) {
    for (let seed = 1; seed <= 12; seed++) {
      const ops = script(seed * 31 + k, 3 + (seed % 6));
      const live = play(ops, options, true);
      const deferred = play(ops, options, false);
      assert.deepEqual(answers(deferred.store), answers(live.store), `config ${k}, seed ${seed}`);
      assert.deepEqual(deferred.reads, live.reads, `config ${k}, seed ${seed}: reads in the middle`);
      assert.ok(live.heard.length > 0);
      compared++;
    }
  }
  assert.equal(compared, 72);
});

test('nothing is dissected until something reads the dissection; reads dissect only what they need first', () => {
  const pushes: string[] = [];
  let parsers = 0;
  const store = new CaptureStore({
    dissector: {
      httpParser: (kind, handlers, limits) => {
        parsers++;
        const p = new HttpMessageParser(kind, handlers, limits);
        return { push: (b: Buffer) => (pushes.push(b.toString('latin1').slice(0, 3)), p.push(b)), finish: () => p.finish() };
      },
    },
  });
  store.open(opened('a', 1));
  store.open(opened('b', 2));
  store.chunk('a', 'c2s', 2, Buffer.from('GET /a HTTP/1.1\r\nHost: x\r\n\r\n'));
  store.chunk('b', 'c2s', 3, Buffer.from('GET /b HTTP/1.1\r\nHost: x\r\n\r\n'));
  store.chunk('a', 's2c', 4, Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
  store.close({ connectionId: 'a', t: 5 });
  assert.deepEqual(pushes, [], 'recorded, not dissected');
  assert.equal(parsers, 0, 'no dissector is made for a connection nobody read (its memory stays small)');
  assert.equal(store.getConnection('a')!.stats.c2sBytes, 28, 'byte counts need no dissection');
  assert.deepEqual(pushes, ['GET', 'GET', 'HTT'], "a's summary (its message count) dissects what came up to its last chunk, in arrival order");
  assert.deepEqual(store.messages('a').map((m) => [m.id, m.summary]), [
    [1, 'GET /a HTTP/1.1'],
    [3, '204 No Content'],
  ]);
  assert.deepEqual(store.messages('b').map((m) => [m.id, m.summary]), [[2, 'GET /b HTTP/1.1']], 'ids in arrival order across connections, as live');
});

test("a 'message' listener added later hears only what comes after it, as with a live dissection", () => {
  const store = new CaptureStore();
  store.open(opened('a', 1));
  store.chunk('a', 'c2s', 2, Buffer.from('GET /before HTTP/1.1\r\nHost: x\r\n\r\n'));
  const heard: string[] = [];
  store.events.on('message', (m) => heard.push(m.summary));
  store.chunk('a', 'c2s', 3, Buffer.from('GET /after HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.deepEqual(heard, ['GET /after HTTP/1.1'], 'heard live, at the chunk that completed it');
  assert.deepEqual(store.messages('a').map((m) => m.summary), ['GET /before HTTP/1.1', 'GET /after HTTP/1.1']);
});

test("a 'close' listener reads the closed connection's message count, dissected by then", () => {
  const store = new CaptureStore();
  const counts: number[] = [];
  store.events.on('close', (s) => counts.push(s.stats.messages));
  store.open(opened('a', 1));
  store.chunk('a', 'c2s', 2, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  store.chunk('a', 's2c', 3, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
  store.close({ connectionId: 'a', t: 4 });
  assert.deepEqual(counts, [2]);
});

test('when the store fills up unread, an eviction dissects what leaves (and what came before it), not all the store holds', () => {
  let pushed = 0;
  const request = Buffer.from('GET /x HTTP/1.1\r\nHost: x\r\n\r\n');
  const cost = request.length + 64; // CHUNK_OVERHEAD_BYTES
  const store = new CaptureStore({
    maxBytes: 10_000 * cost,
    evictMarginBytes: 100 * cost,
    dissector: {
      httpParser: (kind, handlers, limits) => {
        const p = new HttpMessageParser(kind, handlers, limits);
        return { push: (b: Buffer) => (pushed++, p.push(b)), finish: () => p.finish() };
      },
    },
  });
  store.open(opened('a', 1));
  for (let i = 0; i < 10_000; i++) store.chunk('a', 'c2s', i, request);
  assert.equal(pushed, 0, 'full, nothing dissected yet');
  const standIns = standInStats.made;
  store.chunk('a', 'c2s', 10_000, request);
  assert.equal(pushed, 101, 'the 101 chunks that went down to the low-water mark');
  assert.equal(standInStats.made - standIns, 101, 'their requests, leaving at once, were made as stand-ins, not built');
  assert.equal(store.getConnection('a')!.stats.messages, 9_900, 'stand-ins are counted in and out like messages');
  assert.equal(store.messages('a').filter((m) => m.kind === 'http-request').length, 9_900, 'and a read dissects the rest');
  assert.equal(pushed, 10_001);
});
