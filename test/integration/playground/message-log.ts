// What a UI attached to a PlaygroundController received, with waits on it: the
// playground integration tests play the webview's part through this.
import type { PlaygroundController } from '../../../server-core/playground/controller.js';
import type { ToWebview } from '../../../server-core/protocol/playground.js';

export type Of<T extends ToWebview['type']> = Extract<ToWebview, { type: T }>;

export interface MessageLog {
  /** Every message so far, in order. */
  seen: ToWebview[];
  /** The first message of `type` (from index `from` on) that matches; rejects rather than hangs when none comes in 10 s. */
  next<T extends ToWebview['type']>(type: T, pred?: (m: Of<T>) => boolean, from?: number): Promise<Of<T>>;
  /** Resolves once `pred` holds (checked now and at every message); rejects naming `what` when it does not in 10 s. */
  until(pred: () => boolean, what?: string): Promise<void>;
  detach(): void;
}

const WAIT_MS = 10_000;

export function logMessages(controller: PlaygroundController, t: { after(fn: () => void): void }): MessageLog {
  const seen: ToWebview[] = [];
  const waiters = new Set<() => boolean>();
  const sub = controller.onMessage((m) => {
    seen.push(m);
    for (const w of [...waiters]) if (w()) waiters.delete(w);
  });
  t.after(() => sub.dispose());
  const until = (pred: () => boolean, what = 'the condition') =>
    new Promise<void>((resolve, reject) => {
      if (pred()) return resolve();
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${what} did not come true in ${WAIT_MS} ms`));
      }, WAIT_MS);
      const check = () => {
        if (!pred()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      };
      waiters.add(check);
    });
  const next = async <T extends ToWebview['type']>(type: T, pred: (m: Of<T>) => boolean = () => true, from = 0): Promise<Of<T>> => {
    let hit: Of<T> | undefined;
    let scanned = from;
    const found = () => {
      for (; scanned < seen.length && !hit; scanned++) {
        const m = seen[scanned];
        if (m.type === type && pred(m as Of<T>)) hit = m as Of<T>;
      }
      return hit !== undefined;
    };
    await until(found, `a ${type} message (${pred.toString()})`);
    return hit!;
  };
  return { seen, next, until, detach: () => sub.dispose() };
}
