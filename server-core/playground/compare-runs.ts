// The playground's "Compare the three" (compare.run): runs compare-chat.ts
// against the host's own server and answers with compare.state — the way it is
// on, then the result. One run at a time; each way's connections go into the
// playground's capture with a name ("Compare · polling"), so they can be opened
// in the inspector and Timeline like any other.
import type { Disposable } from '../util/disposable.js';
import type { CompareWay } from '../protocol/compare-chat.js';
import { COMPARE_WAY_LABELS } from '../protocol/compare-chat.js';
import { runCompareChat, type CompareChatOptions } from './compare-chat.js';
import type { CaptureTap, PlaygroundContext } from './context.js';

export class CompareRuns implements Disposable {
  private running: string | undefined;
  private readonly taps: CaptureTap[] = [];

  constructor(
    private readonly ctx: PlaygroundContext,
    private readonly serverUrl: () => string | null,
    /** Overrides for tests (poll interval, timeouts). */
    private readonly runOptions: Partial<Omit<CompareChatOptions, 'serverUrl' | 'capture' | 'onWay'>> = {},
  ) {}

  /** compare.run: resolves when the run is over (its compare.state done or failed was posted). */
  async run(runId: string): Promise<void> {
    const url = this.serverUrl();
    if (url === null) {
      this.ctx.post({ type: 'compare.state', runId, state: 'failed', error: 'No server is running: start the Wireplay server, then compare.' });
      return;
    }
    if (this.running !== undefined) {
      this.ctx.post({ type: 'compare.state', runId, state: 'failed', error: 'A comparison is already running: wait for its result.' });
      return;
    }
    this.running = runId;
    try {
      const result = await runCompareChat({
        ...this.runOptions,
        serverUrl: url,
        capture: (way: CompareWay) => {
          const tap = this.ctx.tap((connectionId) => this.ctx.label(connectionId, `Compare · ${COMPARE_WAY_LABELS[way]}`));
          this.taps.push(tap);
          return tap.emitter;
        },
        onWay: (way) => this.ctx.post({ type: 'compare.state', runId, state: 'running', way }),
      });
      this.ctx.flush();
      this.ctx.post({ type: 'compare.state', runId, state: 'done', result });
    } catch (err) {
      this.ctx.post({ type: 'compare.state', runId, state: 'failed', error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.running = undefined;
      for (const t of this.taps.splice(0)) t.dispose();
    }
  }

  dispose(): void {
    for (const t of this.taps.splice(0)) t.dispose();
  }
}
