// The public surface of server-core: the extension, the CLI and the playground
// import from here only. Each area adds its own exports below its heading.

// ---- server (listener, connections, responses, scheduler, limits, facade)
export {
  createWireplayServer,
  urlHost,
  type WireplayServer,
  type WireplayServerOptions,
  type ListeningAddress,
  type ServerEvents,
  type ServerErrorEntry,
  type LogLevel,
  type LogSink,
} from './server/wireplay-server.js';
export type { ConnectionSnapshot, ConnectionState, RequestLogEntry, ConnectionErrorEntry } from './server/connection.js';
export { DEFAULT_SERVER_LIMITS, resolveLimits, type ServerLimits } from './server/limits.js';
export { DEFAULT_HOST } from './server/listener.js';
export { CONCURRENCY_MODES, type ConcurrencyMode, type QueueEvent, type QueueEntry } from './server/scheduler.js';
export {
  serializeResponseHead,
  serializeResponse,
  encodeChunk,
  LAST_CHUNK,
  httpDate,
  validateHeaderName,
  validateHeaderValue,
  HeaderValidationError,
} from './server/response-writer.js';
export { STATUS_REASONS, reasonPhrase } from './server/status-codes.js';

// ---- contracts
export type * from './capture/types.js';
export type { Handler, ServerRequest, ServerResponse, HeaderValue } from './http/handler-types.js';
export { Emitter } from './util/emitter.js';
export { DisposableStore, toDisposable, type Disposable } from './util/disposable.js';
