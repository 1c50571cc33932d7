// How a big capture reaches the UI, against a real server on 127.0.0.1: a
// snapshot or a live push carries every chunk's place but bytes only up to a
// budget; capture.bytes answers any range with the bytes that crossed the
// wire; a live connection is told when the capture's ring drops its oldest
// bytes; a bad range is refused, not acted on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PUSH_INLINE_BYTES, SNAPSHOT_INLINE_BYTES } from '../../../server-core/playground/capture-transfer.js';
import { PlaygroundController } from '../../../server-core/playground/controller.js';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import type { ChunkView, ToWebview } from '../../../server-core/protocol/playground.js';
import { pipelinedDownload } from '../../support/pipelined-download.js';
import { logMessages } from './message-log.js';

const MiB = 1024 * 1024;
let server: WireplayServer;
let port: number;

before(async () => {
  server = createWireplayServer({ host: '127.0.0.1', port: 0 });
  port = (await server.listen()).port;
});
after(() => server.close());

function harness(t: { after(fn: () => void): void }, captureMaxBytes?: number) {
  const controller = new PlaygroundController({ serverCapture: server.capture, captureMaxBytes, flushIntervalMs: 1 });
  t.after(() => controller.dispose());
  const { seen, next } = logMessages(controller, t);
  /** The server side of the connection from our local port. */
  const connectionOf = async (localPort: number) =>
    (await next('connection.opened', (m) => m.info.side === 'server' && m.info.remote.endsWith(`:${localPort}`))).info.connectionId;
  const bytes = async (connectionId: string, dir: 'c2s' | 's2c', start: number, end: number) => {
    await controller.receive({ type: 'capture.bytes', connectionId, dir, start, end });
    return next('capture.bytes', (m) => m.connectionId === connectionId && m.dir === dir && m.start === start && m.end === end);
  };
  return { controller, seen, next, connectionOf, bytes };
}

const s2cLength = (chunks: ChunkView[]) => chunks.filter((c) => c.dir === 's2c').reduce((n, c) => n + c.length, 0);
const inlined = (chunks: ChunkView[]) => chunks.reduce((n, c) => n + (c.bytes === undefined ? 0 : Buffer.from(c.bytes, 'base64').length), 0);

test('a snapshot of 4 MiB lists every chunk with bytes for its first 256 KiB; any range is answered exactly', async (t) => {
  const h = harness(t);
  const dl = await pipelinedDownload(port, 4, MiB);
  t.after(() => dl.socket.destroy());
  const id = await h.connectionOf(dl.localPort);
  const received = dl.received();
  await h.controller.receive({ type: 'capture.load', connectionId: id });
  const snap = await h.next('capture.snapshot', (m) => m.connectionId === id);
  assert.equal(s2cLength(snap.chunks), received.length);
  assert.ok(inlined(snap.chunks) <= SNAPSHOT_INLINE_BYTES && inlined(snap.chunks) > 0);
  assert.ok(snap.chunks.some((c) => c.bytes === undefined), 'the rest is left for capture.bytes');
  assert.deepEqual(Buffer.concat(snap.chunks.filter((c) => c.dir === 'c2s').map((c) => Buffer.from(c.bytes!, 'base64'))), dl.sent);
  for (const [start, end] of [[0, 100], [MiB + 7, MiB + 7 + 65536], [received.length - 300, received.length], [received.length - 10, received.length + 50]]) {
    const r = await h.bytes(id, 's2c', start, end);
    assert.equal(r.offset, start);
    assert.deepEqual(Buffer.from(r.bytes, 'base64'), received.subarray(start, Math.min(end, received.length)), `[${start}, ${end})`);
  }
  const gone = await h.bytes('no-such-connection', 'c2s', 0, 10);
  assert.deepEqual([gone.offset, gone.bytes], [10, ''], 'nothing held: offset = end');
  await h.controller.receive({ type: 'capture.bytes', connectionId: id, dir: 's2c', start: 0, end: 2 * MiB });
  const notice = await h.next('notice');
  assert.match(notice.message, /capture\.bytes\.end/);
});

test('a watched connection streams chunk places, bytes within the push budget, and the drops of a full ring', async (t) => {
  const h = harness(t, 2 * MiB);
  let id = '';
  const dl = await pipelinedDownload(port, 4, MiB, async (localPort) => {
    id = await h.connectionOf(localPort);
    await h.controller.receive({ type: 'capture.load', connectionId: id });
    await h.next('capture.snapshot', (m) => m.connectionId === id);
  });
  t.after(() => dl.socket.destroy());
  const received = dl.received();
  await h.next('capture.dropped', (m) => m.connectionId === id && m.dir === 's2c' && m.before >= received.length - 2 * MiB);
  await new Promise<void>((resolve) => {
    const pushed = () => s2cLength(h.seen.flatMap((m) => (m.type === 'capture.chunks' && m.connectionId === id ? m.chunks : [])));
    if (pushed() >= received.length) return resolve();
    const d = h.controller.onMessage(() => pushed() >= received.length && (d.dispose(), resolve()));
  });
  const pushes = h.seen.filter((m): m is Extract<ToWebview, { type: 'capture.chunks' }> => m.type === 'capture.chunks' && m.connectionId === id);
  assert.ok(pushes.every((m) => inlined(m.chunks) <= PUSH_INLINE_BYTES), 'no push carries more than its budget');
  assert.ok(pushes.some((m) => m.chunks.some((c) => c.bytes === undefined)), 'a bulk download leaves bytes for capture.bytes');
  // Every pushed byte that was sent along is the byte at its offset.
  for (const c of pushes.flatMap((m) => m.chunks)) if (c.dir === 's2c' && c.bytes !== undefined) assert.deepEqual(Buffer.from(c.bytes, 'base64'), received.subarray(c.offset!, c.offset! + c.length));
  const tail = await h.bytes(id, 's2c', received.length - 65536, received.length);
  assert.deepEqual(Buffer.from(tail.bytes, 'base64'), received.subarray(received.length - 65536));
  // The front went with the ring: the answer starts where the retained bytes start.
  const front = await h.bytes(id, 's2c', 0, 65536);
  assert.ok(front.offset > 0, 'the oldest bytes are gone');
  assert.deepEqual(Buffer.from(front.bytes, 'base64'), received.subarray(front.offset, front.offset + Buffer.from(front.bytes, 'base64').length));
});
