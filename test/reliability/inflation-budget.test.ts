// permessage-deflate under attack: a few kilobytes on the wire inflate to tens of
// MiB. maxPayload bounds one message; the server-wide inflation budget bounds
// them all together, so 30 connections each inflating 60 MiB cannot take
// 2.3 GB: the inflations that would pass the budget fail with 1009, the others
// complete, and the budget comes back for the next messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { constants, deflateRawSync } from 'node:zlib';
import type { Socket } from 'node:net';
import { encodeFrame } from '../../server-core/ws/frame-encoder.js';
import { FrameParser } from '../../server-core/ws/frame-parser.js';
import { DEFAULT_MAX_INFLATING_BYTES } from '../../server-core/ws/inflation-budget.js';
import type { WebSocketRoute } from '../../server-core/ws/types.js';
import { startServer } from '../integration/server/helpers.js';
import { MiB, rawWebSocket, sampleMemory } from './support/peers.js';
import { within } from '../support/within.js';

const CONNECTIONS = 30;
const INFLATED = 60 * MiB;

/** One compressed message (RFC 7692 §7.2.1: the deflate stream without its 00 00 FF FF tail). */
function compressedZeros(size: number): Buffer {
  const out = deflateRawSync(Buffer.alloc(size), { finishFlush: constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
}

/** What the server answered one message with: its text, or the close code and reason. */
function outcome(socket: Socket, rest: Buffer): Promise<{ text?: string; code?: number; reason?: string }> {
  return new Promise((resolve) => {
    const parser = new FrameParser(
      {
        onFrame(f) {
          if (f.opcode === 1) resolve({ text: f.payload.toString() });
          else if (f.opcode === 8) resolve({ code: f.payload.readUInt16BE(0), reason: f.payload.toString('utf8', 2) });
        },
        onError: (e) => resolve({ reason: `client parser: ${e.message}` }),
      },
      { role: 'client', perMessageDeflate: true },
    );
    if (rest.length) parser.push(rest);
    socket.on('data', (c: Buffer) => parser.push(c));
    socket.on('close', () => resolve({ reason: 'closed without an answer' }));
  });
}

const sizeRoute: WebSocketRoute = { handler: { onMessage: (peer, m) => peer.send(`got ${m.data.length}`) } };

test(`${CONNECTIONS} connections each inflating ${INFLATED / MiB} MiB stay within the server-wide budget`, async (t) => {
  const { port } = await startServer(t, { webSocketRoutes: [{ path: '/size', route: sizeRoute }], log: () => {} });
  const payload = compressedZeros(INFLATED);
  assert.ok(payload.length < 128 * 1024, 'a small message on the wire');
  const peers = await Promise.all(Array.from({ length: CONNECTIONS }, () => rawWebSocket(port, '/size', { deflate: true })));
  t.after(() => peers.forEach((p) => p.socket.destroy()));
  const mem = sampleMemory(10);
  t.after(() => mem.stop());
  const outcomes = peers.map((p) => outcome(p.socket, p.rest));
  for (const p of peers) p.socket.write(encodeFrame({ opcode: 2, rsv1: true, payload, mask: true }));
  const results = await within(Promise.all(outcomes), 'an answer on every connection', 120_000);
  mem.stop();
  const peak = mem.peakArrayBuffers - mem.start.arrayBuffers;
  const completed = results.filter((r) => r.text === `got ${INFLATED}`).length;
  const refused = results.filter((r) => r.code === 1009 && /inflation budget/.test(r.reason ?? '')).length;
  assert.equal(completed + refused, CONNECTIONS, `every connection answered or closed 1009: ${JSON.stringify(results.filter((r) => r.text !== `got ${INFLATED}` && r.code !== 1009))}`);
  assert.ok(completed >= 1, 'the budget lets messages through');
  assert.ok(refused >= 1, 'and refuses what would pass it');
  // Unbounded, the inflations alone hold 30 × 60 MiB (and their concatenations as much again).
  const bound = DEFAULT_MAX_INFLATING_BYTES + 4 * INFLATED + 64 * MiB;
  assert.ok(peak < bound, `peak ${(peak / MiB).toFixed(0)} MiB of buffers while inflating (bound ${(bound / MiB).toFixed(0)} MiB)`);

  // The budget comes back: a later message on a new connection inflates.
  const again = await rawWebSocket(port, '/size', { deflate: true });
  t.after(() => again.socket.destroy());
  const answer = outcome(again.socket, again.rest);
  again.socket.write(encodeFrame({ opcode: 2, rsv1: true, payload, mask: true }));
  assert.deepEqual(await within(answer, 'the answer after the storm', 60_000), { text: `got ${INFLATED}` });
});

test('maxInflatingBytes is a server option: a budget under one message refuses it with 1009, the connection closes cleanly', async (t) => {
  const { port } = await startServer(t, {
    webSocketRoutes: [{ path: '/size', route: sizeRoute }],
    webSocket: { maxInflatingBytes: 1 * MiB },
    log: () => {},
  });
  const { socket, rest } = await rawWebSocket(port, '/size', { deflate: true });
  t.after(() => socket.destroy());
  const closed = once(socket, 'close');
  const answer = outcome(socket, rest);
  socket.write(encodeFrame({ opcode: 2, rsv1: true, payload: compressedZeros(2 * MiB), mask: true }));
  const r = await within(answer, 'the close', 20_000);
  assert.equal(r.code, 1009);
  assert.match(r.reason ?? '', /inflation budget/);
  const small = await rawWebSocket(port, '/size', { deflate: true });
  t.after(() => small.socket.destroy());
  const ok = outcome(small.socket, small.rest);
  small.socket.write(encodeFrame({ opcode: 2, rsv1: true, payload: compressedZeros(512 * 1024), mask: true }));
  assert.deepEqual(await within(ok, 'a message within the budget', 20_000), { text: `got ${512 * 1024}` });
  await within(closed, 'the refused connection to close', 20_000);
});
