// Raw mode: exact bytes over TCP (or TLS) to host:port, optionally in timed
// pieces (drip-feed), optionally followed by a half-close, then whatever comes
// back until the peer closes or the line goes quiet. This is how a user sends a
// malformed request, a pipelined burst or a smuggling probe.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Emitter } from '../util/emitter.js';
import type { CaptureEvents, Endpoint } from '../capture/types.js';
import { TcpConnection } from './tcp-connection.js';
import { SendError } from './transport.js';

export { parseEscapedBytes, parseHexBytes, formatEscapedBytes, BytesSyntaxError } from './escapes.js';

export type DripFeed =
  /** Pieces of `size` bytes, one every `intervalMs`. */
  | { size: number; intervalMs: number }
  /** These pieces in order (their concatenation is what is sent), one every `intervalMs`. */
  | { pieces: Buffer[]; intervalMs: number };

export interface RawSendOptions {
  host: string;
  port: number;
  tls?: boolean;
  servername?: string;
  insecure?: boolean;
  drip?: DripFeed;
  /** After the last byte, end our write side (FIN) and keep reading. */
  halfClose?: boolean;
  /** Stop collecting when nothing arrives for this long after the last byte was sent. Default 2000 ms; 0 = wait for the peer to close. */
  idleTimeoutMs?: number;
  /** Whole exchange; 0 = none. Default 30 s. */
  timeoutMs?: number;
  /** Bytes of the response kept in memory; the rest is counted (and captured) but not kept. Default 16 MiB. */
  maxReceiveBytes?: number;
  signal?: AbortSignal;
  capture?: Emitter<CaptureEvents>;
  /** Every chunk as it arrives. */
  onData?(chunk: Buffer): void;
}

export type RawEnd = 'peer-closed' | 'idle-timeout' | 'timeout' | 'reset' | 'aborted';

export interface RawExchange {
  connectionId: string;
  local: Endpoint;
  remote: Endpoint;
  bytesSent: number;
  /** What came back, up to maxReceiveBytes. */
  received: Buffer;
  receivedBytes: number;
  truncated: boolean;
  /** How collection ended. */
  end: RawEnd;
  /** The peer sent FIN (possibly before we finished sending). */
  peerEnded: boolean;
  /** Pieces that could not be sent because the connection went away first. */
  unsentBytes: number;
  timings: { dns: number; connect: number; tls: number; firstByte: number; total: number };
}

export const DEFAULT_RAW_IDLE_TIMEOUT_MS = 2000;
export const DEFAULT_RAW_MAX_RECEIVE_BYTES = 16 * 1024 * 1024;

/** Splits bytes into pieces of `size` (the last may be shorter). */
export function splitPieces(bytes: Buffer, size: number): Buffer[] {
  if (!(size >= 1)) throw new RangeError('piece size must be at least 1');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

export async function sendRaw(bytes: Buffer, options: RawSendOptions): Promise<RawExchange> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_RAW_IDLE_TIMEOUT_MS;
  const maxKeep = options.maxReceiveBytes ?? DEFAULT_RAW_MAX_RECEIVE_BYTES;
  const conn = new TcpConnection({
    host: options.host,
    port: options.port,
    tls: options.tls,
    servername: options.servername,
    insecure: options.insecure,
    connectTimeoutMs: timeoutMs,
    protocol: 'raw',
    capture: options.capture,
  });
  await conn.connect(options.signal);

  const kept: Buffer[] = [];
  let keptBytes = 0;
  let receivedBytes = 0;
  let firstByte = -1;
  let sendStart = performance.now();
  let end: RawEnd | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let sendingDone = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const stop = (why: RawEnd) => {
    if (end !== undefined) return;
    end = why;
    finish();
  };
  const armIdle = () => {
    clearTimeout(idleTimer);
    if (sendingDone && idleMs > 0 && end === undefined) idleTimer = setTimeout(() => stop('idle-timeout'), idleMs);
  };

  conn.on('data', (chunk) => {
    if (firstByte < 0) firstByte = performance.now() - sendStart;
    receivedBytes += chunk.length;
    if (keptBytes < maxKeep) {
      const part = chunk.length <= maxKeep - keptBytes ? chunk : chunk.subarray(0, maxKeep - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    options.onData?.(chunk);
    armIdle();
  });
  conn.on('error', (err) => {
    if (err.code === 'CONNECTION_RESET') stop('reset');
  });
  conn.on('close', () => stop('peer-closed'));
  const overall = timeoutMs > 0 ? setTimeout(() => stop('timeout'), timeoutMs) : undefined;
  const onAbort = () => stop('aborted');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const pieces = !options.drip ? [bytes] : 'pieces' in options.drip ? options.drip.pieces : splitPieces(bytes, options.drip.size);
  const interval = options.drip?.intervalMs ?? 0;
  let unsentBytes = 0;
  const sending = (async () => {
    sendStart = performance.now();
    for (let i = 0; i < pieces.length; i++) {
      if (end !== undefined || conn.state !== 'open' || conn.writeEnded) {
        unsentBytes += pieces[i].length;
        continue;
      }
      if (i > 0 && interval > 0) {
        await Promise.race([sleep(interval), finished]);
        if (end !== undefined || conn.state !== 'open') {
          unsentBytes += pieces[i].length;
          continue;
        }
      }
      try {
        await conn.send(pieces[i]);
      } catch {
        unsentBytes += pieces[i].length;
      }
    }
    if (options.halfClose && end === undefined) conn.halfClose();
    sendingDone = true;
    armIdle();
  })();

  await finished;
  clearTimeout(idleTimer);
  clearTimeout(overall);
  options.signal?.removeEventListener('abort', onAbort);
  if (conn.state !== 'closed') {
    conn.destroy(end === 'idle-timeout' ? undefined : end);
    await conn.closed();
  }
  await sending;
  if (end === 'aborted') throw new SendError('ABORTED', 'raw exchange aborted');
  return {
    connectionId: conn.connectionId,
    local: conn.local,
    remote: conn.remote,
    bytesSent: conn.bytesWritten,
    received: Buffer.concat(kept, keptBytes),
    receivedBytes,
    truncated: receivedBytes > keptBytes,
    end: end!,
    peerEnded: conn.peerEnded,
    unsentBytes,
    timings: { ...conn.timings, firstByte: firstByte < 0 ? 0 : firstByte, total: performance.now() - started },
  };
}
