// The facade: the one object the extension, the CLI and the playground use.
//
//   const server = createWireplayServer({ root, routesFile, mode: 'sequential' });
//   const { url } = await server.listen();
//   server.capture.on('chunk', (c) => …);   // every byte, both ways
//   server.events.on('request', (r) => …);  // one line per response
//   server.setMode('concurrent');
//   await server.close();
import { isIP } from 'node:net';
import type { CaptureEvents, RequestPipeline } from '../capture/types.js';
import type { Handler } from '../http/handler-types.js';
import { HttpMessageParser } from '../http/message-parser.js';
import { Router, type RouteInfo, type WebSocketMatch } from '../router/router.js';
import { registerDemoRoutes, type DemoRouteOptions } from '../routes/demo-routes.js';
import { UserRoutesWatcher, formatUserRouteError, type UserRouteError, type UserRoutesOptions } from '../routes/user-routes.js';
import type { Disposable } from '../util/disposable.js';
import { Emitter } from '../util/emitter.js';
import { createBuiltinWebSocketRoutes, type BuiltinRouteOptions } from '../ws/builtin-routes.js';
import { DEFAULT_MAX_INFLATING_BYTES, InflationBudget } from '../ws/inflation-budget.js';
import { handleUpgrade, type WebSocketServerOptions } from '../ws/upgrade.js';
import { isWebSocketUpgrade } from '../ws/upgrade.js';
import type { WebSocketRoute } from '../ws/types.js';
import type { ConnectionErrorEntry, ConnectionSnapshot, RequestLogEntry, UpgradeHook } from './connection.js';
import { resolveLimits, parserLimitsOf, type ServerLimits } from './limits.js';
import { DEFAULT_HOST, HttpListener } from './listener.js';
import { Scheduler, type ConcurrencyMode, type QueueEntry, type QueueEvent } from './scheduler.js';
import { LoggedRequest } from './request-log-entry.js';

export type LogLevel = 'info' | 'warn' | 'error';
/** Where the server's human-readable lines go (the CLI: stderr; the extension: an output channel). */
export type LogSink = (level: LogLevel, message: string) => void;

export interface WireplayServerOptions {
  /** Default 127.0.0.1. Any other address is an explicit choice and logs a warning. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Folder served under /files/*. */
  root?: string;
  /**
   * A wireplay.routes.json or .mjs file; reloaded on save. Loaded once the port is bound (the
   * built-in routes answer meanwhile): listen() resolves when it has loaded or failed.
   */
  routesFile?: string;
  /** Run a `.mjs` routes file (default false: only JSON routes are served). */
  allowCode?: boolean;
  /** Limits for the routes file: its size, and the time its `.mjs` code has to load and to answer (docs/routes.md). */
  routesLimits?: Pick<UserRoutesOptions, 'maxFileBytes' | 'handlerTimeoutMs' | 'loadTimeoutMs'>;
  /** Default 'concurrent'. */
  mode?: ConcurrencyMode;
  limits?: Partial<ServerLimits>;
  log?: LogSink;
  /**
   * Write one line per finished request to `log` (default true). Off, requests reach only the
   * `request` event's listeners, and with none their bookkeeping is skipped (`wireplay serve`
   * formats and batches its own request log: cli/serve-log.ts).
   */
  requestLog?: boolean;
  /** Serve this handler instead of the router (tests, embedding). WebSocket routes then come from `webSocketRoutes`. */
  handler?: Handler;
  /** Extra built-in WebSocket endpoints, path → route. */
  webSocketRoutes?: ReadonlyArray<{ path: string; route: WebSocketRoute; description?: string }>;
  /**
   * Options for every accepted WebSocket connection, and `maxInflatingBytes`: what the
   * permessage-deflate inflations of all connections may hold together (default 256 MiB); an
   * inflation that would pass it closes its connection with 1009 (docs/websocket.md).
   */
  webSocket?: Omit<WebSocketServerOptions, 'id' | 'inflationBudget' | 'onCallbackError'> & { maxInflatingBytes?: number };
  /** Options for the demo routes (delay caps, …). */
  demo?: Omit<DemoRouteOptions, 'root' | 'webSocketRoutes'>;
  /** Options for the built-in WebSocket endpoints (/ws/echo, /ws/chat, /ws/ticker), mounted with the demo routes. */
  builtinWebSocket?: BuiltinRouteOptions;
  /**
   * Record each request's pipeline stages and route on its request event and in the
   * capture (default true; docs/pipeline.md). Off only to measure what it costs.
   */
  recordStages?: boolean;
}

