// The live part of a `.http` response tab while a streamed response arrives
// (an event stream, NDJSON, json-seq, chunked text): one line per record the
// sender parsed, as it parsed it, so CodeLens Send shows events as they come
// instead of the body at the end. The tab keeps the latest lines only (a
// stream may last for hours): the count of earlier ones is said, not lost.
import type { StreamRecord } from '../client/body-stream.js';

/** Lines kept for the live tab; older ones are counted. */
export const LIVE_STREAM_LINES = 200;
/** Longest data shown on one line, characters (the whole body is in the final tab and the inspector). */
const DATA_CHARS = 200;

function clip(text: string): string {
  const one = text.replace(/\r\n|\r|\n/g, '⏎');
  return one.length > DATA_CHARS ? `${one.slice(0, DATA_CHARS)}…` : one;
}

/** One record as a line: `< +1.204 s  event tick  id 3  {"n":3}`; the time is since `t0` (performance.now()). */
export function formatStreamRecord(r: StreamRecord, t0: number): string {
  const at = `< +${((r.t - t0) / 1000).toFixed(3)} s`;
  switch (r.kind) {
    case 'event': {
      const id = r.event.lastEventId ? `  id ${r.event.lastEventId}` : '';
      return `${at}  event ${r.event.type}${id}  ${clip(r.event.data)}`;
    }
    case 'comment':
      // The comment as on the wire: its text keeps the space after the colon, if any.
      return `${at}  :${clip(r.text)}`;
    case 'id':
      return `${at}  id ${r.lastEventId === '' ? '(cleared)' : r.lastEventId}`;
    case 'retry':
      return `${at}  retry ${r.ms} ms`;
    case 'line':
      return `${at}  line ${r.index + 1}  ${clip(r.text)}${r.jsonError ? `  (not JSON: ${r.jsonError})` : ''}`;
  }
}

/** The latest lines of a stream and how many came before them. */
export class LiveStreamLines {
  private lines: string[] = [];
  private dropped = 0;

  constructor(private readonly keep = LIVE_STREAM_LINES) {}

  add(line: string): void {
    this.lines.push(line);
    // Trimmed in steps, not per line: a fast stream costs one splice per `keep` lines.
    if (this.lines.length >= 2 * this.keep) {
      const cut = this.lines.length - this.keep;
      this.lines.splice(0, cut);
      this.dropped += cut;
    }
  }

  clear(): void {
    this.lines = [];
    this.dropped = 0;
  }

  get count(): number {
    return this.dropped + this.lines.length;
  }

  /** The lines to show: the latest `keep`, after a line that counts the ones before. */
  text(): string[] {
    const extra = Math.max(0, this.lines.length - this.keep);
    const shown = this.lines.slice(extra);
    const before = this.dropped + extra;
    return before ? [`… ${before} earlier record${before === 1 ? '' : 's'} (the whole body is in the final tab and the inspector)`, ...shown] : shown;
  }
}
