// The hex view's rows: a pool of row elements built once and rewritten in
// place, each row's bytes drawn as a few runs (a run: consecutive bytes with
// the same highlight) rather than one element per byte. A jump across a big
// capture then changes about a hundred text nodes instead of parsing fresh
// HTML into ~1,400 elements every frame; per-byte elements made style, layout
// and paint cost 20-30 ms a frame, and the garbage they left behind caused
// the 130-200 ms hitches the benchmark measured. Each row keeps what it last
// wrote, so a redraw that changes nothing touches nothing.
//
// A run is a span `.b` (hex) or `.a` (ASCII) with data-o (the stream offset of
// its first byte) and data-n (its byte count); byteAtPoint() finds the byte
// under the pointer from the run's geometry (the font is monospace).
import type { Direction } from '../../server-core/protocol/playground.js';
import { HEX2 } from './bytes-util.js';
import { div } from '../shared/dom.js';

/** Highlight bits of a byte. */
export const HOVER = 1;
export const SELECTED = 2;
export const ERROR = 4;
/** The keyboard cursor's byte. */
export const CURSOR = 8;

/** Not a byte: one the view does not hold yet (asked of the host), or one the capture no longer has. */
export const PENDING = -1;
export const GONE = -2;

const ASCII: readonly string[] = Array.from({ length: 256 }, (_, b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·'));
const CLASS_BITS = Array.from({ length: 16 }, (_, bits) => `${bits & HOVER ? ' hv' : ''}${bits & SELECTED ? ' sel' : ''}${bits & ERROR ? ' err' : ''}${bits & CURSOR ? ' cur' : ''}`);
const HEX_CLASS = CLASS_BITS.map((c) => `b${c}`);
const ASC_CLASS = CLASS_BITS.map((c) => `a${c}`);
const ARROW: Record<Direction, string> = { c2s: '→', s2c: '←' };
const DIR_WORDS: Record<Direction, string> = { c2s: 'client to server', s2c: 'server to client' };

/** Spaces after byte i of a row in the hex column (an extra one after the eighth). */
function gapAfter(i: number): string {
  return i === 7 ? '  ' : ' ';
}

function hexOf(b: number): string {
  return b >= 0 ? HEX2[b] : '--';
}

function asciiOf(b: number): string {
  return b >= 0 ? ASCII[b] : ' ';
}

/** What a row shows: `bytes[i]` (a byte, PENDING or GONE), `bits[i]` and `titles[i]` for i < length. */
export interface RowCells {
  length: number;
  bytes: Int16Array;
  bits: Uint8Array;
  titles: (string | undefined)[];
}

class Run {
  readonly hex: HTMLSpanElement;
  readonly asc: HTMLSpanElement;
  readonly gap: Text;
  private readonly hexText: Text;
  private readonly ascText: Text;
  private o = -1;
  private n = -1;
  private bits = -1;
  private title: string | undefined;

  constructor() {
    this.hex = document.createElement('span');
    this.hexText = this.hex.appendChild(document.createTextNode(''));
    this.asc = document.createElement('span');
    this.ascText = this.asc.appendChild(document.createTextNode(''));
    this.gap = document.createTextNode('');
  }

  set(o: number, n: number, bits: number, title: string | undefined, hex: string, asc: string, gap: string): void {
    if (o !== this.o) {
      this.o = o;
      const text = String(o);
      this.hex.setAttribute('data-o', text);
      this.asc.setAttribute('data-o', text);
    }
    if (n !== this.n) {
      this.n = n;
      const text = String(n);
      this.hex.setAttribute('data-n', text);
      this.asc.setAttribute('data-n', text);
    }
    if (bits !== this.bits) {
      this.bits = bits;
      this.hex.className = HEX_CLASS[bits];
      this.asc.className = ASC_CLASS[bits];
    }
    if (title !== this.title) {
      this.title = title;
      if (title === undefined) {
        this.hex.removeAttribute('title');
        this.asc.removeAttribute('title');
      } else {
        this.hex.title = title;
        this.asc.title = title;
      }
    }
    if (this.hexText.data !== hex) this.hexText.data = hex;
    if (this.ascText.data !== asc) this.ascText.data = asc;
    if (this.gap.data !== gap) this.gap.data = gap;
  }
}

export class HexRow {
  readonly el: HTMLDivElement;
  private readonly arrow: Text;
  private readonly time: HTMLSpanElement;
  private readonly timeText: Text;
  private readonly offText: Text;
  private readonly off: HTMLSpanElement;
  private index = -1;
  private readonly hexCol: HTMLSpanElement;
  private readonly ascCol: HTMLSpanElement;
  private readonly runs: Run[] = [];
  private shownRuns = 0;
  private cls = '';
  private dir = '';
  private label = '';
  private offset = -1;

  constructor() {
    this.el = document.createElement('div');
    // A grid row a screen reader can walk: the row header says the direction and offset, then the hex and the text.
    this.el.setAttribute('role', 'row');
    const d = document.createElement('span');
    d.className = 'd';
    d.setAttribute('aria-hidden', 'true');
    this.arrow = d.appendChild(document.createTextNode(''));
    this.time = document.createElement('span');
    this.time.className = 't';
    this.time.setAttribute('aria-hidden', 'true');
    this.timeText = this.time.appendChild(document.createTextNode(''));
    const off = (this.off = document.createElement('span'));
    off.className = 'off';
    off.setAttribute('role', 'rowheader');
    this.offText = off.appendChild(document.createTextNode(''));
    this.hexCol = document.createElement('span');
    this.hexCol.className = 'hex';
    this.hexCol.setAttribute('role', 'gridcell');
    this.ascCol = document.createElement('span');
    this.ascCol.className = 'asc';
    this.ascCol.setAttribute('role', 'gridcell');
    this.el.append(d, this.time, off, this.hexCol, this.ascCol);
  }

  /** The row's frame: its number, direction, whether it starts a chunk (with the arrival label), its first offset. */
  setHead(index: number, dir: Direction, first: boolean, label: string, labelTitle: string, offset: number, pending: boolean): void {
    const cls = `hrow ${dir}${first ? ' first' : ''}${pending ? ' pending' : ''}`;
    if (cls !== this.cls) this.el.className = this.cls = cls;
    if (index !== this.index) {
      this.index = index;
      this.el.setAttribute('aria-rowindex', String(index + 1));
    }
    const arrow = first ? ARROW[dir] : '';
    if (this.arrow.data !== arrow) this.arrow.data = arrow;
    const changed = dir !== this.dir || label !== this.label || offset !== this.offset;
    if (dir !== this.dir) this.el.dataset.dir = this.dir = dir;
    if (label !== this.label) {
      this.label = label;
      this.timeText.data = label;
      if (labelTitle) this.time.title = labelTitle;
      else this.time.removeAttribute('title');
    }
    if (offset !== this.offset) {
      this.offset = offset;
      this.offText.data = offset.toString(16).padStart(8, '0');
    }
    if (changed) this.off.setAttribute('aria-label', `${ARROW[dir]} ${DIR_WORDS[dir]}, offset ${this.offText.data}${label ? `, arrived at +${label}` : ''}`);
  }

  /** The row's bytes, grouped into runs of equal highlight. */
  setCells(cells: RowCells): void {
    let k = 0;
    let i = 0;
    while (i < cells.length) {
      const bits = cells.bits[i];
      const title = cells.titles[i];
      // Bytes on their way from the host are drawn as nothing at all (no text to lay out twice).
      const pending = cells.bytes[i] === PENDING;
      let j = i;
      let hex = '';
      let asc = '';
      for (;;) {
        if (!pending) {
          hex += hexOf(cells.bytes[j]);
          asc += asciiOf(cells.bytes[j]);
        }
        j++;
        if (j >= cells.length || cells.bits[j] !== bits || cells.titles[j] !== title || (cells.bytes[j] === PENDING) !== pending) break;
        if (!pending) hex += gapAfter(j - 1);
      }
      this.run(k++).set(this.offset + i, j - i, bits, title, hex, asc, pending ? '' : gapAfter(j - 1));
      i = j;
    }
    for (let r = k; r < this.shownRuns; r++) {
      const run = this.runs[r];
      run.hex.remove();
      run.gap.remove();
      run.asc.remove();
    }
    this.shownRuns = k;
  }

  private run(k: number): Run {
    let run = this.runs[k];
    if (!run) this.runs.push((run = new Run()));
    if (k >= this.shownRuns) {
      this.hexCol.append(run.hex, run.gap);
      this.ascCol.append(run.asc);
      this.shownRuns = k + 1;
    }
    return run;
  }
}

/** The rows shown, stacked in one block that moves by the sub-row scroll offset. */
export class HexRowPool {
  readonly el: HTMLDivElement;
  private readonly rows: HexRow[] = [];
  private shown = 0;
  private y = NaN;

  constructor() {
    this.el = div('hex-rows');
    this.el.setAttribute('role', 'rowgroup');
  }

  /** Shows n rows at vertical offset y (px, ≤ 0) and returns them to be filled; the rest are hidden. */
  use(n: number, y: number): HexRow[] {
    while (this.rows.length < n) {
      const r = new HexRow();
      r.el.hidden = true;
      this.rows.push(r);
      this.el.append(r.el);
    }
    for (let i = this.shown; i < n; i++) this.rows[i].el.hidden = false;
    for (let i = n; i < this.shown; i++) this.rows[i].el.hidden = true;
    this.shown = n;
    if (y !== this.y) {
      this.y = y;
      this.el.style.transform = `translateY(${y}px)`;
    }
    return this.rows;
  }
}

/**
 * The byte under a pointer: the run element under it (a `.b` or `.a` span
 * with data-o and data-n) and the stream offset of the byte at clientX, or
 * undefined when the pointer is not over a byte.
 */
export function byteAtPoint(target: EventTarget | null, clientX: number): { run: HTMLElement; offset: number } | undefined {
  const run = target instanceof Element ? target.closest<HTMLElement>('[data-o]') : null;
  if (!run) return undefined;
  const o = Number(run.dataset.o);
  const n = Number(run.dataset.n ?? 1);
  const text = run.textContent ?? '';
  const rect = run.getBoundingClientRect();
  if (n <= 1 || !text.length || rect.width <= 0) return { run, offset: o };
  const ch = Math.floor(((clientX - rect.left) / rect.width) * text.length);
  if (run.classList.contains('a')) return { run, offset: o + Math.max(0, Math.min(n - 1, ch)) };
  // Hex: each byte is two digits and its gap; the gap after a row's eighth byte is two spaces.
  const rowStart = Number(run.closest<HTMLElement>('.hrow')?.querySelector<HTMLElement>('[data-o]')?.dataset.o ?? o);
  let at = 0;
  for (let k = 0; k < n; k++) {
    at += 2 + gapAfter(o - rowStart + k).length;
    if (ch < at) return { run, offset: o + k };
  }
  return { run, offset: o + n - 1 };
}
