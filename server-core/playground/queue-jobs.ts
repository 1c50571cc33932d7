// The server's recent requests as its scheduler reported them (queued, started,
// finished), folded into one QueueJob each and kept for the Timeline's server
// queue view. Bounded: past `limit` jobs the oldest are forgotten, so a load
// test against the server cannot grow the playground's memory.
import type { ConcurrencyMode, QueueEvent } from '../server/scheduler.js';
import type { WireplayServer } from '../server/wireplay-server.js';
import type { Disposable } from '../util/disposable.js';
import type { QueueJob } from '../protocol/playground.js';

export const DEFAULT_QUEUE_JOB_LIMIT = 2000;

/** Where the controller gets the server's queue from (the demo server of `wireplay ui`, the extension's server). */
export interface ServerQueueSource {
  onQueue(listener: (event: QueueEvent) => void): Disposable;
  /** Mode changes. Optional: a host that cannot report them calls the controller's serverChanged() instead. */
  onMode?(listener: (mode: ConcurrencyMode) => void): Disposable;
  /** The mode in force; null when there is no server to show. */
  mode(): ConcurrencyMode | null;
  /** Present when the UI may switch the mode. */
  setMode?(mode: ConcurrencyMode): void | PromiseLike<unknown>;
}

/** A server of this process as a queue source; the UI may switch its mode. */
export function serverQueueOf(server: WireplayServer): ServerQueueSource {
  return {
    onQueue: (listener) => server.events.on('queue', listener),
    onMode: (listener) => server.events.on('mode', listener),
    mode: () => server.mode,
    setMode: (mode) => server.setMode(mode),
  };
}

function keyOf(connectionId: string, index: number): string {
  return `${connectionId}#${index}`;
}

export class QueueJobs {
  private readonly jobs = new Map<string, QueueJob>();

  constructor(readonly limit: number = DEFAULT_QUEUE_JOB_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`queue job limit must be a positive integer, got ${String(limit)}`);
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Folds one scheduler event into its job and returns the job as it stands now. */
  apply(e: QueueEvent): QueueJob {
    const key = keyOf(e.connectionId, e.index);
    let job = this.jobs.get(key);
    if (!job) {
      job = { connectionId: e.connectionId, index: e.index, method: e.method, target: e.target, queuedAt: e.queuedAt, mode: e.mode };
      this.jobs.set(key, job);
      this.trim();
    }
    if (e.type === 'queued') job.waitedBehind = e.position;
    if (e.startedAt !== undefined) job.startedAt = e.startedAt;
    if (e.type === 'finished') {
      job.finishedAt = e.finishedAt ?? e.startedAt ?? e.queuedAt;
      if (e.aborted) job.aborted = true;
    }
    return job;
  }

  /** Oldest first. */
  list(): QueueJob[] {
    return [...this.jobs.values()].map((j) => ({ ...j }));
  }

  clear(): void {
    this.jobs.clear();
  }

  private trim(): void {
    let extra = this.jobs.size - this.limit;
    if (extra <= 0) return;
    for (const key of this.jobs.keys()) {
      this.jobs.delete(key);
      if (--extra <= 0) break;
    }
  }
}
