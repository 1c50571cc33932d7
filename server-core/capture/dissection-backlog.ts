// The capture store's deferred dissection: what the dissectors would be fed (chunks, switches, closes)
// while nobody listens to 'message' events waits in one backlog in arrival order, and is fed to them, in
// that order, as soon as anything reads a result (messages, stats, totals, a 'message' or 'close'
// listener), and up to what leaves before bytes leave the ring (store-eviction.ts). The answers are the
// same as a live dissection's — same messages, trees, times, drop markers, ids in arrival order — only
// computed later, or never for a capture nobody looks at (the extension's window store, the proxy's).
// Only the ids can differ from a live store's: an "n bytes dropped" message takes its id when the
// eviction happens, which is before the messages of the bytes that arrived meanwhile are dissected.
import type { ConnectionDissector } from './dissector.js';
import { RING_GONE, type Conn, type PendingOp, type RingItem } from './store-internals.js';

/** What the backlog needs from its store. */
export interface BacklogHost {
  /** Someone listens to 'message' events: operations are fed at once. */
  listening(): boolean;
  /** Runs a dissector step on the connection's dissector (a failing dissector stops its connection only). */
  dissect(conn: Conn, step: (d: ConnectionDissector) => void): void;
}

export class DissectionBacklog {
  /** Dissection not done yet, in arrival order across connections, from `backlogHead` on. */
  private backlog: PendingOp[] = [];
  private backlogHead = 0;

  constructor(private readonly host: BacklogHost) {}

  /** Operations waiting to be fed. */
  get waiting(): number {
    return this.backlog.length - this.backlogHead;
  }

  /** Dissection of `op`: now when someone listens to messages (after what waits before it), else queued. */
  later(op: PendingOp): void {
    op.conn.pending++;
    this.backlog.push(op);
    if (this.host.listening()) this.drain();
  }

  /**
   * Feeds the backlog to the dissectors in arrival order: all of it, or until `until` has nothing waiting
   * (what waits before its operations goes first, so ids and every other answer stay those of a live
   * dissection). Re-entrant: a 'message' listener may read the store.
   */
  drain(until?: Conn | RingItem): void {
    while (this.backlogHead < this.backlog.length && (until === undefined || ('queued' in until ? until.queued : until.pending > 0))) this.drainOne();
  }

  /** Feeds the backlog's next operation to its dissector. */
  drainOne(): void {
    const q = this.backlog;
    if (this.backlogHead >= q.length) return;
    const op = q[this.backlogHead];
    q[this.backlogHead++] = RING_GONE;
    const conn = op.conn;
    conn.pending--;
    if (op.entry !== undefined) {
      const e = op.entry;
      (op as RingItem).queued = false;
      this.host.dissect(conn, (d) => d.push(e.dir, e.bytes, e.t));
    } else {
      this.host.dissect(conn, op.step!);
      if (op.last) {
        conn.dissector = undefined;
        conn.dissects = false;
      }
    }
    if (this.backlog !== q) return; // disposed meanwhile
    if (this.backlogHead === q.length) {
      q.length = 0;
      this.backlogHead = 0;
    } else if (this.backlogHead > 1024 && this.backlogHead * 2 > q.length) {
      q.splice(0, this.backlogHead);
      this.backlogHead = 0;
    }
  }

  /** Nothing is dissected any more: what waits is dropped (the store is disposed). */
  dispose(): void {
    this.backlog = [];
    this.backlogHead = 0;
  }
}
