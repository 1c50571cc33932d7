// The UI's model of what the host told it: the connections (each a
// ConnCapture, conn-capture.ts), in the order they opened, and every change a
// host message makes to them: chunks, snapshots, bytes asked for, drops,
// dissected messages, HTTP results (a send that failed before it had a
// connection gets a placeholder one, `attempt:REQID`), WebSocket sessions and
// their logs, and the exchange summaries and byte counts the network list
// shows. The App decides what to show (selection, notices); the state changes
// are here, without the DOM, so they are unit-tested. Views read it and redraw
// on 'change'.
import type {
  Base64,
  ChunkView,
  ConnectionInfo,
  ConnectionTraffic,
  Direction,
  DissectedMessage,
  ExchangeSummary,
  HttpExchangeView,
  HttpRequestSpec,
  ToWebview,
} from '../../server-core/protocol/playground.js';
import { ByteCache } from './byte-cache.js';
import { fromBase64 } from './bytes-util.js';
import { ConnCapture, MAX_KEPT_RECORDS, type RequestBytes } from './conn-capture.js';
import { mergeExchanges } from './kept-exchanges.js';
import type { NetworkSource } from './network/network-model.js';

type Listener = (connectionId: string | null) => void;
type Of<T extends ToWebview['type']> = Extract<ToWebview, { type: T }>;

export interface StoreOptions {
  /** Asks the host for bytes the UI does not hold (absent: no host, every byte is pinned). */
  requestBytes?: RequestBytes;
  /** The bytes held across all connections. Default: ByteCache's default budget. */
  cache?: ByteCache;
}

/** The prefix of a failed send's placeholder connection (it never had a real one). */
export const ATTEMPT_PREFIX = 'attempt:';

export class Store implements NetworkSource {
  readonly connections = new Map<string, ConnCapture>();
  /** Exchange summaries by connection, then by sequence (network.update). */
  private readonly summaries = new Map<string, Map<number, ExchangeSummary>>();
  private readonly counts = new Map<string, ConnectionTraffic>();
  /** Requests sent and not yet started or failed: what was sent, and when. */
  private readonly sending = new Map<string, { spec: HttpRequestSpec; wallTime: number }>();
  /** Connection ids in open order. */
  order: string[] = [];
  readonly cache: ByteCache;
  private readonly listeners = new Set<Listener>();
  /** WebSocket session id → its connection id. */
  private readonly wsSessions = new Map<string, string>();

  constructor(private readonly options: StoreOptions = {}) {
    this.cache = options.cache ?? new ByteCache();
  }

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed(connectionId: string | null): void {
    for (const fn of this.listeners) fn(connectionId);
  }

  private create(info: ConnectionInfo): ConnCapture {
    return new ConnCapture(info, this.cache, this.options.requestBytes);
  }

  open(info: ConnectionInfo): ConnCapture {
    let c = this.connections.get(info.connectionId);
    if (c) {
      c.info = { ...c.info, ...info };
    } else {
      c = this.create(info);
      this.connections.set(info.connectionId, c);
      this.order.push(info.connectionId);
    }
    this.changed(info.connectionId);
    return c;
  }

  get(id: string): ConnCapture | undefined {
    return this.connections.get(id);
  }

  // ---------------------------------------------------------------- NetworkSource

  connection(id: string): ConnCapture | undefined {
    return this.connections.get(id);
  }

  exchanges(id: string): Iterable<ExchangeSummary> | undefined {
    return this.summaries.get(id)?.values();
  }

  traffic(id: string): ConnectionTraffic | undefined {
    return this.counts.get(id);
  }

  /** network.update (and init): exchange summaries and byte counts, upserted. */
  network(exchanges: readonly ExchangeSummary[], traffic: readonly ConnectionTraffic[]): void {
    const touched = new Set<string>();
    for (const x of exchanges) {
      let m = this.summaries.get(x.connectionId);
      if (!m) this.summaries.set(x.connectionId, (m = new Map()));
      m.set(x.sequence, x);
      touched.add(x.connectionId);
    }
    for (const t of traffic) {
      this.counts.set(t.connectionId, t);
      touched.add(t.connectionId);
    }
    for (const id of touched) if (this.connections.has(id)) this.changed(id);
  }

  /** Returns the capture, creating a placeholder when a chunk arrives before its open event. */
  ensure(id: string): ConnCapture {
    return (
      this.connections.get(id) ??
      this.open({ connectionId: id, side: 'client', protocol: 'raw', label: id, remote: '', t: 0, wallTime: Date.now() })
    );
  }

