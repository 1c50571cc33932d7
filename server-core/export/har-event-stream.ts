// The events of a captured text/event-stream response for a HAR entry. HAR
// 1.2 has no place for them, so they go in a custom field, the way Chrome
// DevTools adds `_webSocketMessages` for WebSocket:
//
//   "_resourceType": "eventsource",
//   "_eventStream": [ { "time": 1765100000.123, "type": "tick", "id": "1", "data": "…" }, … ]
//
// `time` is epoch seconds (as `_webSocketMessages`) of the capture chunk that
// completed the event (the one holding its empty line); `id` is the last event
// ID after the event ('' when none), what a reconnect sends as Last-Event-ID;
// `type` is 'message' when the stream gave none. Comments and retry fields are
// not events and are not listed; the body text (response.content.text) keeps
// them. docs/sse.md documents the field.
import type { CaptureEntry } from '../capture/capture-store.js';
import type { HttpMessageDetail } from '../capture/http-dissector.js';
import { BodyOffsetMap } from '../sse/body-offset-map.js';
import { EventStreamParser } from '../sse/event-stream-parser.js';

export interface HarEventStreamMessage {
  /** Epoch seconds of the chunk that completed the event. */
  time: number;
  type: string;
  id: string;
  data: string;
}

/**
 * The events of `rs` (a response whose body was kept and not content-coded), each timed by the s2c
 * capture entry holding its last byte; `wall` turns capture time into epoch ms.
 */
export function harEventStream(rs: HttpMessageDetail, entries: readonly CaptureEntry[], dir: 'c2s' | 's2c', wall: (t: number) => number): HarEventStreamMessage[] {
  const body = rs.body;
  if (!body || body.length === 0) return [];
  const map = new BodyOffsetMap();
  for (const r of rs.bodyRanges) map.add(r);
  const chunks = entries.filter((e) => e.kind === 'data' && e.dir === dir);
  let at = 0;
  /** Capture time of the chunk holding raw offset `raw` (chunks are in order, so the search only moves on). */
  const timeOf = (raw: number): number => {
    while (at < chunks.length - 1 && raw >= chunks[at].offset + (chunks[at].kind === 'data' ? (chunks[at] as { bytes: Buffer }).bytes.length : 0)) at++;
    return chunks[at]?.t ?? 0;
  };
  const out: HarEventStreamMessage[] = [];
  const parser = new EventStreamParser({
    onEvent: (e) => out.push({ time: wall(timeOf(map.rawOffset(e.range.end - 1))) / 1000, type: e.type, id: e.lastEventId, data: e.data }),
    onError: () => {},
  });
  parser.push(body);
  parser.finish();
  return out;
}
