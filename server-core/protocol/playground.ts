// The one message protocol between the playground UI (webview/panel) and its
// host: the VS Code extension host, or the standalone `wireplay ui` server.
// It lives in server-core because the host side (server-core/playground) owns
// the contract; the webview imports it too, and only it of server-core (a test
// holds both to that). Everything here is a type but PROTOCOL_VERSION,
// MAX_BYTE_RANGE and assertNever, and what it takes from the rest of
// server-core it takes with `import type`, so the webview bundle pulls in no
// server code. The host validates every FromWebview message at run time
// (server-core/playground/validate.ts) and both sides switch exhaustively with
// assertNever. Bytes cross as base64 strings.
import type { DissectedMessage } from '../capture/dissection-types.js';
import type { ConnectionSide, Direction, RequestPipeline, WireProtocol } from '../capture/types.js';
import type { ConcurrencyMode as ServerMode, QueueEvent } from '../server/scheduler.js';
import type { FailureDescription } from '../client/failure.js';
import type { DraftsSnapshot } from './drafts.js';
import type { ConnectionTraffic, ExchangeSummary } from './network.js';
import type { CompareChatResult, CompareWay } from './compare-chat.js';

// The capture's shapes the UI draws, re-exported so the webview needs nothing else of server-core.
export type { ByteRange, DissectedField, DissectedMessage, MessageKind } from '../capture/dissection-types.js';
export type { ConnectionSide, Direction, WireProtocol } from '../capture/types.js';
/** How the server schedules requests: the scheduler's own type (server-core/server/scheduler.ts). */
export type { ConcurrencyMode as ServerMode } from '../server/scheduler.js';
export { assertNever } from './assert-never.js';
export type { ComposerMode, DraftsSnapshot, RawDraft, RepeatDraft, RequestDraft, SelectionDraft, SseDraft, WsDraft } from './drafts.js';
export type { CompareChatResult, CompareMessageResult, CompareWay, CompareWayResult } from './compare-chat.js';
export type { ConnectionTraffic, ExchangeSummary } from './network.js';
/** A server request's way through the pipeline: stage times and route (docs/pipeline.md). */
export type { RequestPipeline as PipelineView } from '../capture/types.js';
export type { RequestStages, RouteDecision, StageName, StageRefusal } from '../server/request-stages.js';
/** Why a send failed, in words (server-core/client/failure.ts): a kind, a title naming the host, what it means. */
export type { FailureDescription as FailureView, FailureKind } from '../client/failure.js';

export type Base64 = string;

export const PROTOCOL_VERSION = 1;

/** The largest byte range one capture.bytes request may ask for. */
export const MAX_BYTE_RANGE = 1024 * 1024;

// ---------------------------------------------------------------- shared shapes

export interface HeaderRow {
  name: string;
  value: string;
  /** false: kept in the table but not sent. */
  enabled: boolean;
  /** Added by the sender (Host, Content-Length, …): shown so it can be switched off. */
  auto?: boolean;
}

export type BodyKind = 'none' | 'text' | 'json' | 'form' | 'file';

export interface BodySpec {
  kind: BodyKind;
  /** For text and json. */
  text?: string;
  /** For form (application/x-www-form-urlencoded). */
  form?: { name: string; value: string }[];
  /** For file: the file's bytes and name, read in the UI. */
  fileName?: string;
  fileBase64?: Base64;
}

export interface HttpRequestSpec {
  method: string;
  url: string;
  headers: HeaderRow[];
  body: BodySpec;
  followRedirects?: boolean;
  timeoutMs?: number;
}

export interface WsFrameSpec {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  /** 0..15, including reserved values on purpose. */
  opcode: number;
  mask: boolean;
  payload: Base64;
  /** Split the payload into this many frames (first keeps the opcode, others are continuations). 1 = no split. */
  fragments: number;
}

export type WsSendKind = 'text' | 'binary' | 'ping' | 'pong';

