// A draggable divider between two panes: the pointer drags it, the arrow keys
// move it (Home and End to its limits), and the size is a fraction of the
// container, saved by the caller so it is remembered and follows the window's
// size. It is a focusable ARIA separator with its value (the first pane's
// share, in percent), as a screen reader expects of one.

export interface SplitterOptions {
  /** The divider element (between the two panes). */
  el: HTMLElement;
  /** The element whose width (vertical divider) or height (horizontal) the fraction is of. */
  container: HTMLElement;
  /** 'vertical': a divider between left and right panes; 'horizontal': between top and bottom. */
  orientation(): 'vertical' | 'horizontal';
  /** The first pane's share now (0..1). */
  get(): number;
  /** Applies a share (already clamped) and remembers it. */
  set(fraction: number): void;
  /** Smallest size of each pane, px. */
  minPx: number;
  label: string;
}

/** A share of `total` px that leaves both panes at least `minPx` (the middle when they cannot both have it). */
export function clampShare(fraction: number, total: number, minPx: number): number {
  if (!(total > 0)) return fraction;
  const lo = minPx / total;
  const hi = 1 - minPx / total;
  if (lo >= hi) return 0.5;
  return Math.max(lo, Math.min(hi, fraction));
}

export class Splitter {
  constructor(private readonly o: SplitterOptions) {
    const el = o.el;
    el.setAttribute('role', 'separator');
    el.setAttribute('tabindex', '0');
    el.setAttribute('aria-label', o.label);
    el.setAttribute('aria-valuemin', '0');
    el.setAttribute('aria-valuemax', '100');
    el.title = `${o.label}: drag, or use the arrow keys`;
    el.addEventListener('pointerdown', (e) => this.drag(e));
    el.addEventListener('keydown', (e) => this.key(e));
    this.sync();
  }

  /** Puts the current share on the element (after a layout change or a restore). */
  sync(): void {
    const vertical = this.o.orientation() === 'vertical';
    this.o.el.setAttribute('aria-orientation', vertical ? 'vertical' : 'horizontal');
    this.o.el.setAttribute('aria-valuenow', String(Math.round(this.o.get() * 100)));
  }

  private total(): number {
    const r = this.o.container.getBoundingClientRect();
    return this.o.orientation() === 'vertical' ? r.width : r.height;
  }

  private apply(fraction: number): void {
    this.o.set(clampShare(fraction, this.total(), this.o.minPx));
    this.sync();
  }

  private drag(e: PointerEvent): void {
    if (e.button !== 0) return;
    e.preventDefault();
    const el = this.o.el;
    el.setPointerCapture(e.pointerId);
    el.classList.add('dragging');
    const move = (ev: PointerEvent) => {
      const r = this.o.container.getBoundingClientRect();
      const vertical = this.o.orientation() === 'vertical';
      this.apply(vertical ? (ev.clientX - r.left) / r.width : (ev.clientY - r.top) / r.height);
    };
    const up = () => {
      el.classList.remove('dragging');
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      el.removeEventListener('pointercancel', up);
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
    el.addEventListener('pointercancel', up);
  }

  private key(e: KeyboardEvent): void {
    const vertical = this.o.orientation() === 'vertical';
    const step = 24 / Math.max(1, this.total());
    const back = vertical ? 'ArrowLeft' : 'ArrowUp';
    const fwd = vertical ? 'ArrowRight' : 'ArrowDown';
    const now = this.o.get();
    if (e.key === back) this.apply(now - step);
    else if (e.key === fwd) this.apply(now + step);
    else if (e.key === 'Home') this.apply(0);
    else if (e.key === 'End') this.apply(1);
    else return;
    e.preventDefault();
  }
}
