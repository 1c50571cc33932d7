// The types of the HTTP direction dissector (http-dissector.ts): the parser
// contract it drives, the message it emits with its HTTP details (read by the
// exports), its options, the stored bytes deferred trees are rebuilt from, and
// what it needs from its connection (dissector.ts). Also the draft: the message
// in progress, shared with the modules that build its tree and message.
import type { DissectedField, DissectedMessage } from './dissection-types.js';
import type { Direction } from './types.js';
import type { HttpParserHandlers, HttpParserLimits, HttpParseError, MessageHead } from '../http/parser-types.js';
import type { EventStreamDissector } from './sse-dissector.js';
import type { FieldTreeCache } from './lazy-fields.js';

export interface HttpParserLike {
  push(chunk: Buffer): void;
  /** The stream ended (a body delimited by the close completes here). Optional in the contract. */
  finish?(): void;
  end?(): void;
}

export type HttpParserFactory = (
  kind: 'request' | 'response',
  handlers: HttpParserHandlers,
  limits: Partial<HttpParserLimits>,
) => HttpParserLike;

/** What an HTTP message carries beyond the contract, for the exports. */
export interface HttpMessageDetail {
  kind: 'request' | 'response';
  method?: string;
  target?: string;
  statusCode?: number;
  reason?: string;
  /** e.g. 'HTTP/1.1'. */
  httpVersion: string;
  headers: { name: string; value: string }[];
  trailers: { name: string; value: string }[];
  /** Bytes of the head, start line to the empty line included. */
  headSize: number;
  /** Body bytes after de-chunking. */
  bodySize: number;
  /** Ranges of the body's data bytes in the stream (chunk data only, for chunked bodies). */
  bodyRanges: { start: number; end: number }[];
  chunked: boolean;
  /** The de-chunked body, when the dissector keeps payloads and it fit. */
  body?: Buffer;
  /** For a response: the method of the request it answers, when known. */
  requestMethod?: string;
  /** The head asked to leave HTTP (a 101, a 2xx to CONNECT, or a request that offers an upgrade). */
  upgrade: boolean;
  complete: boolean;
}

export type HttpMessage = Omit<DissectedMessage, 'id' | 'connectionId'> & { http?: HttpMessageDetail };

export interface HttpDissectorOptions {
  keepPayload: boolean;
  previewBytes: number;
  maxMessageBytes: number;
  /** Fields of one message past which chunks are only counted. */
  maxFieldsPerMessage: number;
  parserLimits: Partial<HttpParserLimits>;
  /** Build field trees on demand from these stored bytes instead of live (the capture store). */
  deferred?: StoredStream;
  /**
   * Emit an event-stream response when its head is parsed and update it (host.update) as its body
   * arrives, `open` until it ends; needs host.update. Default off (the exports want each message once).
   */
  openStreams?: boolean;
}

/** Where a dissector that defers its field trees reads the bytes back. */
export interface StoredStream {
  /**
   * The bytes [start, end) of one direction as stored, chunk by chunk (views, no copy), or undefined when
   * some of them are no longer kept. Replaying them chunk by chunk, as they arrived, keeps a large body cheap.
   */
  parts(dir: Direction, start: number, end: number): Buffer[] | undefined;
  cache: FieldTreeCache;
}

/** What the direction dissector needs from its connection. */
export interface HttpDirectionHost {
  /** c2s: a request head was parsed; returns its sequence. */
  requestHead(method: string): number;
  /** s2c: a response head was parsed; returns the sequence and the method of the request it answers. */
  responseHead(statusCode: number): { sequence: number; method?: string };
  emit(m: HttpMessage): void;
  /** A message emitted while open changed (the same object): its range, times, summary, tree or its end. */
  update?(m: HttpMessage): void;
  /**
   * True when a message ending at `end` leaves the capture as soon as it is emitted (its bytes are being
   * dropped): it is emitted as a stand-in with its kind, range and times only, not built.
   */
  leaving?(end: number): boolean;
  /** The parser stopped on an upgrade after a complete message; rest starts at `offset`. */
  upgraded(dir: Direction, offset: number, rest: Buffer, head: MessageHead): void;
  /** The parser failed: the bytes from `rawFrom` on are not HTTP (dissect them as raw). */
  failed(dir: Direction, rawFrom: number, error: HttpParseError, atMessageStart: boolean): void;
}

export interface Draft {
  start: number;
  tStart: number;
  /** The field tree is built as the message arrives (false: on demand, from the stored bytes). */
  eager: boolean;
  head?: MessageHead;
  fields: DissectedField[];
  chunked?: DissectedField;
  chunkData?: DissectedField;
  body?: DissectedField;
  fieldCount: number;
  hiddenChunks: number;
  bodySize: number;
  bodyRanges: { start: number; end: number }[];
  bodyPreview: Buffer[];
  bodyPreviewBytes: number;
  keptBody: Buffer[];
  keptBytes: number;
  keepOverflow: boolean;
  sequence?: number;
  requestMethod?: string;
  /** A text/event-stream response: its events as the body arrives (sse-dissector.ts). */
  sse?: EventStreamDissector;
  /** The message emitted for this draft while it is open (openStreams), updated until the draft ends. */
  open?: HttpMessage;
  trailers?: { name: string; value: string }[];
}