export interface ConnectionInfo {
  connectionId: string;
  side: ConnectionSide;
  protocol: WireProtocol;
  /** 'GET http://127.0.0.1:8080/echo', 'ws://…/chat', '127.0.0.1:8080'. */
  label: string;
  remote: string;
  /** Monotonic ms of the open. */
  t: number;
  wallTime: number;
  closed?: { t: number; reason?: string };
  peerConnectionId?: string;
  /** The bytes went over TLS (the capture shows the plaintext above it). */
  tls?: boolean;
  /** A reconnect of an event stream: the connection it follows (capture/types.ts ConnectionOpened). */
  previousConnectionId?: string;
  /** A leg of the recording proxy: client ↔ proxy ('proxy-downstream') or proxy ↔ target ('proxy-upstream'). */
  role?: 'proxy-downstream' | 'proxy-upstream';
  /** On a proxy ↔ target leg: the client ↔ proxy leg whose requests it carries. */
  linkedConnectionId?: string;
}

export interface TimingBreakdown {
  dns?: number;
  connect?: number;
  tls?: number;
  /** Request written → first response byte. */
  firstByte?: number;
  /** First response byte → last. */
  download?: number;
  total?: number;
}

export interface HttpResponseView {
  statusCode: number;
  reason: string;
  httpVersion: string;
  headers: [string, string][];
  /** De-chunked body, possibly truncated to bodyLimit. */
  body: Base64;
  bodyBytes: number;
  bodyTruncated: boolean;
  /** Bytes on the wire for the whole response (head + framing + body). */
  wireBytes: number;
}

/**
 * One HTTP exchange the host keeps per connection (bounded), so a reloaded or
 * re-shown UI gets its status, headers, body and timing back with the bytes.
 */
export interface HttpExchangeView {
  reqId: string;
  /** The request as composed (a file body's bytes are left out). */
  spec: HttpRequestSpec;
  response?: HttpResponseView;
  timing?: TimingBreakdown;
  error?: string;
  /** Why it failed, in words (with error, its title). */
  failure?: FailureDescription;
}

export interface HistoryEntry {
  id: string;
  wallTime: number;
  spec: HttpRequestSpec;
  status?: number;
  connectionId?: string;
  /** The send failed: why, in words (the failure's title), and its kind. */
  error?: string;
  failureKind?: FailureDescription['kind'];
}

export interface ChunkView {
  dir: Direction;
  t: number;
  /**
   * The chunk's bytes, when the host sends them along (small captures, the
   * first bytes of a push). Absent for the rest of a big capture: the UI asks
   * for what it shows with capture.bytes.
   */
  bytes?: Base64;
  /** Bytes in the chunk (whether or not they are sent). */
  length: number;
  /** Offset of the first byte in its direction's stream (differs from the running total after dropped bytes). */
  offset?: number;
}

/**
 * One request as the server's scheduler saw it, its queued, started and
 * finished events folded into one, for the Timeline's server queue view. Times
 * are the host's performance.now() ms, the same clock as ChunkView.t. `index`
 * is the request's number on its connection, from 1 (its request message has
 * sequence index - 1); `mode` is the mode when it was queued (or started);
 * `startedAt` is absent while it waits, `finishedAt` while it waits or runs.
 */
export interface QueueJob extends Pick<QueueEvent, 'connectionId' | 'index' | 'method' | 'target' | 'queuedAt' | 'startedAt' | 'finishedAt' | 'aborted' | 'mode'> {
  /** Set when it had to wait in the queue: how many requests were waiting ahead of it. */
  waitedBehind?: number;
}

/** The queue as the host knows it: sent in init, then kept up to date by queue.jobs and server.mode. */
export interface QueueSnapshot {
  /** null: no server whose queue can be shown. */
  mode: ServerMode | null;
  /** The UI may ask to switch modes (server.setMode). */
  canSetMode: boolean;
  /** The most recent jobs, oldest first (bounded by the host). */
  jobs: QueueJob[];
  /** The host's performance.now() when this was sent (to extend the bars of unfinished jobs). */
  now: number;
}

/** An event-stream session's state (server-core/client/sse-client.ts): one per connection attempt. */
export interface SseStateView {
  state: 'connecting' | 'open' | 'waiting' | 'closed';
  /** 1-based attempt number in the session. */
  connection: number;
  connectionId?: string;
  /** A reconnect: the connection it follows (drawn as a link). */
  previousConnectionId?: string;
  /** What a reconnect sends as Last-Event-ID ('' for none). */
  lastEventId: string;
  status?: number;
  /** 'waiting': ms until the next attempt. */
  delay?: number;
  reason?: string;
  code?: string;
}

/** One record of an event stream as the composer's list shows it; `t` is the host's performance.now(). */
export type SseRecordView =
  | { kind: 'event'; connection: number; connectionId?: string; type: string; id: string; data: string; t: number }
  | { kind: 'comment'; connection: number; connectionId?: string; text: string; t: number }
  | { kind: 'retry'; connection: number; connectionId?: string; ms: number; t: number };

