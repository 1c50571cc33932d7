// The public surface of server-core: the extension imports from here only (a
// test enforces it: test/unit/architecture-extension.test.ts). Inside
// server-core, modules import each other directly; the CLI and the playground
// live in server-core too. Each area adds its own exports below its heading.
// Exports for another area's files (.http support, the playground panel) are
// listed under that area; the area's owner keeps them true.

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

// ---- capture (the store and what it records)
export { CaptureStore, type CapturedConnection, type CaptureStoreOptions, type ConnectionSummary } from './capture/capture-store.js';

// ---- client (requests the user sends)
export type { RequestSpec } from './client/request-spec.js';

// ---- export (HAR, pcap, transcript, cURL)
export { toHar } from './export/har.js';
export { toPcap } from './export/pcap.js';
export { toTranscript } from './export/transcript.js';
export { toCurl, importCurl, CurlImportError, type CurlImport } from './export/curl.js';

// ---- playground (host side of the panel; owned by the playground's area)
export { PlaygroundController, type PlaygroundControllerOptions } from './playground/controller.js';
export type { AttachedWebSocket, AttachWebSocketOptions } from './playground/ws-attach.js';
export type { ServerQueueSource } from './playground/queue-jobs.js';

// ---- the UI's contracts (owned by the UI area; server-core/protocol/): the rows the sidebar's
// tree views show, the playground's keys
export {
  type RouteKind,
  type ServerView,
  type ServerState,
  type RoutesView,
  type RouteRow,
  type RowProtocol,
  type ConnectionRow,
  type TrafficRow,
  type ProxiedExchange,
  type ProxyState,
  type ProxyView,
  type ProxyRuleRow,
} from './protocol/sidebar.js';
export type { ComposerLoad, DraftsSnapshot, HistoryEntry, ToWebview } from './protocol/playground.js';
export { PLAYGROUND_KEYS, keyboardHelpText, type KeyHelp, type KeyHelpSection } from './protocol/keyboard-help.js';

// ---- .http files (owned by the .http area)
export { scratchTemplate } from './httpfile/scratch-template.js';
export {
  ENV_FILE,
  PRIVATE_ENV_FILE,
  environmentNames,
  loadEnvironmentFiles,
  mergeEnvironments,
  selectEnvironment,
  parseDotenv,
  loadDotenv,
  findWorkspaceRoot,
  foldersUpTo,
  loadRestClientSettings,
  type EnvironmentSet,
} from './httpfile/environments.js';
export { HTTP_METHODS, blockAtLine, parseHttpFile } from './httpfile/parse-http-file.js';
export { DIALECTS, type Dialect, type Diagnostic, type HttpFile, type RequestBlock } from './httpfile/types.js';
export { blockLabel, bytesAsText, describeOutcome, formatOutcome, formatWebSocketEntry, outcomeStatus } from './httpfile/format-outcome.js';
export { lintHttpFile } from './httpfile/lint.js';
export { formatStreamRecord, LiveStreamLines } from './httpfile/stream-lines.js';
export type { StreamRecord } from './client/body-stream.js';
export { resolveBlock } from './httpfile/resolve-block.js';
export { HttpFileSession, type BlockOutcome, type RunOptions } from './httpfile/run-http-file.js';
export { createLiveWebSocketRunner } from './httpfile/ws-live.js';
export { createWebSocketScriptRunner } from './httpfile/ws-script.js';
export { GlobalStore, type ScriptHost } from './httpfile/script-host.js';
export { asTextRecord } from './httpfile/script-io.js';
export { discoverChecks, type DiscoveredCheck } from './httpfile/test-discovery.js';
export { mergePasses, requestTestResult, type RequestTestResult, type TestCaseResult, type TestStatus } from './httpfile/test-results.js';

// ---- the recording proxy (docs/proxy.md; its VS Code side: extension/server/proxy-controller.ts)
export { createWireplayProxy, DEFAULT_PROXY_TIMEOUT_MS, type WireplayProxy, type ProxyLiveSettings } from './proxy/wireplay-proxy.js';
export { parseProxyTarget, ProxyTargetError } from './proxy/target.js';
export type { ProxyExchange, ProxyRule, WireplayProxyOptions } from './proxy/types.js';
export { compileRules, ProxyRuleError } from './proxy/rules.js';
export { curlFromBytes, ReplayError } from './proxy/replay.js';
export { httpBlockFromBytes, type HttpBlockText } from './proxy/http-block.js';
export { exchangeRequestBytes, type ExchangeRequest } from './proxy/exchange-request.js';
export { composerLoadFromBytes } from './proxy/composer-load.js';
export { appendHttpBlock, httpBlockInsertion } from './httpfile/append-block.js';

// ---- scripts in .http files (the script engine; owned by the .http area)
export { ScriptRunner, DEFAULT_SCRIPT_TIMEOUT_MS } from './scripts/index.js';

// ---- contracts
export type * from './capture/types.js';
export type { Handler, ServerRequest, ServerResponse, HeaderValue } from './http/handler-types.js';
export { Emitter, type ListenerOptions } from './util/emitter.js';
export { DisposableStore, toDisposable, type Disposable } from './util/disposable.js';
export { escapeHtml } from './util/html.js';
export { formatBytes, formatExactBytes } from './util/byte-size.js';
export { dropOldest } from './util/drop-oldest.js';
