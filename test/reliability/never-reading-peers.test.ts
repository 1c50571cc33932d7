// Memory stays bounded when a peer never reads. A client that keeps sending
// requests (or WebSocket messages to an echo) and never reads the answers must
// not make the server buffer the answers without bound (`ws` grows to 2 GB on
// the echo): the server stops reading from a connection whose outgoing buffer
// is over its high-water mark, starts no handler for a pipelined request
// meanwhile, and resumes when the socket drains — then every answer arrives.
//
// What is measured is this process's `arrayBuffers` (where every Buffer lives;
// the kernel's socket buffers are not in it), sampled while the peer sends,
// against a generous bound: this is about leaks, not timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { HttpMessageParser } from '../../server-core/http/message-parser.js';
import { encodeFrame } from '../../server-core/ws/frame-encoder.js';
import { FrameParser } from '../../server-core/ws/frame-parser.js';
import { open, startServer } from '../integration/server/helpers.js';
import { MiB, rawWebSocket, sampleMemory, writeWhileDrains } from './support/peers.js';
import { waitFor } from '../support/wait.js';

/** What the peers ask for in all: far more than the bound, so an unbounded server is caught. */
const TOTAL = 256 * MiB;
const PIECE = 64 * 1024;
const BOUND = 48 * MiB;

/** Resolves once `value()` has not changed for `quietMs` (the server stopped making progress), or `over()` holds. */
async function untilStalled(value: () => number, over: () => boolean, quietMs = 600, timeoutMs = 60_000): Promise<void> {
  let last = -1;
  let since = performance.now();
  await waitFor(
    () => {
      if (over()) return true;
      const v = value();
      const now = performance.now();
      if (v !== last) {
        last = v;
        since = now;
        return false;
      }
      return now - since >= quietMs;
    },
    'the server to stop making progress',
    timeoutMs,
  );
}

test('HTTP: a client that pipelines requests and never reads: the server stops at its high-water mark, then answers everything', async (t) => {
  const { port, server } = await startServer(t);
  let handled = 0;
  // Each answer is a fresh 64 KiB buffer: an unbounded server holds every one of them.
  server.router!.get('/blob', (_req, res) => {
    handled++;
    res.end(Buffer.alloc(PIECE, 0x61));
  });
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.pause(); // never reads
  const n = TOTAL / PIECE;
  const request = Buffer.from('GET /blob HTTP/1.1\r\nHost: x\r\n\r\n');
  // 32 requests per write: the pipeline a client sends in one go.
  const batch = Buffer.concat(Array.from({ length: 32 }, () => request));
  const mem = sampleMemory();
  t.after(() => mem.stop());
  let sent = 0;
  const over = () => mem.peakArrayBuffers - mem.start.arrayBuffers > BOUND;
  const writing = writeWhileDrains(socket, () => (sent < n ? ((sent += 32), batch) : undefined), 2000, over);
  const bytesOut = () => server.connections()[0]?.bytesOut ?? 0;
  await untilStalled(bytesOut, over);
  const peak = mem.peakArrayBuffers - mem.start.arrayBuffers;
  mem.stop();
  assert.ok(peak <= BOUND, `the server held ${(peak / MiB).toFixed(1)} MiB for a peer that never reads (bound ${BOUND / MiB} MiB; ${handled} of ${n} answered)`);
  assert.ok(handled < n, 'the server stopped answering before the end');
  // The peer reads now: every request is answered, in order, none lost.
  let complete = 0;
  let bodyBytes = 0;
  const parser = new HttpMessageParser('response', {
    onHead: () => undefined,
    onBody: (d) => void (bodyBytes += d.length),
    onMessageComplete: () => void complete++,
    onError: (e) => assert.fail(e),
  });
  socket.on('data', (c: Buffer) => parser.push(c));
  socket.resume();
  await writing;
  await waitFor(() => complete === n, `all ${n} answers (got ${complete})`, 60_000);
  assert.equal(bodyBytes, TOTAL);
});

test('WebSocket: an echo to a client that never reads stays bounded, then every echo arrives', async (t) => {
  const { port, server } = await startServer(t);
  const { socket, rest } = await rawWebSocket(port, '/ws/echo');
  t.after(() => socket.destroy());
  assert.equal(rest.length, 0);
  socket.pause(); // never reads
  const n = TOTAL / PIECE;
  const mem = sampleMemory();
  t.after(() => mem.stop());
  let sent = 0;
  const over = () => mem.peakArrayBuffers - mem.start.arrayBuffers > BOUND;
  const payload = Buffer.alloc(PIECE, 0x62);
  const writing = writeWhileDrains(socket, () => (sent < n ? (sent++, encodeFrame({ opcode: 2, payload, mask: true })) : undefined), 2000, over);
  const bytesOut = () => server.connections()[0]?.bytesOut ?? 0;
  await untilStalled(bytesOut, over);
  const peak = mem.peakArrayBuffers - mem.start.arrayBuffers;
  mem.stop();
  assert.ok(peak <= BOUND, `the server held ${(peak / MiB).toFixed(1)} MiB for an echo nobody reads (bound ${BOUND / MiB} MiB; ${sent} of ${n} sent)`);
  assert.ok(sent < n, 'the peer could not send everything: the server stopped reading');
  // The peer reads now: every message comes back.
  let echoed = 0;
  const frames = new FrameParser({ onFrame: (f) => void (f.opcode === 2 && f.payload.length === PIECE && echoed++), onError: (e) => assert.fail(e) }, { role: 'client' });
  socket.on('data', (c: Buffer) => frames.push(c));
  socket.resume();
  await writing;
  await waitFor(() => echoed === n, `all ${n} echoes (got ${echoed})`, 60_000);
  socket.end(encodeFrame({ opcode: 8, payload: Buffer.from([0x03, 0xe8]), mask: true }));
  await once(socket, 'close');
});
