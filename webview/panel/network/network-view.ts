// The network list: a filter box and type filters above a virtualised list of
// the NetworkModel's rows (name, status, type, size, time, started at). It is a
// listbox: one tab stop, ↑ ↓ Page Up/Down Home End move the selection (the
// inspector follows it, as in a browser's network panel), Enter moves into the
// inspector; aria-activedescendant names the selected row, each row reads as
// one sentence, and a status is always words, never a colour alone. A proxy's
// legs carry a label (client → proxy, proxy → upstream), spoken in words. Columns
// drop out as the list narrows (container queries in panel.css).
import { html, nothing, render, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { div } from '../../shared/dom.js';
import { formatBytes, formatMs } from '../../shared/format.js';
import { VirtualScroller } from '../../shared/virtual-list.js';
import { LEG_LABEL, type NetRow, type NetworkFilter, type NetworkModel, type RowType } from './network-model.js';

const ROW = 24;
const TYPE_LABEL: Record<RowType, string> = { http: 'HTTP', ws: 'WS', sse: 'SSE', raw: 'TCP' };
const FILTERS: readonly { id: RowType | 'errors'; label: string; title: string }[] = [
  { id: 'http', label: 'HTTP', title: 'HTTP exchanges' },
  { id: 'ws', label: 'WS', title: 'WebSocket sessions' },
  { id: 'raw', label: 'Raw', title: 'Raw TCP connections' },
  { id: 'errors', label: 'Errors', title: 'Failed sends, malformed messages and 4xx/5xx statuses' },
];

/** Wall-clock time of day with milliseconds: 14:03:07.512. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A proxy leg as a screen reader says it (the arrow of LEG_LABEL in words). */
const LEG_SPOKEN: Record<NonNullable<NetRow['leg']>, string> = { client: 'proxy leg client to proxy', upstream: 'proxy leg proxy to upstream' };

/** The row as one sentence, for the tooltip and screen readers. */
export function rowSentence(r: NetRow): string {
  const parts = [`${r.leg ? `${LEG_SPOKEN[r.leg]}: ` : ''}${r.method} ${r.path}${r.note ? ` (${r.note})` : ''}`, r.host, r.statusText, TYPE_LABEL[r.type]];
  if (r.size !== undefined) parts.push(formatBytes(r.size));
  if (r.time !== undefined) parts.push(formatMs(r.time));
  parts.push(`started ${clockTime(r.startedAt)}`);
  if (r.client && r.server) parts.push('client and server sides');
  return parts.join(', ');
}

export interface NetworkViewOptions {
  model: NetworkModel;
  /** A row was selected (click or keys). */
  select(row: NetRow): void;
  /** Enter on a row: go to the inspector. */
  open(row: NetRow): void;
  /** P on a row, or a click on its pipeline icon: open the server's Pipeline view of it (rows with a server side). */
  openPipeline?(row: NetRow): void;
  filterChanged(filter: NetworkFilter): void;
  clear(): void;
}

export class NetworkView {
  readonly el: HTMLDivElement;
  private readonly toolbar: HTMLDivElement;
  private readonly scroll: VirtualScroller;
  private readonly empty: HTMLDivElement;
  private selectedKey: string | null = null;
  private stickToEnd = true;

  constructor(private readonly o: NetworkViewOptions) {
    this.el = div('net');
    this.toolbar = div('net-toolbar');
    const head = div('net-head nrow');
    head.setAttribute('aria-hidden', 'true');
    render(
      html`<span class="c-name">Name</span><span class="c-status">Status</span><span class="c-type">Type</span><span class="c-size">Size</span><span class="c-time">Time</span><span class="c-start">Started</span>`,
      head,
    );
    const body = div('net-body');
    this.empty = div('empty net-empty');
    this.el.append(this.toolbar, head, body);
    this.scroll = new VirtualScroller(body, ROW, (r) => this.draw(r));
    const list = this.scroll.scroller;
    list.classList.add('net-list');
    list.tabIndex = 0;
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Network: requests and sessions, newest last');
    body.append(this.empty);
    list.addEventListener('keydown', (e) => this.key(e));
    list.addEventListener('scroll', () => {
      const s = this.scroll.scroller;
      this.stickToEnd = s.scrollTop + s.clientHeight >= s.scrollHeight - ROW;
    });
    this.scroll.viewport.addEventListener('click', (e) => {
      const el = (e.target as Element).closest<HTMLElement>('[data-index]');
      const row = el ? this.o.model.row(Number(el.dataset.index)) : undefined;
      if (row) this.choose(row);
    });
    this.drawToolbar();
  }

  get selected(): string | null {
    return this.selectedKey;
  }

  /** Marks a row selected (from outside: a send, a restored state) and brings it into view. */
  setSelected(key: string | null, reveal = true): void {
    this.selectedKey = key;
    const i = key ? this.o.model.indexOfKey(key) : -1;
    if (reveal && i >= 0) this.scroll.scrollToRow(i);
    this.scroll.schedule();
  }

  /** The model committed changes: redraw the list (and keep the newest row in view if it was). */
  refresh(): void {
    const m = this.o.model;
    const atEnd = this.stickToEnd;
    this.scroll.setRowCount(m.length);
    if (atEnd && m.length) this.scroll.scrollToRow(m.length - 1);
    this.empty.hidden = m.length > 0;
    this.empty.textContent = m.total ? 'No request matches the filter.' : 'Nothing sent or received yet. Send a request; every exchange and session shows up here.';
    this.drawToolbar();
    this.scroll.schedule();
  }

  focus(): void {
    this.scroll.scroller.focus();
  }

  private choose(row: NetRow): void {
    this.selectedKey = row.key;
    this.scroll.schedule();
    this.o.select(row);
  }

  private key(e: KeyboardEvent): void {
    const m = this.o.model;
    if (!m.length) return;
    const at = this.selectedKey ? m.indexOfKey(this.selectedKey) : -1;
    const page = Math.max(1, Math.floor(this.scroll.scroller.clientHeight / ROW) - 1);
    let i: number;
    switch (e.key) {
      case 'ArrowDown': i = at < 0 ? 0 : Math.min(m.length - 1, at + 1); break;
      case 'ArrowUp': i = at < 0 ? m.length - 1 : Math.max(0, at - 1); break;
      case 'PageDown': i = Math.min(m.length - 1, Math.max(0, at) + page); break;
      case 'PageUp': i = Math.max(0, at - page); break;
      case 'Home': i = 0; break;
      case 'End': i = m.length - 1; break;
      case 'Enter':
      case ' ': {
        const row = at >= 0 ? m.row(at) : undefined;
        if (row) {
          e.preventDefault();
          if (e.key === 'Enter') this.o.open(row);
          else this.choose(row);
        }
        return;
      }
      case 'p':
      case 'P': {
        const row = at >= 0 ? m.row(at) : undefined;
        if (row?.server && this.o.openPipeline && !e.ctrlKey && !e.metaKey && !e.altKey) {
          e.preventDefault();
          this.o.openPipeline(row);
        }
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    const row = m.row(i);
    if (!row) return;
    this.stickToEnd = i === m.length - 1;
    this.scroll.scrollToRow(i);
    this.choose(row);
  }

  private setFilter(next: Partial<NetworkFilter>): void {
    const f = { ...this.o.model.currentFilter, ...next };
    this.o.filterChanged(f);
  }

  private toggleType(id: RowType | 'errors'): void {
    const f = this.o.model.currentFilter;
    if (id === 'errors') return this.setFilter({ errors: !f.errors });
    const types = f.types.includes(id) ? f.types.filter((t) => t !== id) : [...f.types, id];
    this.setFilter({ types });
  }

  private drawToolbar(): void {
    const m = this.o.model;
    const f = m.currentFilter;
    const all = !f.types.length && !f.errors;
    const count = m.length === m.total ? `${m.total} ${m.total === 1 ? 'row' : 'rows'}` : `${m.length} of ${m.total}`;
    render(
      html`<vscode-textfield
          class="net-filter"
          type="search"
          placeholder="Filter"
          .label=${'Filter requests by method, path, host or status'}
          .value=${f.text}
          @input=${(e: Event) => this.setFilter({ text: (e.target as HTMLInputElement).value })}
        ><span slot="content-before" class="codicon codicon-filter" aria-hidden="true"></span></vscode-textfield>
        <div class="net-types" role="group" aria-label="Show">
          <button class="chip ${all ? 'on' : ''}" aria-pressed=${String(all)} title="Every row" @click=${() => this.setFilter({ types: [], errors: false })}>All</button>
          ${FILTERS.map(
            (t) => {
              const on = t.id === 'errors' ? f.errors : f.types.includes(t.id);
              return html`<button class="chip chip-${t.id} ${on ? 'on' : ''}" aria-pressed=${String(on)} title=${t.title} @click=${() => this.toggleType(t.id)}>${t.label}</button>`;
            },
          )}
        </div>
        <span class="net-count" title="Rows shown">${count}</span>
        <vscode-button class="clear" secondary icon="clear-all" title="Forget every capture (the history stays)" @click=${() => this.o.clear()}>Clear</vscode-button>`,
      this.toolbar,
    );
  }

  private draw(r: { first: number; count: number; offset: number }): void {
    const m = this.o.model;
    const end = Math.min(m.length, r.first + r.count);
    const shown: number[] = [];
    for (let i = Math.max(0, r.first); i < end; i++) shown.push(i);
    const list = this.scroll.scroller;
    render(
      repeat(
        shown,
        (i) => m.row(i)!.key,
        (i, k) => this.rowTemplate(m.row(i)!, i, r.offset + k * ROW),
      ),
      this.scroll.viewport,
    );
    const sel = this.selectedKey ? m.indexOfKey(this.selectedKey) : -1;
    if (sel >= r.first && sel < end) list.setAttribute('aria-activedescendant', `net-row-${sel}`);
    else list.removeAttribute('aria-activedescendant');
  }

  private rowTemplate(row: NetRow, i: number, y: number): TemplateResult {
    const selected = row.key === this.selectedKey;
    const cls = `nrow ${row.type}${row.failed ? ' failed' : ''}${row.live ? ' live' : ''}${selected ? ' sel' : ''}`;
    const statusIcon = row.failure || (row.failed && row.status === undefined)
      ? html`<span class="codicon codicon-error" aria-hidden="true"></span> `
      : row.live
        ? html`<span class="codicon codicon-loading" aria-hidden="true"></span> `
        : nothing;
    return html`<div
      class=${cls}
      role="option"
      id="net-row-${i}"
      data-index=${i}
      data-key=${row.key}
      aria-selected=${String(selected)}
      aria-posinset=${i + 1}
      aria-setsize=${this.o.model.length}
      title=${row.failure ? `${rowSentence(row)}\n${row.failure.title}` : rowSentence(row)}
      style=${styleMap({ transform: `translateY(${y}px)` })}
    >
      <span class="c-name"
        >${row.leg
          ? html`<span class="nleg nleg-${row.leg}" aria-hidden="true">${LEG_LABEL[row.leg]}</span><span class="sr-only">${LEG_SPOKEN[row.leg]}: </span>`
          : nothing}<span class="nmethod">${row.method}</span> ${row.server && row.type === 'http' && this.o.openPipeline
          ? html`<span class="open-pipeline" aria-hidden="true" title="Open the server's pipeline of this request (P)" @click=${(e: MouseEvent) => {
              e.stopPropagation();
              this.o.openPipeline!(row);
            }}><span class="codicon codicon-server-process"></span></span> `
          : nothing}<span class="npath">${row.path}</span>${row.note ? html` <span class="nnote">(${row.note})</span>` : nothing}${row.client && row.server
          ? html` <span class="both" title="Client and server sides: switch in the inspector"><span class="codicon codicon-arrow-swap" aria-hidden="true"></span><span class="sr-only">, client and server sides</span></span>`
          : nothing}</span
      ><span class="c-status">${statusIcon}${row.statusText}</span
      ><span class="c-type">${TYPE_LABEL[row.type]}</span
      ><span class="c-size">${row.size !== undefined ? formatBytes(row.size) : '—'}</span
      ><span class="c-time">${row.time !== undefined ? formatMs(row.time) : '—'}</span
      ><span class="c-start">${clockTime(row.startedAt)}</span>
    </div>`;
  }
}
