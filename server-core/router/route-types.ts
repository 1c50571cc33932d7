// The router's public shapes: route definitions (HTTP and WebSocket), what a
// route table row shows (RouteInfo), match results and the router's events,
// and the error a bad pattern or method throws. Types and constants only; the
// router (router.ts) and its tables (route-table.ts) use them, and the rest of
// the server imports them through router.ts.
import type { Handler } from '../http/handler-types.js';
import type { WebSocketRoute } from '../ws/types.js';
import type { RouteOrigin } from './route-origin.js';

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
