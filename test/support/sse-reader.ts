// Reads an event stream over a real socket with an independent client (Node's
// fetch, i.e. undici) and server-core's event-stream parser, record by record,
// until the stream ends or `until` says enough. For testing servers without
// going through Wireplay's own sender.
import { EventStreamParser } from '../../server-core/sse/event-stream-parser.js';
import type { SseEvent } from '../../server-core/sse/types.js';
import { within } from './within.js';

export interface SseRead {
  status: number;
  headers: Headers;
  events: SseEvent[];
  comments: string[];
  retries: number[];
  /** The stream ended on its own (rather than `until` stopping it). */
  ended: boolean;
}

export interface SseReadOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Stop once this is true (checked after each record). */
  until?: (read: SseRead) => boolean;
  /** Called after each record, e.g. to act on the first event while the stream goes on. */
  onRecord?: (read: SseRead) => void;
  /** Bound on the whole read. Default 10 s. */
  timeoutMs?: number;
}

export async function readSse(url: string, options: SseReadOptions = {}): Promise<SseRead> {
  const ac = new AbortController();
  const work = (async () => {
    const res = await fetch(url, { method: options.method ?? 'GET', headers: { Accept: 'text/event-stream', ...options.headers }, signal: ac.signal });
    const read: SseRead = { status: res.status, headers: res.headers, events: [], comments: [], retries: [], ended: false };
    if (!res.body) return { ...read, ended: true };
    let done = options.until?.(read) ?? false;
    const check = () => {
      options.onRecord?.(read);
      if (!done && options.until?.(read)) done = true;
    };
    const parser = new EventStreamParser({
      onEvent: (e) => (read.events.push(e), check()),
      onComment: (c) => (read.comments.push(c.text), check()),
      onRetry: (ms) => (read.retries.push(ms), check()),
    });
    const reader = res.body.getReader();
    try {
      while (!done) {
        const r = await reader.read();
        if (r.done) {
          parser.finish();
          read.ended = true;
          break;
        }
        parser.push(r.value);
      }
    } finally {
      if (!read.ended) ac.abort();
      reader.releaseLock();
    }
    return read;
  })();
  try {
    return await within(work, `the event stream of ${url}`, options.timeoutMs ?? 10_000);
  } finally {
    ac.abort();
  }
}
