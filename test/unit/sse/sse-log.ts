// Drives EventStreamParser and writes what it reports as two logs, used by the
// corpus, unit and property tests:
//
//   the event log, one line per record in delivery order:
//     bom
//     comment "text"
//     retry 1000
//     event "type" "data" id="last event id"
//     discard no-data id="last event id"
//     discard end-of-stream
//     error SSE_LINE_TOO_LONG @offset
//
//   the range log, one line per block (and the BOM), each followed by its lines:
//     bom 0..3
//     event "type" 3..20            (or: discard no-data 3..9, discard end-of-stream 9..12)
//     field "data" "x" data 3..11 name=3..7 value=9..10   (a line without a colon ends in `nocolon`)
//     comment " hi" 11..15 text=12..14
//     blank 19..20
//     partial 9..12
//
// Both are read after the last push, so a range widened by a late LF (a CRLF
// split between pushes) shows its final value, as it must.
import { EventStreamParser, type EventStreamParserOptions } from '../../../server-core/sse/event-stream-parser.js';
import type { SseBlock, SseLine, SseRange } from '../../../server-core/sse/types.js';

/** Quoted, with `"` and `\` escaped, \r \n \t by name, other controls as \xHH, non-ASCII as \u{HEX}. */
export function str(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0x22 || c === 0x5c) out += '\\' + ch;
    else if (c === 13) out += '\\r';
    else if (c === 10) out += '\\n';
    else if (c === 9) out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c > 0x7e) out += `\\u{${c.toString(16).toUpperCase()}}`;
    else out += ch;
  }
  return out + '"';
}

const r = (s: SseRange): string => `${s.start}..${s.end}`;

export function lineLog(line: SseLine): string {
  switch (line.kind) {
    case 'field':
      return `field ${str(line.name)} ${str(line.value)} ${line.effect} ${r(line.range)} name=${r(line.nameRange)} value=${r(line.valueRange)}${line.colon ? '' : ' nocolon'}`;
    case 'comment':
      return `comment ${str(line.text)} ${r(line.range)} text=${r(line.textRange)}`;
    case 'blank':
      return `blank ${r(line.range)}`;
    case 'partial':
      return `partial ${r(line.range)}`;
  }
}

export interface LogOptions extends EventStreamParserOptions {
  /** Call finish() after the last chunk. Default true. */
  finish?: boolean;
}

export interface Logs {
  events: string[];
  ranges: string[];
  /** Every block delivered, in order (events and discards). */
  blocks: SseBlock[];
  /** Calls of onLineEndExtended. */
  extended: number;
  parser: EventStreamParser;
}

export function parseChunks(chunks: Uint8Array[], opts: LogOptions = {}): Logs {
  const events: string[] = [];
  const blocks: { head: () => string; block: SseBlock }[] = [];
  let bom: SseRange | undefined;
  let extended = 0;
  const parser = new EventStreamParser(
    {
      onBom: (range) => {
        bom = range;
        events.push('bom');
      },
      onComment: (c) => events.push(`comment ${str(c.text)}`),
      onRetry: (ms) => events.push(`retry ${ms}`),
      onEvent: (e) => {
        events.push(`event ${str(e.type)} ${str(e.data)} id=${str(e.lastEventId)}`);
        blocks.push({ block: e, head: () => `event ${str(e.type)} ${r(e.range)}` });
      },
      onDiscard: (b, reason) => {
        events.push(reason === 'no-data' ? `discard no-data id=${str(b.lastEventId)}` : 'discard end-of-stream');
        blocks.push({ block: b, head: () => `discard ${reason} ${r(b.range)}` });
      },
      onLineEndExtended: () => extended++,
      onError: (err) => events.push(`error ${err.code} @${err.offset}`),
    },
    opts,
  );
  for (const c of chunks) parser.push(c);
  if (opts.finish !== false) parser.finish();
  const ranges: string[] = [];
  if (bom) ranges.push(`bom ${r(bom)}`);
  for (const b of blocks) {
    ranges.push(b.head());
    for (const line of b.block.lines) ranges.push(lineLog(line));
  }
  return { events, ranges, blocks: blocks.map((b) => b.block), extended, parser };
}

/** The input split at every position, then byte by byte. */
export function splitVariants(input: Uint8Array): { name: string; chunks: Uint8Array[] }[] {
  const out: { name: string; chunks: Uint8Array[] }[] = [];
  for (let i = 1; i < input.length; i++) out.push({ name: `split at ${i}`, chunks: [input.subarray(0, i), input.subarray(i)] });
  const bytes: Uint8Array[] = [];
  for (let i = 0; i < input.length; i++) bytes.push(input.subarray(i, i + 1));
  if (input.length > 1) out.push({ name: 'byte by byte', chunks: bytes });
  return out;
}
