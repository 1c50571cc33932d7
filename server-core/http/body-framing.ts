// How a message's body is framed (RFC 9112 §6), decided from its head alone:
// a pure function of the header facts the parser collected, so the rules can
// be read and tested apart from the byte machinery in message-parser.ts.
//
//   bodyFraming(facts) → { ok: true, kind, keepAlive, … } | { ok: false, code, … }
//
// The order of the checks is the order of the errors reported: Content-Length
// with Transfer-Encoding, a misplaced chunked coding, a request whose last
// coding is not chunked, an HTTP/1.1 request without Host, a request whose
// declared length is over the limit (413 before its body is read).
import type { HttpParseErrorCode } from './parser-types.js';

/** What the head said, as the parser collected it. */
export interface FramingFacts {
  request: boolean;
  versionMinor: number;
  /** Responses only (0 for a request). */
  statusCode: number;
  contentLength: number | null;
  /** The Transfer-Encoding codings in order (all fields joined), null without the field. */
  codings: readonly string[] | null;
  /** Host fields in a request. */
  hostCount: number;
  /** Connection: close / keep-alive was listed. */
  connClose: boolean;
  connKeepAlive: boolean;
  maxBodyBytes: number;
}

/**
 *   none         no body: a request without Content-Length or chunked, a 1xx/204/304 response
 *   length       Content-Length bytes (0 included)
 *   chunked      the chunked coding
 *   until-close  a response without either: the body ends when the connection closes
 */
export type FramingKind = 'none' | 'length' | 'chunked' | 'until-close';

export interface Framing {
  ok: true;
  kind: FramingKind;
  /** The connection may carry another message after this one. */
  keepAlive: boolean;
  /** A response's Content-Length is over the body limit: refused only if its body is read (not for HEAD or 304). */
  tooLong: boolean;
}

/** Which field the error is about, so the parser can point at its bytes. */
export type FramingBlame = 'content-length-and-transfer-encoding' | 'transfer-encoding' | 'content-length' | 'end-of-head';

export interface FramingError {
  ok: false;
  code: HttpParseErrorCode;
  message: string;
  status: number;
  blame: FramingBlame;
}

export function bodyFraming(f: FramingFacts): Framing | FramingError {
  const req = f.request;
  const codings = f.codings;
  let chunked = false;
  if (codings !== null) {
    if (f.contentLength !== null) {
      return refuse('CONTENT_LENGTH_WITH_TRANSFER_ENCODING', 'Content-Length together with Transfer-Encoding', 400, 'content-length-and-transfer-encoding');
    }
    const last = codings.length - 1;
    for (let k = 0; k < last; k++) {
      if (codings[k] === 'chunked') return refuse('INVALID_TRANSFER_ENCODING', 'chunked must be the final transfer coding, once', 400, 'transfer-encoding');
    }
    chunked = codings[last] === 'chunked';
    if (!chunked && req) return refuse('INVALID_TRANSFER_ENCODING', 'the final transfer coding of a request must be chunked', 400, 'transfer-encoding');
  }
  if (req && f.versionMinor >= 1 && f.hostCount === 0) return refuse('MISSING_HOST', 'HTTP/1.1 request without Host', 400, 'end-of-head');
  // A request declaring too large a body is refused before its owner sees it (the server answers
  // 413 without reading the body). A response is only refused when its body is going to be read:
  // a 304 or a response to HEAD may declare any length.
  const tooLong = f.contentLength !== null && f.contentLength > f.maxBodyBytes;
  if (tooLong && req) return refuse('BODY_TOO_LARGE', `Content-Length exceeds ${f.maxBodyBytes} bytes`, 413, 'content-length');

  const code = f.statusCode;
  const bodyless = !req && (code < 200 || code === 204 || code === 304);
  const kind: FramingKind = bodyless ? 'none' : chunked ? 'chunked' : f.contentLength !== null ? 'length' : req ? 'none' : 'until-close';
  let keepAlive = f.versionMinor >= 1 ? !f.connClose : f.connKeepAlive && !f.connClose;
  // A body delimited by the close ends the connection; so does a transfer-coded HTTP/1.0 request.
  if (kind === 'until-close' || (req && codings !== null && f.versionMinor === 0)) keepAlive = false;
  return { ok: true, kind, keepAlive, tooLong };
}

function refuse(code: HttpParseErrorCode, message: string, status: number, blame: FramingBlame): FramingError {
  return { ok: false, code, message, status, blame };
}
