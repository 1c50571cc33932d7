// The events inside a captured text/event-stream response: the de-chunked
// body is read by the event-stream parser (sse/event-stream-parser.ts) and
// every block and line it reports is placed back on the wire with the body
// offset map (sse/body-offset-map.ts), so the inspector shows both framings at
// once — the chunks from the HTTP dissector, the events and their fields from
// here. A line or event that crosses chunk boundaries gets the raw span from
// its first byte to its last (the chunk framing between is inside that span,
// and its explanation says how many pieces of wire it lies on).
//
// http-dissector.ts makes one for a response with an event stream's
// Content-Type, feeds it the body as it arrives, and adds its field when the
// message ends (completely, or cut when the connection closed: an event
// stream usually ends that way); while the stream is open, the capture reads
// snapshots of it (open-stream.ts). Nothing of the body is kept.
import type { ByteRange, DissectedField } from './dissection-types.js';
import { EventStreamParser } from '../sse/event-stream-parser.js';
import { BodyOffsetMap } from '../sse/body-offset-map.js';
import type { SseBlock, SseDiscardReason, SseEvent, SseLine, SseRange } from '../sse/types.js';
import { formatCount, previewPayload } from './format.js';

/** Blocks past which the rest are only counted (a long stream stays cheap to draw). */
export const MAX_DISSECTED_BLOCKS = 2000;

const EFFECT_EXPLAIN: Record<string, string> = {
  event: 'Sets the event type (EventSource fires it by this name)',
  data: 'Appended to the data buffer, then a LF',
  id: 'Sets the last event ID (sent back as Last-Event-ID on reconnect)',
  'id-ignored-nul': 'Ignored: an id containing NUL is not used',
  retry: 'Sets the reconnection time, ms',
  'retry-ignored': 'Ignored: retry must be ASCII digits only',
  unknown: 'Ignored: not a field EventSource knows (names are case-sensitive)',
};

/**
 * The "Event stream" field of one response, built as its body arrives: push() each body slice with
 * the raw range it came from (HttpParserHandlers.onBody), then field() when the message ends —
 * `complete`: the body ended as framed; otherwise a block without its empty line is shown as cut.
 * Only the lines of the block in progress are held, never the body.
 */
export class EventStreamDissector {
  private readonly map = new BodyOffsetMap();
  private readonly parser: EventStreamParser;
  private readonly blocks: DissectedField[] = [];
  private eventCount = 0;
  private hidden = 0;
  private bom: DissectedField | undefined;
  private failure: string | undefined;
  private whole: ByteRange | undefined;
  private complete = true;

  constructor() {
    this.parser = new EventStreamParser({
      onBom: (r) => (this.bom = { name: 'BOM', value: 'EF BB BF', explain: 'A byte order mark at the start: skipped', range: this.span(r).range }),
      onEvent: (e: SseEvent) => {
        this.eventCount++;
        this.addBlock(e, (children) => {
          const s = this.span(e.range);
          const bytes = Buffer.byteLength(e.data);
          return {
            name: 'Event',
            value: `${e.type}${e.lastEventId ? ` #${e.lastEventId}` : ''} ${previewPayload(Buffer.from(e.data), bytes)}`,
            explain: `Dispatched at its empty line: type "${e.type}", ${formatCount(bytes)} B of data${s.pieces > 1 ? `, on ${s.pieces} pieces of wire` : ''}`,
            range: s.range,
            children,
          };
        });
      },
      onDiscard: (b: SseBlock, reason: SseDiscardReason) =>
        this.addBlock(b, (children) => {
          const onlyComments = b.lines.every((l) => l.kind === 'comment' || l.kind === 'blank');
          return {
            name: reason === 'end-of-stream' ? 'Cut block' : onlyComments ? 'Comments' : 'Block without data',
            explain:
              reason === 'end-of-stream'
                ? this.complete
                  ? 'The stream ended before this block’s empty line: discarded'
                  : 'The response was cut before this block’s empty line: discarded'
                : onlyComments
                  ? 'Comment lines (heartbeats): no event'
                  : 'No data line: nothing is dispatched (an id or retry still takes effect)',
            range: this.span(b.range).range,
            children,
          };
        }),
      // A CR ended a block at the end of a push and an LF followed in the next: the block's field
      // (and its last line's) grows by that byte.
      onLineEndExtended: (line, block) => {
        const last = this.blocks[this.blocks.length - 1];
        if (!block || !last || this.lastBlockEnd !== block.range.end - 1) return;
        const end = this.map.rawOffset(block.range.end - 1) + 1;
        last.range.end = end;
        const lastLine = last.children?.[last.children.length - 1];
        if (lastLine) lastLine.range.end = end;
        this.lastBlockEnd = block.range.end;
      },
      onError: (err) => (this.failure = err.message),
    });
  }

