// Decides when a parsed request reaches its handler.
//   concurrent: at once; the event loop interleaves every connection.
//   sequential: exactly one request is handled at a time across all
//               connections; the others wait in a FIFO queue that the UI can draw.
// Switching modes at run time: concurrent → sequential lets the running
// requests finish before the queue starts; sequential → concurrent starts every
// queued request at once.
import { Emitter } from '../util/emitter.js';

export type ConcurrencyMode = 'concurrent' | 'sequential';

export const CONCURRENCY_MODES: readonly ConcurrencyMode[] = ['concurrent', 'sequential'];

export interface QueueEvent {
  type: 'queued' | 'started' | 'finished';
  connectionId: string;
  /** The request's sequence number on its connection, from 1. */
  index: number;
  method: string;
  target: string;
  /** performance.now() when the request reached the scheduler. */
  queuedAt: number;
  /** performance.now() when its handler started (started and finished events). */
  startedAt?: number;
  /** performance.now() when its response finished or its connection closed (finished events). */
  finishedAt?: number;
  /** 'queued': requests waiting ahead of it; otherwise 0. */
  position: number;
  /** Requests waiting after this event. */
  queueLength: number;
  mode: ConcurrencyMode;
  /** finished only: the connection closed before the response ended. */
  aborted?: boolean;
}

export interface SchedulerEvents {
  queued: QueueEvent;
  started: QueueEvent;
  finished: QueueEvent;
  mode: ConcurrencyMode;
}

/** One request as the scheduler sees it. The owner calls `finish()` when its response ended or its connection closed. */
export class Job {
  queuedAt = 0;
  startedAt = 0;
  /** Submitted in sequential mode (or had to wait): it went through the queue, queuedAt is when it joined. */
  viaQueue = false;
  state: 'new' | 'queued' | 'running' | 'done' = 'new';
  constructor(
    readonly connectionId: string,
    readonly index: number,
    readonly method: string,
    readonly target: string,
    readonly run: () => void,
  ) {}
}

export interface QueueEntry {
  connectionId: string;
  index: number;
  method: string;
  target: string;
  queuedAt: number;
}

export class Scheduler {
  readonly events = new Emitter<SchedulerEvents>();
  private modeValue: ConcurrencyMode;
  private running = 0;
  private readonly queue: Job[] = [];

  constructor(mode: ConcurrencyMode = 'concurrent') {
    this.modeValue = mode;
  }

  get mode(): ConcurrencyMode {
    return this.modeValue;
  }

  setMode(mode: ConcurrencyMode): void {
    if (mode !== 'concurrent' && mode !== 'sequential') throw new RangeError(`unknown mode ${String(mode)}`);
    if (mode === this.modeValue) return;
    this.modeValue = mode;
    this.events.emit('mode', mode);
    this.pump();
  }

  /** Requests in force: handled now. */
  get runningCount(): number {
    return this.running;
  }

  /** The waiting requests, oldest first. */
  snapshot(): QueueEntry[] {
    return this.queue.map((j) => ({ connectionId: j.connectionId, index: j.index, method: j.method, target: j.target, queuedAt: j.queuedAt }));
  }

  submit(job: Job): void {
    const observed = this.events.hasListeners('queued') || this.events.hasListeners('started');
    if (observed || this.modeValue === 'sequential') job.queuedAt = performance.now();
    if (this.modeValue === 'sequential') job.viaQueue = true;
    if (this.modeValue === 'concurrent' || (this.running === 0 && this.queue.length === 0)) {
      this.start(job);
      return;
    }
    job.state = 'queued';
    this.queue.push(job);
    if (this.events.hasListeners('queued')) this.events.emit('queued', this.eventOf('queued', job, this.queue.length - 1));
  }

  /** The job's response ended, or its connection closed (aborted) — whether it ran or still waited. */
  finish(job: Job, aborted = false): void {
    if (job.state === 'done' || job.state === 'new') return;
    const wasRunning = job.state === 'running';
    if (job.state === 'queued') {
      const i = this.queue.indexOf(job);
      if (i >= 0) this.queue.splice(i, 1);
    }
    job.state = 'done';
    if (wasRunning) this.running--;
    if (this.events.hasListeners('finished')) {
      const e = this.eventOf('finished', job, 0);
      e.finishedAt = performance.now();
      if (aborted) e.aborted = true;
      this.events.emit('finished', e);
    }
    this.pump();
  }

  private pumping = false;

  private pump(): void {
    // A handler that ends synchronously calls finish() from inside start(): the
    // outer loop goes on, so a long queue never deepens the stack.
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && (this.modeValue === 'concurrent' || this.running === 0)) {
        this.start(this.queue.shift()!);
      }
    } finally {
      this.pumping = false;
    }
  }

  private start(job: Job): void {
    job.state = 'running';
    this.running++;
    if (this.events.hasListeners('started')) {
      job.startedAt = performance.now();
      this.events.emit('started', this.eventOf('started', job, 0));
    }
    job.run();
  }

  private eventOf(type: QueueEvent['type'], job: Job, position: number): QueueEvent {
    const e: QueueEvent = {
      type,
      connectionId: job.connectionId,
      index: job.index,
      method: job.method,
      target: job.target,
      queuedAt: job.queuedAt,
      position,
      queueLength: this.queue.length,
      mode: this.modeValue,
    };
    if (job.startedAt) e.startedAt = job.startedAt;
    return e;
  }
}
