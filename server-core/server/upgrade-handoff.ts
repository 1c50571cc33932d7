// The upgrade hand-off: how a server connection gives its socket to the new
// protocol's owner (the WebSocket endpoint) and keeps counting and capturing
// the bytes both ways afterwards, the 101 included, without copying them.
// The connection decides when (after the responses owed to earlier pipelined
// requests); this module does the switch. The counting is done by the
// connection's record after the upgrade (upgraded-connection.ts), which the
// hook is handed as a WireTap: a hook that reports its bytes itself
// (`reportsBytes`, the server's WebSocket endpoint) costs no wrapper or
// listener on the socket; any other hook's socket is tapped here.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CaptureEvents } from '../capture/types.js';
import { observeWrites } from '../capture/socket-tap.js';
import type { MessageHead } from '../http/parser-types.js';
import type { Emitter } from '../util/emitter.js';
import type { WireTap } from '../util/wire-tap.js';
import type { ConnectionErrorEntry, RequestLogEntry } from './connection-types.js';
import type { HttpRequest } from './request.js';
import { LoggedRequest } from './request-log-entry.js';
import type { UpgradedConnection, UpgradeOwner } from './upgraded-connection.js';

/** A WebSocket (or other) upgrade offered by the server: decided on the head, carried out on the socket. */
export interface UpgradeHook {
  /** Whether this request's path has an upgrade endpoint; the returned token is handed back to `accept`. */
  match(req: HttpRequest): unknown | undefined;
  /**
   * Takes the socket over. Returns the negotiated extensions (for the capture's
   * switch event) and what to close on a graceful shutdown, or null when the
   * handshake was refused (the hook wrote the refusal and ends the socket).
   * With `reportsBytes`, the hook hands `tap` every chunk it reads and every
   * buffer it writes (the 101 and a refusal included); otherwise the socket is
   * tapped for it.
   */
  accept(req: HttpRequest, socket: Socket, rest: Buffer, token: unknown, connectionId: string, tap: WireTap): UpgradeResult | null;
  /** The hook reports its bytes to the tap it is given (no wrapper on the socket). */
  readonly reportsBytes?: boolean;
}
export interface UpgradeResult {
  extensions?: string;
  /** Bytes the hook wrote before the new protocol starts (the 101 response), for the switch offset. */
  handshakeBytes?: number;
  /** Told to close on a graceful shutdown; kept as long as the connection (a shared method, not a closure). */
  owner?: UpgradeOwner;
  /** The same as a function (for hooks without an owner object). */
  close?(): void;
}

/** An upgrade the hook accepted on the head, waiting to be carried out. */
export interface PendingUpgrade {
  req: HttpRequest;
  token: unknown;
}

/** The socket's 'error' after the hand-off: the new owner reports its own errors. */
function ignoreError(): void {}

/** Whether a head carries an Upgrade header field (whatever Connection says). */
export function hasUpgradeField(head: MessageHead): boolean {
  const headers = head.headers;
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i].name;
    if (name.length === 7 && name.toLowerCase() === 'upgrade') return true;
  }
  return false;
}

/**
 * Hands the socket (its HTTP listeners already removed) to `hook`, with `conn`
 * (the connection's record from now on) as the tap for the counters and the
 * capture; resumes reading, and emits the capture's switch event. `rest` is
 * what followed the upgrade request in the input. Returns the hook's result
 * (its owner is set on `conn`); null when the hook refused (it answered and
 * ends the socket) or threw (reported, socket destroyed).
 */
export function handOver(
  conn: UpgradedConnection,
  hook: UpgradeHook,
  up: PendingUpgrade,
  rest: Buffer,
  capture: Emitter<CaptureEvents>,
  /** Told when the hook threw (the connection's context: no closure per upgrade). */
  errors: { onError(entry: ConnectionErrorEntry): void },
): UpgradeResult | null {
  const socket = conn.socket;
  const id = conn.id;
  socket.on('error', ignoreError);
  const c2sOffset = conn.bytesIn - rest.length;
  if (!hook.reportsBytes) {
    // Keep counting and capturing after the switch (the new owner reads the same chunks).
    observeWrites(socket, (bytes) => conn.wrote(bytes));
    socket.on('data', (chunk: Buffer) => conn.read(chunk));
  }
  // Reading may have been paused (pipeline depth, a pending upgrade): the new owner reads now.
  if (socket.isPaused()) socket.resume();
  let result: UpgradeResult | null;
  const rec = up.req.stages;
  rec?.handlerStarted();
  const outBefore = conn.bytesOut;
  try {
    result = hook.accept(up.req, socket, rest, up.token, id, conn);
  } catch (err) {
    errors.onError({ connectionId: id, kind: 'handler', message: `upgrade failed: ${String(err)}`, error: err });
    socket.destroy();
    return null;
  }
  if (!result) return null;
  rec?.responseDone();
  result.handshakeBytes ??= conn.bytesOut - outBefore;
  const close = result.close;
  conn.owner = result.owner ?? (close ? { shutdown: close } : null);
  // The hook wrote its 101 synchronously; frames start on a later tick.
  if (capture.hasListeners('switch')) {
    const e: CaptureEvents['switch'] = { connectionId: id, t: performance.now(), protocol: 'ws', c2sOffset, s2cOffset: conn.bytesOut };
    if (result.extensions) e.extensions = result.extensions;
    capture.emit('switch', e);
  }
  return result;
}

/**
 * The request log entry of an accepted upgrade, whose 101 the hook wrote inside
 * accept() (a refused handshake is answered by the hook and not logged here).
 */
export function upgradeLogEntry(conn: { id: string; remote: RequestLogEntry['remote'] }, req: HttpRequest, result: UpgradeResult): RequestLogEntry {
  const rec = req.stages!;
  return new LoggedRequest(conn.id, req.index, req.method, req.target, 101, result.handshakeBytes ?? 0, rec.lastResponseByte - rec.headParsed, conn.remote, rec);
}
