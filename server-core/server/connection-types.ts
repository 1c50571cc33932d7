// What a server connection shares with the rest of the server: the context it
// is built with, the parser it is given, and what it reports (request log,
// errors, snapshots). Kept apart from connection.ts so the listener, the
// facade and the tests read the contract without the machinery.
import type { CaptureEvents, Endpoint } from '../capture/types.js';
import type { Handler } from '../http/handler-types.js';
import type { HttpParserHandlers, HttpParserLimits } from '../http/parser-types.js';
import type { Emitter } from '../util/emitter.js';
import type { HttpConnection } from './connection.js';
import type { ServerLimits } from './limits.js';
import type { RequestStages, RouteDecision } from './request-stages.js';
import type { Scheduler } from './scheduler.js';
import type { UpgradeHook } from './upgrade-handoff.js';
import type { UpgradedConnection } from './upgraded-connection.js';

/** What the connection needs from a parser: HttpMessageParser in request mode. */
export interface RequestParser {
  push(chunk: Buffer): void;
}
export type RequestParserFactory = (handlers: HttpParserHandlers, limits: HttpParserLimits) => RequestParser;

export interface RequestLogEntry {
  connectionId: string;
  index: number;
  method: string;
  target: string;
  status: number;
  /** Response bytes as written (head and framed body). */
  bytes: number;
  /** From the end of the request head to the end of the response, ms. */
  durationMs: number;
  remote: Endpoint;
  /**
   * When each stage of the pipeline happened, in ms since the connection's accept
   * (request-stages.ts; docs/pipeline.md). Empty ({}) when the server does not record stages.
   */
  stages: RequestStages;
  /** The route that took the request; null when none did (no match, refused, a custom handler, not recorded). */
  route: RouteDecision | null;
}

export interface ConnectionErrorEntry {
  connectionId: string;
  /**
   * 'handler' for a handler that threw; 'parse' for bytes refused; 'socket' for a socket error;
   * 'abort' for a client that closed its side in the middle of a request body.
   */
  kind: 'handler' | 'parse' | 'socket' | 'timeout' | 'abort';
  message: string;
  status?: number;
  code?: string;
  error?: unknown;
}

/** The state shown in snapshots (the sidebar's connection list); derived from the lifecycle. */
export type ConnectionState = 'idle' | 'reading' | 'handling' | 'closing' | 'upgraded' | 'closed';

export interface ConnectionSnapshot {
  id: string;
  remote: Endpoint;
  local: Endpoint;
  protocol: 'http' | 'ws';
  /** Wall clock (Date.now()) when accepted. */
  openedAt: number;
  bytesIn: number;
  bytesOut: number;
  requests: number;
  state: ConnectionState;
}

/** Everything a connection shares with its server. */
export interface ConnectionContext {
  readonly limits: ServerLimits;
  readonly parserLimits: HttpParserLimits;
  readonly createParser: RequestParserFactory;
  readonly scheduler: Scheduler;
  readonly capture: Emitter<CaptureEvents>;
  /**
   * Every accepted socket's local endpoint, when the listener's address says it: bound to one address
   * (not 0.0.0.0 or ::), every socket it accepts has that address and port (set by the listener once
   * listening; connections then skip a getsockname each). Undefined: ask the socket.
   */
  boundLocal?: Endpoint;
  getHandler(): Handler;
  readonly upgrade: UpgradeHook | undefined;
  /** Record each request's pipeline stages and route (default true; the benchmark turns it off to measure it). */
  readonly recordStages?: boolean;
  /** Only called when someone listens (check `wantsRequestLog`). */
  onRequestLog(entry: RequestLogEntry): void;
  readonly wantsRequestLog: () => boolean;
  onError(entry: ConnectionErrorEntry): void;
  onClosed(conn: ListedConnection): void;
  /** `from` switched protocols: `to` takes its place (the listener's set, shutdown, snapshots). */
  onUpgraded(from: HttpConnection, to: UpgradedConnection): void;
}

/**
 * What the listener and the server need of a connection, before an upgrade
 * (HttpConnection) and after it (UpgradedConnection).
 */
export interface ListedConnection {
  readonly id: string;
  snapshot(): ConnectionSnapshot;
  /** The listener's timeout sweep. */
  checkTimeouts(now: number): void;
  /** Graceful close (the listener's close()). */
  shutdown(): void;
  destroy(reason?: string): void;
}
