// The contract of the script engine: what a caller (the `.http` runner, the
// Test Explorer, `wireplay test`) hands to ScriptRunner and what it gets back.
// Everything here is plain data that survives JSON and structured clone, so a
// job crosses the worker boundary as it is and a result can be stored, sent to
// a webview or written to a JUnit file without conversion.
//
// Positions: `lineOffset` / `columnOffset` say where the script text starts in
// its file. Every `line` / `column` in a result is 1-based and already mapped:
// line = lineOffset + (line inside the script), and column = columnOffset +
// (column inside the script) on the script's first line, the column inside the
// script on the others. Leave both offsets at 0 to get script-relative
// positions.

/** A value that JSON can carry unchanged. Variables and the global store hold only these. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * - `jetbrains-pre`: `< {% … %}` / `< ./x.js`, runs before the request; gets `client` and `request`.
 * - `jetbrains-response`: `> {% … %}` / `> ./x.js`; gets `client`, `request` and `response`.
 * - `httpyac-script`: `{{ … }}`; before the request when the job has no `response`, after it otherwise.
 * - `httpyac-assert`: one `?? target [name] condition [expected]` line (the `??` is optional).
 */
export type ScriptKind = 'jetbrains-pre' | 'jetbrains-response' | 'httpyac-script' | 'httpyac-assert';

export const SCRIPT_KINDS: readonly ScriptKind[] = ['jetbrains-pre', 'jetbrains-response', 'httpyac-script', 'httpyac-assert'];

/** A header as a [name, value] pair, in wire order; repeated names stay repeated. */
export type HeaderPair = [name: string, value: string];

/** The request as sent (for a pre-request script: as it will be sent with the variables known so far). */
export interface ScriptRequestInput {
  method: string;
  url: string;
  headers: HeaderPair[];
  /** Body as text; absent when the request has none. */
  body?: string;
  /**
   * The request as written in the file, `{{variables}}` unreplaced: what JetBrains'
   * `getRaw()` returns. Each part falls back to the sent value when absent.
   */
  raw?: { url?: string; headers?: HeaderPair[]; body?: string };
}

/** One step of a timing breakdown, for `?? duration <step> …`. */
export type TimingName = 'total' | 'firstByte' | 'download' | 'wait' | 'request' | 'tcp' | 'tls';

/** The response as received. */
export interface ScriptResponseInput {
  status: number;
  statusText?: string;
  /** `1.1` for HTTP/1.1. */
  httpVersion?: string;
  headers: HeaderPair[];
  /** Body bytes (decoded with the charset of the content type, UTF-8 by default) or text already decoded. */
  body?: Uint8Array | string;
  /** Content-Type to use instead of the header's (e.g. for a WebSocket). */
  contentType?: string;
  /** Sending plus receiving, in milliseconds: `?? duration`, `test.totalTime()`, httpYac's `response.timings.total`. */
  durationMs?: number;
  timings?: Partial<Record<TimingName, number>>;
  /** Present for WebSocket and streamed responses: `response.body` is then a stream object. */
  stream?: ScriptStreamInput;
}

/**
 * The messages (WebSocket, gRPC) or lines (SSE, chunked text) of a streamed
 * response. Items known when the job starts go in `items`; later ones are fed
 * with ScriptRun.push() and the end with ScriptRun.end() (or `ended: true`).
 */
export interface ScriptStreamInput {
  mode: 'messages' | 'lines';
  items?: string[];
  ended?: boolean;
  /** The transport can send answers (`output(text)` in onEachMessage): a WebSocket can, SSE cannot. */
  acceptsOutput?: boolean;
}

export interface ScriptJob {
  kind: ScriptKind;
  /** The script text (for `httpyac-assert`, the assertion line). */
  source: string;
  request?: ScriptRequestInput;
  response?: ScriptResponseInput;
  /** Variables in scope for this request (file, environment, earlier scripts), already resolved to values. */
  variables?: Record<string, JsonValue>;
  /** The selected environment's variables: `request.environment.get(name)`. */
  environment?: Record<string, string>;
  /** The `client.global` / httpYac `$global` store, owned by the caller; the result says how it changed. */
  globals?: Record<string, JsonValue>;
  /** Shown in stack traces, e.g. the `.http` file or the `./handler.js` path. */
  filename?: string;
  /** Lines of the file before the script's first line (0: positions are script-relative). */
  lineOffset?: number;
  /** Columns before the script's first character on its first line. */
  columnOffset?: number;
  /** Time limit for this job; default: the runner's. */
  timeoutMs?: number;
}

export interface ScriptLogLine {
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  text: string;
}

export interface ScriptTestResult {
  name: string;
  passed: boolean;
  /** Why it failed. */
  message?: string;
  /** When the failing check compared two values: both as text (for a diff view). */
  expected?: string;
  actual?: string;
  /** Where the test is declared (the `client.test(` / `test(` call, the `??` line); absent when unknown. */
  line?: number;
  column?: number;
  /** Where it failed, when that is inside the script. */
  failureLine?: number;
  failureColumn?: number;
  durationMs: number;
}

