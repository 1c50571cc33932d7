// The Connections and Recent Traffic views' items (see tree-model.ts): open
// connections first, newest on top, the closed ones under one "Closed" node;
// each connection holds its exchanges. Traffic rows newest first, capped, the
// rest counted in a last row that offers the export. The counts these return
// are what the badge and the view descriptions say, so each says what it counts.
//
// Traffic through the recording proxy (Wireplay: Start Proxy…) is marked: an
// exchange row says "proxied" and holds its two legs (client ↔ proxy, and
// proxy ↔ target with the target's time and the proxy's own); in Connections,
// a proxy ↔ target connection is listed under the client connection it serves.
import type { ConnectionRow, TrafficRow } from '../../server-core/protocol/sidebar.js';
import { bytes, clock, duration, plural, type ItemIcon, type ItemModel } from './tree-model.js';

/** Rows a list shows at most; the capture keeps more (Export Capture writes them all). */
export const MAX_LISTED = 500;

const PROTOCOL_LABEL: Record<ConnectionRow['protocol'], string> = { http: 'HTTP', ws: 'WS', raw: 'TCP' };
const PROTOCOL_ICON: Record<ConnectionRow['protocol'], string> = { http: 'globe', ws: 'comment-discussion', raw: 'terminal' };

/** Loopback peers show as `:port` (the address says nothing in a narrow sidebar); others in full. */
export function shortPeer(peer: string): string {
  const m = /^(?:127\.0\.0\.1|::1|::ffff:127\.0\.0\.1):(\d+)$/.exec(peer);
  return m ? `:${m[1]}` : peer;
}

function statusWords(status: number): string {
  if (status === 101) return 'switched to WebSocket';
  if (status >= 500) return 'server error';
  if (status >= 400) return 'client error';
  if (status >= 300) return 'redirect';
  if (status >= 200) return 'success';
  return 'informational';
}

function statusIcon(row: TrafficRow): ItemIcon {
  if (row.kind === 'ws') return { id: 'comment-discussion', color: row.done ? undefined : 'charts.purple' };
  const s = row.status;
  if (s === undefined) return { id: 'loading~spin' };
  if (s >= 500) return { id: 'error', color: 'errorForeground' };
  if (s >= 400) return { id: 'warning', color: 'editorWarning.foreground' };
  if (s >= 300) return { id: 'arrow-right', color: 'charts.blue' };
  return { id: 'pass', color: 'testing.iconPassed' };
}

/** One exchange (or WebSocket session): `GET /echo` — `200 · 3.1 ms · 14:03:07` (`200 · proxied · …` through the proxy). */
export function trafficItem(row: TrafficRow, idPrefix = 'traffic'): ItemModel {
  const when = clock(row.startedAt);
  const parts: string[] = [row.status === undefined ? (row.done ? 'no response' : 'waiting') : String(row.status)];
  if (row.proxy) parts.push('proxied');
  if (row.kind === 'ws') parts.push(plural(row.messages ?? 0, 'frame'), row.done ? 'ended' : 'live');
  else if (row.durationMs !== undefined) parts.push(duration(row.durationMs));
  parts.push(when);
  let said = row.kind === 'ws' ? 'WebSocket session' : row.status === undefined ? (row.done ? 'no response' : 'waiting for the response') : statusWords(row.status);
  if (row.proxy) said = `${said}, through the proxy to ${row.proxy.origin}${row.proxy.answer ? `, answered by the proxy (${row.proxy.answer})` : ''}`;
  const label = `${row.method} ${row.target}`;
  const legs = row.proxy ? proxyLegItems(row, `${idPrefix}:${row.id}`) : [];
  return {
    id: `${idPrefix}:${row.id}`,
    label,
    description: parts.join(' · '),
    tooltip: `${label}\n${parts.join(' · ')} (${said})\nconnection ${row.connectionId}${row.routeKind ? `\nanswered by a ${row.routeKind} route` : ''}${row.proxy?.error ? `\n${row.proxy.error}` : ''}\nClick to open it in the playground inspector.`,
    icon: statusIcon(row),
    contextValue: row.kind === 'http' ? (row.proxy ? 'wireplay.traffic.proxied' : 'wireplay.traffic.http') : 'wireplay.traffic.ws',
    command: { id: 'wireplay.openTrafficItem', title: 'Open in Inspector' },
    ariaDetail: said,
    ref: { trafficId: row.id, connectionId: row.connectionId, http: row.kind === 'http' },
    ...(legs.length ? { collapsible: 'collapsed' as const, children: legs } : {}),
    ...(row.routeKind ? { routeKind: row.routeKind } : {}),
  };
}

