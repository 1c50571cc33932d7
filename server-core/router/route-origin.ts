// What a route is, beyond its pattern: the kind of thing that answers (code, a
// file, a folder, a fixed response, a WebSocket endpoint) and, for a route of a
// routes file, where its entry is written (file and 1-based line). The loaders
// under routes/ fill it in; the router hands it to the request's pipeline record
// (server/request-stages.ts) when the route is chosen.

/**
 * What answers a route: `code` a handler function, `file` one file, `dir` a folder
 * of static files, `fixed` a response written out in the routes file, `websocket`
 * an upgrade to a WebSocket endpoint.
 */
export type RouteHandlerKind = 'code' | 'file' | 'dir' | 'fixed' | 'websocket';

export const ROUTE_HANDLER_KINDS: readonly RouteHandlerKind[] = ['code', 'file', 'dir', 'fixed', 'websocket'];

export interface RouteOrigin {
  kind: RouteHandlerKind;
  /** A routes file's route: the file (absolute path). */
  file?: string;
  /** 1-based line of the entry in `file`, when the loader could place it. */
  line?: number;
}

/** The origin a route gets when its definition says nothing: from the router's own kind. */
export function defaultOrigin(kind: 'http' | 'ws' | 'static' | 'sse'): RouteOrigin {
  return { kind: kind === 'ws' ? 'websocket' : kind === 'static' ? 'dir' : 'code' };
}
