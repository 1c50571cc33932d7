// The contract of the incremental HTTP/1.1 parser (message-parser.ts).
// Every consumer (the server connection, the sender, the dissector, the
// benchmarks) depends on these types only, never on parser internals.

/** A half-open byte range [start, end) counted from the first byte ever pushed into the parser. */
export interface Span {
  start: number;
  end: number;
}

export interface HeaderField {
  /** As written on the wire (case preserved). */
  name: string;
  /** With leading and trailing OWS removed. */
  value: string;
  /** The whole field line, without its CRLF. */
  lineSpan: Span;
  nameSpan: Span;
  valueSpan: Span;
}

export type RequestTargetForm = 'origin' | 'absolute' | 'authority' | 'asterisk';

interface HeadCommon {
  versionMajor: number;
  versionMinor: number;
  headers: HeaderField[];
  /** Declared Content-Length, or null when absent. */
  contentLength: number | null;
  /** Transfer-Encoding ends in chunked. */
  chunked: boolean;
  /** Whether the connection stays open after this message (HTTP/1.0 and 1.1 rules, Connection header). */
  keepAlive: boolean;
  /** An Upgrade header listed in Connection (or CONNECT / 101 / 2xx-to-CONNECT): the owner decides. */
  upgrade: boolean;
  /** From the first byte of the start line to the end of the empty line that closes the head. */
  headSpan: Span;
  /** The start line without its CRLF. */
  startLineSpan: Span;
  versionSpan: Span;
}

export interface RequestHead extends HeadCommon {
  kind: 'request';
  method: string;
  target: string;
  targetForm: RequestTargetForm;
  methodSpan: Span;
  targetSpan: Span;
  /** `Expect: 100-continue` was sent. */
  expectContinue: boolean;
}

export interface ResponseHead extends HeadCommon {
  kind: 'response';
  statusCode: number;
  reason: string;
  statusSpan: Span;
  reasonSpan: Span;
}

export type MessageHead = RequestHead | ResponseHead;

/**
 * What the owner answers to `onHead`:
 * - undefined: parse the body as the head declares;
 * - 'no-body': the message has no body whatever it declares (a response to HEAD, a 304);
 * - 'upgrade': the connection leaves HTTP after this head; the parser emits
 *   onMessageComplete then onUpgrade with the bytes that followed, and stops.
 */
export type HeadDecision = void | 'no-body' | 'upgrade';

export interface ChunkHeader {
  size: number;
  /** Raw chunk extensions after the size, e.g. `;name=value`, '' when none. */
  extensions: string;
  /** The whole chunk-size line including its CRLF. */
  span: Span;
  sizeSpan: Span;
}

export interface HttpParserHandlers {
  onHead(head: MessageHead): HeadDecision;
  /** A slice of body bytes (de-chunked). The buffer may be a view into the pushed chunk: copy to keep it. */
  onBody?(data: Buffer, span: Span): void;
  onChunkHeader?(chunk: ChunkHeader): void;
  onTrailers?(trailers: HeaderField[], span: Span): void;
  /** The message ended; span covers it from the start line to its last byte. */
  onMessageComplete(span: Span): void;
  onUpgrade?(rest: Buffer): void;
  /** After an error the parser ignores further input. */
  onError(error: HttpParseError): void;
}

export interface HttpParserLimits {
  /** Request line or status line, bytes without CRLF. Request over it → 414. */
  maxStartLineBytes: number;
  /** All header lines of one head together (start line excluded). Over it → 431. */
  maxHeaderBytes: number;
  maxHeaderCount: number;
  /** Body bytes of one message (after de-chunking). Over it → 413. */
  maxBodyBytes: number;
  /** Bytes of chunk extensions on one chunk-size line. Over it → 413. */
  maxChunkExtensionBytes: number;
}

export const DEFAULT_PARSER_LIMITS: Readonly<HttpParserLimits> = Object.freeze({
  maxStartLineBytes: 8 * 1024,
  maxHeaderBytes: 16 * 1024,
  maxHeaderCount: 100,
  maxBodyBytes: 64 * 1024 * 1024,
  maxChunkExtensionBytes: 16 * 1024,
});

/** Stable error codes; each maps to one HTTP status that the server answers with. */
export type HttpParseErrorCode =
  | 'INVALID_METHOD'
  | 'INVALID_TARGET'
  | 'INVALID_VERSION'
  | 'UNSUPPORTED_VERSION'
  | 'INVALID_STATUS'
  | 'INVALID_HEADER_NAME'
  | 'INVALID_HEADER_VALUE'
  | 'WHITESPACE_BEFORE_COLON'
  | 'OBS_FOLD'
  | 'BARE_LF'
  | 'BARE_CR'
  | 'MISSING_HOST'
  | 'DUPLICATE_HOST'
  | 'INVALID_CONTENT_LENGTH'
  | 'CONFLICTING_CONTENT_LENGTH'
  | 'CONTENT_LENGTH_WITH_TRANSFER_ENCODING'
  | 'INVALID_TRANSFER_ENCODING'
  | 'INVALID_CHUNK_SIZE'
  | 'INVALID_CHUNK_DATA_END'
  | 'INVALID_CHUNK_EXTENSION'
  | 'START_LINE_TOO_LONG'
  | 'HEADERS_TOO_LARGE'
  | 'TOO_MANY_HEADERS'
  | 'BODY_TOO_LARGE'
  | 'CHUNK_EXTENSION_TOO_LARGE'
  | 'FORBIDDEN_TRAILER_FIELD'
  | 'UNSUPPORTED_EXPECTATION'
  | 'UNEXPECTED_EOF';

export class HttpParseError extends Error {
  override readonly name = 'HttpParseError';
  constructor(
    readonly code: HttpParseErrorCode,
    message: string,
    /** The HTTP status a server answers with (400, 413, 414, 417, 431, 505). */
    readonly status: number,
    /** Absolute offset of the offending byte. */
    readonly offset: number,
  ) {
    super(message);
  }
}

export function getHeader(head: { headers: HeaderField[] }, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const h of head.headers) if (h.name.length === lower.length && h.name.toLowerCase() === lower) return h.value;
  return undefined;
}
