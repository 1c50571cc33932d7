// On the server's thread: a WebSocket endpoint of a `.mjs` file. The connection
// stays here (frames, close handshake, backpressure); its events are relayed to the
// worker, where the module's callbacks run with a peer whose send/ping/close come
// back as messages. A callback that throws closes its connection with 1011 and is
// reported; if the worker stops, its connections close with 1011 too.
import type { WebSocketHandler, WebSocketPeer, WebSocketRoute } from '../../ws/types.js';
import { asBuffer, ownBytes, restoreError, snapshotError, type FromWorker } from './protocol.js';
import { snapshotRequest, type Channel } from './http-relay.js';

export interface WsRelayOptions {
  /** A callback threw or rejected (its connection is being closed with 1011 unless it was onClose/onError). */
  onFault(key: string, callback: string, error: Error): void;
}

interface Session {
  key: string;
  peer: WebSocketPeer;
}

export class WsRelay {
  private readonly sessions = new Map<number, Session>();
  private readonly sidOf = new WeakMap<WebSocketPeer, number>();
  private nextSid = 0;

  constructor(
    private readonly channel: Channel,
    private readonly options: WsRelayOptions,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  route(key: string, callbacks: readonly string[], protocols?: readonly string[], origins?: readonly string[]): WebSocketRoute {
    const has = (name: string) => callbacks.includes(name);
    const sidOf = (peer: WebSocketPeer) => this.sidOf.get(peer);
    const handler: WebSocketHandler = {
      // onOpen and onClose are always relayed: they open and close the worker's side of the session.
      onOpen: (peer, req) => {
        if (this.channel.closed()) return peer.close(1011, 'routes unloaded');
        const sid = ++this.nextSid;
        this.sessions.set(sid, { key, peer });
        this.sidOf.set(peer, sid);
        const peerSnapshot = { id: String(peer.id ?? ''), protocol: peer.protocol ?? '', extensions: peer.extensions ?? '' };
        this.channel.send({ t: 'ws-open', sid, key, peer: peerSnapshot, req: snapshotRequest(req) }, [], { key });
      },
      onClose: (peer, code, reason) => {
        const sid = sidOf(peer);
        if (sid === undefined || !this.sessions.delete(sid)) return;
        this.channel.send({ t: 'ws-close', sid, code, reason }, [], { key });
        this.channel.released();
      },
    };
    if (has('onMessage')) {
      handler.onMessage = (peer, message) => {
        const sid = sidOf(peer);
        if (sid === undefined || !this.sessions.has(sid)) return;
        const data = ownBytes(message.data);
        this.channel.send({ t: 'ws-message', sid, binary: message.binary, data }, [data.buffer as ArrayBuffer], { key });
      };
    }
    if (has('onError')) {
      handler.onError = (peer, error) => {
        const sid = sidOf(peer);
        if (sid !== undefined && this.sessions.has(sid)) this.channel.send({ t: 'ws-error', sid, error: snapshotError(error) }, [], { key });
      };
    }
    return { handler, ...(protocols ? { protocols } : {}), ...(origins ? { origins } : {}) };
  }

  /** A message about a session; false when it is not one. */
  handle(m: FromWorker): boolean {
    if (!('sid' in m)) return false;
    const session = this.sessions.get(m.sid);
    if (!session) return true;
    const { peer, key } = session;
    try {
      if (m.t === 'ws-send') {
        const sent = peer.send(typeof m.data === 'string' ? m.data : asBuffer(m.data), { binary: m.binary ?? typeof m.data !== 'string' });
        if (!sent) this.channel.send({ t: 'ws-buffered', sid: m.sid, amount: peer.bufferedAmount }, []);
      } else if (m.t === 'ws-ping') {
        peer.ping(m.data === undefined || typeof m.data === 'string' ? m.data : asBuffer(m.data));
      } else if (m.t === 'ws-close') {
        peer.close(m.code, m.reason);
      } else if (m.t === 'ws-fault') {
        this.options.onFault(key, m.callback, restoreError(m.error));
        if (m.callback !== 'onClose' && m.callback !== 'onError') peer.close(1011, 'handler error');
      }
    } catch (error) {
      // A close code or reason the connection refuses counts as a fault of the callback that asked for it.
      this.options.onFault(key, m.t, error instanceof Error ? error : new Error(String(error)));
      try {
        peer.close(1011, 'handler error');
      } catch {
        /* already closed */
      }
    }
    return true;
  }

  /** The worker stopped: its sessions cannot go on. */
  closeAll(): void {
    for (const { peer } of this.sessions.values()) {
      try {
        peer.close(1011, 'routes worker restarted');
      } catch {
        /* already closed */
      }
    }
    this.sessions.clear();
  }
}
