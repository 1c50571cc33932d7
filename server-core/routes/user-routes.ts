// User routes from the workspace: `wireplay.routes.json` (data) and
// `wireplay.routes.mjs` (code). See docs/routes.md for the formats.
//
// The public face of this folder. Behind it, one module per job:
//   types.ts            what a load returns, error codes, the option defaults
//   load-routes.ts      loadUserRoutes(file): JSON or module, never blocking the event loop
//   routes-file.ts      reading a routes file in pieces, within the size cap
//   json-positions.ts   the incremental JSON parser that knows lines and columns
//   source-locations.ts offsets to lines and columns; value positions by JSON Pointer
//   json-routes.ts      wireplay.routes.json: parse, check against the schema, build routes
//   schema/             the routes JSON Schema (the one VS Code uses) and its validator
//   route-entry.ts      one data route: checked, then turned into a handler
//   module/             wireplay.routes.mjs in a worker thread, and the relays to it
//   routes-watcher.ts   UserRoutesWatcher: reload on save, previous routes kept on error
export { loadUserRoutes } from './load-routes.js';
export { UserRoutesWatcher, routesFilesIn, type UserRoutesEvents, type UserRoutesWatcherOptions } from './routes-watcher.js';
export {
  ROUTES_JSON,
  ROUTES_MJS,
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_HANDLER_TIMEOUT_MS,
  DEFAULT_LOAD_TIMEOUT_MS,
  formatUserRouteError,
  type LoadResult,
  type UserRouteError,
  type UserRouteErrorCode,
  type UserRoutesOptions,
} from './types.js';
