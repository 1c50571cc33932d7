// The network list's rows, in the manner of a browser's network panel: one row
// per HTTP exchange, or per WebSocket session or raw TCP connection, in the
// order they started. The two ends of one connection (the playground's client
// side and the Wireplay server's side, tied by peerConnectionId) are one row
// with both connection ids, so the inspector can switch between them. A send
// that failed before it had a connection is a row too (its placeholder
// connection, `attempt:…`).
//
// Built from what the store knows (NetworkSource): connections, the host's
// exchange summaries and byte counts, the playground's own HTTP results. It is
// incremental: a change to a connection rebuilds only the rows of its group,
// in place, and the filtered view is one pass over the row list per frame, so
// 100,000 rows stay cheap (bench/playground.bench.ts). No DOM here.
//
// Later kinds fit the same row: an SSE stream is an HTTP exchange of type
// 'sse', a proxy's legs set `leg`, a server request's pipeline is an action.
import type { ConnectionInfo, ConnectionTraffic, ExchangeSummary, FailureView, HttpRequestSpec, HttpResponseView, TimingBreakdown } from '../../../server-core/protocol/playground.js';

export const ROW_TYPES = ['http', 'ws', 'sse', 'raw'] as const;
/** The label suffix of a connection the panel state brought back (kept-exchanges.ts's RESTORED_SUFFIX). */
const RESTORED = ' (restored after a reload)';
export type RowType = (typeof ROW_TYPES)[number];

/** Something a row offers besides being inspected (issue 18's "open pipeline" will be one). */
export interface RowAction {
  id: string;
  label: string;
}

export interface NetRow {
  /** Stable while the row exists: `${group}#${sequence}` for an exchange, `${group}` for a session. */
  key: string;
  /** The connection the row belongs to (the client side when both ends are known). */
  group: string;
  type: RowType;
  /** The connections of each side, as far as known (at least one). */
  client?: string;
  server?: string;
  /** The exchange's number on its connection, for HTTP. */
  sequence?: number;
  /** 'GET', 'WS', 'TCP'… */
  method: string;
  /** '/echo?x=1', or host:port for a raw connection. */
  path: string;
  /** The server (client side) or the peer it came from (server side). */
  host: string;
  status?: number;
  /** Status in words: '200 OK', '101 open', 'failed', 'pending', 'closed'. Never a colour alone. */
  statusText: string;
  /** Counts as an error for the filter: failed, malformed, or a 4xx/5xx status. */
  failed: boolean;
  /** Bytes: the response's (HTTP), both directions' (sessions). */
  size?: number;
  /** Duration in ms (to the last byte so far while live). */
  time?: number;
  /** Wall-clock ms of its first byte (or of the attempt). */
  startedAt: number;
  /** Still in flight, or open. */
  live: boolean;
  failure?: FailureView;
  /** A remark shown after the path ('restored after a reload'). */
  note?: string;
  /** A proxy's leg (issue 17): 'client' is client ↔ proxy, 'upstream' proxy ↔ target (LEG_LABEL words them). */
  leg?: 'client' | 'upstream';
  actions?: readonly RowAction[];
  /** Lower-case text the filter box searches. */
  search: string;
}

/** One playground HTTP result, as the store keeps it. */
export interface NetHttpResult {
  spec?: HttpRequestSpec;
  response?: HttpResponseView;
  timing?: TimingBreakdown;
  error?: string;
  failure?: FailureView;
}

export interface NetConnection {
  info: ConnectionInfo;
  http: readonly NetHttpResult[];
}

/** Where the rows come from (the Store; a plain object in tests). */
export interface NetworkSource {
  connection(id: string): NetConnection | undefined;
  /** The exchanges the host reported for a connection (any order). */
  exchanges(id: string): Iterable<ExchangeSummary> | undefined;
  traffic(id: string): ConnectionTraffic | undefined;
}

export interface NetworkFilter {
  /** Matched, case-insensitively, against method, path, host and status. */
  text: string;
  /** The row types shown; empty: all. ('http' includes 'sse'.) */
  types: RowType[];
  /** Only the rows that failed (with the types above). */
  errors: boolean;
}

