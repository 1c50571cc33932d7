// The pure side of a response: header validation (no header injection) and the
// serialisation of heads, chunks and whole responses, and the Date string. The
// runtime (response-writer.ts, prepared-response.ts), the tests and the sender's
// fixtures use the same functions.
import type { HeaderValue } from '../http/handler-types.js';
import { reasonPhrase } from './status-codes.js';

// ---------------------------------------------------------------------------
// Validation (no header injection)

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// field-value: HTAB, SP, VCHAR, obs-text. Everything else (CR, LF, NUL, other
// controls, code points above 0xFF that latin1 cannot carry) is refused.
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
const REASON_INVALID = /[^\t\x20-\x7e\x80-\xff]/;

export class HeaderValidationError extends Error {
  override readonly name = 'HeaderValidationError';
  constructor(
    readonly code: 'INVALID_HEADER_NAME' | 'INVALID_HEADER_VALUE' | 'INVALID_STATUS' | 'HEADERS_SENT',
    message: string,
  ) {
    super(message);
  }
}

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

export function validateHeaderName(name: string): void {
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw new HeaderValidationError('INVALID_HEADER_NAME', `header name is not a token: ${JSON.stringify(name)}`);
  }
}

export function validateHeaderValue(name: string, value: HeaderValue): void {
  const values = Array.isArray(value) ? value : [value];
  for (const v of values as readonly (string | number)[]) {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new HeaderValidationError('INVALID_HEADER_VALUE', `header ${name}: not a finite number`);
      continue;
    }
    if (typeof v !== 'string') throw new HeaderValidationError('INVALID_HEADER_VALUE', `header ${name}: value must be a string or number`);
    if (INVALID_VALUE_CHAR.test(v)) {
      throw new HeaderValidationError('INVALID_HEADER_VALUE', `header ${name}: value contains CR, LF, NUL or another forbidden character`);
    }
  }
}

export function validateStatus(statusCode: number, statusMessage?: string): void {
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 999) {
    throw new HeaderValidationError('INVALID_STATUS', `invalid status code ${String(statusCode)}`);
  }
  if (statusMessage !== undefined && REASON_INVALID.test(statusMessage)) {
    throw new HeaderValidationError('INVALID_STATUS', 'status message contains CR, LF, NUL or another forbidden character');
  }
}

// ---------------------------------------------------------------------------
// Pure serialisation

export type HeaderList = Iterable<readonly [string, HeaderValue]>;

/** `HTTP/1.1 200 OK\r\nname: value\r\n…\r\n\r\n` as a latin1 string. Array values become repeated fields. Does not validate. */
export function serializeResponseHead(statusCode: number, statusMessage: string | undefined, headers: HeaderList): string {
  let s = `HTTP/1.1 ${statusCode} ${statusMessage ?? reasonPhrase(statusCode)}\r\n`;
  for (const [name, value] of headers) {
    if (Array.isArray(value)) {
      for (const v of value as readonly string[]) s += `${name}: ${v}\r\n`;
    } else {
      s += `${name}: ${value as string | number}\r\n`;
    }
  }
  return s + '\r\n';
}

/** One chunk of a chunked body; an empty input yields an empty buffer (it must not end the body). */
export function encodeChunk(data: Buffer): Buffer {
  if (data.length === 0) return Buffer.alloc(0);
  const size = data.length.toString(16);
  const out = Buffer.allocUnsafe(size.length + 2 + data.length + 2);
  let o = out.write(size, 0, 'latin1');
  out[o++] = 13;
  out[o++] = 10;
  o += data.copy(out, o);
  out[o++] = 13;
  out[o] = 10;
  return out;
}

export const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

/** A complete fixed-length response (head + body) with Content-Length filled in when absent. */
export function serializeResponse(opts: {
  statusCode: number;
  statusMessage?: string;
  headers?: HeaderList;
  body?: Buffer | string;
}): Buffer {
  const body = opts.body === undefined ? Buffer.alloc(0) : typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
  const headers = [...(opts.headers ?? [])];
  if (!headers.some(([n]) => n.toLowerCase() === 'content-length') && !bodylessStatus(opts.statusCode)) {
    headers.push(['Content-Length', body.length]);
  }
  const head = serializeResponseHead(opts.statusCode, opts.statusMessage, headers);
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** 1xx, 204 and 304 never carry a body (RFC 9112 §6.3). */
export function bodylessStatus(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

// The Date header string, computed at most once per second.
let dateSecond = -1;
let dateString = '';
export function httpDate(now: number = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateString = new Date(second * 1000).toUTCString();
  }
  return dateString;
}