  addChunks(id: string, chunks: ChunkView[]): void {
    const c = this.ensure(id);
    for (const ch of chunks) c.addChunk(ch.dir, ch.t, ch.bytes === undefined ? undefined : fromBase64(ch.bytes), ch.offset, ch.length);
    this.changed(id);
  }

  /**
   * A capture snapshot: the connection's chunks and messages replace what the
   * UI had; its HTTP results and WebSocket log stay, and the results the host
   * kept (`http`: this UI may be new, after a reload) are merged in first.
   */
  snapshot(id: string, chunks: ChunkView[], messages: DissectedMessage[], http?: HttpExchangeView[]): void {
    const old = this.ensure(id);
    if (http?.length) mergeExchanges(old, http);
    const c = this.create(old.info);
    c.http = old.http;
    c.ws = old.ws;
    old.release();
    this.connections.set(id, c);
    for (const ch of chunks) c.addChunk(ch.dir, ch.t, ch.bytes === undefined ? undefined : fromBase64(ch.bytes), ch.offset, ch.length);
    c.upsertMessages(messages);
    this.changed(id);
  }

  /** The host's answer to a byte request; ignored when the connection is gone. */
  receiveBytes(id: string, dir: Direction, start: number, end: number, offset: number, bytes: Base64): void {
    const c = this.connections.get(id);
    if (!c) return;
    c.answer(dir, start, end, offset, fromBase64(bytes));
    this.changed(id);
  }

  /** The host's capture dropped the oldest bytes of a connection. */
  dropped(id: string, dir: Direction, before: number): void {
    const c = this.connections.get(id);
    if (!c) return;
    c.dropBefore(dir, before);
    this.changed(id);
  }

  /** The host reconnected: requests it had not answered are lost, so they may be asked again at once. */
  forgetRequests(): void {
    for (const c of this.connections.values()) {
      c.bytes.c2s.forgetAsked();
      c.bytes.s2c.forgetAsked();
    }
  }

  // ---------------------------------------------------------------- host messages

  /** A connection the host named before announcing it (a session's state, a result): a placeholder until its open arrives. */
  connectionFor(id: string, info?: Partial<ConnectionInfo>): ConnCapture {
    return this.get(id) ?? this.open({ connectionId: id, side: 'client', protocol: 'http', label: id, remote: '', t: performance.now(), wallTime: Date.now(), ...info });
  }

  /** http.send, as it leaves: what was sent, for its result or its failure. */
  sent(reqId: string, spec: HttpRequestSpec): void {
    this.sending.set(reqId, { spec, wallTime: Date.now() });
  }

  /** http.started: the request (as the composer sent it) is on its connection, waiting for its response. */
  httpStarted(m: Of<'http.started'>): ConnCapture {
    const c = this.connectionFor(m.connectionId);
    const sent = this.sending.get(m.reqId);
    this.sending.delete(m.reqId);
    c.http.push({ reqId: m.reqId, tSent: performance.now(), ...(sent ? { spec: sent.spec } : {}) });
    this.touch(c);
    return c;
  }

  /** http.records: a streamed response's records so far (the latest are kept, the count is exact). */
  httpRecords(m: Of<'http.records'>): ConnCapture {
    const c = this.connectionFor(m.connectionId);
    let x = c.http.find((h) => h.reqId === m.reqId);
    if (!x) c.http.push((x = { reqId: m.reqId, tSent: performance.now() }));
    const kept = (x.records ??= []);
    for (const r of m.records) kept.push(r);
    if (kept.length > MAX_KEPT_RECORDS) kept.splice(0, kept.length - MAX_KEPT_RECORDS);
    x.recordCount = (x.recordCount ?? 0) + m.records.length;
    this.touch(c);
    return c;
  }

  /** http.response: the exchange gets its response and timing. */
  httpResponse(m: Of<'http.response'>): ConnCapture {
    const c = this.connectionFor(m.connectionId);
    let x = c.http.find((h) => h.reqId === m.reqId);
    if (!x) c.http.push((x = { reqId: m.reqId, tSent: performance.now() }));
    x.response = m.response;
    x.timing = m.timing;
    this.touch(c);
    return c;
  }

