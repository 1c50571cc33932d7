// The router: method + path patterns → handlers, for HTTP and WebSocket endpoints.
//
// Patterns are split on '/' and matched segment by segment against the request
// path *before* percent-decoding, so an encoded slash (%2F) never acts as a
// separator. Segments are:
//   literal   `/users`       compared after percent-decoding (`/%75sers` matches)
//   param     `/:id`         one non-empty segment, percent-decoded into params.id
//   wildcard  `/*`           last segment only: zero or more segments, decoded into params['*']
//
// Two layers: built-in routes and user routes. User routes win: for a given
// method and path the user layer is consulted first, then the built-ins. Within a
// layer the most specific pattern wins (literal before param before wildcard,
// segment by segment), then the earlier registration. The user layer is replaced
// in one assignment (setUserRoutes), so a request sees either the old table or
// the new one, never a mix.
import type { Handler, ServerRequest, ServerResponse, StageNotingHandler } from '../http/handler-types.js';
import type { WebSocketRoute } from '../ws/types.js';
import { Emitter } from '../util/emitter.js';
import type { Disposable } from '../util/disposable.js';
import { defaultOrigin, type RouteOrigin } from './route-origin.js';

export type RouteSource = 'builtin' | 'user';
/** 'sse': an event stream (answered to GET, see sse/sse-route.ts). */
export type RouteKind = 'http' | 'ws' | 'static' | 'sse';

/** Any method. */
export const ANY_METHOD = '*';

export interface RouteInfo {
  /** An upper-case method, '*' for any method, 'WS' for a WebSocket endpoint. */
  method: string;
  pattern: string;
  source: RouteSource;
  kind: RouteKind;
  description: string;
  /** A user route with the same method and pattern hides this built-in one. */
  shadowed?: boolean;
  /** What answers (code, file, dir, fixed, websocket) and, for a routes file's route, where it is written. */
  origin: RouteOrigin;
}

export interface HttpRouteDef {
  kind?: 'http' | 'static' | 'sse';
  /** A method, a list of methods, or '*' for any. */
  method: string | readonly string[];
  pattern: string;
  handler: Handler;
  description?: string;
  /** Default: `code` (`dir` for kind 'static'), no file. */
  origin?: RouteOrigin;
}

export interface WsRouteDef {
  kind: 'ws';
  pattern: string;
  route: WebSocketRoute;
  description?: string;
  /** Default: `websocket`, no file. */
  origin?: RouteOrigin;
}

export type RouteDef = HttpRouteDef | WsRouteDef;

export interface RouteOptions {
  kind?: 'http' | 'static' | 'sse';
  description?: string;
  origin?: RouteOrigin;
}

export type MatchResult =
  | { status: 200; handler: Handler; params: Record<string, string>; route: RouteInfo }
  | { status: 404 }
  | { status: 405; allow: string[] };

export interface WebSocketMatch {
  route: WebSocketRoute;
  params: Record<string, string>;
  info: RouteInfo;
}

export interface HandlerErrorEvent {
  error: unknown;
  method: string;
  path: string;
  route: RouteInfo | undefined;
}

export interface RouterEvents {
  /** The route table changed (a registration or a user-routes swap): the sidebar refreshes. */
  changed: void;
  /** A handler threw or rejected; the client got a 500 (or its connection ended if headers were sent). */
  handlerError: HandlerErrorEvent;
}

export class RoutePatternError extends Error {
  override readonly name = 'RoutePatternError';
  readonly code = 'INVALID_ROUTE_PATTERN';
}

type Segment = { type: 'literal'; value: string } | { type: 'param'; name: string } | { type: 'wildcard' };

interface CompiledPattern {
  source: string;
  segments: Segment[];
  /** Specificity key: 0 literal, 1 param, 2 wildcard per segment. */
  rank: number[];
}

