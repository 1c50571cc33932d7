// The Bytes inspector: a virtualised hex + ASCII view of the whole connection
// (both directions interleaved in arrival order, each row coloured by its
// direction) beside the dissection tree. Hovering a byte highlights its field;
// clicking a field selects its bytes; errors are marked at their byte.
import type { DissectedField, DissectedMessage } from '../../server-core/capture/dissection-types.js';
import type { Direction } from '../../server-core/capture/types.js';
import { HEX2, formatMs } from './bytes-util.js';
import type { ConnCapture } from './store.js';
import { VirtualScroller, esc } from './virtual.js';

export interface ByteSpan {
  dir: Direction;
  start: number;
  end: number;
  bitMask?: number;
}

interface TreeNode {
  key: string;
  depth: number;
  msg: DissectedMessage;
  field?: DissectedField;
  hasChildren: boolean;
}

const ROW = 20;
const ARROW: Record<Direction, string> = { c2s: '→', s2c: '←' };

function asciiOf(b: number): string {
  return b >= 0x20 && b < 0x7f ? esc(String.fromCharCode(b)) : '·';
}

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
  private nodes: TreeNode[] = [];
  private readonly expanded = new Set<string>();
  private version = -1;
  private hover: ByteSpan | null = null;
  private hoverKey: string | null = null;
  private selected: ByteSpan | null = null;
  private selectedKey: string | null = null;
  /** Message index by id, so tree keys resolve in O(1). */
  private msgIndex = new Map<number, number>();
  private readonly status: HTMLDivElement;
  /** Stream offsets of errors per direction, for marking bytes. */
  private errors: Record<Direction, Map<number, string>> = { c2s: new Map(), s2c: new Map() };

  constructor(private readonly onSelectionChange: (key: string | null) => void = () => {}) {
    this.el = document.createElement('div');
    this.el.className = 'bytes-view';
    const hexHost = document.createElement('div');
    hexHost.className = 'hex-pane';
    hexHost.setAttribute('role', 'grid');
    hexHost.setAttribute('aria-label', 'Bytes of the connection, both directions in time order');
    const treeHost = document.createElement('div');
    treeHost.className = 'tree-pane';
    const legend = document.createElement('div');
    legend.className = 'bytes-legend';
    legend.innerHTML = '<span class="dir-c2s">→ client to server</span><span class="dir-s2c">← server to client</span><span class="err-key">error</span>';
    this.status = document.createElement('div');
    this.status.className = 'bytes-status';
    this.status.setAttribute('aria-live', 'polite');
    const left = document.createElement('div');
    left.className = 'hex-col';
    left.append(legend, hexHost, this.status);
    this.el.append(left, treeHost);
    this.hex = new VirtualScroller(hexHost, ROW, (r) => this.drawHex(r));
    this.tree = new VirtualScroller(treeHost, ROW + 2, (r) => this.drawTree(r));
    this.hex.scroller.tabIndex = 0;
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
      this.version = -1;
    }
    this.refresh();
  }

  refresh(): void {
    const c = this.capture;
    if (!c) {
      this.nodes = [];
      this.hex.setRowCount(0);
      this.tree.setRowCount(0);
      this.status.textContent = 'No connection selected. Send something, or pick a connection above.';
      this.hex.schedule();
      this.tree.schedule();
      return;
    }
    if (c.version !== this.version) {
      this.version = c.version;
      this.msgIndex = new Map(c.messages.map((m, i) => [m.id, i]));
      this.errors = { c2s: new Map(), s2c: new Map() };
      for (const m of c.messages) if (m.error) this.errors[m.dir].set(m.error.offset, m.error.message);
      this.rebuildNodes();
      this.hex.setRowCount(c.rowCount);
      this.status.textContent = `${c.chunks.length} chunks · ${c.streamLen.c2s} B → · ${c.streamLen.s2c} B ← · ${c.messages.length} messages`;
    }
    this.hex.schedule();
    this.tree.schedule();
  }

  /** For tests: the tree key of a field path, e.g. select(msgId, [0, 1]). */
  selectField(msgId: number, path: number[]): void {
    const key = `${msgId}/${path.join('.')}`;
    this.select(key, true);
  }

  private rebuildNodes(): void {
    const c = this.capture!;
    const out: TreeNode[] = [];
    const visit = (msg: DissectedMessage, fields: DissectedField[], prefix: string, depth: number) => {
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i];
        const key = prefix ? `${prefix}.${i}` : `${msg.id}/${i}`;
        const has = !!f.children?.length;
        out.push({ key, depth, msg, field: f, hasChildren: has });
        if (has && this.expanded.has(key)) visit(msg, f.children!, key, depth + 1);
      }
    };
    for (const m of c.messages) {
      const key = `${m.id}/`;
      out.push({ key, depth: 0, msg: m, hasChildren: m.fields.length > 0 });
      if (this.expanded.has(key)) visit(m, m.fields, '', 1);
    }
    this.nodes = out;
    this.tree.setRowCount(out.length);
  }

  private spanOfKey(key: string): ByteSpan | null {
    const c = this.capture;
    if (!c) return null;
    const [idText, pathText] = key.split('/');
    const msg = c.messages[this.msgIndex.get(Number(idText)) ?? -1];
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
    const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-o]');
    const row = cell?.closest<HTMLElement>('[data-dir]');
    if (!cell || !row) return undefined;
    return { dir: row.dataset.dir as Direction, offset: Number(cell.dataset.o) };
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
    const idx = this.nodes.findIndex((n) => n.key === key);
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
    if (!this.nodes.length) return;
    let idx = this.selectedKey ? this.nodes.findIndex((n) => n.key === this.selectedKey) : -1;
    const node = idx >= 0 ? this.nodes[idx] : undefined;
    switch (e.key) {
      case 'ArrowDown': idx = Math.min(this.nodes.length - 1, idx + 1); break;
      case 'ArrowUp': idx = Math.max(0, idx - 1); break;
      case 'Home': idx = 0; break;
      case 'End': idx = this.nodes.length - 1; break;
      case 'PageDown': idx = Math.min(this.nodes.length - 1, idx + 20); break;
      case 'PageUp': idx = Math.max(0, idx - 20); break;
      case 'ArrowRight':
        if (node?.hasChildren && !this.expanded.has(node.key)) this.toggle(node.key, true);
        else idx = Math.min(this.nodes.length - 1, idx + 1);
        break;
      case 'ArrowLeft':
        if (node?.hasChildren && this.expanded.has(node.key)) this.toggle(node.key, false);
        else if (node && node.depth > 0) {
          const parent = this.nodes.slice(0, idx).reverse().find((n) => n.depth < node.depth);
          if (parent) idx = this.nodes.indexOf(parent);
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
    const target = this.nodes[Math.max(0, idx)];
    if (target) this.select(target.key, true);
  }

  private onHexKey(e: KeyboardEvent): void {
    const page = Math.floor(this.hex.scroller.clientHeight / ROW);
    const top = Math.floor(this.hex.topRow());
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (e.key in moves) {
      e.preventDefault();
      this.hex.scrollToRow(Math.max(0, top + moves[e.key] + (moves[e.key] > 0 ? page - 1 : 0)));
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
    if (!c || c.chunks.length === 0) {
      this.hex.viewport.innerHTML = c ? '<div class="empty">No bytes yet.</div>' : '';
      return;
    }
    const html: string[] = [];
    const end = Math.min(c.rowCount, r.first + r.count);
    const hv = this.hover;
    const sel = this.selected;
    const t0 = c.info.t;
    let ci = c.chunkOfRow(r.first);
    for (let row = r.first; row < end; row++) {
      while (ci + 1 < c.chunks.length && c.rowStarts[ci + 1] <= row) ci++;
      const ch = c.chunks[ci];
      const within = row - c.rowStarts[ci];
      const from = within * 16;
      const to = Math.min(ch.bytes.length, from + 16);
      const base = ch.streamStart;
      const first = within === 0;
      const y = r.offset + (row - r.first) * ROW;
      let hex = '';
      let asc = '';
      for (let i = from; i < to; i++) {
        const o = base + i;
        let cls = '';
        if (hv && hv.dir === ch.dir && o >= hv.start && o < hv.end) cls += ' hv';
        if (sel && sel.dir === ch.dir && o >= sel.start && o < sel.end) cls += ' sel';
        const err = this.errors[ch.dir].get(o);
        if (err !== undefined) cls += ' err';
        const title = err !== undefined ? ` title="${esc(err)}"` : '';
        const b = ch.bytes[i];
        hex += `<span data-o="${o}" class="b${cls}"${title}>${HEX2[b]}</span>${i === 7 ? '  ' : ' '}`;
        asc += `<span data-o="${o}" class="a${cls}"${title}>${asciiOf(b)}</span>`;
      }
      const label = first ? `<span class="t" title="arrived at +${formatMs(ch.t - t0)}">${esc(formatMs(ch.t - t0))}</span>` : '<span class="t"></span>';
      html.push(
        `<div class="hrow ${ch.dir}${first ? ' first' : ''}" data-dir="${ch.dir}" role="row" style="transform:translateY(${y}px)">` +
          `<span class="d">${first ? ARROW[ch.dir] : ''}</span>${label}<span class="off">${(base + from).toString(16).padStart(8, '0')}</span>` +
          `<span class="hex">${hex}</span><span class="asc">${asc}</span></div>`,
      );
    }
    this.hex.viewport.innerHTML = html.join('');
  }

  private drawTree(r: { first: number; count: number; offset: number }): void {
    const end = Math.min(this.nodes.length, r.first + r.count);
    const html: string[] = [];
    const c = this.capture;
    if (!c || this.nodes.length === 0) {
      this.tree.viewport.innerHTML = c ? '<div class="empty">Nothing dissected yet.</div>' : '';
      return;
    }
    for (let i = r.first; i < end; i++) {
      const n = this.nodes[i];
      const y = r.offset + (i - r.first) * (ROW + 2);
      const open = this.expanded.has(n.key);
      const twisty = n.hasChildren ? `<span class="twisty codicon codicon-chevron-${open ? 'down' : 'right'}"></span>` : '<span class="twisty"></span>';
      let body: string;
      let cls = 'tnode';
      if (n.field) {
        const f = n.field;
        const bits = f.bitMask !== undefined ? ` <span class="bits">${f.bitMask.toString(2).padStart(8, '0').replace(/0/g, '.').replace(/1/g, '●')}</span>` : '';
        body = `<span class="fname">${esc(f.name)}</span>${f.value !== undefined ? `<span class="fval">${esc(f.value)}</span>` : ''}${bits}${f.explain ? `<span class="fexp">${esc(f.explain)}</span>` : ''}`;
        if (f.error) {
          cls += ' err';
          body += `<span class="ferr codicon codicon-error" title="${esc(f.error)}"></span>`;
        }
      } else {
        const m = n.msg;
        cls += ` msg ${m.dir}`;
        body = `<span class="d">${ARROW[m.dir]}</span><span class="fname">${esc(m.summary)}</span><span class="fexp">${m.range.end - m.range.start} B · +${esc(formatMs(m.tStart - c.info.t))}</span>`;
        if (m.error) {
          cls += ' err';
          body += `<span class="ferr codicon codicon-error" title="${esc(m.error.message)}"></span>`;
        }
      }
      if (n.key === this.selectedKey) cls += ' sel';
      if (n.key === this.hoverKey) cls += ' hv';
      const title = n.field?.explain ?? n.field?.error ?? n.msg.error?.message ?? '';
      html.push(
        `<div class="${cls}" data-key="${n.key}" role="treeitem" aria-level="${n.depth + 1}"${n.hasChildren ? ` aria-expanded="${open}"` : ''} aria-selected="${n.key === this.selectedKey}" title="${esc(title)}" style="transform:translateY(${y}px);padding-left:${4 + n.depth * 14}px">${twisty}${body}</div>`,
      );
    }
    this.tree.viewport.innerHTML = html.join('');
  }
}