export interface ListeningAddress {
  host: string;
  port: number;
  url: string;
}

export type ServerErrorEntry =
  | ConnectionErrorEntry
  | { connectionId?: undefined; kind: 'server' | 'routes' | 'handler'; message: string; error?: unknown };

export interface ServerEvents {
  /** A response finished (one per request). */
  request: RequestLogEntry;
  /** A handler failed, bytes were refused, a timeout fired, a routes file is broken. */
  error: ServerErrorEntry;
  /** Sequential-mode queue: queued / started / finished. */
  queue: QueueEvent;
  mode: ConcurrencyMode;
  connectionOpened: ConnectionSnapshot;
  connectionClosed: ConnectionSnapshot;
  /** The routes in force changed (user routes reloaded). */
  routes: RouteInfo[];
  listening: ListeningAddress;
  closed: void;
}

export interface WireplayServer extends Disposable {
  listen(): Promise<ListeningAddress>;
  /** Graceful: in-flight responses finish, idle connections close, the rest are destroyed after limits.closeTimeout. */
  close(): Promise<void>;
  readonly mode: ConcurrencyMode;
  setMode(mode: ConcurrencyMode): void;
  /** Undefined until listening. */
  readonly url: string | undefined;
  readonly address: ListeningAddress | undefined;
  readonly limits: Readonly<ServerLimits>;
  connections(): ConnectionSnapshot[];
  /** Requests waiting in sequential mode, oldest first. */
  queue(): QueueEntry[];
  routes(): RouteInfo[];
  /**
   * Reloads the routes file now (as a save does) and resolves with its errors, empty when it
   * loaded (or is missing: no user routes). A broken file keeps the previous routes serving and
   * is also reported as an `error` event. Without a `routesFile`, or before `listen()`, there is
   * nothing to reload: resolves with [].
   */
  reloadRoutes(): Promise<UserRouteError[]>;
  /** The router, to add built-in routes before or after listen(); undefined with a custom handler. */
  readonly router: Router | undefined;
  readonly capture: Emitter<CaptureEvents>;
  readonly events: Emitter<ServerEvents>;
}

/** The capture's copy of a request log entry's pipeline (the stages are relative to the connection's accept). */
function pipelineRecord(entry: RequestLogEntry): RequestPipeline {
  return {
    connectionId: entry.connectionId,
    index: entry.index,
    t: performance.now(),
    method: entry.method,
    target: entry.target,
    status: entry.status,
    stages: entry.stages,
    route: entry.route,
  };
}

/** The URL form of a host: IPv6 literals in brackets. */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** A Scheduler subscription only while someone listens to 'queue', so concurrent mode pays nothing otherwise. */
class ServerEmitter extends Emitter<ServerEvents> {
  private forwarding: Disposable[] = [];
  constructor(
    private readonly scheduler: Scheduler,
    onListenerError: (err: unknown) => void,
  ) {
    super(onListenerError);
  }

  override on<K extends keyof ServerEvents>(event: K, listener: (payload: ServerEvents[K]) => void): Disposable {
    const d = super.on(event, listener);
    if (event !== 'queue') return d;
    if (this.forwarding.length === 0) {
      const fwd = (e: QueueEvent) => this.emit('queue', e);
      this.forwarding = [this.scheduler.events.on('queued', fwd), this.scheduler.events.on('started', fwd), this.scheduler.events.on('finished', fwd)];
    }
    return {
      dispose: () => {
        d.dispose();
        if (!this.hasListeners('queue')) {
          for (const f of this.forwarding) f.dispose();
          this.forwarding = [];
        }
      },
    };
  }
}