interface HttpEntry {
  methods: Set<string>;
  pattern: CompiledPattern;
  handler: Handler;
  info: RouteInfo;
  order: number;
}

interface WsEntry {
  pattern: CompiledPattern;
  route: WebSocketRoute;
  info: RouteInfo;
  order: number;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export function compilePattern(pattern: string): CompiledPattern {
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
    throw new RoutePatternError(`route pattern ${JSON.stringify(pattern)} must start with '/'`);
  }
  const parts = pattern === '/' ? [] : pattern.slice(1).split('/');
  const segments: Segment[] = [];
  const names = new Set<string>();
  parts.forEach((part, i) => {
    if (part === '*') {
      if (i !== parts.length - 1) throw new RoutePatternError(`route pattern ${pattern}: '*' must be the last segment`);
      segments.push({ type: 'wildcard' });
    } else if (part.startsWith(':')) {
      const name = part.slice(1);
      if (!PARAM_NAME.test(name)) throw new RoutePatternError(`route pattern ${pattern}: invalid parameter name ${JSON.stringify(name)}`);
      if (names.has(name)) throw new RoutePatternError(`route pattern ${pattern}: parameter :${name} appears twice`);
      names.add(name);
      segments.push({ type: 'param', name });
    } else {
      if (part.includes('*')) throw new RoutePatternError(`route pattern ${pattern}: '*' must be a whole segment`);
      if (part === '' && i !== parts.length - 1) throw new RoutePatternError(`route pattern ${pattern}: empty segment`);
      const value = safeDecode(part);
      if (value === undefined) throw new RoutePatternError(`route pattern ${pattern}: invalid percent-encoding`);
      segments.push({ type: 'literal', value });
    }
  });
  return { source: pattern, segments, rank: segments.map((s) => (s.type === 'literal' ? 0 : s.type === 'param' ? 1 : 2)) };
}

/** decodeURIComponent that returns undefined instead of throwing (overlong UTF-8, lone %, …). */
export function safeDecode(s: string): string | undefined {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** Matches a raw (percent-encoded) path; undefined when it does not match or cannot be decoded. */
function matchPattern(p: CompiledPattern, rawSegments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  const segs = p.segments;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    if (seg.type === 'wildcard') {
      const rest = rawSegments.slice(i).join('/');
      const decoded = safeDecode(rest);
      if (decoded === undefined) return undefined;
      params['*'] = decoded;
      return params;
    }
    if (i >= rawSegments.length) return undefined;
    const raw = rawSegments[i];
    const decoded = safeDecode(raw);
    if (decoded === undefined) return undefined;
    if (seg.type === 'literal') {
      if (decoded !== seg.value) return undefined;
    } else {
      if (raw === '') return undefined;
      params[seg.name] = decoded;
    }
  }
  return rawSegments.length === segs.length ? params : undefined;
}

/** The raw segments of an origin-form path (callers check the leading slash). */
function splitPath(path: string): string[] {
  if (!path.startsWith('/')) return [];
  return path === '/' ? [] : path.slice(1).split('/');
}

