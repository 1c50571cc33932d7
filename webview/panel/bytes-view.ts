// The Bytes inspector: a virtualised hex + ASCII view of the whole connection
// (both directions interleaved in arrival order, each row marked with its
// direction) beside the dissection tree, with a divider between them (its
// place remembered; below a width the tree goes under the hex view). Hovering
// a byte highlights its field; clicking a field selects its bytes; errors are
// marked at their byte. The hex view has a keyboard cursor that moves byte by
// byte (hex-cursor.ts): the byte, its direction and its field are said in the
// status line under it, a live region; Enter selects that field in the tree.
// The hex and ASCII columns keep their widths: a narrow pane scrolls sideways
// rather than cutting the ASCII column off.
import { html, nothing, render, type TemplateResult } from 'lit';
import type { Direction } from '../../server-core/protocol/playground.js';
import { formatMs } from '../shared/format.js';
import { VirtualScroller } from '../shared/virtual-list.js';
import { div } from '../shared/dom.js';
import { BYTES_PER_ROW } from './chunk-index.js';
import type { ConnCapture } from './conn-capture.js';
import { fieldAt, fieldByPath, keyAt, messageAt, spanOfKey, type ByteSpan } from './dissection-lookup.js';
import { describeByte, moveCursor, rowSpan, type Cursor } from './hex-cursor.js';
import { CURSOR, ERROR, GONE, HOVER, HexRowPool, PENDING, SELECTED, byteAtPoint, type RowCells } from './hex-rows.js';
import { Splitter } from './splitter.js';
import { nodeText, treeItemId, treeRowTemplate } from './tree-row.js';
import { TreeRows, type TreeNode } from './tree-rows.js';

export { fieldAt, messageAt, type ByteSpan } from './dissection-lookup.js';

const ROW = 20;
const TREE_ROW = ROW + 2;
const DIRS: readonly Direction[] = ['c2s', 's2c'];
/** Bytes beyond the visible rows asked for too (about a thousand rows), so scrolling into the next page finds it held. */
const PREFETCH_BYTES = 16 * 1024;
/** Narrower than this (px), the tree goes under the hex view. */
const STACK_BELOW = 840;

export interface BytesViewOptions {
  /** The tree's share of the width beside the hex view (0..1), as saved. */
  tree?: number;
  treeChanged?(fraction: number): void;
  onSelectionChange?(key: string | null): void;
}

export class BytesView {
  readonly el: HTMLDivElement;
  private readonly hex: VirtualScroller;
  private readonly tree: VirtualScroller;
  private capture: ConnCapture | undefined;
  private treeRows = new TreeRows([], new Set(), () => -1);
  private readonly expanded = new Set<string>();
  private messagesVersion = -1;
  private chunksVersion = -1;
  private readonly rows = new HexRowPool();
  private readonly empty: HTMLDivElement;
  private readonly treeEmpty: HTMLDivElement;
  private readonly rowBytes = new Uint8Array(BYTES_PER_ROW);
  private readonly cells: RowCells = { length: 0, bytes: new Int16Array(BYTES_PER_ROW), bits: new Uint8Array(BYTES_PER_ROW), titles: [] };
  private hover: ByteSpan | null = null;
  private hoverKey: string | null = null;
  private selected: ByteSpan | null = null;
  private selectedKey: string | null = null;
  private cursor: Cursor | null = null;
  private readonly status: HTMLDivElement;
  private readonly cursorLine: HTMLDivElement;
  private readonly detail: HTMLDivElement;
  private treeShare: number;
  /** No share saved yet: the hex view gets its natural width, the tree the rest. */
  private natural: boolean;
  /** Stream offsets of errors per direction, for marking bytes. */
  private errors: Record<Direction, Map<number, string>> = { c2s: new Map(), s2c: new Map() };

