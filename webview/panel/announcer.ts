// The panel's polite live region: what a screen reader hears without moving
// the focus (a finished response, new WebSocket messages, a refused send, a
// mode switch). Rate-limited: at most one announcement per interval; what
// arrives in between is folded into the next one (WebSocket messages are
// counted, not read one by one), so a busy stream never floods the reader.
import { div } from '../shared/dom.js';

/** Shortest time between two announcements, ms. */
export const ANNOUNCE_INTERVAL_MS = 1500;

export class Announcer {
  readonly el: HTMLDivElement;
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Sentences waiting for the next announcement (the latest of each key). */
  private readonly pending = new Map<string, string>();
  private wsCount = 0;
  private wsLast = '';

  constructor(private readonly interval = ANNOUNCE_INTERVAL_MS) {
    this.el = div('sr-only announcer');
    this.el.setAttribute('role', 'status');
    this.el.setAttribute('aria-live', 'polite');
    this.el.setAttribute('aria-atomic', 'true');
  }

  /** Says `text`; a later sentence with the same key replaces one not yet said. */
  say(text: string, key = text): void {
    this.pending.set(key, text);
    this.schedule();
  }

  /** One more WebSocket message (its direction and a short preview), counted into the next announcement. */
  wsMessage(summary: string): void {
    this.wsCount++;
    this.wsLast = summary;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.last + this.interval - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    const parts = [...this.pending.values()];
    this.pending.clear();
    if (this.wsCount === 1) parts.unshift(`New WebSocket message: ${this.wsLast}.`);
    else if (this.wsCount > 1) parts.unshift(`${this.wsCount} new WebSocket messages; the last: ${this.wsLast}.`);
    this.wsCount = 0;
    if (!parts.length) return;
    this.last = performance.now();
    this.el.textContent = parts.join(' ');
  }
}
