// The server's scheduler, relayed to the Timeline's server queue view: its
// queued / started / finished events folded into jobs (queue-jobs.ts) and
// pushed with the live batch (after the connections' bytes of the same
// flush), its mode whenever it changes, and the UI's request to switch it.
import { DisposableStore, type Disposable } from '../util/disposable.js';
import type { QueueJob, QueueSnapshot, ServerMode, ToWebview } from '../protocol/playground.js';
import type { LivePush } from './live-push.js';
import { QueueJobs, type ServerQueueSource } from './queue-jobs.js';

export class QueueRelay implements Disposable {
  private readonly jobs: QueueJobs;
  /** Jobs changed since the last flush, by connectionId#index. */
  private changed = new Map<string, QueueJob>();
  /** The mode the UI was last told; undefined before the first time. */
  private postedMode: ServerMode | null | undefined;
  private readonly disposables = new DisposableStore();

  constructor(
    private readonly source: ServerQueueSource | undefined,
    private readonly post: (m: ToWebview) => void,
    private readonly push: LivePush,
    /** Server requests remembered (oldest forgotten first). */
    jobLimit?: number,
  ) {
    this.jobs = new QueueJobs(jobLimit);
    push.onFlush(() => this.flushJobs());
    if (!source) return;
    this.postedMode = source.mode();
    this.disposables.add(
      source.onQueue((e) => {
        const job = this.jobs.apply(e);
        this.changed.set(`${job.connectionId}#${job.index}`, job);
        push.schedule();
      }),
    );
    if (source.onMode) this.disposables.add(source.onMode(() => this.modeChanged()));
  }

  /** The queue for the UI's init; undefined when there is no server queue to show. */
  snapshot(): QueueSnapshot | undefined {
    const q = this.source;
    if (!q) return undefined;
    return { mode: q.mode(), canSetMode: q.setMode !== undefined, jobs: this.jobs.list(), now: performance.now() };
  }

  /** Tells the UI the mode, when it differs from what it was last told. */
  modeChanged(): void {
    const q = this.source;
    if (!q) return;
    const mode = q.mode();
    if (mode === this.postedMode) return;
    this.postedMode = mode;
    // Jobs reported before the switch reach the UI first.
    this.push.flush();
    this.post({ type: 'server.mode', mode, canSetMode: q.setMode !== undefined });
  }

  /** The UI's server.setMode. */
  async setMode(mode: ServerMode): Promise<void> {
    const q = this.source;
    if (!q?.setMode) return this.post({ type: 'notice', level: 'warning', message: 'The server mode cannot be switched from here.' });
    try {
      await q.setMode(mode);
    } catch (err) {
      this.post({ type: 'notice', level: 'error', message: `Could not switch the server to ${mode}: ${(err as Error).message}` });
    }
    this.modeChanged();
  }

  clear(): void {
    this.changed.clear();
    this.jobs.clear();
  }

  dispose(): void {
    this.disposables.dispose();
  }

  private flushJobs(): void {
    if (!this.changed.size) return;
    const jobs = [...this.changed.values()].map((j) => ({ ...j }));
    this.changed = new Map();
    this.post({ type: 'queue.jobs', jobs, now: performance.now() });
  }
}
