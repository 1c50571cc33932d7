// A canned event stream: the `sse` list of a routes-file entry
// (`{ "path": "/feed", "sse": [ {…}, {…} ], "interval": 500 }`), sent one
// item every `interval` ms on an SseStream, then the stream ends.
//
// Items are events `{ event, id, data, retry }` (data: a string as it is, any
// other JSON value as its JSON) or comments `{ comment }`. Resuming follows
// EventSource: a request whose Last-Event-ID is the id of an item goes on with
// the item after it; when nothing is left the answer is 204 No Content, which
// tells EventSource to stop reconnecting (otherwise a finished feed would be
// fetched again every few seconds, forever).
import type { Handler, HeaderValue } from '../http/handler-types.js';
import { encodeComment, encodeEvent, type SseEventInit } from '../sse/encoder.js';
import { SseEncodeError } from '../sse/types.js';
import { sseHandler } from '../sse/sse-route.js';

type FeedItem = { kind: 'event'; init: SseEventInit; id?: string } | { kind: 'comment'; text: string };

function toItem(raw: Record<string, unknown>): FeedItem {
  if (typeof raw.comment === 'string') return { kind: 'comment', text: raw.comment };
  const init: SseEventInit = {};
  if (raw.event !== undefined) init.event = raw.event as string;
  if (raw.id !== undefined) init.id = raw.id as string | number;
  if (raw.retry !== undefined) init.retry = raw.retry as number;
  if (raw.data !== undefined) init.data = typeof raw.data === 'string' ? raw.data : JSON.stringify(raw.data);
  return { kind: 'event', init, ...(init.id !== undefined ? { id: String(init.id) } : {}) };
}

/** What the encoder refuses in one item that passed the schema (a lone surrogate, …); undefined when it encodes. */
export function sseItemProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined; // the schema said so already
  const item = toItem(raw as Record<string, unknown>);
  try {
    if (item.kind === 'comment') encodeComment(item.text);
    else encodeEvent(item.init);
  } catch (err) {
    if (err instanceof SseEncodeError) return `${err.field}: ${err.message}`;
    throw err;
  }
  return undefined;
}

/** The handler of a checked `sse` entry. */
export function sseFeedHandler(rawItems: readonly Record<string, unknown>[], intervalMs: number, headers: Record<string, HeaderValue>): Handler {
  const items = rawItems.map(toItem);
  const open = sseHandler({
    headers,
    onOpen(stream, req) {
      if (stream.isClosed) return;
      let next = startAfter(items, req.header('last-event-id'));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const step = async () => {
        if (stream.isClosed) return;
        if (next >= items.length) return stream.close();
        const item = items[next++];
        const ok = item.kind === 'comment' ? stream.comment(item.text) : stream.send(item.init);
        if (!ok) await stream.drain();
        if (stream.isClosed) return;
        if (next >= items.length) return stream.close();
        timer = setTimeout(() => void step(), intervalMs);
      };
      stream.onClose(() => clearTimeout(timer));
      void step();
    },
  });
  return (req, res) => {
    if (req.method !== 'HEAD' && startAfter(items, req.header('last-event-id')) >= items.length) {
      // Resumed past the end: 204 says "stop" to EventSource.
      res.writeHead(204);
      res.end();
      return;
    }
    return open(req, res);
  };
}

/** The index of the first item to send for a request with this Last-Event-ID. */
function startAfter(items: readonly FeedItem[], lastEventId: string | undefined): number {
  if (lastEventId === undefined || lastEventId === '') return 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item.kind === 'event' && item.id === lastEventId) return i + 1;
  }
  return 0;
}
