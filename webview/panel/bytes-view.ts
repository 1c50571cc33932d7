// The Bytes inspector: a virtualised hex + ASCII view of the whole connection
// (both directions interleaved in arrival order, each row coloured by its
// direction) beside the dissection tree. Hovering a byte highlights its field;
// clicking a field selects its bytes; errors are marked at their byte.
import { html, nothing, render, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { Direction, DissectedField, DissectedMessage } from '../../server-core/protocol/playground.js';
import { formatMs } from '../shared/format.js';
import { BYTES_PER_ROW } from './chunk-index.js';
import { ERROR, GONE, HOVER, HexRowPool, PENDING, SELECTED, byteAtPoint, type RowCells } from './hex-rows.js';
import type { ConnCapture } from './conn-capture.js';
import { TreeRows, type TreeNode } from './tree-rows.js';
import { VirtualScroller } from '../shared/virtual-list.js';
import { div } from '../shared/dom.js';

export interface ByteSpan {
  dir: Direction;
  start: number;
  end: number;
  bitMask?: number;
}

const ROW = 20;
const ARROW: Record<Direction, string> = { c2s: '→', s2c: '←' };
const DIRS: readonly Direction[] = ['c2s', 's2c'];
/** Bytes beyond the visible rows asked for too (about a thousand rows), so scrolling into the next page finds it held. */
const PREFETCH_BYTES = 16 * 1024;

/** The deepest field of msg whose range holds offset, with its path of child indexes. */
export function fieldAt(msg: DissectedMessage, offset: number): { field: DissectedField; path: number[] } | undefined {
  let list = msg.fields;
  let found: { field: DissectedField; path: number[] } | undefined;
  const path: number[] = [];
  for (;;) {
    let next = -1;
    for (let i = 0; i < list.length; i++) {
      const f = list[i];
      if (offset >= f.range.start && offset < f.range.end) {
        next = i;
        break;
      }
    }
    if (next < 0) return found;
    path.push(next);
    found = { field: list[next], path: [...path] };
    const children = list[next].children;
    if (!children || children.length === 0) return found;
    list = children;
  }
}

/** The message of msgs (sorted by range.start) whose range holds offset. */
export function messageAt(msgs: DissectedMessage[], offset: number): DissectedMessage | undefined {
  let lo = 0;
  let hi = msgs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = msgs[mid];
    if (offset < m.range.start) hi = mid - 1;
    else if (offset >= m.range.end) lo = mid + 1;
    else return m;
  }
  return undefined;
}

