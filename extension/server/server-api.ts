// What the extension needs from a running server: the subset of server-core's
// createWireplayServer() facade it calls. Kept as an interface so the
// controller can be tested with any implementation and so that the facade can
// grow without touching the views.
import type { CaptureEvents, ConcurrencyMode, Disposable, ListenerOptions, ServerLimits, QueueEvent, RouteKind } from '../../server-core/index.js';

export interface ListenInfo {
  host: string;
  port: number;
  url: string;
}

export interface RouteInfo {
  method: string;
  path: string;
  source: 'built-in' | 'routes-file';
  description?: string;
}

/** One finished (or answered) HTTP exchange, as the server logs it. */
export interface ExchangeInfo {
  connectionId: string;
  index: number;
  method: string;
  target: string;
  status: number;
  /** Milliseconds from the request's start to the end of the response head. */
  durationMs: number;
  /** The route that took it (docs/pipeline.md), when one did. */
  route?: { pattern: string; kind: RouteKind };
}

/** Limits for the routes file (server-core's defaults for whatever is unset). */
export interface RoutesLimits {
  /** A larger routes file is not read. */
  maxFileBytes?: number;
  /** Time a `.mjs` handler has to start its response before it answers 503. */
  handlerTimeoutMs?: number;
}

export interface ServerStartOptions {
  host: string;
  port: number;
  mode: ConcurrencyMode;
  staticRoot: string;
  /** Absolute path of the routes file, or undefined for built-in routes only. */
  routesFile?: string;
  /** false in an untrusted workspace: `.mjs` routes files are not imported. */
  allowCodeRoutes: boolean;
  routesLimits: RoutesLimits;
  limits: Partial<ServerLimits>;
  wsMaxMessageBytes: number;
}

export interface ServerLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ServerHandle {
  listen(): Promise<ListenInfo>;
  close(): Promise<void>;
  setMode(mode: ConcurrencyMode): void;
  /** Bytes on the wire: open / chunk / close / switch, per connection. */
  onCapture<K extends keyof CaptureEvents>(event: K, listener: (payload: CaptureEvents[K]) => void, options?: ListenerOptions): Disposable;
  /** Each answered request. */
  onExchange(listener: (exchange: ExchangeInfo) => void): Disposable;
  /** The scheduler's queued / started / finished events (the playground's server queue view). */
  onQueue?(listener: (event: QueueEvent) => void): Disposable;
  /** Routes in force (built-in and from the routes file). */
  routes(): RouteInfo[];
  /** Fires when the routes file is (re)loaded or fails to load. */
  onRoutesChanged(listener: (problem: string | undefined) => void): Disposable;
  /** Open sockets right now. */
  openConnections(): number;
  /** Reloads the routes file now; resolves with its problems, one line each (empty when it loaded). */
  reloadRoutes?(): Promise<string[]>;
}

/** Async so that server-core is loaded on the first start, not at activation. */
export type ServerFactory = (options: ServerStartOptions, log: ServerLog) => Promise<ServerHandle>;
