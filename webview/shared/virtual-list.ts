// The one virtual list of the webviews (the panel's views and the sidebar's
// lists): rows of a fixed height, of which only those in view exist in the
// DOM, drawn on the next animation frame after a scroll, a resize or a change.
//
// VirtualScroller is the core: it owns the scrolling element, a viewport that
// stays in view (position: sticky) and a spacer that gives the scroll height,
// and calls `draw` with the window of rows to show. The scroll height is
// capped (browsers stop at ~33 M px), and past the cap the scroll position
// maps proportionally onto the rows, so 100 MiB of hex rows still scroll
// (scroll-mapping.ts). A view at the end stays at the end when its height
// changes (a status line under it wraps), and past the cap a view elsewhere
// keeps its top row: through the scale, a scroll position left as it was
// would mean other rows. The panel's views draw their window themselves
// (pools of rows rewritten in place, or lit templates).
//
// VirtualList is a list of data rows on it, each row a lit template keyed by
// the row's identity (an element, and the focus on it, stays while its row is
// in view); it grows with its rows up to a height, says when it is empty, and
// activates a row on click, Enter or Space. The sidebar's lists are these.
import { html, nothing, render, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { div } from './dom.js';
import { isAtEnd, lastTopRow, maxScrollTop, placeAfterChange, rowAtScrollTop, scrollTopOfRow, type ScrollGeometry } from './scroll-mapping.js';

export interface VirtualRender {
  /** First row drawn. */
  first: number;
  /** Rows to draw (may run past count; clamp). */
  count: number;
  /** Pixel offset of row `first` from the viewport top (≤ 0). */
  offset: number;
  width: number;
  height: number;
}

export class VirtualScroller {
  readonly scroller: HTMLDivElement;
  readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private rows = 0;
  private pending = false;
  /** The geometry the spacer and the scroll position were last set for (undefined: not laid out yet). */
  private synced: ScrollGeometry | undefined;
  /** Not laid out (its view is not the one shown): `synced` is what it was when last shown. */
  private hidden = false;
  /** The view shows the end: it stays there when its height changes (see `sync`). */
  private atEnd = false;
  private syncing = false;

  constructor(
    host: HTMLElement,
    readonly rowHeight: number,
    private readonly draw: (r: VirtualRender) => void,
  ) {
    this.scroller = div('vscroll');
    this.viewport = div('vport');
    this.spacer = div('vspacer');
    // The structure works without a stylesheet (the sidebar has its own): set here, through the CSSOM (no inline
    // style attribute, so a strict CSP allows it).
    this.scroller.style.overflowY = 'auto';
    this.scroller.style.position = 'relative';
    // No scroll anchoring: the browser would keep the spacer where it was on screen when the viewport's height
    // changes, moving the scroll position by that change (rows of it past the cap). `sync` places the view.
    this.scroller.style.overflowAnchor = 'none';
    this.viewport.style.position = 'sticky';
    this.viewport.style.top = '0';
    this.viewport.style.height = '100%';
    this.viewport.style.overflow = 'hidden';
    this.scroller.append(this.viewport, this.spacer);
    host.append(this.scroller);
    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    new ResizeObserver(() => {
      this.sync();
      this.schedule();
    }).observe(this.scroller);
  }

  setRowCount(n: number): void {
    if (n === this.rows) return;
    this.rows = n;
    this.sync();
    this.schedule();
  }

  get rowCount(): number {
    return this.rows;
  }

  private geometry(height: number): ScrollGeometry {
    return { rows: this.rows, rowHeight: this.rowHeight, height };
  }

  /**
   * Brings the spacer and the scroll position up to date with the viewport's height and the row count: the end
   * stays the end, and elsewhere the top row stays (placeAfterChange). Past the cap a scroll position left as it
   * was would mean other rows. Idempotent: with nothing changed it returns at once, and what it writes (the
   * spacer's height, the scroll position) changes neither the height nor the row count, so the resize and
   * scroll events it causes find nothing to do: one step, no feedback loop.
   */
  private sync(): void {
    if (this.syncing) return;
    const height = this.scroller.clientHeight;
    // Hidden (its view is not the one shown): nothing to lay out. The geometry it had, and whether it was at the
    // end, stay for when it comes back.
    this.hidden = height === 0;
    if (this.hidden) return;
    const before = this.synced;
    if (before && before.height === height && before.rows === this.rows) return;
    this.syncing = true;
    try {
      const after = this.geometry(height);
      const current = this.scroller.scrollTop;
      const place = placeAfterChange(before, after, current, this.atEnd);
      this.synced = after;
      this.spacer.style.height = `${maxScrollTop(after)}px`;
      if (Math.abs(place.scrollTop - current) >= 0.5) this.scroller.scrollTop = place.scrollTop;
      this.atEnd = place.atEnd;
    } finally {
      this.syncing = false;
    }
  }

  private onScroll(): void {
    // A scroll (the user's, or one written here) says whether the view is now at the end. Measured against
    // the spacer as it stands: if the height changed since, the spacer is still the range the position is in.
    const g = this.synced;
    if (g && !this.hidden && this.scroller.clientHeight > 0) this.atEnd = isAtEnd(g, this.scroller.scrollTop);
    this.schedule();
  }

  /** The (fractional) row at the top of the viewport. */
  topRow(): number {
    this.sync();
    const g = this.synced;
    return g ? rowAtScrollTop(g, this.scroller.scrollTop) : 0;
  }

  scrollToRow(row: number, align: 'nearest' | 'center' = 'nearest'): void {
    this.sync();
    const g = this.synced;
    // Hidden: a scroll position cannot be set on an element that is not laid out (nor could it before).
    if (!g || this.hidden) return;
    const visible = g.height / this.rowHeight;
    const top = rowAtScrollTop(g, this.scroller.scrollTop);
    let target = top;
    if (align === 'center') target = row - visible / 2 + 0.5;
    else if (row < top) target = row;
    else if (row + 1 > top + visible) target = row + 1 - visible;
    target = Math.max(0, Math.min(target, lastTopRow(g)));
    const scrollTop = scrollTopOfRow(g, target);
    this.scroller.scrollTop = scrollTop;
    this.atEnd = isAtEnd(g, scrollTop);
    this.schedule();
  }

  schedule(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  render(): void {
    // Hidden (its view is not the one shown): nothing to draw, and what is drawn stays for when it comes back (the
    // resize that shows it draws again). Drawing an empty window here would tear the rows down only to rebuild them.
    this.sync();
    const g = this.synced;
    if (!g || this.hidden) return;
    const top = rowAtScrollTop(g, this.scroller.scrollTop);
    const first = Math.floor(top);
    this.draw({
      first,
      count: Math.ceil(g.height / this.rowHeight) + 2,
      offset: -(top - first) * this.rowHeight,
      width: this.scroller.clientWidth,
      height: g.height,
    });
  }
}

export interface VirtualListOptions<T> {
  rowHeight: number;
  /** The list grows with its rows up to this height, then scrolls. */
  maxHeight: number;
  /** A row's content (lit escapes every value in it). */
  row(row: T): TemplateResult;
  /** A row's identity: its element is kept while it stays in view. */
  key(row: T): string;
  /** Classes of a row's element, beside `row`. */
  rowClass?(row: T): string;
  /** A row's tooltip. */
  rowTitle?(row: T): string | undefined;
  /** `data-testid` of every row. */
  testId?: string;
  /** Rows are focusable and activated by click, Enter or Space. */
  onActivate?(row: T): void;
  /** Shown instead of the rows when there are none. */
  empty: string;
  /** The list's accessible name. */
  label?: string;
}

export class VirtualList<T> {
  /** The list (its scroller and its empty note): append this. */
  readonly element: HTMLDivElement;
  private readonly scroll: VirtualScroller;
  private readonly emptyNote: HTMLDivElement;
  private rows: readonly T[] = [];

  constructor(private readonly options: VirtualListOptions<T>) {
    this.element = div('vlist-box');
    this.scroll = new VirtualScroller(this.element, options.rowHeight, (r) => this.draw(r));
    const scroller = this.scroll.scroller;
    scroller.classList.add('vlist');
    scroller.setAttribute('role', 'list');
    if (options.label) scroller.setAttribute('aria-label', options.label);
    scroller.style.height = '0px';
    this.emptyNote = div('empty');
    this.emptyNote.textContent = options.empty;
    this.element.append(this.emptyNote);
    if (options.onActivate) {
      const activate = (target: EventTarget | null) => {
        const el = (target as Element | null)?.closest<HTMLElement>('.row[data-index]');
        const row = el ? this.rows[Number(el.dataset.index)] : undefined;
        if (row !== undefined) options.onActivate?.(row);
      };
      scroller.addEventListener('click', (e) => activate(e.target));
      scroller.addEventListener('keydown', (e) => {
        if (e.key !== 'Enter' && e.key !== ' ') return;
        e.preventDefault();
        activate(e.target);
      });
    }
  }

  setRows(rows: readonly T[]): void {
    this.rows = rows;
    const { rowHeight, maxHeight } = this.options;
    this.scroll.scroller.style.height = `${Math.min(rows.length * rowHeight, maxHeight)}px`;
    this.emptyNote.hidden = rows.length > 0;
    this.scroll.setRowCount(rows.length);
    // No rows: the list has no height, so the scroller draws nothing; the rows it had go now.
    if (!rows.length) render(nothing, this.scroll.viewport);
    this.scroll.schedule();
  }

  /** Draws the rows in view again (what they show changed, say an age). */
  refresh(): void {
    this.scroll.schedule();
  }

  private draw(r: VirtualRender): void {
    const o = this.options;
    const end = Math.min(this.rows.length, r.first + r.count);
    const shown: number[] = [];
    for (let i = Math.max(0, r.first); i < end; i++) shown.push(i);
    const viewport = this.scroll.viewport;
    render(
      repeat(
        shown,
        (i) => o.key(this.rows[i]),
        (i) => {
          const row = this.rows[i];
          return html`<div
            class="row ${o.rowClass?.(row) ?? ''}"
            role="listitem"
            data-index=${i}
            data-testid=${o.testId ?? nothing}
            title=${o.rowTitle?.(row) ?? nothing}
            tabindex=${o.onActivate ? '0' : nothing}
          >${o.row(row)}</div>`;
        },
      ),
      viewport,
    );
    // Placed through the CSSOM, not a style attribute: the sidebar's CSP allows no inline style attributes.
    const els = viewport.children;
    for (let k = 0; k < els.length; k++) {
      const el = els[k] as HTMLElement;
      el.style.transform = `translateY(${r.offset + k * o.rowHeight}px)`;
      el.style.height = `${o.rowHeight}px`;
    }
  }
}