function fieldByPath(msg: DissectedMessage, path: number[]): DissectedField | undefined {
  let list = msg.fields;
  let f: DissectedField | undefined;
  for (const i of path) {
    f = list?.[i];
    if (!f) return undefined;
    list = f.children ?? [];
  }
  return f;
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
  private readonly rowBytes = new Uint8Array(BYTES_PER_ROW);
  private readonly cells: RowCells = { length: 0, bytes: new Int16Array(BYTES_PER_ROW), bits: new Uint8Array(BYTES_PER_ROW), titles: [] };
  private hover: ByteSpan | null = null;
  private hoverKey: string | null = null;
  private selected: ByteSpan | null = null;
  private selectedKey: string | null = null;
  private readonly status: HTMLDivElement;
  /** Stream offsets of errors per direction, for marking bytes. */
  private errors: Record<Direction, Map<number, string>> = { c2s: new Map(), s2c: new Map() };

  constructor(private readonly onSelectionChange: (key: string | null) => void = () => {}) {
    this.el = div('bytes-view');
    const hexHost = div('hex-pane');
    hexHost.setAttribute('role', 'grid');
    hexHost.setAttribute('aria-label', 'Bytes of the connection, both directions in time order');
    const treeHost = div('tree-pane');
    const legend = div('bytes-legend');
    render(html`<span class="dir-c2s">→ client to server</span><span class="dir-s2c">← server to client</span><span class="err-key">error</span>`, legend);
    this.status = div('bytes-status');
    this.status.setAttribute('aria-live', 'polite');
    const left = div('hex-col');
    left.append(legend, hexHost, this.status);
    this.el.append(left, treeHost);
    this.hex = new VirtualScroller(hexHost, ROW, (r) => this.drawHex(r));
    this.empty = div('empty');
    this.empty.textContent = 'No bytes yet.';
    this.empty.hidden = true;
    this.hex.viewport.append(this.rows.el, this.empty);
    this.tree = new VirtualScroller(treeHost, ROW + 2, (r) => this.drawTree(r));
    this.hex.scroller.tabIndex = 0;
    // The focusable part says what it is (the grid role and label sit on its host).
    this.hex.scroller.setAttribute('aria-label', 'Bytes: hex rows, arrow keys and Page Up/Down scroll');
    this.tree.scroller.tabIndex = 0;
    this.tree.scroller.setAttribute('role', 'tree');
    this.tree.scroller.setAttribute('aria-label', 'Dissection');

    this.hex.viewport.addEventListener('mousemove', (e) => this.onHexHover(e));
    this.hex.viewport.addEventListener('mouseleave', () => this.setHover(null, null));
    this.hex.viewport.addEventListener('click', (e) => this.onHexClick(e));
    this.tree.viewport.addEventListener('click', (e) => this.onTreeClick(e));
    this.tree.viewport.addEventListener('mousemove', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('[data-key]');
      const key = row?.dataset.key ?? null;
      if (key !== this.hoverKey) this.setHover(key ? this.spanOfKey(key) : null, key);
    });
    this.tree.viewport.addEventListener('mouseleave', () => this.setHover(null, null));
    this.tree.scroller.addEventListener('keydown', (e) => this.onTreeKey(e));
    this.hex.scroller.addEventListener('keydown', (e) => this.onHexKey(e));
  }

  show(capture: ConnCapture | undefined): void {
    if (capture !== this.capture) {
      this.capture = capture;
      this.expanded.clear();
      this.selected = null;
      this.selectedKey = null;
      this.hover = null;
      this.messagesVersion = -1;
      this.chunksVersion = -1;
    }
    this.refresh();
  }

  refresh(): void {
    const c = this.capture;
    if (!c) {
      this.treeRows = new TreeRows([], new Set(), () => -1);
      this.hex.setRowCount(0);
      this.tree.setRowCount(0);
      this.status.textContent = 'No connection selected. Send something, or pick a connection above.';
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
      this.status.textContent = `${c.chunkCount} chunks · ${c.streamLen.c2s} B → · ${c.streamLen.s2c} B ← · ${c.messages.length} messages`;
    }
    // Drawn now rather than on the next frame: a refresh already runs in a frame (the store's change
    // batching), and bytes that just arrived from the host should not wait one more. Rows that did not
    // change are left alone, so a second draw in the same frame costs next to nothing.
    if (!this.el.hidden && this.el.isConnected) this.hex.render();
    else this.hex.schedule();
    this.tree.schedule();
  }

  /** For tests: the tree key of a field path, e.g. select(msgId, [0, 1]). */
  selectField(msgId: number, path: number[]): void {
    const key = `${msgId}/${path.join('.')}`;
    this.select(key, true);
  }

  private rebuildNodes(): void {
    const c = this.capture!;
    this.treeRows = new TreeRows(c.messages, this.expanded, (id) => c.indexOfMessage(id));
    this.tree.setRowCount(this.treeRows.length);
  }

  private spanOfKey(key: string): ByteSpan | null {
    const c = this.capture;
    if (!c) return null;
    const [idText, pathText] = key.split('/');
    const msg = c.messages[c.indexOfMessage(Number(idText))];
    if (!msg) return null;
    if (!pathText) return { dir: msg.dir, ...msg.range };
    const f = fieldByPath(msg, pathText.split('.').map(Number));
    return f ? { dir: msg.dir, start: f.range.start, end: f.range.end, bitMask: f.bitMask } : null;
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

  private keyAt(dir: Direction, offset: number): string | null {
    const c = this.capture;
    if (!c) return null;
    const msg = messageAt(c.messagesOf(dir), offset);
    if (!msg) return null;
    const hit = fieldAt(msg, offset);
    return hit ? `${msg.id}/${hit.path.join('.')}` : `${msg.id}/`;
  }

  private onHexHover(e: MouseEvent): void {
    const b = this.byteFromEvent(e);
    if (!b) return;
    const key = this.keyAt(b.dir, b.offset);
    if (key === this.hoverKey) return;
    this.setHover(key ? this.spanOfKey(key) : { dir: b.dir, start: b.offset, end: b.offset + 1 }, key);
  }

  private onHexClick(e: MouseEvent): void {
    const b = this.byteFromEvent(e);
    if (!b) return;
    const key = this.keyAt(b.dir, b.offset);
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
    const span = this.spanOfKey(key);
    if (!span) return;
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
    if (scrollHex && this.capture) {
      const row = this.capture.rowOf(span.dir, span.start);
      if (row >= 0) this.hex.scrollToRow(row);
    }
    this.onSelectionChange(key);
    this.hex.schedule();
    this.tree.schedule();
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
    const visible = this.hex.scroller.clientHeight / ROW;
    const page = Math.max(1, Math.floor(visible));
    const top = this.hex.topRow();
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (e.key in moves) {
      e.preventDefault();
      // Bring in the d-th row past the edge we move towards (not fully shown yet: the top may be fractional).
      const d = moves[e.key];
      this.hex.scrollToRow(d > 0 ? Math.floor(top + visible) + d - 1 : Math.max(0, Math.ceil(top) + d));
    } else if (e.key === 'Home') {
      e.preventDefault();
      this.hex.scrollToRow(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      this.hex.scrollToRow(this.hex.rowCount - 1);
    }
  }

  private drawHex(r: { first: number; count: number; offset: number }): void {
    const c = this.capture;
    const idx = c?.index;
    if (!c || !idx || idx.count === 0) {
      this.rows.use(0, 0);
      this.empty.hidden = !c;
      return;
    }
    this.empty.hidden = true;
    const first = Math.max(0, r.first);
    const end = Math.min(c.rowCount, first + r.count);
    const n = Math.max(0, end - first);
    const rows = this.rows.use(n, r.offset);
    if (n === 0) return;
    const hv = this.hover;
    const sel = this.selected;
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
        const err = errors.size ? errors.get(o) : undefined;
        if (err !== undefined) bits |= ERROR;
        cells.bits[i] = bits;
        cells.titles[i] = err;
        // Past the held run (at the ring's cut, the held bytes may start mid-row): byte by byte.
        const b = i < got ? buf[i] : stream.byteAt(o);
        cells.bytes[i] = b >= 0 ? b : o < stream.goneBelow ? GONE : PENDING;
        if (cells.bytes[i] === PENDING) pending = true;
      }
      rows[k].setHead(dir, isFirst, label, isFirst ? `arrived at +${label}` : '', base, pending);
      rows[k].setCells(cells);
    }
    for (const dir of DIRS) if (hi[dir] > lo[dir]) c.want(dir, Math.max(0, lo[dir] - PREFETCH_BYTES), hi[dir] + PREFETCH_BYTES);
  }

  private drawTree(r: { first: number; count: number; offset: number }): void {
    const c = this.capture;
    if (!c || this.treeRows.length === 0) {
      render(c ? html`<div class="empty">Nothing dissected yet.</div>` : nothing, this.tree.viewport);
      return;
    }
    const end = Math.min(this.treeRows.length, r.first + r.count);
    const rows: TemplateResult[] = [];
    for (let i = r.first; i < end; i++) rows.push(this.treeRow(this.treeRows.get(i)!, r.offset + (i - r.first) * (ROW + 2), c));
    render(rows, this.tree.viewport);
  }

  /** One row of the dissection tree: a message, or one of its fields at its depth. */
  private treeRow(n: TreeNode, y: number, c: ConnCapture): TemplateResult {
    const open = this.expanded.has(n.key);
    const twisty = n.hasChildren ? html`<span class="twisty codicon codicon-chevron-${open ? 'down' : 'right'}"></span>` : html`<span class="twisty"></span>`;
    let body: TemplateResult;
    let cls = 'tnode';
    if (n.field) {
      const f = n.field;
      if (f.error) cls += ' err';
      body = html`<span class="fname">${f.name}</span>${f.value !== undefined ? html`<span class="fval">${f.value}</span>` : nothing}${f.bitMask !== undefined
          ? html` <span class="bits">${f.bitMask.toString(2).padStart(8, '0').replace(/0/g, '.').replace(/1/g, '●')}</span>`
          : nothing}${f.explain ? html`<span class="fexp">${f.explain}</span>` : nothing}${f.error ? html`<span class="ferr codicon codicon-error" title=${f.error}></span>` : nothing}`;
    } else {
      const m = n.msg;
      cls += ` msg ${m.dir}`;
      if (m.error) cls += ' err';
      body = html`<span class="d">${ARROW[m.dir]}</span><span class="fname">${m.summary}</span><span class="fexp">${m.range.end - m.range.start} B · +${formatMs(m.tStart - c.info.t)}</span>${m.error
          ? html`<span class="ferr codicon codicon-error" title=${m.error.message}></span>`
          : nothing}`;
    }
    if (n.key === this.selectedKey) cls += ' sel';
    if (n.key === this.hoverKey) cls += ' hv';
    const title = n.field?.explain ?? n.field?.error ?? n.msg.error?.message ?? '';
    return html`<div
      class=${cls}
      data-key=${n.key}
      role="treeitem"
      aria-level=${n.depth + 1}
      aria-expanded=${n.hasChildren ? String(open) : nothing}
      aria-selected=${String(n.key === this.selectedKey)}
      title=${title}
      style=${styleMap({ transform: `translateY(${y}px)`, paddingLeft: `${4 + n.depth * 14}px` })}
    >${twisty}${body}</div>`;
  }
}