export const DEFAULT_FILTER: Readonly<NetworkFilter> = Object.freeze({ text: '', types: [], errors: false });

interface Placed extends NetRow {
  /** Index in the arrival-ordered list. */
  pos: number;
}

function pathOf(url: string): string {
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`);
    return `${u.pathname}${u.search}` || '/';
  } catch {
    return url;
  }
}

/** Which leg of the recording proxy a connection is (absent for any other connection). */
function legOf(info: ConnectionInfo): NetRow['leg'] {
  return info.role === 'proxy-downstream' ? 'client' : info.role === 'proxy-upstream' ? 'upstream' : undefined;
}

/** A proxy leg in words, for the row's label and its accessible name. */
export const LEG_LABEL: Record<NonNullable<NetRow['leg']>, string> = { client: 'client → proxy', upstream: 'proxy → upstream' };

function hostOf(info: ConnectionInfo): string {
  return info.side === 'server' ? `from ${info.remote}` : info.remote;
}

export class NetworkModel {
  /** Rows in arrival order; removed ones leave a hole until the next compaction. */
  private order: (Placed | null)[] = [];
  private holes = 0;
  private readonly groups = new Map<string, Placed[]>();
  private readonly groupOf = new Map<string, string>();
  private readonly keys = new Map<string, Placed>();
  private dirty = new Set<string>();
  private visible: number[] = [];
  private filter: NetworkFilter = { ...DEFAULT_FILTER, types: [] };
  private filterDirty = true;

  constructor(private readonly source: NetworkSource) {}

  /** A connection changed (opened, closed, linked, got bytes, results or summaries): its rows are rebuilt at the next commit. */
  touch(connectionId: string): void {
    this.dirty.add(connectionId);
  }

  clear(): void {
    this.order = [];
    this.holes = 0;
    this.groups.clear();
    this.groupOf.clear();
    this.keys.clear();
    this.dirty.clear();
    this.visible = [];
    this.filterDirty = true;
  }

  setFilter(filter: NetworkFilter): void {
    this.filter = { text: filter.text, types: [...filter.types], errors: filter.errors };
    this.filterDirty = true;
  }

  get currentFilter(): NetworkFilter {
    return this.filter;
  }

  /** Applies the changes since the last commit; true when the rows or the view changed. */
  commit(): boolean {
    if (!this.dirty.size && !this.filterDirty) return false;
    const groups = new Set<string>();
    for (const id of this.dirty) {
      const c = this.source.connection(id);
      const prev = this.groupOf.get(id);
      if (!c) {
        if (prev !== undefined) {
          this.groupOf.delete(id);
          groups.add(prev);
        }
        continue;
      }
      const g = this.groupFor(c);
      if (prev !== undefined && prev !== g) groups.add(prev);
      this.groupOf.set(id, g);
      groups.add(g);
      // A server side that had its own rows before it was tied to its client joins the client's rows.
      const peer = c.info.side === 'client' ? c.info.peerConnectionId : undefined;
      if (peer !== undefined && this.groupOf.get(peer) === peer) {
        this.groupOf.set(peer, g);
        groups.add(peer);
      }
    }
    this.dirty = new Set();
    for (const g of groups) this.rebuild(g);
    if (this.holes > 1024 && this.holes > this.order.length / 4) this.compact();
    this.applyFilter();
    return true;
  }

  /** Rows shown (after the filter). */
  get length(): number {
    return this.visible.length;
  }

  /** All rows, filtered or not. */
  get total(): number {
    return this.order.length - this.holes;
  }

  row(i: number): NetRow | undefined {
    const pos = this.visible[i];
    return pos === undefined ? undefined : (this.order[pos] ?? undefined);
  }

  byKey(key: string): NetRow | undefined {
    return this.keys.get(key);
  }

  /** The index of a row among the rows shown, or -1. */
  indexOfKey(key: string): number {
    const r = this.keys.get(key);
    if (!r) return -1;
    // Binary search: visible holds positions in ascending order.
    let lo = 0;
    let hi = this.visible.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const p = this.visible[mid];
      if (p === r.pos) return mid;
      if (p < r.pos) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The row that shows a connection (the first of its group when it carries several exchanges). */
  rowOfConnection(connectionId: string, sequence?: number): NetRow | undefined {
    const g = this.groupOf.get(connectionId);
    const rows = g === undefined ? undefined : this.groups.get(g);
    if (!rows?.length) return undefined;
    return (sequence !== undefined && rows.find((r) => r.sequence === sequence)) || rows[0];
  }

  private groupFor(c: NetConnection): string {
    const peer = c.info.peerConnectionId;
    if (c.info.side === 'server' && peer !== undefined && this.source.connection(peer)?.info.side === 'client') return peer;
    return c.info.connectionId;
  }

  /** Rebuilds a group's rows in place: same positions for the rows it keeps, new ones at the end. */
  private rebuild(g: string): void {
    const old = this.groups.get(g) ?? [];
    const fresh = this.groupOf.get(g) === g || this.groupOf.get(g) === undefined ? this.rowsOf(g) : [];
    const placed: Placed[] = [];
    for (let i = 0; i < fresh.length; i++) {
      const prev = old[i];
      let pos: number;
      if (prev) pos = prev.pos;
      else {
        pos = this.order.length;
        this.order.push(null);
      }
      const row = fresh[i];
      row.pos = pos;
      this.order[pos] = row;
      if (prev && prev.key !== row.key) this.keys.delete(prev.key);
      this.keys.set(row.key, row);
      placed.push(row);
    }
    for (let i = fresh.length; i < old.length; i++) {
      this.order[old[i].pos] = null;
      this.holes++;
      if (this.keys.get(old[i].key) === old[i]) this.keys.delete(old[i].key);
    }
    if (placed.length) this.groups.set(g, placed);
    else this.groups.delete(g);
  }

  private compact(): void {
    const order: (Placed | null)[] = [];
    for (const r of this.order) {
      if (!r) continue;
      r.pos = order.length;
      order.push(r);
    }
    this.order = order;
    this.holes = 0;
  }

  private applyFilter(): void {
    this.filterDirty = false;
    const f = this.filter;
    const text = f.text.trim().toLowerCase();
    const types = f.types.length ? new Set<RowType>(f.types.includes('http') ? [...f.types, 'sse'] : f.types) : undefined;
    const out: number[] = [];
    const order = this.order;
    for (let i = 0; i < order.length; i++) {
      const r = order[i];
      if (!r) continue;
      if (types && !types.has(r.type)) continue;
      if (f.errors && !r.failed) continue;
      if (text && !r.search.includes(text)) continue;
      out.push(i);
    }
    this.visible = out;
  }

  /** The rows a group shows now (not yet placed: pos -1). */
  private rowsOf(g: string): Placed[] {
    const first = this.source.connection(g);
    if (!first) return [];
    const client = first.info.side === 'client' ? first : undefined;
    const peer = client?.info.peerConnectionId !== undefined ? this.source.connection(client.info.peerConnectionId) : undefined;
    const server = first.info.side === 'server' ? first : peer?.info.side === 'server' ? peer : undefined;
    const main = client ?? server!;
    const info = main.info;
    const base = { group: g, ...(client ? { client: client.info.connectionId } : {}), ...(server ? { server: server.info.connectionId } : {}) };
    const traffic = this.source.traffic(info.connectionId) ?? (server && this.source.traffic(server.info.connectionId));
    const closedAt = info.closed?.t;
    const wallAt = (t: number) => info.wallTime + (t - info.t);
    const leg = legOf(info);
    const bySeq = new Map<number, ExchangeSummary>();
    if (server) for (const x of this.source.exchanges(server.info.connectionId) ?? []) bySeq.set(x.sequence, x);
    if (client) for (const x of this.source.exchanges(client.info.connectionId) ?? []) bySeq.set(x.sequence, x);

    if (info.protocol === 'ws' || info.protocol === 'raw') {
      const ws = info.protocol === 'ws';
      const hs = bySeq.get(0);
      const size = traffic ? traffic.c2s + traffic.s2c : undefined;
      const end = closedAt ?? traffic?.tLast;
      const closed = info.closed ? `closed${info.closed.reason ? ` (${info.closed.reason})` : ''}` : 'open';
      const row: Placed = {
        key: g,
        pos: -1,
        ...base,
        type: ws ? 'ws' : 'raw',
        method: ws ? 'WS' : 'TCP',
        path: ws ? (hs?.target ?? pathOf(info.label)) : info.remote,
        host: hostOf(info),
        ...(ws ? { status: hs?.status ?? 101 } : {}),
        statusText: ws ? `${hs?.status ?? 101} ${closed}` : closed,
        failed: !!info.closed?.reason && /error|reset|timeout|refused/i.test(info.closed.reason),
        ...(size !== undefined ? { size } : {}),
        ...(end !== undefined ? { time: Math.max(0, end - info.t) } : {}),
        startedAt: info.wallTime,
        live: !info.closed,
        search: '',
      };
      if (leg) row.leg = leg;
      row.search = `${row.method} ${row.path} ${row.host} ${row.statusText}${leg ? ` proxy ${LEG_LABEL[leg]}` : ''}`.toLowerCase();
      return [row];
    }

    const results = client?.http ?? [];
    let count = Math.max(1, results.length);
    for (const k of bySeq.keys()) if (k + 1 > count) count = k + 1;
    const host = hostOf(info);
    const restored = info.label.endsWith(RESTORED);
    const rows: Placed[] = [];
    for (let k = 0; k < count; k++) {
      const x = bySeq.get(k);
      const r = results[k] as NetHttpResult | undefined;
      if (!x && !r && k > 0) continue;
      const status = x?.status ?? r?.response?.statusCode;
      const reason = x?.reason ?? r?.response?.reason ?? '';
      const failure = r?.failure;
      const error = r?.error ?? x?.error;
      const live = !info.closed && status === undefined && !error;
      let statusText: string;
      if (failure || r?.error) statusText = `failed: ${failure?.kind === 'other' || !failure ? 'error' : failure.kind}`;
      else if (status !== undefined) statusText = `${status}${reason ? ` ${reason}` : ''}${x?.error ? ' (malformed)' : ''}`;
      else if (x?.error) statusText = 'malformed';
      else statusText = live ? 'pending' : 'no response';
      const method = x?.method ?? r?.spec?.method ?? '—';
      const path = r?.spec ? pathOf(r.spec.url) : (x?.target ?? pathOf(info.label.replace(/^\S+\s+/, '')));
      // Built field by field (no spreads): a list of 100 000 rows rebuilds many of these per frame.
      const row: Placed = {
        key: `${g}#${k}`,
        pos: -1,
        group: g,
        type: x?.contentType !== undefined && /^text\/event-stream\b/i.test(x.contentType) ? 'sse' : 'http',
        sequence: k,
        method,
        path,
        host,
        statusText,
        failed: !!error || (status !== undefined && status >= 400),
        startedAt: x ? wallAt(x.tStart) : info.wallTime,
        live,
        search: `${method} ${path} ${host} ${statusText}`.toLowerCase(),
      };
      if (client) row.client = client.info.connectionId;
      if (server) row.server = server.info.connectionId;
      if (status !== undefined) row.status = status;
      const size = x?.responseBytes || r?.response?.wireBytes;
      if (size !== undefined && (x?.responseBytes || r?.response)) row.size = size;
      const time = x ? x.tEnd - x.tStart : r?.timing?.total;
      if (time !== undefined) row.time = time;
      if (failure) row.failure = failure;
      if (leg) {
        row.leg = leg;
        row.search += ` proxy ${LEG_LABEL[leg]}`;
      }
      if (restored) {
        row.note = 'restored after a reload';
        row.search += ' restored';
      }
      rows.push(row);
    }
    return rows;
  }
}
