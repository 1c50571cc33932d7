// Peer tying for the capture store: which two connections of one capture are the two ends of the same
// loopback exchange (a request sent from here to a server of ours, both captured), found by their ports
// as connections open, so that each records the other as its peerConnectionId.
import type { ConnectionOpened } from './types.js';
import type { Conn } from './store-internals.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1', 'localhost']);

/** Open connections not tied to a peer, by their client and server ports. */
export class PeerIndex {
  private readonly untied = new Map<string, Conn[]>();

  /** `onPeer`: told when two connections are tied (the store's 'peer' event). */
  constructor(private readonly onPeer: (ev: { clientId: string; serverId: string }) => void) {}

  /**
   * Ties a new connection to the other end of the same loopback exchange, when both are in this capture:
   * the earliest open connection of the other side, not yet tied, with the same two ports. Looked up in an
   * index by port pair (scanning every connection at each open was most of the store's cost per
   * connection once it held thousands).
   */
  tie(conn: Conn): void {
    const a = conn.data.info;
    const key = portPairKey(a);
    const candidates = this.untied.get(key);
    if (LOOPBACK.has(a.remote.address) || LOOPBACK.has(a.local.address)) {
      const other = candidates?.find((o) => o.data.info.side !== a.side && o.data.peerConnectionId === undefined && !o.data.closed);
      if (other) {
        this.untie(other);
        const b = other.data.info;
        const client = a.side === 'client' ? a : b;
        const server = a.side === 'client' ? b : a;
        conn.data.peerConnectionId = other.data.id;
        other.data.peerConnectionId = conn.data.id;
        this.onPeer({ clientId: client.connectionId, serverId: server.connectionId });
        return;
      }
    }
    if (conn.data.peerConnectionId !== undefined) return;
    if (candidates) candidates.push(conn);
    else this.untied.set(key, [conn]);
  }

  /** The connection can no longer be tied (tied, or closed): out of the index. */
  untie(conn: Conn): void {
    const key = portPairKey(conn.data.info);
    const list = this.untied.get(key);
    if (!list) return;
    const i = list.indexOf(conn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.untied.delete(key);
  }
}

/** The ports of a connection's client and server ends, whichever end it is. */
function portPairKey(info: ConnectionOpened): string {
  return info.side === 'client' ? `${info.local.port}:${info.remote.port}` : `${info.remote.port}:${info.local.port}`;
}
