// An event-stream response while its stream is open. An HTTP message is
// normally emitted when it ends, but an event stream may stay open for hours
// and its events are the point: so the capture gets the response as soon as
// its head is parsed, `open`, and the same object again (host.update) each
// time body bytes arrive — its range, end time, summary ('200 OK (1 234 B
// body) · 12 events') and body size grow, and its `fields` (head, chunk
// framing, "Event stream" so far) are built when read, so a stream of 100,000
// events costs a few assignments per push, not a tree. When the stream ends,
// the final message's properties are moved onto that same object (`open`
// gone), so every holder of it — the store's lists, the views — sees the end.
import type { DissectedField } from './dissection-types.js';
import type { Direction } from './types.js';
import type { Draft, HttpMessage } from './http-dissection-types.js';
import { finishBodyFields, messageDetail, messageSummary } from './http-message.js';

/** The message of an open event-stream draft (built live: the draft must be eager). */
export function openMessage(d: Draft, dir: Direction, t: number): HttpMessage {
  const m = {
    kind: dir === 'c2s' ? 'http-request' : 'http-response',
    protocol: 'http',
    dir,
    range: { start: d.start, end: d.head ? d.head.headSpan.end + (d.start - d.head.headSpan.start) : d.start },
    tStart: d.tStart,
    tEnd: t,
    summary: '',
  } as HttpMessage;
  Object.defineProperty(m, 'fields', {
    get: (): DissectedField[] => {
      finishBodyFields(d);
      return d.sse ? [...d.fields, d.sse.snapshot()] : d.fields;
    },
    set(this: HttpMessage, fields: DissectedField[]) {
      Object.defineProperty(this, 'fields', { value: fields, writable: true, enumerable: true, configurable: true });
    },
    enumerable: true,
    configurable: true,
  });
  if (d.sequence !== undefined) m.sequence = d.sequence;
  const detail = messageDetail(d, false, false);
  if (detail) m.http = detail;
  m.open = true;
  refreshOpen(d, m, m.range.end, t);
  return m;
}

/** Body bytes up to `end` arrived at `t`. */
export function refreshOpen(d: Draft, m: HttpMessage, end: number, t: number): void {
  if (end > m.range.end) m.range.end = end;
  m.tEnd = t;
  m.summary = messageSummary(d, m.dir, d.sse?.value, false);
  if (m.http) m.http.bodySize = d.bodySize;
}

/** The stream ended: `open` becomes `final` (same object), without the open flag. */
export function closeOpen(open: HttpMessage, final: HttpMessage): void {
  delete open.open;
  delete open.error;
  Object.defineProperties(open, Object.getOwnPropertyDescriptors(final));
}
