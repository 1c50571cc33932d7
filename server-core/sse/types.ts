// The records, handlers and options of the event-stream parser
// (event-stream-parser.ts), and the error classes of the whole sse/ area.
// These are the contract for the sender, the dissector, the playground and the
// CLI: each event carries what it means (type, data, last event ID) and where
// every line of it sits in the stream, so a dissector can draw the event as a
// tree over the body bytes.
//
// Offsets are absolute byte offsets in the stream the parser was fed, which is
// the *de-chunked* HTTP body (plus the parser's `offset` option). A chunked
// body's framing is not in that stream; body-offset-map.ts maps body offsets
// back to the raw bytes of the connection.

/** [start, end) byte offsets. Structurally the same as `Span` (http) and `ByteRange` (capture). */
export interface SseRange {
  start: number;
  end: number;
}

/** What a field line did, per the "process the field" steps of the WHATWG rules. */
export type SseFieldEffect =
  /** `event`: set the event type buffer. */
  | 'event'
  /** `data`: appended to the data buffer. */
  | 'data'
  /** `id`: set the last event ID buffer. */
  | 'id'
  /** `id` whose value contains U+0000 NULL: ignored. */
  | 'id-ignored-nul'
  /** `retry` of ASCII digits: set the reconnection time. */
  | 'retry'
  /** `retry` with anything but ASCII digits (or nothing, or too large a number): ignored. */
  | 'retry-ignored'
  /** Any other field name (names are case-sensitive: `Data` is unknown): ignored. */
  | 'unknown';

interface SseLineBase {
  /** The whole line: its content and its end-of-line (CR, LF or CRLF). */
  range: SseRange;
  /** Where the end-of-line starts (range.end − contentEnd is 1 or 2). */
  contentEnd: number;
}

export interface SseFieldLine extends SseLineBase {
  kind: 'field';
  name: string;
  value: string;
  effect: SseFieldEffect;
  /** Bytes of the name (before the first colon, or the whole content). */
  nameRange: SseRange;
  /** Bytes of the value, after the colon and the one space that is removed; empty at contentEnd when there is no colon. */
  valueRange: SseRange;
  /** False for a line without a colon (the whole line is the name, the value is empty). */
  colon: boolean;
  /** For effect 'retry': the reconnection time set, in ms. */
  retry?: number;
}

export interface SseCommentLine extends SseLineBase {
  kind: 'comment';
  /** Everything after the colon, leading space included (comments keep their bytes). */
  text: string;
  textRange: SseRange;
}

/** The empty line that ends a block (dispatches the event, or nothing). */
export interface SseBlankLine extends SseLineBase {
  kind: 'blank';
}

/** The bytes of a line that the stream ended inside (never processed, per the rules). */
export interface SsePartialLine extends SseLineBase {
  kind: 'partial';
}

export type SseLine = SseFieldLine | SseCommentLine | SseBlankLine | SsePartialLine;

/** A run of lines ended by an empty line (or by the end of the stream). */
export interface SseBlock {
  /** First byte of the first line through the end of the empty line. */
  range: SseRange;
  /** Every line of the block in order, comments included; the empty line last. */
  lines: SseLine[];
  /** The stream's last event ID string after this block (what `Last-Event-ID` would carry). */
  lastEventId: string;
}

/** A dispatched event: what EventSource fires as a MessageEvent. */
export interface SseEvent extends SseBlock {
  /** 0-based count of events this parser dispatched. */
  index: number;
  /** The event type buffer, or 'message' when it was empty. */
  type: string;
  /** The data buffer without its final LF. */
  data: string;
}

/** Why a block was discarded without dispatching an event. */
export type SseDiscardReason =
  /** The empty line came with an empty data buffer (no `data` line): nothing to dispatch. */
  | 'no-data'
  /** The stream ended before the block's empty line: pending data is discarded. */
  | 'end-of-stream';

export type SseParseErrorCode =
  /** One line is longer than maxLineBytes. */
  | 'SSE_LINE_TOO_LONG'
  /** One event's data buffer is larger than maxEventBytes. */
  | 'SSE_EVENT_TOO_LARGE';

export class SseParseError extends Error {
  override readonly name = 'SseParseError';
  constructor(
    readonly code: SseParseErrorCode,
    message: string,
    /** Absolute offset of the line where the limit was crossed. */
    readonly offset: number,
  ) {
    super(message);
  }
}

export type SseEncodeErrorCode =
  /** `event` contains CR or LF: it would end the line and start another field. */
  | 'SSE_EVENT_HAS_LINE_BREAK'
  /** `id` contains CR or LF. */
  | 'SSE_ID_HAS_LINE_BREAK'
  /** `id` contains U+0000 NULL: EventSource ignores such an id. */
  | 'SSE_ID_HAS_NUL'
  /** `retry` is not a non-negative safe integer. */
  | 'SSE_RETRY_INVALID'
  /** A field has the wrong type (data, event, id, comment text must be strings; id may be a number). */
  | 'SSE_FIELD_TYPE'
  /** A string contains a lone UTF-16 surrogate, which UTF-8 cannot carry (it would become U+FFFD). */
  | 'SSE_LONE_SURROGATE'
  /** `event` without `data`: EventSource dispatches nothing for a block without data. */
  | 'SSE_EVENT_WITHOUT_DATA'
  /** Nothing to send: no data, event, id or retry. */
  | 'SSE_EMPTY_EVENT';

export class SseEncodeError extends Error {
  override readonly name = 'SseEncodeError';
  constructor(
    readonly code: SseEncodeErrorCode,
    message: string,
    /** The field at fault ('data', 'event', 'id', 'retry', 'comment'). */
    readonly field: string,
  ) {
    super(message);
  }
}

// ---- The parser's handlers and options (event-stream-parser.ts)

export interface EventStreamHandlers {
  /** An event was dispatched. */
  onEvent?(event: SseEvent): void;
  /** A block ended without an event: an empty data buffer, or the end of the stream. */
  onDiscard?(block: SseBlock, reason: SseDiscardReason): void;
  /** A comment line (heartbeats), as soon as it ends. It is also listed in its block's lines. */
  onComment?(line: SseCommentLine): void;
  /** A valid `retry` field set the reconnection time, as soon as its line ends. */
  onRetry?(ms: number, line: SseFieldLine): void;
  /** The stream started with a BOM (3 bytes), which was skipped. */
  onBom?(range: SseRange): void;
  /**
   * The LF of a CRLF arrived in a later push than its CR: `line` (and `block`, when
   * that line ended a block already delivered) grew by one byte, in place.
   */
  onLineEndExtended?(line: SseLine, block: SseBlock | undefined): void;
  /** A limit was crossed; the parser ignores all further input. Without this handler, push() throws. */
  onError?(error: SseParseError): void;
}

export interface EventStreamParserOptions {
  /** Absolute offset of the first byte pushed (where the body starts in its stream). Default 0. */
  offset?: number;
  /**
   * The last event ID string (and buffer) this stream starts with. Default ''. A client that
   * reconnects passes the previous stream's lastEventId, as Chromium and WebKit do, so that an
   * event without `id` after a reconnect still carries the id that was sent as Last-Event-ID.
   */
  lastEventId?: string;
  /** Longest line in bytes, end-of-line excluded. Default 16 MiB. */
  maxLineBytes?: number;
  /** Largest data buffer of one event in bytes (each data value plus its LF). Default 64 MiB. */
  maxEventBytes?: number;
}