/**
 * One record of a streamed HTTP response (client/body-stream.ts) as the HTTP result lists it, as it arrives:
 * a line of NDJSON or chunked text (`error`: why it is not JSON, for a JSON-lines type), a json-seq record,
 * or an event stream's event or comment. `t` is the host's performance.now().
 */
export interface HttpStreamRecordView {
  kind: 'line' | 'event' | 'comment';
  text: string;
  error?: string;
  t: number;
}

// ---------------------------------------------------------------- webview → host

export type FromWebview =
  | { type: 'ready'; version: number }
  | { type: 'http.preview'; reqId: string; spec: HttpRequestSpec }
  | { type: 'http.send'; reqId: string; spec: HttpRequestSpec }
  | { type: 'http.cancel'; reqId: string }
  | { type: 'ws.connect'; sessionId: string; url: string; protocols: string[]; headers: HeaderRow[]; autoPong: boolean }
  | { type: 'ws.send'; sessionId: string; kind: WsSendKind; data: Base64 }
  | { type: 'ws.frame'; sessionId: string; frame: WsFrameSpec }
  | { type: 'ws.close'; sessionId: string; code?: number; reason?: string }
  | { type: 'ws.autoPong'; sessionId: string; enabled: boolean }
  | { type: 'ws.disconnect'; sessionId: string }
  | {
      type: 'raw.send';
      sessionId: string;
      host: string;
      port: number;
      data: Base64;
      /** Send in pieces of chunkSize bytes every intervalMs (drip-feed). */
      drip?: { chunkSize: number; intervalMs: number };
      /** End our side (FIN) after the bytes are written. */
      halfClose: boolean;
    }
  | { type: 'raw.close'; sessionId: string }
  /** Open an event stream like EventSource: GET url with these headers, from this Last-Event-ID, reconnecting after drops unless autoReconnect is false. */
  | { type: 'sse.connect'; sessionId: string; url: string; headers: HeaderRow[]; lastEventId: string; autoReconnect: boolean }
  | { type: 'sse.disconnect'; sessionId: string }
  /** "Compare the three": run the same chat over polling, SSE + POST and WebSocket against the host's server (compare.state answers). */
  | { type: 'compare.run'; runId: string }
  | { type: 'capture.load'; connectionId: string }
  /** Bytes [start, end) of one direction of a captured connection (at most MAX_BYTE_RANGE); answered by capture.bytes. */
  | { type: 'capture.bytes'; connectionId: string; dir: Direction; start: number; end: number }
  | { type: 'capture.clear' }
  | { type: 'history.clear' }
  | { type: 'server.setMode'; mode: ServerMode }
  /** Open a route's source (a routes file named by a pipeline record) at its line: VS Code only, the browser page shows file:line. */
  | { type: 'source.open'; file: string; line?: number }
  /** The request tabs, to keep where they outlive the panel (sent a moment after the last change). */
  | { type: 'drafts.save'; drafts: DraftsSnapshot };

// ---------------------------------------------------------------- host → webview

