// The hex view's keyboard cursor: a byte, named by its row and column, that
// the arrow keys move byte by byte (← →, wrapping to the neighbouring rows),
// row by row (↑ ↓), by a page, to the ends of a row (Home, End) or of the
// connection (Ctrl+Home, Ctrl+End). Rows interleave both directions in arrival
// order, so a step may cross from a client row to a server row: the byte under
// the cursor is told with its direction, offset, value and the field it belongs
// to (what a screen reader announces, and the status line shows). No DOM here.
import type { Direction, DissectedField, DissectedMessage } from '../../server-core/protocol/playground.js';
import { BYTES_PER_ROW, type ChunkIndex } from './chunk-index.js';

export interface Cursor {
  row: number;
  col: number;
}

/** The bytes a row shows: their direction, the stream offset of the first, how many. */
export function rowSpan(idx: ChunkIndex, row: number): { dir: Direction; base: number; len: number } | undefined {
  if (row < 0 || row >= idx.rowCount || idx.count === 0) return undefined;
  const ci = idx.chunkOfRow(row);
  const within = row - idx.firstRow(ci);
  const from = within * BYTES_PER_ROW;
  return { dir: idx.dir(ci), base: idx.start(ci) + from, len: Math.min(idx.length(ci) - from, BYTES_PER_ROW) };
}

/** Where `key` takes the cursor (`page`: rows in view), or undefined when it is not a cursor key. */
export function moveCursor(idx: ChunkIndex, cur: Cursor, key: string, ctrl: boolean, page: number): Cursor | undefined {
  const rows = idx.rowCount;
  if (!rows) return undefined;
  const lenOf = (row: number) => rowSpan(idx, row)?.len ?? 1;
  const clampCol = (row: number, col: number): Cursor => ({ row, col: Math.max(0, Math.min(col, lenOf(row) - 1)) });
  const row = Math.max(0, Math.min(cur.row, rows - 1));
  const col = Math.min(cur.col, lenOf(row) - 1);
  switch (key) {
    case 'ArrowRight':
      if (col + 1 < lenOf(row)) return { row, col: col + 1 };
      return row + 1 < rows ? { row: row + 1, col: 0 } : { row, col };
    case 'ArrowLeft':
      if (col > 0) return { row, col: col - 1 };
      return row > 0 ? { row: row - 1, col: lenOf(row - 1) - 1 } : { row, col };
    case 'ArrowDown':
      return clampCol(Math.min(rows - 1, row + 1), col);
    case 'ArrowUp':
      return clampCol(Math.max(0, row - 1), col);
    case 'PageDown':
      return clampCol(Math.min(rows - 1, row + Math.max(1, page)), col);
    case 'PageUp':
      return clampCol(Math.max(0, row - Math.max(1, page)), col);
    case 'Home':
      return ctrl ? { row: 0, col: 0 } : { row, col: 0 };
    case 'End':
      return ctrl ? { row: rows - 1, col: lenOf(rows - 1) - 1 } : { row, col: lenOf(row) - 1 };
    default:
      return undefined;
  }
}

const DIR_WORDS: Record<Direction, string> = { c2s: '→ client to server', s2c: '← server to client' };

function byteText(b: number | undefined): string {
  if (b === undefined || b < 0) return 'byte not loaded yet';
  const hex = `0x${b.toString(16).padStart(2, '0')}`;
  if (b >= 0x21 && b < 0x7f) return `${hex} '${String.fromCharCode(b)}'`;
  const names: Record<number, string> = { 0x20: 'space', 0x0d: 'CR', 0x0a: 'LF', 0x09: 'tab', 0x00: 'NUL' };
  return names[b] ? `${hex} (${names[b]})` : hex;
}

/**
 * The byte under the cursor in words: "→ client to server, offset 0x1a (26): 0x47 'G'. Method: GET — The request
 * method. In GET /echo HTTP/1.1". `field` and `msg` are what the dissection says of that byte, if anything.
 */
export function describeByte(dir: Direction, offset: number, byte: number | undefined, msg?: DissectedMessage, field?: DissectedField): string {
  const head = `${DIR_WORDS[dir]}, offset 0x${offset.toString(16)} (${offset}): ${byteText(byte)}.`;
  if (!msg) return `${head} Not part of a dissected message.`;
  const f = field ? ` ${field.name}${field.value !== undefined ? `: ${field.value}` : ''}${field.explain ? ` — ${field.explain}` : ''}.` : '';
  const err = field?.error ?? (msg.error && msg.error.offset === offset ? msg.error.message : undefined);
  return `${head}${f} In ${msg.summary}.${err ? ` Error: ${err}.` : ''}`;
}
