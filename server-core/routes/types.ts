// The contract of user routes files: what a load returns and how its errors are
// described. Shared by the JSON loader, the .mjs loader and the watcher.
import type { RouteDef } from '../router/router.js';

export const ROUTES_JSON = 'wireplay.routes.json';
export const ROUTES_MJS = 'wireplay.routes.mjs';

/** Default cap on a routes file's size (wireplay.routes.maxFileBytes). */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Default time a `.mjs` handler has to start its response (wireplay.routes.handlerTimeoutMs). */
export const DEFAULT_HANDLER_TIMEOUT_MS = 30_000;
/** Default time a `.mjs` module has to finish loading. */
export const DEFAULT_LOAD_TIMEOUT_MS = 10_000;

export type UserRouteErrorCode =
  | 'READ_FAILED'
  | 'FILE_TOO_LARGE'
  | 'JSON_SYNTAX'
  | 'INVALID_SCHEMA'
  | 'CODE_NOT_ALLOWED'
  | 'MODULE_SYNTAX'
  | 'MODULE_FAILED'
  | 'MODULE_TIMEOUT'
  | 'HANDLER_TIMEOUT'
  | 'WORKER_FAILED'
  | 'UNSUPPORTED_FILE';

export interface UserRouteError {
  code: UserRouteErrorCode;
  file: string;
  message: string;
  /** 1-based, when known. */
  line?: number;
  column?: number;
}

export interface LoadResult {
  file: string;
  routes: RouteDef[];
  errors: UserRouteError[];
  /** The file does not exist (not an error: no user routes from it). */
  missing: boolean;
  /**
   * Stops what serves these routes (the worker thread of an `.mjs` file) once the requests
   * and WebSocket connections it is serving have finished. A no-op for JSON files.
   */
  retire(): void;
  /** Stops it now. */
  dispose(): void;
}

export interface UserRoutesOptions {
  /** Run `.mjs` routes files. False (the default) refuses them; JSON files are still served. */
  allowCode?: boolean;
  /** Folder that `file` and `dir` entries resolve against and may not leave. Default: the routes file's folder. */
  root?: string;
  /** `delay` cap in ms. Default 60 000. */
  maxDelayMs?: number;
  /** A larger routes file is refused before it is read. Default 64 MiB. */
  maxFileBytes?: number;
  /** Time an `.mjs` handler has to send its response head (or a WebSocket callback to return) before it answers 503. Default 30 s. */
  handlerTimeoutMs?: number;
  /** Time an `.mjs` module has to finish loading. Default 10 s. */
  loadTimeoutMs?: number;
  /**
   * Where the `.mjs` worker reports what goes wrong outside a request: an uncaught exception or
   * rejection, a handler that blocks its thread, a throwing WebSocket callback. Default console.error.
   */
  log?: (message: string, error?: unknown) => void;
  /** Called with each failure of the `.mjs` worker, located in the file (the watcher turns these into `error` events). */
  onRuntimeError?: (error: UserRouteError) => void;
  /** Called as a routes file is read: bytes so far (the reliability tests watch a load in progress). */
  onProgress?: (bytes: number) => void;
  /** Abandons the load (the watcher was disposed): a module's worker stops, a JSON file stops being read. */
  signal?: AbortSignal;
}

/** Formats an error as `file:line:col: message` (the form editors and terminals link). */
export function formatUserRouteError(e: UserRouteError): string {
  const where = e.line !== undefined ? `${e.file}:${e.line}:${e.column ?? 1}` : e.file;
  return `${where}: ${e.message}`;
}