export type GlobalChange = { op: 'set'; name: string; value: JsonValue } | { op: 'clear'; name: string } | { op: 'clearAll' };

export type ScriptErrorCode =
  /** The script threw (or rejected) outside a test, or client.assert failed outside a test. */
  | 'SCRIPT_ERROR'
  /** The script does not parse, or the assertion line cannot be read. */
  | 'SYNTAX_ERROR'
  /** Still running when the time limit ran out: stopped. */
  | 'TIMEOUT'
  /** The script uses something Wireplay does not provide (named in the message). */
  | 'UNSUPPORTED'
  /** A limit other than time: memory, log size, number of tests. */
  | 'LIMIT'
  /** The worker running the script died; it is restarted for the next job. */
  | 'WORKER_CRASHED'
  /** ScriptRun.cancel() or the caller's AbortSignal. */
  | 'CANCELLED'
  /** The job itself is malformed (unknown kind, response missing, …). */
  | 'BAD_INPUT';

export interface ScriptError {
  code: ScriptErrorCode;
  /** One readable sentence or two, e.g. `TypeError: Cannot read properties of null (reading 'id')`. */
  message: string;
  /** Where it happened (mapped with the job's offsets); absent when unknown (a timeout, say). */
  line?: number;
  column?: number;
  /** The stack inside the script only, with the job's filename and mapped positions. */
  stack?: string;
}

export interface ScriptResult {
  /** No error, and every test passed. */
  ok: boolean;
  /** Variables the script set (`request.variables.set`, httpYac `exports.x`), in the order set; later sets win. */
  variables: Record<string, JsonValue>;
  /** The global store after the run: the job's `globals` with `globalChanges` applied. */
  globals: Record<string, JsonValue>;
  /** What the script did to the global store, in order (kept even when the script failed later). */
  globalChanges: GlobalChange[];
  tests: ScriptTestResult[];
  logs: ScriptLogLine[];
  /** Things the caller should show but that did not fail the script (a value that could not be kept, …). */
  warnings: string[];
  /** `client.exit()` was called. */
  exitRequested: boolean;
  /** httpYac `exports.$cancel = true`: the request should not be sent (pre-request) / the region stops. */
  cancelRequested: boolean;
  /**
   * httpYac scripts may edit `request` (method, url, headers, body) before it is sent; the edited request,
   * when the script changed it. The caller must send this one (or report why it cannot).
   */
  requestChanges?: { method: string; url: string; headers: HeaderPair[]; body?: string };
  /** Every stream subscriber called unsubscribe(): the caller may close the connection. */
  streamUnsubscribed: boolean;
  error?: ScriptError;
  /** Wall time of the run, worker start-up included when it had to start. */
  durationMs: number;
}

/** Called while a job runs, in order, before its result resolves. */
export interface ScriptRunHooks {
  onLog?(line: ScriptLogLine): void;
  onTest?(test: ScriptTestResult): void;
  /** `output(text)` inside onEachMessage: send `text` to the peer. */
  onOutput?(text: string): void;
  /** Every subscriber unsubscribed (see ScriptResult.streamUnsubscribed). */
  onUnsubscribe?(): void;
  /** Cancels the job (CANCELLED) when aborted. */
  signal?: AbortSignal;
}

/** A job in progress. */
export interface ScriptRun {
  readonly result: Promise<ScriptResult>;
  /** Feeds one more stream item (message or line). Ignored once the job ended. */
  push(item: string): void;
  /** The stream ended: onFinish callbacks run, then the job completes. */
  end(): void;
  /** Stops the job now: its result has error CANCELLED. */
  cancel(): void;
}

export interface ScriptRunnerOptions {
  /** Time limit per job, in ms. Default 5000. For streams, counted again from each pushed item. */
  timeoutMs?: number;
  /** Heap limit of the worker, in MiB. Default 128. Over it the job fails with LIMIT and the worker restarts. */
  memoryLimitMb?: number;
  /** Most log text one job keeps, in bytes (UTF-16 code units). Default 1 MiB; the rest is dropped with a warning. */
  maxLogBytes?: number;
  /** Most tests one job may declare. Default 10 000; one more stops the script with LIMIT. */
  maxTests?: number;
  /**
   * Most things one job may report (log lines, tests, variable and global changes, answers on a stream).
   * Default 100 000; one more stops the script with LIMIT, so a runaway loop cannot flood the host.
   */
  maxEvents?: number;
}

export const DEFAULT_SCRIPT_TIMEOUT_MS = 5000;
export const DEFAULT_SCRIPT_MEMORY_MB = 128;
export const DEFAULT_MAX_LOG_BYTES = 1024 * 1024;
export const DEFAULT_MAX_TESTS = 10_000;
export const DEFAULT_MAX_EVENTS = 100_000;