/** A proxied exchange's two legs: each opens its connection in the inspector. */
function proxyLegItems(row: TrafficRow, idPrefix: string): ItemModel[] {
  const p = row.proxy!;
  const target = p.origin.replace(/^https?:\/\//, '');
  const down: ItemModel = {
    id: `${idPrefix}:down`,
    label: 'client ↔ proxy',
    description: row.connectionId,
    tooltip: `The client's connection to the proxy (${row.connectionId}): what the client sent and got.\nClick to open it in the playground inspector.`,
    icon: { id: 'arrow-both' },
    contextValue: 'wireplay.connection',
    command: { id: 'wireplay.openTrafficItem', title: 'Open in Inspector' },
    ariaDetail: 'The client leg of a proxied exchange',
    ref: { connectionId: row.connectionId },
  };
  if (p.upstreamId === undefined) {
    const why = p.answer ? `not forwarded: the proxy answered (${p.answer})` : p.outcome ? 'not forwarded' : 'not forwarded yet';
    return [down, { id: `${idPrefix}:up`, label: `proxy → ${target}`, description: why, tooltip: `${why}${p.error ? `\n${p.error}` : ''}`, icon: { id: 'circle-slash' }, ariaDetail: why }];
  }
  const times = [p.upstreamMs !== undefined ? `target ${duration(p.upstreamMs)}` : undefined, p.proxyMs !== undefined ? `proxy ${duration(p.proxyMs)}` : undefined].filter(Boolean).join(' · ');
  return [
    down,
    {
      id: `${idPrefix}:up`,
      label: `proxy ↔ ${target}`,
      description: [p.upstreamId, times].filter(Boolean).join(' · '),
      tooltip: `The proxy's connection to ${p.origin} (${p.upstreamId}): what the target got and sent.${times ? `\n${times}: the target's time to its first response byte, and the proxy's own time` : ''}\nClick to open it in the playground inspector.`,
      icon: { id: 'server' },
      contextValue: 'wireplay.connection',
      command: { id: 'wireplay.openTrafficItem', title: 'Open in Inspector' },
      ariaDetail: `The target leg of a proxied exchange${times ? `: ${times}` : ''}`,
      ref: { connectionId: p.upstreamId },
    },
  ];
}

/** Recent Traffic: newest first, at most `max`; a last row counts the others. */
export function trafficItems(rows: readonly TrafficRow[], max = MAX_LISTED): ItemModel[] {
  const shown = rows.slice(-max).reverse();
  const items = shown.map((r) => trafficItem(r));
  const older = rows.length - shown.length;
  if (older > 0) items.push(olderRow('traffic.older', `${plural(older, 'older exchange')} not listed`, 'Export Capture writes every exchange the capture holds.'));
  return items;
}

function olderRow(id: string, label: string, tooltip: string): ItemModel {
  return {
    id,
    label,
    tooltip,
    icon: { id: 'ellipsis' },
    command: { id: 'wireplay.exportCapture', title: 'Export Capture' },
    ariaDetail: tooltip,
  };
}

function connectionItem(row: ConnectionRow, exchanges: readonly TrafficRow[], legs: readonly ConnectionRow[] = []): ItemModel {
  const proto = PROTOCOL_LABEL[row.protocol];
  const upstream = row.role === 'proxy-upstream';
  const peer = upstream ? `→ ${row.peer}` : shortPeer(row.peer);
  // Named from the connection's own side: the server (or the proxy) received what came in.
  const io = upstream ? `sent ${bytes(row.bytesIn)} · got ${bytes(row.bytesOut)}` : `in ${bytes(row.bytesIn)} · out ${bytes(row.bytesOut)}`;
  const life = row.closedAt === undefined ? `since ${clock(row.openedAt)}` : `lasted ${duration(row.closedAt - row.openedAt)}`;
  const children = [...exchanges].reverse().map((t) => trafficItem(t, `conn:${row.id}`));
  children.push(...legs.map((leg) => connectionItem(leg, [])));
  const role = row.role === 'proxy-downstream' ? 'proxied' : upstream ? 'proxy ↔ target' : undefined;
  const whose = row.role === 'proxy-downstream' ? `, through the proxy` : upstream ? `, the proxy's connection to the target for ${row.linkedConnectionId ?? 'a client'}` : '';
  return {
    id: `conn:${row.id}`,
    // The peer first: it is what tells two rows apart, and what stays visible in a narrow sidebar.
    label: peer,
    description: [proto, role, life, io].filter(Boolean).join(' · '),
    tooltip: `${proto} connection ${row.id} ${upstream ? 'to' : 'from'} ${row.peer}${whose}\n${row.bytesIn} bytes ${upstream ? 'sent' : 'received'}, ${row.bytesOut} bytes ${upstream ? 'received' : 'sent'}\n${row.closedAt === undefined ? `open since ${clock(row.openedAt)}` : `closed at ${clock(row.closedAt)}, ${life}`}`,
    icon: { id: upstream ? 'server' : PROTOCOL_ICON[row.protocol] },
    contextValue: 'wireplay.connection',
    collapsible: children.length ? 'collapsed' : undefined,
    children,
    ariaDetail: `${row.closedAt === undefined ? 'Open' : 'Closed'} connection ${upstream ? 'to' : 'from'} ${row.peer}${whose}${exchanges.length ? `, ${plural(exchanges.length, 'exchange')}` : ''}`,
    ref: { connectionId: row.id },
  };
}

export interface ConnectionItems {
  items: ItemModel[];
  /** Open connections: what the badge counts. */
  open: number;
  /** Closed connections still listed. */
  closed: number;
}

/** Connections: the open ones (newest first), then a "Closed" node with the closed ones (most recently closed first). */
export function connectionItems(rows: readonly ConnectionRow[], traffic: readonly TrafficRow[], max = MAX_LISTED): ConnectionItems {
  const byConnection = new Map<string, TrafficRow[]>();
  for (const t of traffic) {
    const list = byConnection.get(t.connectionId);
    if (list) list.push(t);
    else byConnection.set(t.connectionId, [t]);
  }
  // A proxy ↔ target leg is listed under the client connection it serves (at the top when that one is gone).
  const ids = new Set(rows.map((r) => r.id));
  const legsOf = new Map<string, ConnectionRow[]>();
  for (const r of rows) {
    if (r.role !== 'proxy-upstream' || r.linkedConnectionId === undefined || !ids.has(r.linkedConnectionId)) continue;
    const list = legsOf.get(r.linkedConnectionId);
    if (list) list.push(r);
    else legsOf.set(r.linkedConnectionId, [r]);
  }
  const nested = (r: ConnectionRow) => r.role === 'proxy-upstream' && r.linkedConnectionId !== undefined && ids.has(r.linkedConnectionId);
  const item = (r: ConnectionRow) => connectionItem(r, byConnection.get(r.id) ?? [], legsOf.get(r.id));
  const open = rows.filter((r) => r.closedAt === undefined && !nested(r)).sort((a, b) => b.openedAt - a.openedAt);
  const closed = rows.filter((r) => r.closedAt !== undefined && !nested(r)).sort((a, b) => b.closedAt! - a.closedAt!);
  const items = open.slice(0, max).map(item);
  if (open.length > max) items.push(olderRow('conn.open.more', `${plural(open.length - max, 'more open connection')} not listed`, 'Export Capture writes every connection the capture holds.'));
  if (closed.length) {
    const children = closed.slice(0, max).map(item);
    if (closed.length > max) children.push(olderRow('conn.closed.more', `${plural(closed.length - max, 'older closed connection')} not listed`, 'Export Capture writes every connection the capture holds.'));
    items.push({
      id: 'conn.closed',
      label: 'Closed',
      description: String(closed.length),
      tooltip: `${plural(closed.length, 'closed connection')} since the capture was cleared (the most recent first)`,
      icon: { id: 'debug-disconnect' },
      collapsible: 'collapsed',
      children,
      ariaDetail: 'closed connections',
    });
  }
  return { items, open: open.length, closed: closed.length };
}
