// The one message protocol between the playground UI (webview/panel) and its
// host: the VS Code extension host, or the standalone `wireplay ui` server.
// Both sides import these as types only. The host validates every FromWebview
// message at run time (server-core/playground/validate.ts) and both sides
// switch exhaustively with assertNever. Bytes cross as base64 strings.
import type { DissectedMessage } from '../server-core/capture/dissection-types.js';
import type { ConnectionSide, Direction, WireProtocol } from '../server-core/capture/types.js';

export type Base64 = string;

export const PROTOCOL_VERSION = 1;

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

export interface HistoryEntry {
  id: string;
  wallTime: number;
  spec: HttpRequestSpec;
  status?: number;
  connectionId?: string;
}

export interface ChunkView {
  dir: Direction;
  t: number;
  bytes: Base64;
  /** Offset of the first byte in its direction's stream (differs from the running total after dropped bytes). */
  offset?: number;
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
  | { type: 'capture.load'; connectionId: string }
  | { type: 'capture.clear' }
  | { type: 'history.clear' };

// ---------------------------------------------------------------- host → webview

export type ToWebview =
  | { type: 'init'; version: number; serverUrl: string | null; standalone: boolean; history: HistoryEntry[]; connections: ConnectionInfo[] }
  | { type: 'server'; url: string | null }
  | { type: 'http.preview'; reqId: string; bytes: Base64; autoHeaders: HeaderRow[]; error?: string }
  | { type: 'http.started'; reqId: string; connectionId: string }
  | { type: 'http.response'; reqId: string; connectionId: string; response: HttpResponseView; timing: TimingBreakdown }
  | { type: 'http.error'; reqId: string; message: string; code?: string }
  | { type: 'history'; entries: HistoryEntry[] }
  | { type: 'ws.state'; sessionId: string; state: 'connecting' | 'open' | 'closing' | 'closed'; connectionId?: string; protocol?: string; code?: number; reason?: string; error?: string }
  | { type: 'ws.message'; sessionId: string; dir: Direction; opcode: number; data: Base64; t: number }
  | { type: 'raw.state'; sessionId: string; state: 'connecting' | 'open' | 'half-closed' | 'closed'; connectionId?: string; error?: string }
  | { type: 'connection.opened'; info: ConnectionInfo }
  | { type: 'connection.closed'; connectionId: string; t: number; reason?: string }
  | { type: 'capture.chunks'; connectionId: string; chunks: ChunkView[] }
  | { type: 'capture.messages'; connectionId: string; messages: DissectedMessage[] }
  | { type: 'capture.snapshot'; connectionId: string; chunks: ChunkView[]; messages: DissectedMessage[] }
  | { type: 'capture.cleared' }
  | { type: 'select'; connectionId: string }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string };

export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
