// Inside the routes worker: the WebSocket peers a `.mjs` endpoint's callbacks get.
// The server's thread owns the real connection and relays its events here; a
// peer's send/ping/close go back as messages. send() checks its argument here, so
// `peer.send(12345)` throws inside the callback (which closes that connection
// with 1011, as any throwing callback does).
import type { WebSocketPeer } from '../../ws/types.js';
import { snapshotError, type FromWorker, type PeerSnapshot } from './protocol.js';
import { transferable, type Post } from './worker-http.js';

/** send() returns false once this much is known to be waiting on the server's side. */
const HIGH_WATER = 64 * 1024;

export class WorkerPeer implements WebSocketPeer {
  readonly id: string;
  readonly protocol: string;
  readonly extensions: string;
  readyState: WebSocketPeer['readyState'] = 'open';
  bufferedAmount = 0;

  constructor(
    private readonly sid: number,
    snapshot: PeerSnapshot,
    private readonly post: Post,
  ) {
    this.id = snapshot.id;
    this.protocol = snapshot.protocol;
    this.extensions = snapshot.extensions;
  }

  send(data: string | Buffer, options?: { binary?: boolean }): boolean {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new TypeError(`peer.send takes a string or bytes (Buffer, Uint8Array), got ${data === null ? 'null' : typeof data}`);
    }
    if (this.readyState !== 'open') return false;
    const message: FromWorker =
      typeof data === 'string' ? { t: 'ws-send', sid: this.sid, data, binary: options?.binary } : { t: 'ws-send', sid: this.sid, data: transferable(data), binary: options?.binary ?? true };
    this.post(message, typeof message.data === 'string' ? [] : [message.data.buffer as ArrayBuffer]);
    return this.bufferedAmount < HIGH_WATER;
  }

  ping(data?: Buffer | string): void {
    if (this.readyState !== 'open') return;
    this.post({ t: 'ws-ping', sid: this.sid, data: data === undefined || typeof data === 'string' ? data : transferable(data) });
  }

  close(code?: number, reason?: string): void {
    if (this.readyState === 'closing' || this.readyState === 'closed') return;
    this.readyState = 'closing';
    this.post({ t: 'ws-close', sid: this.sid, code, reason });
  }
}

type Callbacks = Record<string, ((...args: unknown[]) => unknown) | undefined>;

/** Runs one callback; a throw or a rejection goes to the server as a fault. */
export function runCallback(sid: number, handler: Callbacks, name: string, args: unknown[], post: Post): void {
  const fn = handler[name];
  if (typeof fn !== 'function') return;
  const fault = (error: unknown) => post({ t: 'ws-fault', sid, callback: name, error: snapshotError(error) });
  try {
    const out = fn.apply(handler, args);
    if (out instanceof Promise) out.catch(fault);
  } catch (error) {
    fault(error);
  }
}
