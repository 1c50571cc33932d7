// The UI's copy of the server's queue: recent jobs (as the host reported them,
// upserted by connection and request index), the server's mode, and the offset
// between the host's clock and ours so the bars of unfinished jobs keep growing.
import type { QueueJob, QueueSnapshot, ServerMode } from '../../server-core/protocol/playground.js';

/** The UI keeps at most this many jobs, whatever the host sends. */
const UI_JOB_LIMIT = 10_000;

export class QueueModel {
  mode: ServerMode | null = null;
  canSetMode = false;
  /** Whether the host reports a queue at all (init carried one). */
  available = false;
  version = 0;
  private readonly jobs = new Map<string, QueueJob>();
  private readonly byConnection = new Map<string, Map<number, QueueJob>>();
  private clockOffset = 0;
  private cachedList: QueueJob[] | undefined;
  private readonly listeners = new Set<() => void>();

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The host's clock now. */
  now(): number {
    return performance.now() + this.clockOffset;
  }

  reset(snapshot: QueueSnapshot | undefined): void {
    this.jobs.clear();
    this.byConnection.clear();
    this.available = snapshot !== undefined;
    this.mode = snapshot?.mode ?? null;
    this.canSetMode = snapshot?.canSetMode ?? false;
    if (snapshot) this.upsert(snapshot.jobs, snapshot.now);
    else this.changed();
  }

  upsert(jobs: QueueJob[], hostNow: number): void {
    this.clockOffset = hostNow - performance.now();
    this.available = true;
    for (const j of jobs) {
      const key = `${j.connectionId}#${j.index}`;
      this.jobs.delete(key);
      this.jobs.set(key, j);
      let conn = this.byConnection.get(j.connectionId);
      if (!conn) this.byConnection.set(j.connectionId, (conn = new Map()));
      conn.set(j.index, j);
    }
    for (const [key, j] of this.jobs) {
      if (this.jobs.size <= UI_JOB_LIMIT) break;
      this.jobs.delete(key);
      const conn = this.byConnection.get(j.connectionId);
      conn?.delete(j.index);
      if (conn?.size === 0) this.byConnection.delete(j.connectionId);
    }
    this.changed();
  }

  setMode(mode: ServerMode | null, canSetMode: boolean): void {
    this.mode = mode;
    this.canSetMode = canSetMode;
    this.available = true;
    this.changed();
  }

  clear(): void {
    this.jobs.clear();
    this.byConnection.clear();
    this.changed();
  }

  /** Every job, in the order the host last reported them. */
  list(): QueueJob[] {
    return (this.cachedList ??= [...this.jobs.values()]);
  }

  /** The job of request `index` (from 1) on a connection. */
  job(connectionId: string, index: number): QueueJob | undefined {
    return this.byConnection.get(connectionId)?.get(index);
  }

  hasJobs(connectionId: string): boolean {
    return this.byConnection.has(connectionId);
  }

  private changed(): void {
    this.cachedList = undefined;
    this.version++;
    for (const fn of this.listeners) fn();
  }
}
