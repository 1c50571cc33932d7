// The keys of a wireplay.routes.mjs default export: "METHOD /path", "GET,POST /path",
// "/path" (GET), "* /path" (any method), "WS /path", "SSE /path". Read on both sides of
// the worker boundary: the worker needs to know which values are WebSocket and
// event-stream entries.

const KEY = /^\s*(?:([A-Za-z*][A-Za-z0-9!#$%&'*+.^_`|~,-]*)\s+)?(\/\S*)\s*$/;

export const WS_CALLBACKS = ['onOpen', 'onMessage', 'onClose', 'onError'] as const;
export type WebSocketCallback = (typeof WS_CALLBACKS)[number];

/** An `SSE /path` entry: onOpen(stream, req) is required, onClose(stream, reason) optional. */
export const SSE_CALLBACKS = ['onOpen', 'onClose'] as const;

export interface RouteKey {
  /** Upper-case, as written ("GET,POST"), "GET" when omitted, "WS" for a WebSocket endpoint, "SSE" for an event stream. */
  method: string;
  path: string;
}

/** undefined when the key is not of that form. */
export function parseRouteKey(key: string): RouteKey | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  return { method: (m[1] ?? 'GET').toUpperCase(), path: m[2] };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
