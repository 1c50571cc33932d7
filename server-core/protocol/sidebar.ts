// What the Wireplay sidebar shows: the server's state, its connections, its
// recent traffic and the routes in force, as plain data. The extension's
// ServerController and TrafficModel produce these rows; the native tree views
// of extension/views/ turn them into tree items. (The sidebar was a webview
// until issue 15; it is VS Code's own tree views now, so there is no message
// protocol left here, only the rows.) No vscode, no node built-ins, and nothing
// of the rest of server-core but types.
import type { ConnectionRole } from '../capture/types.js';
import type { ConcurrencyMode as ServerMode } from '../server/scheduler.js';

/** How the server schedules requests: the scheduler's own type (server-core/server/scheduler.ts). */
export type { ConcurrencyMode as ServerMode } from '../server/scheduler.js';

export type ServerState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';
export type RowProtocol = 'http' | 'ws' | 'raw';

export interface ServerView {
  state: ServerState;
  /** http://127.0.0.1:PORT when running. */
  url?: string;
  host?: string;
  port?: number;
  mode: ServerMode;
  /** Why the last start failed, or a note (temporary static root, untrusted workspace…). */
  message?: string;
  /** Notes that stay visible (untrusted workspace: .mjs routes not loaded). */
  notices: string[];
}

export interface ConnectionRow {
  id: string;
  protocol: RowProtocol;
  /** '127.0.0.1:54012' */
  peer: string;
  /** Wall clock of the open (Date.now()). */
  openedAt: number;
  /** Wall clock of the close; absent while open. */
  closedAt?: number;
  bytesIn: number;
  bytesOut: number;
  /** A leg of a proxied connection (the recording proxy, docs/proxy.md); absent for every other connection. */
  role?: ConnectionRole;
  /** An upstream leg: the id of its client ↔ proxy leg. */
  linkedConnectionId?: string;
}

/**
 * What kind of route answered an exchange (issue 18): a handler in code, a
 * file from disk, a fixed response of the routes file, or a built-in route.
 * Absent until the server reports it.
 */
export type RouteKind = 'code' | 'file' | 'fixed' | 'built-in';

export interface TrafficRow {
  /** Stable id: `${connectionId}#${index}`; for the inspector. */
  id: string;
  connectionId: string;
  kind: 'http' | 'ws';
  /** 'GET' for HTTP, 'WS' for a WebSocket session. */
  method: string;
  target: string;
  /** HTTP status, 101 for WebSocket; absent while waiting. */
  status?: number;
  /** WebSocket: messages in both directions. */
  messages?: number;
  startedAt: number;
  /** Milliseconds from the request's first byte to the response's first byte. */
  durationMs?: number;
  done: boolean;
  /** The kind of route that answered, when known (issue 18). */
  routeKind?: RouteKind;
  /** Set on an exchange that went through the recording proxy: the row is its client ↔ proxy leg. */
  proxy?: ProxiedExchange;
}

/** What the sidebar shows of a proxied exchange besides the row: its upstream leg and timings. */
export interface ProxiedExchange {
  /** The origin the proxy forwarded to (http://127.0.0.1:3000). */
  origin: string;
  /** The proxy ↔ target leg that carried it; absent when the proxy answered by itself. */
  upstreamId?: string;
  /** The proxy answered by itself: why (a rule, the target unreachable, …; the proxy's `answer`). */
  answer?: string;
  /** Readable: the body of the proxy's own error answer, or why the response was cut. */
  error?: string;
  /** complete, cut or aborted (absent while in flight). */
  outcome?: 'complete' | 'cut' | 'aborted';
  /** The target's time: its first response byte − the request forwarded (ms). */
  upstreamMs?: number;
  /** The proxy's own time on the exchange (ms). */
  proxyMs?: number;
}

export type ProxyState = 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';

/** The recording proxy started from VS Code (Wireplay: Start Proxy…). */
export interface ProxyView {
  state: ProxyState;
  /** http://127.0.0.1:PORT while running. */
  url?: string;
  /** The origin it forwards to. */
  target?: string;
  /** Why the last start failed, or a warning (an insecure TLS target). */
  message?: string;
  /** Its rules (wireplay.proxy.rules), in order, as toggled in this session. */
  rules?: ProxyRuleRow[];
}

/** A rule of the running proxy, as the Server view lists it. */
export interface ProxyRuleRow {
  id: string;
  enabled: boolean;
  /** `GET /api/** → 503`, `/search: +2000 ms`, … */
  summary: string;
}

export interface RouteRow {
  method: string;
  path: string;
  source: 'built-in' | 'routes-file';
  description?: string;
}

export interface RoutesView {
  routes: RouteRow[];
  /** The routes file in force (an absolute path), if any. */
  file?: string;
  /** A problem with the routes file (syntax error at a line, untrusted .mjs…). */
  problem?: string;
}
