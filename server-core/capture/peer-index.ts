// Peer tying for the capture store: which two connections of one capture are the two ends of the same
// loopback exchange (a request sent from here to a server of ours, both captured), found by their ports
// as connections open, so that each records the other as its peerConnectionId.
import type { ConnectionOpened } from './types.js';
import type { Conn } from './store-internals.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1', 'localhost']);

/** Open connections not tied to a peer, by their client and server ports. */
export class PeerIndex {
  /** By portPairKey: one connection, or several in order of opening (most pairs have one: no array, no string). */
  private readonly untied = new Map<number, Conn | Conn[]>();

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
    const found = this.untied.get(key);
    if (found !== undefined && (LOOPBACK.has(a.remote.address) || LOOPBACK.has(a.local.address))) {
      const ties = (o: Conn) => o.data.info.side !== a.side && o.data.peerConnectionId === undefined && !o.data.closed;
      const other = Array.isArray(found) ? found.find(ties) : ties(found) ? found : undefined;
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
    if (found === undefined) this.untied.set(key, conn);
    else if (Array.isArray(found)) found.push(conn);
    else this.untied.set(key, [found, conn]);
  }

  /** The connection can no longer be tied (tied, or closed): out of the index. */
  untie(conn: Conn): void {
    const key = portPairKey(conn.data.info);
    const found = this.untied.get(key);
    if (found === conn) this.untied.delete(key);
    else if (Array.isArray(found)) {
      const i = found.indexOf(conn);
      if (i >= 0) found.splice(i, 1);
      if (found.length === 1) this.untied.set(key, found[0]);
      else if (found.length === 0) this.untied.delete(key);
    }
  }

  /** How many connections wait to be tied (for tests). */
  get size(): number {
    let n = 0;
    for (const v of this.untied.values()) n += Array.isArray(v) ? v.length : 1;
    return n;
  }
}

/**
 * The ports of a connection's client and server ends, whichever end it is, as one number (exact: below
 * 2^32): the server's port first, so that with a server port under 16,384 it stays a small integer.
 */
function portPairKey(info: ConnectionOpened): number {
  return info.side === 'client' ? info.remote.port * 65536 + info.local.port : info.local.port * 65536 + info.remote.port;
}
