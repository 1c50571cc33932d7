// One layer of compiled routes (RouteTable) and how route definitions become
// its entries (compileDefs): patterns compiled, methods checked and
// upper-cased, each entry's RouteInfo (what the route list shows) built once.
// A table is immutable: the router swaps a whole layer in one assignment, so a
// request sees either the old table or the new one, never a mix.
import type { Handler } from '../http/handler-types.js';
import type { WebSocketRoute } from '../ws/types.js';
import { defaultOrigin } from './route-origin.js';
import { compareRank, compilePattern, type CompiledPattern } from './route-pattern.js';
import { ANY_METHOD, RoutePatternError, type RouteDef, type RouteInfo, type RouteSource } from './route-types.js';

export interface HttpEntry {
  methods: Set<string>;
  pattern: CompiledPattern;
  handler: Handler;
  info: RouteInfo;
  order: number;
}

export interface WsEntry {
  pattern: CompiledPattern;
  route: WebSocketRoute;
  info: RouteInfo;
  order: number;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** The usual methods in the order an Allow header lists them (others follow, sorted). */
export const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function normalizeMethods(method: string | readonly string[]): Set<string> {
  const list = typeof method === 'string' ? [method] : [...method];
  if (list.length === 0) throw new RoutePatternError('a route needs at least one method');
  const out = new Set<string>();
  for (const m of list) {
    if (m === ANY_METHOD) {
      out.add(ANY_METHOD);
      continue;
    }
    if (!TOKEN.test(m)) throw new RoutePatternError(`invalid method ${JSON.stringify(m)}`);
    out.add(m.toUpperCase());
  }
  return out;
}

export function sortMethods(methods: Iterable<string>): string[] {
  return [...new Set(methods)].sort((a, b) => {
    const x = METHOD_ORDER.indexOf(a);
    const y = METHOD_ORDER.indexOf(b);
    if (x !== -1 || y !== -1) return (x === -1 ? 99 : x) - (y === -1 ? 99 : y);
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** One immutable layer of compiled routes. */
export class RouteTable {
  readonly http: HttpEntry[];
  readonly ws: WsEntry[];
  /**
   * The entries whose pattern is all literal and has no percent-encoding, by pattern, in rank
   * order. A raw path without `%` matches such a pattern exactly when it is the same string, and
   * such an entry ranks before every other one that matches that path (literal segments first,
   * a wildcard last), so the first of them that takes the method is what the full scan finds.
   */
  private readonly literal = new Map<string, HttpEntry[]>();

  constructor(http: HttpEntry[], ws: WsEntry[]) {
    this.http = [...http].sort(compareRank);
    this.ws = [...ws].sort(compareRank);
    for (const e of this.http) {
      const p = e.pattern;
      if (p.source.includes('%') || !p.rank.every((r) => r === 0)) continue;
      const list = this.literal.get(p.source);
      if (list) list.push(e);
      else this.literal.set(p.source, [e]);
    }
  }

  /** The first all-literal entry for `path` (raw, without `%`) that takes method `m` (upper-case). */
  literalFor(path: string, m: string): HttpEntry | undefined {
    const list = this.literal.get(path);
    if (list === undefined) return undefined;
    for (const e of list) if (e.methods.has(m) || e.methods.has(ANY_METHOD)) return e;
    return undefined;
  }
}

export function compileDefs(defs: readonly RouteDef[], source: RouteSource, startOrder: number): { http: HttpEntry[]; ws: WsEntry[] } {
  const http: HttpEntry[] = [];
  const ws: WsEntry[] = [];
  let order = startOrder;
  for (const def of defs) {
    const pattern = compilePattern(def.pattern);
    if (def.kind === 'ws') {
      ws.push({
        pattern,
        route: def.route,
        order: order++,
        info: { method: 'WS', pattern: def.pattern, source, kind: 'ws', description: def.description ?? '', origin: def.origin ?? defaultOrigin('ws') },
      });
    } else {
      const methods = normalizeMethods(def.method);
      http.push({
        methods,
        pattern,
        handler: def.handler,
        order: order++,
        info: {
          method: methods.has(ANY_METHOD) ? ANY_METHOD : sortMethods(methods).join(','),
          pattern: def.pattern,
          source,
          kind: def.kind ?? 'http',
          description: def.description ?? '',
          origin: def.origin ?? defaultOrigin(def.kind ?? 'http'),
        },
      });
    }
  }
  return { http, ws };
}
