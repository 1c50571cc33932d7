// The event-stream encoder: pure functions from an event (or a comment) to the
// exact text a server writes, used by the SSE writer (sse-stream.ts), the demo
// and user routes, and the tests alike.
//
// What it writes, field by field, always in this order and always ending with
// the empty line that dispatches the block:
//
//   event: <type>      when `event` is given
//   id: <id>           when `id` is given ('' writes `id:`, which resets the last event ID)
//   retry: <ms>        when `retry` is given
//   data: <line>       one per line of `data`: CRLF, LF and CR all split it
//
// Lines end with LF. A value is written after ": ", so a value that starts
// with a space keeps it (the parser removes exactly one); an empty value is
// written as `name:`.
//
// What it refuses, with an SseEncodeError and a stable code, because the
// stream would not say what the caller asked for:
//   - CR or LF in `event` or `id` (they would end the field and start another);
//   - NUL in `id` (EventSource ignores such an id);
//   - `retry` that is not a non-negative safe integer;
//   - a lone UTF-16 surrogate anywhere (UTF-8 cannot carry it; it would turn into U+FFFD);
//   - `event` without `data` (a block without data dispatches nothing), and an empty event.
// Line breaks in `data` are not refused but split: the receiver joins the lines
// with LF, so CRLF and CR in data arrive as LF — the format has no way to carry them.
import { SseEncodeError } from './types.js';

export interface SseEventInit {
  /** The event type; EventSource fires 'message' when absent or empty. */
  event?: string;
  /** The event ID; sets the receiver's last event ID (sent back as Last-Event-ID on reconnect). */
  id?: string | number;
  /** The data; may hold line breaks. Absent: no `data` line (the block dispatches nothing). */
  data?: string;
  /** Reconnection time in ms for the receiver. */
  retry?: number;
}

const LINE_BREAK = /\r\n|\r|\n/;
const CR_OR_LF = /[\r\n]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new SseEncodeError('SSE_FIELD_TYPE', `${field} must be a string, not ${describe(value)}`, field);
  if (LONE_SURROGATE.test(value)) {
    throw new SseEncodeError('SSE_LONE_SURROGATE', `${field} contains a lone UTF-16 surrogate, which UTF-8 cannot encode`, field);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function fieldLine(name: string, value: string): string {
  return value === '' ? `${name}:\n` : `${name}: ${value}\n`;
}

/** The `id` as written: a string, or a finite number in its shortest decimal form. */
function idText(id: string | number): string {
  if (typeof id === 'number') {
    if (!Number.isFinite(id)) throw new SseEncodeError('SSE_FIELD_TYPE', `id must be a string or a finite number, not ${id}`, 'id');
    return String(id);
  }
  return checkString(id, 'id');
}

/**
 * The text of one event, ending with the empty line that dispatches it. Throws SseEncodeError
 * (see the module comment for the codes).
 */
export function encodeEvent(evt: SseEventInit): string {
  if (evt === null || typeof evt !== 'object') throw new SseEncodeError('SSE_FIELD_TYPE', `an event must be an object, not ${describe(evt)}`, 'event');
  let out = '';
  const { event, id, data, retry } = evt;
  if (event !== undefined) {
    checkString(event, 'event');
    if (CR_OR_LF.test(event)) throw new SseEncodeError('SSE_EVENT_HAS_LINE_BREAK', 'event must not contain CR or LF: it would end the field line', 'event');
    if (data === undefined) {
      throw new SseEncodeError('SSE_EVENT_WITHOUT_DATA', `event "${event}" has no data: EventSource dispatches nothing for a block without data (use data: '' for an empty message)`, 'event');
    }
    out += fieldLine('event', event);
  }
  if (id !== undefined) {
    const text = idText(id);
    if (CR_OR_LF.test(text)) throw new SseEncodeError('SSE_ID_HAS_LINE_BREAK', 'id must not contain CR or LF: it would end the field line', 'id');
    if (text.includes('\0')) throw new SseEncodeError('SSE_ID_HAS_NUL', 'id must not contain NUL: EventSource ignores an id that does', 'id');
    out += fieldLine('id', text);
  }
  if (retry !== undefined) {
    if (typeof retry !== 'number' || !Number.isSafeInteger(retry) || retry < 0) {
      throw new SseEncodeError('SSE_RETRY_INVALID', `retry must be a non-negative integer of milliseconds, not ${typeof retry === 'number' ? retry : describe(retry)}`, 'retry');
    }
    out += `retry: ${retry}\n`;
  }
  if (data !== undefined) {
    checkString(data, 'data');
    for (const line of data.split(LINE_BREAK)) out += fieldLine('data', line);
  }
  if (out === '') throw new SseEncodeError('SSE_EMPTY_EVENT', 'an event needs at least one of data, id or retry', 'data');
  return out + '\n';
}

/**
 * A comment: `:text` lines (one per line of `text`, split like data), never dispatched by the
 * receiver; a heartbeat. The text follows the colon exactly as given (no space is added, so the
 * parser's comment text is `text` again); an empty text writes `:`.
 */
export function encodeComment(text = ''): string {
  checkString(text, 'comment');
  let out = '';
  for (const line of text.split(LINE_BREAK)) out += `:${line}\n`;
  return out;
}

/** encodeEvent as UTF-8 bytes. */
export function encodeEventBytes(evt: SseEventInit): Buffer {
  return Buffer.from(encodeEvent(evt), 'utf8');
}

/** encodeComment as UTF-8 bytes. */
export function encodeCommentBytes(text = ''): Buffer {
  return Buffer.from(encodeComment(text), 'utf8');
}
