// A virtual scroller: a fixed row height, only the visible rows are drawn. The
// scroll height is capped (browsers stop at ~33 M px), and past the cap the
// scroll position maps proportionally onto the rows, so 100 MiB of hex rows
// still scroll.
const MAX_SCROLL_PX = 8_000_000;

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
  private lastHeight = 0;

  constructor(
    host: HTMLElement,
    readonly rowHeight: number,
    private readonly draw: (r: VirtualRender) => void,
  ) {
    this.scroller = document.createElement('div');
    this.scroller.className = 'vscroll';
    this.viewport = document.createElement('div');
    this.viewport.className = 'vport';
    this.spacer = document.createElement('div');
    this.spacer.className = 'vspacer';
    this.scroller.append(this.viewport, this.spacer);
    host.append(this.scroller);
    this.scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => {
      this.updateSpacer();
      this.schedule();
    }).observe(this.scroller);
  }

  setRowCount(n: number): void {
    if (n === this.rows) return;
    this.rows = n;
    this.updateSpacer();
    this.schedule();
  }

  get rowCount(): number {
    return this.rows;
  }

  private get totalPx(): number {
    return this.rows * this.rowHeight;
  }

  private updateSpacer(): void {
    const h = this.scroller.clientHeight;
    this.lastHeight = h;
    this.spacer.style.height = `${Math.max(0, Math.min(this.totalPx, MAX_SCROLL_PX) - h)}px`;
  }

  /** The (fractional) row at the top of the viewport. */
  topRow(): number {
    const h = this.scroller.clientHeight;
    const total = this.totalPx;
    if (total <= MAX_SCROLL_PX) return this.scroller.scrollTop / this.rowHeight;
    const maxScroll = MAX_SCROLL_PX - h;
    const frac = maxScroll > 0 ? this.scroller.scrollTop / maxScroll : 0;
    return frac * Math.max(0, this.rows - h / this.rowHeight);
  }

  scrollToRow(row: number, align: 'nearest' | 'center' = 'nearest'): void {
    const h = this.scroller.clientHeight;
    const visible = h / this.rowHeight;
    const top = this.topRow();
    let target = top;
    if (align === 'center') target = row - visible / 2 + 0.5;
    else if (row < top) target = row;
    else if (row + 1 > top + visible) target = row + 1 - visible;
    target = Math.max(0, Math.min(target, this.rows - visible));
    const total = this.totalPx;
    if (total <= MAX_SCROLL_PX) this.scroller.scrollTop = target * this.rowHeight;
    else {
      const maxScroll = MAX_SCROLL_PX - h;
      this.scroller.scrollTop = (target / Math.max(1, this.rows - visible)) * maxScroll;
    }
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
    if (this.scroller.clientHeight !== this.lastHeight) this.updateSpacer();
    const top = this.topRow();
    const first = Math.floor(top);
    const height = this.scroller.clientHeight;
    this.draw({
      first,
      count: Math.ceil(height / this.rowHeight) + 2,
      offset: -(top - first) * this.rowHeight,
      width: this.scroller.clientWidth,
      height,
    });
  }
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]);
}
