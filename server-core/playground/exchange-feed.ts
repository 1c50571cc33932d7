// The network list's feed: for every connection the capture holds (followed by
// the UI or not), one summary per HTTP exchange (method, target, status,
// sizes, times) from the dissected messages, and the connection's byte counts.
// Both are kept (bounded by the capture: a connection the store forgets is
// forgotten here) for the UI's init, and what changed is pushed with the live
// batch as one `network.update` per flush, so a load test against the server
// costs the UI one small object per exchange, not its bytes.
import type { CaptureStore } from '../capture/capture-store.js';
import type { DetailedMessage } from '../capture/dissector.js';
import type { ConnectionTraffic, ExchangeSummary } from '../protocol/network.js';
import type { ToWebview } from '../protocol/playground.js';
import { DisposableStore, type Disposable } from '../util/disposable.js';
import type { LivePush } from './live-push.js';

const key = (connectionId: string, sequence: number) => `${connectionId}#${sequence}`;

export class ExchangeFeed implements Disposable {
  /** connectionId → its exchanges by sequence. */
  private readonly exchanges = new Map<string, Map<number, ExchangeSummary>>();
  private readonly traffic = new Map<string, ConnectionTraffic>();
  private changedExchanges = new Map<string, ExchangeSummary>();
  private changedTraffic = new Set<string>();
  private readonly disposables = new DisposableStore();

  constructor(
    store: CaptureStore,
    private readonly post: (m: ToWebview) => void,
    private readonly push: LivePush,
  ) {
    const ev = store.events;
    push.onFlush(() => this.flush());
    this.disposables.add(ev.on('message', (m) => this.message(m as DetailedMessage)));
    this.disposables.add(
      ev.on('chunk', ({ connectionId, entry }) => {
        let t = this.traffic.get(connectionId);
        if (!t) this.traffic.set(connectionId, (t = { connectionId, c2s: 0, s2c: 0, tLast: entry.t }));
        t[entry.dir] += entry.bytes.length;
        t.tLast = entry.t;
        this.changedTraffic.add(connectionId);
        this.push.schedule();
      }),
    );
    this.disposables.add(ev.on('removed', ({ connectionId }) => this.forget(connectionId)));
    this.disposables.add(ev.on('clear', () => this.clear()));
  }

  /** Everything kept, for the UI's init. */
  snapshot(): { exchanges: ExchangeSummary[]; traffic: ConnectionTraffic[] } {
    const exchanges: ExchangeSummary[] = [];
    for (const m of this.exchanges.values()) exchanges.push(...m.values());
    return { exchanges, traffic: [...this.traffic.values()] };
  }

  clear(): void {
    this.exchanges.clear();
    this.traffic.clear();
    this.changedExchanges.clear();
    this.changedTraffic.clear();
  }

  dispose(): void {
    this.disposables.dispose();
  }

  private message(m: DetailedMessage): void {
    if (m.kind !== 'http-request' && m.kind !== 'http-response') return;
    // A response the dissector could not pair with a request has no sequence: it gets the next free one.
    let perConn = this.exchanges.get(m.connectionId);
    if (!perConn) this.exchanges.set(m.connectionId, (perConn = new Map()));
    const sequence = m.sequence ?? perConn.size;
    let x = perConn.get(sequence);
    if (!x) perConn.set(sequence, (x = { connectionId: m.connectionId, sequence, requestBytes: 0, responseBytes: 0, tStart: m.tStart, tEnd: m.tEnd }));
    const size = m.range.end - m.range.start;
    const d = m.http;
    if (m.kind === 'http-request') {
      x.requestBytes = size;
      x.tStart = m.tStart;
      if (d?.method !== undefined) x.method = d.method;
      if (d?.target !== undefined) x.target = d.target;
    } else {
      x.responseBytes = size;
      if (d?.statusCode !== undefined) x.status = d.statusCode;
      if (d?.reason !== undefined) x.reason = d.reason;
      const type = d?.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value;
      if (type !== undefined) x.contentType = type;
      // A response seen before its request (a capture that starts mid-connection) starts the exchange.
      if (!x.requestBytes) x.tStart = Math.min(x.tStart, m.tStart);
    }
    x.tEnd = Math.max(x.tEnd, m.tEnd);
    if (m.error) x.error = m.error.message;
    this.changedExchanges.set(key(m.connectionId, sequence), x);
    this.push.schedule();
  }

  private forget(connectionId: string): void {
    const m = this.exchanges.get(connectionId);
    if (m) for (const s of m.keys()) this.changedExchanges.delete(key(connectionId, s));
    this.exchanges.delete(connectionId);
    this.traffic.delete(connectionId);
    this.changedTraffic.delete(connectionId);
  }

  private flush(): void {
    if (!this.changedExchanges.size && !this.changedTraffic.size) return;
    const exchanges = [...this.changedExchanges.values()].map((x) => ({ ...x }));
    const traffic: ConnectionTraffic[] = [];
    for (const id of this.changedTraffic) {
      const t = this.traffic.get(id);
      if (t) traffic.push({ ...t });
    }
    this.changedExchanges = new Map();
    this.changedTraffic = new Set();
    this.post({ type: 'network.update', exchanges, traffic });
  }
}
