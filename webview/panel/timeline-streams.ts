// A streamed response on the Timeline: one arrow for its head, then one arrow
// back per piece the server pushed — each block of an event stream (events,
// heartbeat comments; from its "Event stream" field) and each chunk of any
// other streamed response (NDJSON, json-seq, chunked text; from its "Chunked
// body" field, /stream/:n sends one line per chunk) — each at the time its last
// byte arrived (the chunk index). So one request followed by many arrows back
// (SSE push) reads differently from HTTP's request/response zig-zag and from
// WebSocket's crossing frames.
//
// Bounded like the dissection it reads: an event stream lists its first 2000
// blocks and a chunked body its first few hundred chunks; the rest is one
// arrow that says how many more. The parts of a message are kept per message
// object (a closed stream's message does not change), so a layout after new
// bytes on another message costs nothing for it.
import type { Direction, DissectedField, DissectedMessage } from '../../server-core/protocol/playground.js';

/** A row of the Timeline that is a piece of a streamed response (not a message of its own). */
export interface StreamPart extends DissectedMessage {
  /** The response message this part belongs to. */
  partOf: DissectedMessage;
}

export type TimeAt = (dir: Direction, offset: number) => number | undefined;

const cache = new WeakMap<DissectedMessage, DissectedMessage[] | null>();

export function isStreamPart(m: DissectedMessage): m is StreamPart {
  return (m as StreamPart).partOf !== undefined;
}

/** The rows of one message: itself, or for a streamed response its head and its parts. */
export function streamRows(m: DissectedMessage, timeAt: TimeAt): DissectedMessage[] | undefined {
  if (m.kind !== 'http-response') return undefined;
  const known = cache.get(m);
  if (known !== undefined) return known ?? undefined;
  const rows = expand(m, timeAt);
  // An open message comes again as a new object; only a closed one is worth keeping.
  if (!m.open) cache.set(m, rows ?? null);
  return rows;
}

const BLOCKS = new Set(['Event', 'Comments', 'Block without data', 'Cut block']);

function expand(m: DissectedMessage, timeAt: TimeAt): DissectedMessage[] | undefined {
  const events = m.fields.find((f) => f.name === 'Event stream');
  const chunked = events ? undefined : m.fields.find((f) => f.name === 'Chunked body');
  let pieces: DissectedField[];
  if (events) pieces = (events.children ?? []).filter((f) => BLOCKS.has(f.name) || f.name === 'More blocks');
  else if (chunked && isStreamed(m)) pieces = (chunked.children ?? []).filter((f) => f.name === 'Chunk data' || f.name === 'More chunks');
  else return undefined;
  const headEnd = m.fields.find((f) => f.name === 'End of head')?.range.end ?? m.range.start;
  // The head's row: the message itself, drawn as the head's arrow (the parts are the body).
  const head: DissectedMessage = { ...m, range: { start: m.range.start, end: headEnd }, tEnd: m.tStart };
  const rows: DissectedMessage[] = [head];
  let n = 0;
  for (const f of pieces) {
    const more = f.name === 'More blocks' || f.name === 'More chunks';
    const t = more ? m.tEnd : (timeAt(m.dir, Math.max(f.range.start, f.range.end - 1)) ?? m.tStart);
    const summary = more
      ? `${f.value} more ${events ? 'blocks' : 'chunks'} (not listed one by one)`
      : events
        ? f.name === 'Event'
          ? `event ${f.value ?? ''}`
          : `${f.name.toLowerCase()}${f.children?.[0]?.value ? ` ${f.children[0].value}` : ''}`
        : `chunk ${++n} · ${f.value ?? ''}`;
    const part: StreamPart = { ...m, range: { ...f.range }, tStart: t, tEnd: t, summary, partOf: m };
    delete part.error;
    if (f.error) part.error = { offset: f.range.start, message: f.error };
    rows.push(part);
  }
  return rows;
}

/**
 * A chunked response worth drawing chunk by chunk, as the sender reads it record by record
 * (client/body-stream.ts): a JSON-lines or json-seq type, or text other than HTML in more than one chunk.
 */
function isStreamed(m: DissectedMessage): boolean {
  const type = m.fields.find((f) => f.name.toLowerCase() === 'content-type')?.value?.toLowerCase() ?? '';
  if (/^application\/((x-)?ndjson|json-seq|(x-)?jsonl(ines)?|stream\+json)\s*(;|$)/.test(type)) return true;
  if (!type.startsWith('text/') || type.startsWith('text/html')) return false;
  const chunked = m.fields.find((f) => f.name === 'Chunked body');
  let data = 0;
  for (const c of chunked?.children ?? []) if (c.name === 'Chunk data' && ++data > 1) return true;
  return false;
}