  /**
   * http.error: the exchange failed, with its reason and timing so far. On its connection when it had one; else on
   * a placeholder connection (`attempt:REQID`, closed, no bytes) so the failure is a result to select like any other.
   * Undefined for a request this UI did not send (another page's).
   */
  httpError(m: Of<'http.error'>): ConnCapture | undefined {
    const sent = this.sending.get(m.reqId);
    this.sending.delete(m.reqId);
    let c = m.connectionId ? this.get(m.connectionId) : undefined;
    c ??= [...this.connections.values()].find((x) => x.http.some((h) => h.reqId === m.reqId));
    if (!c) {
      if (!sent) return undefined;
      const wallTime = m.wallTime ?? sent.wallTime;
      const t = performance.now() - (Date.now() - wallTime);
      c = this.open({
        connectionId: `${ATTEMPT_PREFIX}${m.reqId}`,
        side: 'client',
        protocol: 'http',
        label: `${sent.spec.method} ${sent.spec.url}`,
        remote: addressOf(sent.spec.url),
        t,
        wallTime,
        closed: { t: t + (m.timing?.total ?? 0), reason: m.failure?.kind ?? 'failed' },
      });
    }
    let x = c.http.find((h) => h.reqId === m.reqId);
    if (!x) c.http.push((x = { reqId: m.reqId, tSent: performance.now(), ...(sent ? { spec: sent.spec } : {}) }));
    x.error = m.message;
    if (m.failure) x.failure = m.failure;
    if (m.timing) x.timing = m.timing;
    this.touch(c);
    return c;
  }

  /** ws.state: a session's connection, once the host names it, is a WebSocket connection; its messages go there. */
  wsState(m: Of<'ws.state'>): ConnCapture | undefined {
    if (!m.connectionId) return undefined;
    const c = this.connectionFor(m.connectionId, { protocol: 'ws' });
    this.wsSessions.set(m.sessionId, m.connectionId);
    this.touch(c);
    return c;
  }

  /** ws.attached: a session the host opened (or re-announces); its messages go to its connection. */
  wsAttached(m: Of<'ws.attached'>): ConnCapture {
    this.wsSessions.set(m.sessionId, m.connectionId);
    return this.connectionFor(m.connectionId, { protocol: 'ws', label: m.url });
  }

  /** ws.message: one more entry in the session's log. */
  wsMessage(m: Of<'ws.message'>): void {
    const id = this.wsSessions.get(m.sessionId);
    const c = id === undefined ? undefined : this.get(id);
    if (!c) return;
    c.ws.push({ dir: m.dir, opcode: m.opcode, data: fromBase64(m.data), t: m.t });
    this.touch(c);
  }

  /** raw.state: a raw session's connection, once named. */
  rawState(m: Of<'raw.state'>): ConnCapture | undefined {
    return m.connectionId ? this.connectionFor(m.connectionId, { protocol: 'raw' }) : undefined;
  }

  /** connection.closed */
  closed(m: Of<'connection.closed'>): void {
    const c = this.get(m.connectionId);
    if (!c) return;
    c.info = { ...c.info, closed: { t: m.t, reason: m.reason } };
    this.touch(c);
  }

  /** capture.messages: dissected messages, new or updated. */
  messages(id: string, messages: DissectedMessage[]): void {
    this.ensure(id).upsertMessages(messages);
    this.changed(id);
  }

  /** A change a view shows: bump the connection's version and tell the listeners. */
  private touch(c: ConnCapture): void {
    c.version++;
    this.changed(c.info.connectionId);
  }

  /** Loads a capture whose bytes are already decoded and have no host behind them (fixtures, benchmarks). */
  load(info: ConnectionInfo, chunks: { dir: Direction; t: number; bytes: Uint8Array }[], messages: DissectedMessage[]): ConnCapture {
    const c = new ConnCapture(info, this.cache);
    const old = this.connections.get(info.connectionId);
    if (old) old.release();
    else this.order.push(info.connectionId);
    this.connections.set(info.connectionId, c);
    for (const ch of chunks) c.addChunk(ch.dir, ch.t, ch.bytes, undefined, undefined, true);
    c.upsertMessages(messages);
    this.changed(info.connectionId);
    return c;
  }

  clear(): void {
    for (const c of this.connections.values()) c.release();
    this.connections.clear();
    this.summaries.clear();
    this.counts.clear();
    this.order = [];
    this.changed(null);
  }
}

/** host:port of a request URL, as the network list names where it went. */
function addressOf(url: string): string {
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
}