function compareRank(a: { pattern: CompiledPattern; order: number }, b: { pattern: CompiledPattern; order: number }): number {
  const n = Math.max(a.pattern.rank.length, b.pattern.rank.length);
  for (let i = 0; i < n; i++) {
    // Past the end of the shorter pattern: it ranks after a param and before a wildcard, so
    // `/files` beats `/files/*` for the path `/files` (the only way two lengths match one path).
    const x = a.pattern.rank[i] ?? 1.5;
    const y = b.pattern.rank[i] ?? 1.5;
    if (x !== y) return x - y;
  }
  return a.order - b.order;
}

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
class RouteTable {
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

function compileDefs(defs: readonly RouteDef[], source: RouteSource, startOrder: number): { http: HttpEntry[]; ws: WsEntry[] } {
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

export interface RouterOptions {
  /** Called when a handler fails and nobody listens to 'handlerError'. Default: console.error. */
  log?: (message: string, error: unknown) => void;
}

export class Router {
  private builtin = new RouteTable([], []);
  private user = new RouteTable([], []);
  private order = 0;
  private readonly events = new Emitter<RouterEvents>();
  private readonly log: (message: string, error: unknown) => void;

  /** Serve a request with this router: bind-free, so `router.handle` can be passed around as a Handler. */
  readonly handle: StageNotingHandler = Object.assign((req: ServerRequest, res: ServerResponse) => this.dispatch(req, res), { notesHandlerStart: true as const });

  constructor(options: RouterOptions = {}) {
    this.log = options.log ?? ((message, error) => console.error(message, error));
  }

  on<K extends keyof RouterEvents>(event: K, listener: (payload: RouterEvents[K]) => void): Disposable {
    return this.events.on(event, listener);
  }

  // ---- registration (built-in layer) ----

  add(method: string | readonly string[], pattern: string, handler: Handler, options: RouteOptions = {}): this {
    return this.addBuiltin([{ kind: options.kind ?? 'http', method, pattern, handler, description: options.description, origin: options.origin }]);
  }

  get(pattern: string, handler: Handler, options?: RouteOptions): this {
    return this.add('GET', pattern, handler, options);
  }

  post(pattern: string, handler: Handler, options?: RouteOptions): this {
    return this.add('POST', pattern, handler, options);
  }

  put(pattern: string, handler: Handler, options?: RouteOptions): this {
    return this.add('PUT', pattern, handler, options);
  }

  delete(pattern: string, handler: Handler, options?: RouteOptions): this {
    return this.add('DELETE', pattern, handler, options);
  }

  any(pattern: string, handler: Handler, options?: RouteOptions): this {
    return this.add(ANY_METHOD, pattern, handler, options);
  }

  ws(pattern: string, route: WebSocketRoute, options: { description?: string } = {}): this {
    return this.addBuiltin([{ kind: 'ws', pattern, route, description: options.description }]);
  }

  private addBuiltin(defs: RouteDef[]): this {
    const { http, ws } = compileDefs(defs, 'builtin', this.order);
    this.order += defs.length;
    this.builtin = new RouteTable([...this.builtin.http, ...http], [...this.builtin.ws, ...ws]);
    this.events.emit('changed', undefined);
    return this;
  }

  /**
   * Replaces the user layer in one step. Compiles everything first: a bad pattern
   * throws RoutePatternError and the previous user routes stay in force.
   */
  setUserRoutes(defs: readonly RouteDef[]): void {
    const { http, ws } = compileDefs(defs, 'user', 0);
    this.user = new RouteTable(http, ws);
    this.events.emit('changed', undefined);
  }

  clearUserRoutes(): void {
    this.setUserRoutes([]);
  }

  // ---- matching ----

  /**
   * Finds the handler for a method and a raw path (percent-encoded, no query).
   * HEAD falls back to the GET handler; OPTIONS without a route of its own gets an
   * automatic 204 with Allow. 405 carries the Allow list of every method the path accepts.
   */
  match(method: string, path: string): MatchResult {
    const m = method.toUpperCase();
    if (path === '*') {
      // OPTIONS * (asterisk-form): the server as a whole.
      if (m !== 'OPTIONS') return { status: 404 };
      const allow = this.allMethods();
      return { status: 200, handler: optionsHandler(allow), params: {}, route: AUTO_OPTIONS_INFO('*') };
    }
    // An authority-form target (CONNECT host:port) or anything else without a leading slash names no route.
    if (!path.startsWith('/')) return { status: 404 };
    // A literal route for a path with nothing to decode (the common case) is found without a scan:
    // in the user layer, or in the built-ins when there are no user routes (RouteTable.literalFor).
    if (!path.includes('%')) {
      const hit = this.user.literalFor(path, m) ?? (this.user.http.length === 0 ? this.builtin.literalFor(path, m) : undefined);
      if (hit) return { status: 200, handler: hit.handler, params: {}, route: hit.info };
    }
    const segments = splitPath(path);
    // The first route (user layer first, most specific first) that takes this method.
    let getFallback: { entry: HttpEntry; params: Record<string, string> } | undefined;
    let anyPath = false;
    for (const table of [this.user, this.builtin]) {
      for (const entry of table.http) {
        const params = matchPattern(entry.pattern, segments);
        if (!params) continue;
        anyPath = true;
        if (entry.methods.has(m) || entry.methods.has(ANY_METHOD)) return { status: 200, handler: entry.handler, params, route: entry.info };
        if (m === 'HEAD' && !getFallback && entry.methods.has('GET')) getFallback = { entry, params };
      }
    }
    if (getFallback) return { status: 200, handler: getFallback.entry.handler, params: getFallback.params, route: getFallback.entry.info };
    if (!anyPath) return { status: 404 };
    const allow = this.allowFor(segments);
    if (m === 'OPTIONS') return { status: 200, handler: optionsHandler(allow), params: {}, route: AUTO_OPTIONS_INFO(path) };
    return { status: 405, allow };
  }

  /** Every method some route accepts on this path, HEAD with GET, OPTIONS always. */
  private allowFor(segments: string[]): string[] {
    const set = new Set<string>();
    for (const table of [this.user, this.builtin]) {
      for (const entry of table.http) {
        if (!matchPattern(entry.pattern, segments)) continue;
        for (const x of entry.methods) {
          if (x === ANY_METHOD) return [...METHOD_ORDER];
          set.add(x);
        }
      }
    }
    if (set.has('GET')) set.add('HEAD');
    set.add('OPTIONS');
    return sortMethods(set);
  }

  /** The WebSocket endpoint for a raw path, user endpoints first. */
  matchWebSocket(path: string): WebSocketMatch | undefined {
    if (!path.startsWith('/')) return undefined;
    const segments = splitPath(path);
    for (const table of [this.user, this.builtin]) {
      for (const entry of table.ws) {
        const params = matchPattern(entry.pattern, segments);
        if (params) return { route: entry.route, params, info: entry.info };
      }
    }
    return undefined;
  }

  /** The routes in force, user routes first, for the sidebar and the `/` page. */
  describe(): RouteInfo[] {
    const userKeys = new Set<string>();
    const out: RouteInfo[] = [];
    for (const e of [...this.user.http, ...this.user.ws].sort((a, b) => a.order - b.order)) {
      userKeys.add(`${e.info.method} ${e.info.pattern}`);
      out.push({ ...e.info });
    }
    for (const e of [...this.builtin.http, ...this.builtin.ws].sort((a, b) => a.order - b.order)) {
      const info: RouteInfo = { ...e.info };
      if (userKeys.has(`${info.method} ${info.pattern}`)) info.shadowed = true;
      out.push(info);
    }
    return out;
  }

  private allMethods(): string[] {
    const set = new Set<string>(['OPTIONS']);
    for (const table of [this.user, this.builtin]) {
      for (const e of table.http) for (const m of e.methods) if (m !== ANY_METHOD) set.add(m);
    }
    if (set.has('GET')) set.add('HEAD');
    return sortMethods(set);
  }

  // ---- dispatch ----

  /**
   * Not async: a handler that answers at once (a fixed route, most built-ins) costs no promise
   * and no microtask; one that returns a promise has its rejection handled as a throw is.
   */
  private dispatch(req: ServerRequest, res: ServerResponse): void | Promise<void> {
    const result = this.match(req.method, req.path);
    // No route: the router answers on its own (404, 405, 426); the pipeline records that nothing matched.
    if (result.status !== 200) req.pipeline?.routed(null, {});
    if (result.status === 404) {
      if (req.path !== '*' && this.matchWebSocket(req.path)) {
        sendText(res, 426, 'This is a WebSocket endpoint: send a GET with Upgrade: websocket.\n', {
          Upgrade: 'websocket',
          Connection: 'Upgrade',
          'Sec-WebSocket-Version': '13',
        });
        return;
      }
      sendText(res, 404, `No route for ${req.method} ${req.path}\n`);
      return;
    }
    if (result.status === 405) {
      sendText(res, 405, `${req.method} is not allowed on ${req.path}; allowed: ${result.allow.join(', ')}\n`, {
        Allow: result.allow.join(', '),
      });
      return;
    }
    req.params = result.params;
    const pipeline = req.pipeline;
    // Routed, and its handler starts: one clock reading for both (nothing runs in between).
    if (pipeline) pipeline.routed(result.route, result.params, true);
    const route = result.route;
    let answered: void | Promise<void>;
    try {
      answered = result.handler(req, res);
    } catch (error) {
      this.handlerFailed(error, req, res, route);
      return;
    }
    if (answered && typeof (answered as Promise<void>).then === 'function') {
      return (answered as Promise<void>).then(undefined, (error: unknown) => this.handlerFailed(error, req, res, route));
    }
  }

  /** A handler threw or rejected: report it, then answer 500 in its place or give its response up. */
  private handlerFailed(error: unknown, req: ServerRequest, res: ServerResponse, route: RouteInfo): void {
    // The client went away and the handler's body read (or its own wait) failed for it: the
    // connection has reported the abort (one line) and answers in the handler's place.
    if (isClientAbort(error, req)) {
      if (res.headersSent && !res.finished) abandon(res, error);
      return;
    }
    this.reportError(error, req, route);
    if (!res.headersSent) {
      try {
        for (const name of ['Content-Type', 'Content-Length', 'Transfer-Encoding', 'Content-Range', 'ETag', 'Last-Modified']) {
          res.removeHeader(name);
        }
        res.statusMessage = undefined;
        sendText(res, 500, `Handler error: ${error instanceof Error ? error.message : String(error)}\n`);
      } catch {
        abandon(res, error); // beyond repair: the server answers in its place
      }
    } else if (!res.finished) {
      // Headers are out: ending the body would pass a truncated response off as complete.
      abandon(res, error);
    }
  }

  private reportError(error: unknown, req: ServerRequest, route: RouteInfo | undefined): void {
    const event: HandlerErrorEvent = { error, method: req.method, path: req.path, route };
    if (this.events.hasListeners('handlerError')) this.events.emit('handlerError', event);
    else this.log(`handler for ${req.method} ${req.path} failed:`, error);
  }
}

const AUTO_OPTIONS_INFO = (pattern: string): RouteInfo => ({
  method: 'OPTIONS',
  pattern,
  source: 'builtin',
  kind: 'http',
  description: 'automatic OPTIONS',
  origin: { kind: 'code' },
});

function optionsHandler(allow: string[]): Handler {
  return (_req, res) => {
    res.writeHead(204, { Allow: allow.join(', ') });
    res.end();
  };
}

/**
 * Gives a failed response up (docs/server.md): the server cuts it where it stands and closes
 * the connection (a chunked body then lacks its last chunk), or answers 500 in its place when
 * its head is not out. A stand-in response without destroy() can only be ended.
 */
function abandon(res: ServerResponse, error: unknown): void {
  try {
    if (res.destroy) res.destroy(error);
    else res.end();
  } catch {
    /* nothing more can be done with it */
  }
}

/** The error a handler failed with is its client's abort (a body read the client cut short), not a fault of the handler. */
function isClientAbort(error: unknown, req: ServerRequest): boolean {
  return (req.isAborted ?? req.signal.aborted) && (error as { code?: unknown } | null)?.code === 'CLIENT_ABORTED';
}

/** A small text/plain response; used by the router and the static files for errors. */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': body.length,
  });
  res.end(body);
}
