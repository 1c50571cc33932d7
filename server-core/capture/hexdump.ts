// Annotated hex for the terminal (`wireplay send --hex`): each captured chunk in
// arrival order, 16 bytes a line with the absolute stream offset, hex, ASCII,
// the direction, and the names of the dissected fields the line touches. A
// message's summary is printed where it begins; drop markers where bytes went.
//
//   ── c2s  GET /echo HTTP/1.1
//   c2s 00000000  47 45 54 20 2f 65 63 68  6f 20 48 54 54 50 2f 31  |GET /echo HTTP/1|  Method, Target, Version
import type { CaptureEntry } from './capture-store.js';
import type { DissectedField, DissectedMessage } from './dissection-types.js';
import type { Direction } from './types.js';
import { formatCount } from './format.js';

export interface HexdumpOptions {
  /** Bytes shown per chunk before '… n more bytes'. Default 4096. */
  maxBytesPerChunk?: number;
  /** ANSI colours (c2s and s2c distinct, errors red). Default false. */
  color?: boolean;
  /** Characters of field names per line. Default 60. */
  annotationWidth?: number;
}

/** Field groups whose children name the bytes better than the group does. */
const GROUPS = new Set(['Request line', 'Status line', 'Frame header', 'Chunked body', 'Chunk size', 'Last chunk', 'Trailers']);

export function hexdump(entries: readonly CaptureEntry[], messages: readonly DissectedMessage[] = [], options: HexdumpOptions = {}): string {
  const maxBytes = options.maxBytesPerChunk ?? 4096;
  const width = options.annotationWidth ?? 60;
  const color = options.color ?? false;
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const dirColor: Record<Direction, string> = { c2s: '36', s2c: '33' };
  const byDir: Record<Direction, DissectedMessage[]> = { c2s: [], s2c: [] };
  for (const m of messages) if (m.kind !== 'dropped') byDir[m.dir].push(m);
  for (const d of ['c2s', 's2c'] as const) byDir[d].sort((a, b) => a.range.start - b.range.start);
  const out: string[] = [];
  for (const e of entries) {
    if (e.kind === 'dropped') {
      out.push(paint('31', `${e.dir} -- ${formatCount(e.length)} bytes dropped (offsets ${formatCount(e.offset)}–${formatCount(e.offset + e.length)}) --`));
      continue;
    }
    const msgs = byDir[e.dir];
    const end = e.offset + e.bytes.length;
    const shownEnd = e.offset + Math.min(e.bytes.length, maxBytes);
    // Messages touching this chunk.
    const touching = msgs.filter((m) => m.range.start < end && m.range.end > e.offset);
    for (let line = e.offset; line < shownEnd; line += 16) {
      const lineEnd = Math.min(line + 16, shownEnd);
      for (const m of touching) {
        if (m.range.start >= line && m.range.start < lineEnd) {
          out.push(paint(dirColor[e.dir], `── ${e.dir}  ${m.summary}`) + (m.error ? paint('31', `  ✗ ${m.error.message} at ${m.error.offset}`) : ''));
        }
      }
      const bytes = e.bytes.subarray(line - e.offset, lineEnd - e.offset);
      let hex = '';
      let ascii = '';
      for (let i = 0; i < 16; i++) {
        if (i === 8) hex += ' ';
        if (i < bytes.length) {
          hex += bytes[i].toString(16).padStart(2, '0') + ' ';
          ascii += bytes[i] >= 0x20 && bytes[i] < 0x7f ? String.fromCharCode(bytes[i]) : '.';
        } else {
          hex += '   ';
          ascii += ' ';
        }
      }
      const names: string[] = [];
      let hasError = false;
      for (const m of touching) {
        if (m.error && m.error.offset >= line && m.error.offset < lineEnd) hasError = true;
        collectNames(m.fields, line, lineEnd, names);
      }
      let note = [...new Set(names)].join(', ');
      if (note.length > width) note = note.slice(0, width - 1) + '…';
      const prefix = paint(dirColor[e.dir], `${e.dir} ${line.toString(16).padStart(8, '0')}`);
      out.push(`${prefix}  ${hex} |${ascii}|  ${hasError ? paint('31', '✗ ') : ''}${note}`.trimEnd());
    }
    if (end > shownEnd) out.push(`${e.dir} … ${formatCount(end - shownEnd)} more bytes`);
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

function collectNames(fields: readonly DissectedField[], start: number, end: number, out: string[]): void {
  for (const f of fields) {
    const empty = f.range.end === f.range.start;
    if (empty || f.range.start >= end || f.range.end <= start) continue;
    if (f.children && f.children.length && GROUPS.has(f.name)) {
      const before = out.length;
      collectNames(f.children, start, end, out);
      if (out.length === before) out.push(f.name);
    } else out.push(f.error ? `${f.name}!` : f.name);
  }
}
