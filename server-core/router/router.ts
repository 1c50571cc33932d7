// The router: method + path patterns → handlers, for HTTP and WebSocket endpoints.
//
// Two layers: built-in routes and user routes. User routes win: for a given
// method and path the user layer is consulted first, then the built-ins. Within a
// layer the most specific pattern wins (literal before param before wildcard,
// segment by segment, route-pattern.ts), then the earlier registration. The user
// layer is replaced in one assignment (setUserRoutes), so a request sees either
// the old table or the new one, never a mix (route-table.ts).
//
// This module owns registration, lookup (match, matchWebSocket, automatic
// OPTIONS and 405s) and dispatch (running a handler, reporting its failure);
// the shapes it takes and returns are in route-types.ts, re-exported here.
import type { Handler, ServerRequest, ServerResponse, StageNotingHandler } from '../http/handler-types.js';
import type { WebSocketRoute } from '../ws/types.js';
import { Emitter } from '../util/emitter.js';
import type { Disposable } from '../util/disposable.js';
import { matchPattern, splitPath } from './route-pattern.js';
import { compileDefs, METHOD_ORDER, RouteTable, sortMethods, type HttpEntry, type WsEntry } from './route-table.js';
import {
  ANY_METHOD,
  type HandlerErrorEvent,
  type MatchResult,
  type RouteDef,
  type RouteInfo,
  type RouteOptions,
  type RouterEvents,
  type WebSocketMatch,
} from './route-types.js';

export {
  ANY_METHOD,
  RoutePatternError,
  type HandlerErrorEvent,
  type HttpRouteDef,
  type MatchResult,
  type RouteDef,
  type RouteInfo,
  type RouteKind,
  type RouteOptions,
  type RouterEvents,
  type RouteSource,
  type WebSocketMatch,
  type WsRouteDef,
} from './route-types.js';
export { compilePattern, safeDecode } from './route-pattern.js';
export { sortMethods } from './route-table.js';

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
