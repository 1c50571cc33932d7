// One script worker thread as the host sees it: started on demand, fed one
// job at a time by ScriptRunner, terminated when a job overruns its time limit
// (the only way to stop an `await` that never settles or a loop after an
// `await`), when a job is cancelled, or on dispose. It reports the worker's
// messages and its death — with the reason: out of memory, crashed, or
// stopped by us — and keeps the thread from holding the process open while
// it is idle.
import { Worker } from 'node:worker_threads';
import { SCRIPT_FILE } from './sandbox-input.js';
import { PRELUDE_FILE, SANDBOX_PRELUDE } from './sandbox-prelude.js';
import { WORKER_SOURCE } from './worker-source.js';

/** What the worker posts (see worker-source.ts). */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'event'; id: number; kind: string; json: string }
  | { type: 'syntax'; id: number; error: { name: string; message: string; stack: string } }
  | { type: 'crash'; message: string };

/** Job as posted to the worker. */
export interface WorkerJob {
  data: string;
  source: string;
  asExpression: boolean;
  timeoutMs: number;
}

export type HostMessage =
  | { type: 'run'; id: number; job: WorkerJob }
  | { type: 'stream'; id: number; item: string }
  | { type: 'stream-end'; id: number };

export interface WorkerDeath {
  reason: 'out-of-memory' | 'crashed';
  message: string;
}

export interface ScriptWorkerOptions {
  memoryLimitMb: number;
  onMessage(message: WorkerMessage): void;
  /** The thread died on its own (not terminate()). */
  onDeath(death: WorkerDeath): void;
}

export class ScriptWorker {
  private worker: Worker | undefined;

  constructor(private readonly options: ScriptWorkerOptions) {}

  get isRunning(): boolean {
    return this.worker !== undefined;
  }

  post(message: HostMessage): void {
    this.ensure().postMessage(message);
  }

  /** Starts the thread now, idle (it does not keep the process alive). */
  warmUp(): void {
    if (this.worker) return;
    this.ensure();
    this.setBusy(false);
  }

  /** Keeps the process alive while a job runs; lets it exit while idle. */
  setBusy(busy: boolean): void {
    if (!this.worker) return;
    if (busy) this.worker.ref();
    else this.worker.unref();
  }

  /** Stops the thread now (a stuck job, a cancelled one, dispose). The next post() starts a new one. */
  terminate(): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) void worker.terminate();
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { prelude: SANDBOX_PRELUDE, preludeFile: PRELUDE_FILE, scriptFile: SCRIPT_FILE },
      // Replaces the parent's execArgv (tsx loaders and the like are not wanted there); see worker-source.ts.
      execArgv: ['--experimental-vm-modules'],
      resourceLimits: { maxOldGenerationSizeMb: this.options.memoryLimitMb, stackSizeMb: 4 },
      // stdout / stderr stay Node's default (forwarded to ours): scripts cannot reach them, and piping them
      // here would keep the process alive while the worker idles.
    });
    let dead: WorkerDeath | undefined;
    worker.on('message', (message: WorkerMessage) => {
      if (this.worker !== worker) return;
      if (message.type === 'crash') {
        dead = { reason: 'crashed', message: `The script worker failed: ${message.message}` };
        this.terminate();
        this.options.onDeath(dead);
        return;
      }
      this.options.onMessage(message);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      if (this.worker !== worker) return;
      dead =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? { reason: 'out-of-memory', message: `The script ran out of memory (the limit is ${this.options.memoryLimitMb} MiB) and was stopped.` }
          : { reason: 'crashed', message: `The script worker failed: ${err.message}` };
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.options.onDeath(dead ?? { reason: 'crashed', message: `The script worker exited unexpectedly (code ${code}).` });
    });
    this.worker = worker;
    return worker;
  }
}