  constructor(private readonly options: BytesViewOptions = {}) {
    this.treeShare = options.tree ?? 0.34;
    this.natural = options.tree === undefined;
    this.el = div('bytes-view');
    const hexHost = div('hex-pane');
    const treeHost = div('tree-pane');
    const legend = div('bytes-legend');
    legend.setAttribute('aria-hidden', 'true');
    render(html`<span class="dir-c2s">→ client to server</span><span class="dir-s2c">← server to client</span><span class="err-key">error</span>`, legend);
    this.status = div('bytes-status');
    this.cursorLine = div('bytes-cursor');
    this.cursorLine.setAttribute('role', 'status');
    this.cursorLine.setAttribute('aria-live', 'polite');
    const left = div('hex-col');
    left.append(legend, hexHost, this.cursorLine, this.status);
    const divider = div('divider divider-tree');
    this.detail = div('tree-detail');
    this.detail.setAttribute('role', 'status');
    this.treeEmpty = div('empty tree-empty');
    const right = div('tree-col');
    right.append(treeHost, this.treeEmpty, this.detail);
    this.el.append(left, divider, right);
    this.hex = new VirtualScroller(hexHost, ROW, (r) => this.drawHex(r));
    this.empty = div('empty hex-empty');
    this.empty.textContent = 'No bytes yet.';
    this.empty.hidden = true;
    hexHost.append(this.empty);
    this.hex.viewport.append(this.rows.el);
    this.tree = new VirtualScroller(treeHost, TREE_ROW, (r) => this.drawTree(r));
    for (const part of [this.hex.viewport, this.tree.viewport]) part.setAttribute('role', 'none');
    const grid = this.hex.scroller;
    grid.tabIndex = 0;
    grid.setAttribute('role', 'grid');
    grid.setAttribute('aria-readonly', 'true');
    // The name says "hex view" first: what the user looks for (the splitter beside it names it too, after).
    grid.setAttribute('aria-label', 'Hex view: the bytes of the connection, both directions in arrival order. Arrow keys move byte by byte.');
    grid.setAttribute('aria-describedby', 'bytes-cursor');
    this.cursorLine.id = 'bytes-cursor';
    this.tree.scroller.tabIndex = 0;
    this.tree.scroller.setAttribute('role', 'tree');
    this.tree.scroller.setAttribute('aria-label', 'Dissection: messages and their fields');
    this.el.style.setProperty('--tree', `${(this.treeShare * 100).toFixed(2)}%`);
    new Splitter({
      el: divider,
      container: this.el,
      orientation: () => (this.el.clientWidth < STACK_BELOW ? 'horizontal' : 'vertical'),
      // The share is the tree's; the divider's value is the first pane's (the hex view's).
      get: () => 1 - this.treeShare,
      set: (f) => {
        this.natural = false;
        this.treeShare = 1 - f;
        this.el.style.setProperty('--tree', `${(this.treeShare * 100).toFixed(2)}%`);
        this.options.treeChanged?.(this.treeShare);
      },
      minPx: 160,
      label: 'Resize the hex view and the dissection tree',
    });
    new ResizeObserver(() => {
      const w = this.el.clientWidth;
      this.el.dataset.layout = w < STACK_BELOW ? 'stacked' : 'wide';
      if (this.natural && w >= STACK_BELOW) {
        // The rows' natural width (arrow, time, offset, hex, ASCII), as the stylesheet sets it on the hex viewport.
        const hexPx = parseFloat(getComputedStyle(this.hex.viewport).minWidth) + 16 || 0.66 * w;
        this.treeShare = Math.max(0.24, Math.min(0.5, 1 - hexPx / w));
        this.el.style.setProperty('--tree', `${(this.treeShare * 100).toFixed(2)}%`);
      }
    }).observe(this.el);

    this.hex.viewport.addEventListener('mousemove', (e) => this.onHexHover(e));
    this.hex.viewport.addEventListener('mouseleave', () => this.setHover(null, null));
    this.hex.viewport.addEventListener('click', (e) => this.onHexClick(e));
    this.tree.viewport.addEventListener('click', (e) => this.onTreeClick(e));
    this.tree.viewport.addEventListener('mousemove', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('[data-key]');
      const key = row?.dataset.key ?? null;
      if (key !== this.hoverKey) this.setHover(key && this.capture ? spanOfKey(this.capture, key) : null, key);
    });
    this.tree.viewport.addEventListener('mouseleave', () => this.setHover(null, null));
    this.tree.scroller.addEventListener('keydown', (e) => this.onTreeKey(e));
    grid.addEventListener('keydown', (e) => this.onHexKey(e));
    grid.addEventListener('focus', () => {
      if (!this.cursor && this.capture?.rowCount) this.moveCursorTo({ row: Math.max(0, Math.ceil(this.hex.topRow())), col: 0 });
      else this.hex.schedule();
    });
    // The cursor is drawn only while the hex view has the focus.
    grid.addEventListener('blur', () => this.hex.schedule());
  }

  show(capture: ConnCapture | undefined): void {
    if (capture !== this.capture) {
      this.capture = capture;
      this.expanded.clear();
      this.selected = null;
      this.selectedKey = null;
      this.hover = null;
      this.cursor = null;
      this.cursorLine.textContent = '';
      this.messagesVersion = -1;
      this.chunksVersion = -1;
      this.showDetail();
    }
    this.refresh();
  }

  refresh(): void {
    const c = this.capture;
    if (!c) {
      this.treeRows = new TreeRows([], new Set(), () => -1);
      this.hex.setRowCount(0);
      this.tree.setRowCount(0);
      this.status.textContent = 'No connection selected. Send something, or pick a row in the network list.';
      this.treeEmpty.hidden = true;
      this.hex.schedule();
      this.tree.schedule();
      return;
    }
    // Bytes arriving from the host change neither: they only need a redraw.
    if (c.messagesVersion !== this.messagesVersion) {
      this.messagesVersion = c.messagesVersion;
      this.errors = { c2s: new Map(), s2c: new Map() };
      for (const m of c.messages) if (m.error) this.errors[m.dir].set(m.error.offset, m.error.message);
      this.rebuildNodes();
      this.chunksVersion = -1;
    }
    if (c.chunksVersion !== this.chunksVersion) {
      this.chunksVersion = c.chunksVersion;
      this.hex.setRowCount(c.rowCount);
      this.status.textContent = c.chunkCount
        ? `${c.chunkCount} chunks · ${c.streamLen.c2s} B → · ${c.streamLen.s2c} B ← · ${c.messages.length} messages`
        : c.info.closed && c.http.some((x) => x.error)
          ? 'Nothing went on the wire: the connection was never opened (see the Parsed view for why).'
          : 'No bytes yet.';
    }
    this.treeEmpty.hidden = this.treeRows.length > 0;
    this.treeEmpty.textContent = 'Nothing dissected yet.';
    // Drawn now rather than on the next frame: a refresh already runs in a frame (the store's change
    // batching), and bytes that just arrived from the host should not wait one more. Rows that did not
    // change are left alone, so a second draw in the same frame costs next to nothing.
    if (!this.el.hidden && this.el.isConnected) this.hex.render();
    else this.hex.schedule();
    this.tree.schedule();
  }

  /** For tests: the tree key of a field path, e.g. select(msgId, [0, 1]). */
  selectField(msgId: number, path: number[]): void {
    this.select(`${msgId}/${path.join('.')}`, true);
  }

  private rebuildNodes(): void {
    const c = this.capture!;
    this.treeRows = new TreeRows(c.messages, this.expanded, (id) => c.indexOfMessage(id));
    this.tree.setRowCount(this.treeRows.length);
  }

  private setHover(span: ByteSpan | null, key: string | null): void {
    this.hover = span;
    this.hoverKey = key;
    this.hex.schedule();
    this.tree.schedule();
  }

  private byteFromEvent(e: MouseEvent): { dir: Direction; offset: number } | undefined {
    // A hover redraw between mousedown and mouseup re-splits the runs: the click then goes to the
    // row they share, so the run is looked up again at the pointer.
    const target = e.target instanceof Element && e.target.closest('[data-o]') ? e.target : document.elementFromPoint(e.clientX, e.clientY);
    const hit = byteAtPoint(target, e.clientX);
    const row = hit?.run.closest<HTMLElement>('[data-dir]');
    if (!hit || !row) return undefined;
    return { dir: row.dataset.dir as Direction, offset: hit.offset };
  }

  private onHexHover(e: MouseEvent): void {
    const b = this.byteFromEvent(e);
    const c = this.capture;
    if (!b || !c) return;
    const key = keyAt(c, b.dir, b.offset);
    if (key === this.hoverKey) return;
    this.setHover(key ? spanOfKey(c, key) : { dir: b.dir, start: b.offset, end: b.offset + 1 }, key);
  }

  private onHexClick(e: MouseEvent): void {
    const b = this.byteFromEvent(e);
    const c = this.capture;
    if (!b || !c) return;
    const row = c.rowOf(b.dir, b.offset);
    const span = row >= 0 ? rowSpan(c.index, row) : undefined;
    if (span) this.cursor = { row, col: b.offset - span.base };
    const key = keyAt(c, b.dir, b.offset);
    if (key) this.select(key, false);
    else {
      this.selected = { dir: b.dir, start: b.offset, end: b.offset + 1 };
      this.selectedKey = null;
      this.hex.schedule();
    }
  }

  private onTreeClick(e: MouseEvent): void {
    const row = (e.target as HTMLElement).closest<HTMLElement>('[data-key]');
    if (!row) return;
    const key = row.dataset.key!;
    if ((e.target as HTMLElement).closest('.twisty')) this.toggle(key);
    else this.select(key, true);
  }

  private toggle(key: string, open?: boolean): void {
    const want = open ?? !this.expanded.has(key);
    if (want) this.expanded.add(key);
    else this.expanded.delete(key);
    this.rebuildNodes();
    this.tree.schedule();
  }

  /** Selects a field: highlights its bytes, reveals it in the tree, scrolls the hex view to it. */
  select(key: string, scrollHex: boolean): void {
    const c = this.capture;
    const span = c ? spanOfKey(c, key) : null;
    if (!c || !span) return;
    // Reveal: expand every ancestor.
    const [id, path] = key.split('/');
    let changed = false;
    if (path) {
      const parts = path.split('.');
      const msgKey = `${id}/`;
      if (!this.expanded.has(msgKey)) this.expanded.add(msgKey), (changed = true);
      for (let i = 1; i < parts.length; i++) {
        const k = `${id}/${parts.slice(0, i).join('.')}`;
        if (!this.expanded.has(k)) this.expanded.add(k), (changed = true);
      }
    }
    if (changed) this.rebuildNodes();
    this.selected = span;
    this.selectedKey = key;
    const idx = this.treeRows.indexOfKey(key);
    if (idx >= 0) this.tree.scrollToRow(idx);
    if (scrollHex) {
      const row = c.rowOf(span.dir, span.start);
      if (row >= 0) this.hex.scrollToRow(row);
    }
    this.showDetail();
    this.options.onSelectionChange?.(key);
    this.hex.schedule();
    this.tree.schedule();
  }

  /** The selected node's whole text under the tree (the row may be cut to the column's width). */
  private showDetail(): void {
    const c = this.capture;
    const idx = this.selectedKey ? this.treeRows.indexOfKey(this.selectedKey) : -1;
    const node = idx >= 0 ? this.treeRows.get(idx) : undefined;
    this.detail.textContent = c && node ? nodeText(node, c) : 'Select a field to see it whole.';
  }

  private onTreeKey(e: KeyboardEvent): void {
    const rows = this.treeRows;
    if (!rows.length) return;
    let idx = this.selectedKey ? rows.indexOfKey(this.selectedKey) : -1;
    const node = idx >= 0 ? rows.get(idx) : undefined;
    switch (e.key) {
      case 'ArrowDown': idx = Math.min(rows.length - 1, idx + 1); break;
      case 'ArrowUp': idx = Math.max(0, idx - 1); break;
      case 'Home': idx = 0; break;
      case 'End': idx = rows.length - 1; break;
      case 'PageDown': idx = Math.min(rows.length - 1, idx + 20); break;
      case 'PageUp': idx = Math.max(0, idx - 20); break;
      case 'ArrowRight':
        if (node?.hasChildren && !this.expanded.has(node.key)) this.toggle(node.key, true);
        else idx = Math.min(rows.length - 1, idx + 1);
        break;
      case 'ArrowLeft':
        if (node?.hasChildren && this.expanded.has(node.key)) this.toggle(node.key, false);
        else if (node && node.depth > 0) {
          // The parent is the nearest row above with a smaller depth.
          let p = idx - 1;
          while (p >= 0 && rows.get(p)!.depth >= node.depth) p--;
          if (p >= 0) idx = p;
        }
        break;
      case 'Enter':
      case ' ':
        if (node?.hasChildren) this.toggle(node.key);
        break;
      default:
        return;
    }
    e.preventDefault();
    const target = this.treeRows.get(Math.max(0, idx));
    if (target) this.select(target.key, true);
  }

  private onHexKey(e: KeyboardEvent): void {
    const c = this.capture;
    if (!c?.rowCount) return;
    if (e.key === 'Enter' && this.cursor) {
      const span = rowSpan(c.index, this.cursor.row);
      const key = span ? keyAt(c, span.dir, span.base + this.cursor.col) : null;
      if (key) {
        e.preventDefault();
        this.select(key, false);
      }
      return;
    }
    const page = Math.max(1, Math.floor(this.hex.scroller.clientHeight / ROW) - 1);
    const cur = this.cursor ?? { row: Math.max(0, Math.floor(this.hex.topRow())), col: 0 };
    const next = moveCursor(c.index, cur, e.key, e.ctrlKey || e.metaKey, page);
    if (!next) return;
    e.preventDefault();
    this.moveCursorTo(next);
  }

  /** Puts the cursor on a byte: in view, highlighted with its field, and said in the status line. */
  private moveCursorTo(cur: Cursor): void {
    const c = this.capture;
    if (!c) return;
    this.cursor = cur;
    this.hex.scrollToRow(cur.row);
    const span = rowSpan(c.index, cur.row);
    if (span) {
      const offset = span.base + cur.col;
      const msg = messageAt(c.messagesOf(span.dir), offset);
      const hit = msg ? fieldAt(msg, offset) : undefined;
      const key = msg ? (hit ? `${msg.id}/${hit.path.join('.')}` : `${msg.id}/`) : null;
      this.hover = key ? spanOfKey(c, key) : null;
      this.hoverKey = key;
      this.cursorLine.textContent = describeByte(span.dir, offset, c.bytes[span.dir].byteAt(offset), msg, hit?.field);
    }
    this.hex.schedule();
    this.tree.schedule();
  }

  private drawHex(r: { first: number; count: number; offset: number }): void {
    const c = this.capture;
    const idx = c?.index;
    if (!c || !idx || idx.count === 0) {
      this.rows.use(0, 0);
      this.empty.hidden = !c;
      this.empty.textContent = this.status.textContent ?? '';
      return;
    }
    this.empty.hidden = true;
    this.hex.scroller.setAttribute('aria-rowcount', String(c.rowCount));
    const first = Math.max(0, r.first);
    const end = Math.min(c.rowCount, first + r.count);
    const n = Math.max(0, end - first);
    const rows = this.rows.use(n, r.offset);
    if (n === 0) return;
    const hv = this.hover;
    const sel = this.selected;
    const cur = this.cursor && document.activeElement === this.hex.scroller ? this.cursor : null;
    const t0 = c.info.t;
    const buf = this.rowBytes;
    // The visible bytes of each direction form one range: ask the host for what is not held.
    const lo = { c2s: Infinity, s2c: Infinity };
    const hi = { c2s: -Infinity, s2c: -Infinity };
    let ci = idx.chunkOfRow(first);
    for (let k = 0; k < n; k++) {
      const row = first + k;
      while (ci + 1 < idx.count && idx.firstRow(ci + 1) <= row) ci++;
      const dir = idx.dir(ci);
      const within = row - idx.firstRow(ci);
      const from = within * BYTES_PER_ROW;
      const len = Math.min(idx.length(ci) - from, BYTES_PER_ROW);
      const base = idx.start(ci) + from;
      const stream = c.bytes[dir];
      const got = stream.read(base, buf.subarray(0, len));
      if (base < lo[dir]) lo[dir] = base;
      if (base + len > hi[dir]) hi[dir] = base + len;
      const isFirst = within === 0;
      const label = isFirst ? formatMs(idx.time(ci) - t0) : '';
      const errors = this.errors[dir];
      const cells = this.cells;
      cells.length = len;
      let pending = false;
      for (let i = 0; i < len; i++) {
        const o = base + i;
        let bits = 0;
        if (hv && hv.dir === dir && o >= hv.start && o < hv.end) bits |= HOVER;
        if (sel && sel.dir === dir && o >= sel.start && o < sel.end) bits |= SELECTED;
        if (cur && cur.row === row && cur.col === i) bits |= CURSOR;
        const err = errors.size ? errors.get(o) : undefined;
        if (err !== undefined) bits |= ERROR;
        cells.bits[i] = bits;
        cells.titles[i] = err;
        // Past the held run (at the ring's cut, the held bytes may start mid-row): byte by byte.
        const b = i < got ? buf[i] : stream.byteAt(o);
        cells.bytes[i] = b >= 0 ? b : o < stream.goneBelow ? GONE : PENDING;
        if (cells.bytes[i] === PENDING) pending = true;
      }
      rows[k].setHead(row, dir, isFirst, label, isFirst ? `arrived at +${label}` : '', base, pending);
      rows[k].setCells(cells);
    }
    for (const dir of DIRS) if (hi[dir] > lo[dir]) c.want(dir, Math.max(0, lo[dir] - PREFETCH_BYTES), hi[dir] + PREFETCH_BYTES);
  }

  private drawTree(r: { first: number; count: number; offset: number }): void {
    const c = this.capture;
    const tree = this.tree.scroller;
    if (!c || this.treeRows.length === 0) {
      render(nothing, this.tree.viewport);
      tree.removeAttribute('aria-activedescendant');
      return;
    }
    const end = Math.min(this.treeRows.length, r.first + r.count);
    const rows: TemplateResult[] = [];
    let activeShown = false;
    for (let i = r.first; i < end; i++) {
      const n = this.treeRows.get(i)!;
      const selected = n.key === this.selectedKey;
      activeShown ||= selected;
      const [pos, size] = this.siblingPlace(n, c);
      rows.push(treeRowTemplate(n, r.offset + (i - r.first) * TREE_ROW, c, { open: this.expanded.has(n.key), selected, hovered: n.key === this.hoverKey }, pos, size));
    }
    render(rows, this.tree.viewport);
    if (activeShown && this.selectedKey) tree.setAttribute('aria-activedescendant', treeItemId(this.selectedKey));
    else tree.removeAttribute('aria-activedescendant');
  }

  /** A node's place among its siblings (1-based) and their number. */
  private siblingPlace(n: TreeNode, c: ConnCapture): [number, number] {
    const path = n.key.split('/')[1];
    if (!path) return [c.indexOfMessage(n.msg.id) + 1, c.messages.length];
    const parts = path.split('.').map(Number);
    const last = parts.pop()!;
    const parent = parts.length ? fieldByPath(n.msg, parts)?.children : n.msg.fields;
    return [last + 1, parent?.length ?? last + 1];
  }
}