  /** Body offset where the last listed block ended (for onLineEndExtended). */
  private lastBlockEnd = -1;

  get events(): number {
    return this.eventCount;
  }

  push(data: Buffer, raw: ByteRange): void {
    if (data.length === 0) return;
    this.map.add(raw);
    if (this.whole) this.whole.end = raw.end;
    else this.whole = { start: raw.start, end: raw.end };
    this.parser.push(data);
  }

  /** The field's value: how many events were dispatched so far. */
  get value(): string {
    const n = this.eventCount;
    return `${formatCount(n)} event${n === 1 ? '' : 's'}`;
  }

  /** The field when the message ends; a block in progress is then shown as cut (or ended, when `complete`). */
  field(complete: boolean): DissectedField {
    this.complete = complete;
    this.parser.finish();
    return this.snapshot();
  }

  /**
   * The field so far, while the stream is open: the blocks dispatched or discarded up to now (the block in
   * progress is not listed yet). Its own arrays: a later push does not change a snapshot already taken.
   */
  snapshot(): DissectedField {
    const whole = this.whole ?? { start: 0, end: 0 };
    const children: DissectedField[] = [];
    if (this.bom) children.push(this.bom);
    children.push(...this.blocks);
    if (this.hidden > 0) children.push({ name: 'More blocks', value: formatCount(this.hidden), explain: `${formatCount(this.hidden)} further blocks are not listed one by one`, range: { start: whole.end, end: whole.end } });
    const field: DissectedField = {
      name: 'Event stream',
      value: this.value,
      explain: 'The body read by the WHATWG event-stream rules: each block, its lines, and where they sit on the wire',
      range: { ...whole },
      children,
    };
    if (this.failure) field.error = this.failure;
    return field;
  }

  private span(r: SseRange): { range: ByteRange; pieces: number } {
    const raw = this.map.toRaw(r);
    return { range: { start: raw[0].start, end: raw[raw.length - 1].end }, pieces: raw.length };
  }

  private addBlock(block: SseBlock, label: (lines: DissectedField[]) => DissectedField): void {
    if (this.blocks.length >= MAX_DISSECTED_BLOCKS) {
      this.hidden++;
      this.map.forgetBefore(block.range.end - 1);
      return;
    }
    this.blocks.push(label(block.lines.map((l) => lineField(l, (r) => this.span(r)))));
    this.lastBlockEnd = block.range.end;
    // Keep the piece of the block's last byte: an LF may extend it.
    this.map.forgetBefore(block.range.end - 1);
  }
}

function lineField(line: SseLine, span: (r: SseRange) => { range: ByteRange; pieces: number }): DissectedField {
  const range = span(line.range).range;
  switch (line.kind) {
    case 'blank':
      return { name: 'Empty line', explain: 'Ends the block: dispatch', range };
    case 'partial':
      return { name: 'Partial line', explain: 'The stream ended inside this line: never processed', range };
    case 'comment':
      return { name: 'Comment', value: JSON.stringify(line.text), explain: 'A line starting with ":" is ignored (heartbeats)', range };
    case 'field': {
      const children: DissectedField[] = [{ name: 'Name', value: line.name, range: span(line.nameRange).range }];
      if (line.colon) children.push({ name: 'Value', value: JSON.stringify(line.value), explain: 'After the colon, minus one leading space', range: span(line.valueRange).range });
      const explain = EFFECT_EXPLAIN[line.effect] + (line.colon ? '' : ' (no colon: the whole line is the name, the value is empty)');
      return { name: line.name === '' ? 'Field' : line.name, value: line.effect === 'retry' ? `${line.retry} ms` : JSON.stringify(line.value), explain, range, children };
    }
  }
}