export function createWireplayServer(options: WireplayServerOptions = {}): WireplayServer {
  const limits = resolveLimits(options.limits);
  const log = options.log;
  const requestLog = options.requestLog === false ? undefined : log;
  const scheduler = new Scheduler(options.mode ?? 'concurrent');
  const reportListenerError = (err: unknown) => log?.('error', `a listener failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  const capture = new Emitter<CaptureEvents>(reportListenerError);
  const events = new ServerEmitter(scheduler, reportListenerError);
  scheduler.events.on('mode', (m) => events.emit('mode', m));

  let router: Router | undefined;
  let handler: Handler;
  let watcher: UserRoutesWatcher | undefined;
  if (options.handler) {
    handler = options.handler;
  } else {
    router = new Router({ log: (message, error) => log?.('error', `${message} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`) });
    registerDemoRoutes(router, {
      ...options.demo,
      root: options.root,
      webSocketRoutes: [...createBuiltinWebSocketRoutes(options.builtinWebSocket), ...(options.webSocketRoutes ?? [])],
    });
    router.on('changed', () => events.emit('routes', router!.describe()));
    // A route handler that throws is answered 500 by the router; report it here.
    router.on('handlerError', (e) => {
      const detail = e.error instanceof Error ? (e.error.stack ?? e.error.message) : String(e.error);
      const message = `handler for ${e.method} ${e.path}${e.route ? ` (route ${e.route.pattern})` : ''} failed: ${detail}`;
      events.emit('error', { kind: 'handler', message, error: e.error });
      log?.('error', message);
    });
    handler = router.handle;
  }
  const extraWs = new Router();
  if (!router) for (const ws of options.webSocketRoutes ?? []) extraWs.ws(ws.path, ws.route, { description: ws.description });

  const { maxInflatingBytes, ...webSocketOptions } = options.webSocket ?? {};
  const inflationBudget = new InflationBudget(maxInflatingBytes ?? DEFAULT_MAX_INFLATING_BYTES);
  // One options object per WebSocket route, shared by its connections: an idle connection keeps no
  // options, closure or context of its own. A throwing callback is reported with the connection's id
  // and the route's pattern (`/ws/rooms/:room`, the request's own path is in the request log).
  const routeOptions = new WeakMap<WebSocketRoute, WebSocketServerOptions>();
  const optionsFor = (m: WebSocketMatch): WebSocketServerOptions => {
    let o = routeOptions.get(m.route);
    if (!o) {
      const pattern = m.info.pattern;
      o = {
        ...webSocketOptions,
        inflationBudget,
        // A throwing callback closed its connection (1011 when it was open); the server goes on and says so.
        onCallbackError: (error, callback, peer) => {
          const message = `WebSocket ${pattern}: ${callback} failed: ${error.stack ?? error.message}`;
          events.emit('error', { connectionId: peer.id, kind: 'handler', message, error });
          log?.('error', `${peer.id}: ${message}`);
        },
      };
      routeOptions.set(m.route, o);
    }
    return o;
  };
  const upgrade: UpgradeHook = {
    // The WebSocket connection hands every byte to the tap (ws/connection.ts): no socket wrapper.
    reportsBytes: true,
    match(req) {
      if (!isWebSocketUpgrade(req.head)) return undefined;
      const m = (router ?? extraWs).matchWebSocket(req.path);
      if (m) {
        req.params = m.params;
        req.pipeline?.routed(m.info, m.params);
      }
      return m;
    },
    accept(req, socket, rest, token, _connectionId, tap) {
      const m = token as WebSocketMatch;
      // The connection's id is the request's (handleUpgrade's default).
      const conn = handleUpgrade(req, socket, rest, m.route, optionsFor(m), tap);
      if (!conn) return null;
      return { extensions: conn.extensions, owner: conn };
    },
  };

  const listener = new HttpListener({
    limits,
    context: {
      limits,
      parserLimits: parserLimitsOf(limits),
      createParser: (handlers, parserLimits) => new HttpMessageParser('request', handlers, parserLimits),
      scheduler,
      capture,
      getHandler: () => handler,
      upgrade,
      recordStages: options.recordStages ?? true,
      // The capture's pipeline records ride on the request log: one entry serves both.
      wantsRequestLog: () => requestLog !== undefined || events.hasListeners('request') || capture.hasListeners('pipeline'),
      onRequestLog: (entry) => {
        if (events.hasListeners('request')) events.emit('request', entry);
        if (capture.hasListeners('pipeline')) capture.emit('pipeline', pipelineRecord(entry));
        // A refused head has its warning line (onError below): no request line for it.
        if (requestLog && !(entry instanceof LoggedRequest ? entry.refused : entry.stages.refused)) {
          const route = entry instanceof LoggedRequest ? entry.routeLabel() : entry.route ? ` ${entry.route.pattern} [${entry.route.kind}]` : '';
          requestLog('info', `${entry.connectionId}#${entry.index} ${entry.method} ${entry.target} → ${entry.status} (${entry.bytes} B, ${entry.durationMs.toFixed(1)} ms)${route}`);
        }
      },
      onError: (entry) => {
        events.emit('error', entry);
        if (log) {
          const level: LogLevel = entry.kind === 'handler' || entry.kind === 'socket' ? 'error' : entry.kind === 'abort' ? 'info' : 'warn';
          log(level, `${entry.connectionId}: ${entry.status ? `${entry.status} ` : ''}${entry.message}`);
        }
      },
    },
    onClosed: (c) => {
      if (events.hasListeners('connectionClosed')) events.emit('connectionClosed', c.snapshot());
    },
    onOpened: (c) => {
      if (events.hasListeners('connectionOpened')) events.emit('connectionOpened', c.snapshot());
    },
    onRefused: (remote) => log?.('warn', `refused ${remote}: over maxConnections (${limits.maxConnections})`),
    onError: (err) => {
      events.emit('error', { kind: 'server', message: err.message, error: err });
      log?.('error', `listener: ${err.message}`);
    },
  });

  let address: ListeningAddress | undefined;
  let listening: Promise<ListeningAddress> | undefined;

  const server: WireplayServer = {
    listen() {
      if (listening) return listening;
      const host = options.host ?? DEFAULT_HOST;
      if (host !== DEFAULT_HOST) {
        const warning = `listening on ${host}, not ${DEFAULT_HOST}: other machines may be able to reach this server`;
        if (log) log('warn', warning);
        else process.emitWarning(warning, { code: 'WIREPLAY_PUBLIC_HOST' });
      }
      listening = (async () => {
        const a = await listener.listen(host, options.port ?? 0);
        address = { host: a.host, port: a.port, url: `http://${urlHost(a.host)}:${a.port}` };
        if (options.routesFile && router) {
          // Bound first: the built-in routes answer while the routes file loads.
          watcher = new UserRoutesWatcher(router, {
            files: [options.routesFile],
            allowCode: options.allowCode ?? false,
            ...options.routesLimits,
            log: (m, e) => log?.('error', `${m} ${e instanceof Error ? (e.stack ?? e.message) : (e ?? '')}`),
          });
          const reportRoutesError = (e: UserRouteError) => {
            const message = formatUserRouteError(e);
            events.emit('error', { kind: 'routes', message });
            log?.('error', message);
          };
          watcher.on('error', ({ errors }) => errors.forEach(reportRoutesError));
          watcher.on('runtimeError', ({ error }) => reportRoutesError(error));
          watcher.on('reloaded', ({ file, count, missing }) => log?.('info', missing ? `${file}: not found, no user routes` : `${file}: ${count} route(s) loaded`));
          await watcher.start();
        }
        events.emit('listening', address);
        return address;
      })();
      listening.catch(() => {
        listening = undefined;
      });
      return listening;
    },
    async close() {
      watcher?.dispose();
      watcher = undefined;
      await listener.close();
      events.emit('closed', undefined);
    },
    dispose() {
      void server.close();
    },
    get mode() {
      return scheduler.mode;
    },
    setMode(mode) {
      scheduler.setMode(mode);
    },
    get url() {
      return address?.url;
    },
    get address() {
      return address;
    },
    limits,
    connections() {
      return [...listener.connections].map((c) => c.snapshot());
    },
    queue() {
      return scheduler.snapshot();
    },
    routes() {
      return (router ?? extraWs).describe();
    },
    async reloadRoutes() {
      // The watcher is created by listen(); wait for it when a listen() is under way.
      if (listening) await listening.catch(() => undefined);
      if (!watcher) return [];
      return (await watcher.reload()).flatMap((r) => r.errors);
    },
    router,
    capture,
    events,
  };
  return server;
}
