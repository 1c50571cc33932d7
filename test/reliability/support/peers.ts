// Peers for the reliability suite that real clients cannot be made to be: a
// WebSocket client on a bare socket (it can stop reading, send pre-compressed
// frames), a writer that only writes when its socket drains (so the test
// process never holds what the server refuses to read), and a memory sampler.
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { generateKey } from '../../../server-core/ws/handshake.js';

/** Opens a WebSocket on a bare socket; resolves once the 101 head is in, with what followed it. */
export async function rawWebSocket(port: number, path: string, options: { deflate?: boolean } = {}): Promise<{ socket: Socket; rest: Buffer }> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.setNoDelay(true);
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${generateKey()}\r\nSec-WebSocket-Version: 13\r\n` +
      (options.deflate ? 'Sec-WebSocket-Extensions: permessage-deflate\r\n' : '') +
      '\r\n',
  );
  const chunks: Buffer[] = [];
  for (;;) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    chunks.push(chunk);
    const all = Buffer.concat(chunks);
    const end = all.indexOf('\r\n\r\n');
    if (end < 0) continue;
    const head = all.subarray(0, end).toString('latin1');
    if (!head.startsWith('HTTP/1.1 101')) throw new Error(`handshake refused: ${head}`);
    return { socket, rest: all.subarray(end + 4) };
  }
}

/**
 * Writes `next()` until it returns undefined or `stop()` says so, waiting for 'drain' whenever
 * the socket's buffer is full: the writer never holds more than one piece. Resolves with the
 * pieces written when done, or when the socket has not drained for `stallMs` (the server stopped
 * reading: that is the point of the tests that use it).
 */
export async function writeWhileDrains(socket: Socket, next: () => Buffer | undefined, stallMs: number, stop: () => boolean = () => false): Promise<{ written: number; stalled: boolean }> {
  let written = 0;
  for (;;) {
    if (stop()) return { written, stalled: false };
    const piece = next();
    if (piece === undefined) return { written, stalled: false };
    written++;
    if (socket.write(piece)) continue;
    const drained = await Promise.race([
      once(socket, 'drain').then(() => true),
      new Promise<false>((resolve) => setTimeout(resolve, stallMs, false).unref()),
    ]);
    if (!drained) return { written, stalled: true };
  }
}

/** Samples this process's memory until stopped: the peak of `arrayBuffers` (where Buffers live) and of RSS. */
export function sampleMemory(everyMs = 20): { readonly peakArrayBuffers: number; readonly peakRss: number; readonly start: NodeJS.MemoryUsage; stop(): void } {
  const start = process.memoryUsage();
  let peakArrayBuffers = start.arrayBuffers;
  let peakRss = start.rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    if (m.arrayBuffers > peakArrayBuffers) peakArrayBuffers = m.arrayBuffers;
    if (m.rss > peakRss) peakRss = m.rss;
  }, everyMs);
  return {
    start,
    get peakArrayBuffers() {
      return peakArrayBuffers;
    },
    get peakRss() {
      return peakRss;
    },
    stop: () => clearInterval(timer),
  };
}

export const MiB = 1024 * 1024;
