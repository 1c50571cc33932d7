// A fixed-row-height virtual list: only the rows in view (plus a margin) exist
// in the DOM, so thousands of connections or exchanges scroll without cost.
export interface VirtualListOptions<T> {
  rowHeight: number;
  /** Most pixels the list takes before it scrolls. */
  maxHeight: number;
  render(row: T, element: HTMLElement): void;
  key(row: T): string;
  onActivate?(row: T): void;
  empty: string;
}

const OVERSCAN = 6;

export class VirtualList<T> {
  readonly element: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly emptyNote: HTMLDivElement;
  private rows: T[] = [];
  private frame = 0;

  constructor(private readonly options: VirtualListOptions<T>) {
    this.element = document.createElement('div');
    this.element.className = 'vlist';
    this.element.style.maxHeight = `${options.maxHeight}px`;
    this.element.setAttribute('role', 'list');
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.emptyNote = document.createElement('div');
    this.emptyNote.className = 'empty';
    this.emptyNote.textContent = options.empty;
    this.element.append(this.spacer, this.emptyNote);
    this.element.addEventListener('scroll', () => this.schedule());
    if (options.onActivate) {
      const activate = (target: EventTarget | null) => {
        const el = (target as HTMLElement | null)?.closest<HTMLElement>('.row');
        const index = el ? Number(el.dataset.index) : NaN;
        const row = this.rows[index];
        if (row !== undefined) options.onActivate?.(row);
      };
      this.element.addEventListener('click', (e) => activate(e.target));
      this.element.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          activate(e.target);
        }
      });
    }
  }

  setRows(rows: T[]): void {
    this.rows = rows;
    this.schedule();
  }

  /** Re-renders the rows in view (ages change with time). */
  refresh(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const { rowHeight, maxHeight } = this.options;
    const total = this.rows.length;
    this.emptyNote.hidden = total > 0;
    this.spacer.style.height = `${total * rowHeight}px`;
    const top = this.element.scrollTop;
    const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
    const last = Math.min(total, Math.ceil((top + maxHeight) / rowHeight) + OVERSCAN);
    const existing = new Map<string, HTMLElement>();
    for (const el of Array.from(this.spacer.children) as HTMLElement[]) existing.set(el.dataset.key ?? '', el);
    const keep = new Set<HTMLElement>();
    for (let i = first; i < last; i++) {
      const row = this.rows[i];
      const key = this.options.key(row);
      let el = existing.get(key);
      if (!el) {
        el = document.createElement('div');
        el.className = 'row';
        el.dataset.key = key;
        el.setAttribute('role', 'listitem');
        if (this.options.onActivate) el.tabIndex = 0;
        this.spacer.append(el);
      }
      el.dataset.index = String(i);
      el.style.top = `${i * rowHeight}px`;
      el.style.height = `${rowHeight}px`;
      this.options.render(row, el);
      keep.add(el);
    }
    for (const el of existing.values()) if (!keep.has(el)) el.remove();
  }
}