export type ToWebview =
  | {
      type: 'init';
      version: number;
      serverUrl: string | null;
      standalone: boolean;
      history: HistoryEntry[];
      connections: ConnectionInfo[];
      /** Absent from a host without a server queue to show. */
      queue?: QueueSnapshot;
      /** Every HTTP exchange and byte count the capture holds, for the network list. */
      exchanges?: ExchangeSummary[];
      traffic?: ConnectionTraffic[];
      /** The request tabs the host kept (the UI takes them when it has none of its own). */
      drafts?: DraftsSnapshot;
    }
  | { type: 'server'; url: string | null }
  | { type: 'http.preview'; reqId: string; bytes: Base64; autoHeaders: HeaderRow[]; error?: string }
  | { type: 'http.started'; reqId: string; connectionId: string }
  | { type: 'http.response'; reqId: string; connectionId: string; response: HttpResponseView; timing: TimingBreakdown }
  /** A streamed response's records as they arrive (before its http.response), batched, oldest first. */
  | { type: 'http.records'; reqId: string; connectionId: string; records: HttpStreamRecordView[] }
  /**
   * The send failed: `message` (= failure.title) in words, the connection if one was opened (its bytes show what
   * went out), the timing so far, and when it started (wall clock).
   */
  | { type: 'http.error'; reqId: string; message: string; code?: string; failure?: FailureDescription; connectionId?: string; timing?: TimingBreakdown; wallTime?: number }
  | { type: 'history'; entries: HistoryEntry[] }
  | { type: 'ws.state'; sessionId: string; state: 'connecting' | 'open' | 'closing' | 'closed'; connectionId?: string; protocol?: string; code?: number; reason?: string; error?: string }
  /**
   * The host opened a WebSocket session (a WEBSOCKET block sent from a .http file; `source` says where from), or
   * re-announces the open one to a reloaded UI (`resumed`: it is open; bind, but leave the composer on the tab it
   * shows): the WebSocket composer binds to it. Its ws.state and ws.message follow.
   */
  | { type: 'ws.attached'; sessionId: string; url: string; protocols: string[]; connectionId: string; source?: string; resumed?: boolean }
  | { type: 'ws.message'; sessionId: string; dir: Direction; opcode: number; data: Base64; t: number }
  | { type: 'raw.state'; sessionId: string; state: 'connecting' | 'open' | 'half-closed' | 'closed'; connectionId?: string; error?: string }
  | { type: 'connection.opened'; info: ConnectionInfo }
  | { type: 'connection.closed'; connectionId: string; t: number; reason?: string }
  | ({ type: 'sse.state'; sessionId: string } & SseStateView)
  /** Records of an event stream, batched (a fast stream sends many per message), oldest first. */
  | { type: 'sse.records'; sessionId: string; records: SseRecordView[] }
  /**
   * A comparison's progress: `running` with the way it is on, then `done` with the result (a way that failed
   * carries its error) or `failed` (no server, another run going on) with `error` in words.
   */
  | { type: 'compare.state'; runId: string; state: 'running' | 'done' | 'failed'; way?: CompareWay; result?: CompareChatResult; error?: string }
  | { type: 'capture.chunks'; connectionId: string; chunks: ChunkView[] }
  | { type: 'capture.messages'; connectionId: string; messages: DissectedMessage[] }
  /**
   * The answer to a capture.bytes request for [start, end): the retained bytes
   * begin at `offset` (later than start when the oldest were dropped from the
   * capture; equal to end when none are left) and may stop before end.
   */
  | { type: 'capture.bytes'; connectionId: string; dir: Direction; start: number; end: number; offset: number; bytes: Base64 }
  /** The capture's ring dropped every byte of `dir` below `before` on a live connection (with its messages). */
  | { type: 'capture.dropped'; connectionId: string; dir: Direction; before: number }
  | { type: 'capture.snapshot'; connectionId: string; chunks: ChunkView[]; messages: DissectedMessage[]; http?: HttpExchangeView[]; pipelines?: RequestPipeline[] }
  /** Server requests whose pipeline record (stages, route) closed since the last push, of every server connection. */
  | { type: 'capture.pipelines'; pipelines: RequestPipeline[] }
  | { type: 'capture.cleared' }
  /** Show a connection in the inspector; with `pipeline`, the Pipeline view of its request of that index (from 1). */
  | { type: 'select'; connectionId: string; pipeline?: number }
  /** Jobs that were queued, started or finished since the last push (upserts, keyed by connectionId and index). */
  | { type: 'queue.jobs'; jobs: QueueJob[]; now: number }
  | { type: 'server.mode'; mode: ServerMode | null; canSetMode: boolean }
  /** Exchanges and byte counts that changed since the last push, for the network list (upserts). */
  | { type: 'network.update'; exchanges: ExchangeSummary[]; traffic: ConnectionTraffic[] }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  /** Edit and Resend (a proxied exchange in the sidebar): the composer takes this request, to edit and send. */
  | { type: 'composer.load'; request: ComposerLoad };

/** A captured request put into the composer (Edit and Resend). */
export interface ComposerLoad {
  /** The form shown: raw TCP with the exact bytes, or the HTTP form (a TLS target: raw TCP cannot reach it). */
  mode: 'raw' | 'http';
  /** For the raw form: where to, and the exact bytes. */
  raw?: { host: string; port: number; data: Base64 };
  /** For the HTTP form: every header as captured, in order, the automatic ones switched off. */
  http?: HttpRequestSpec;
  /** Said in the status region: where the request comes from and, when the form cannot send it byte for byte, what differs. */
  note: string;
}
