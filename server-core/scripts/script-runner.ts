// ScriptRunner: the one entry point the `.http` runner, the Test Explorer and
// `wireplay test` call. It takes ScriptJobs (types.ts), runs them one at a
// time in a worker thread (script-worker.ts) with a watchdog — a job still
// running when its time limit is over is stopped by terminating the thread,
// which is restarted for the next job — and turns the worker's events into a
// ScriptResult (positions mapped into the file, globals applied). `??`
// assertions are evaluated here (httpyac-assert.ts) and use the worker only
// for what needs JavaScript or a regular expression.
//
// Timing uses the global setTimeout, so tests drive the watchdog with
// node:test's mock timers.
import { evaluateHttpYacAssertion, parseHttpYacAssertion } from './httpyac-assert.js';
import { BadScriptInput, checkJob, prepareSandboxInput, type SandboxData, type SandboxKind } from './sandbox-input.js';
import { wrapUserSource } from './sandbox-prelude.js';
import { applyGlobalChanges, emptyResult, settle } from './script-result.js';
import { toScriptError, type RawScriptError, type ScriptPlacement } from './script-errors.js';
import { ScriptWorker, type WorkerDeath, type WorkerMessage } from './script-worker.js';
import type { JsonValue, ScriptError, ScriptJob, ScriptResult, ScriptRun, ScriptRunHooks, ScriptRunnerOptions, ScriptTestResult } from './types.js';
import { DEFAULT_MAX_EVENTS, DEFAULT_MAX_LOG_BYTES, DEFAULT_MAX_TESTS, DEFAULT_SCRIPT_MEMORY_MB, DEFAULT_SCRIPT_TIMEOUT_MS } from './types.js';
import type { Disposable } from '../util/disposable.js';

interface PendingJob {
  id: number;
  source: string;
  asExpression: boolean;
  data: string;
  timeoutMs: number;
  placement: ScriptPlacement;
  hooks: ScriptRunHooks;
  initialGlobals: Record<string, JsonValue>;
  result: ScriptResult;
  /** Stream items and end pushed before the job reached the worker. */
  early: Array<{ item: string } | { end: true }>;
  started: number;
  settled: boolean;
  /** For expression jobs: the value the expression produced. */
  value?: unknown;
  resolve(result: ScriptResult): void;
  detach?: () => void;
}

/** How long a new worker thread may take to start before its job fails (the job's own limit when longer). */
const WORKER_START_LIMIT_MS = 30_000;

export class ScriptRunner implements Disposable {
  private readonly timeoutMs: number;
  private readonly limits: SandboxData['limits'];
  private readonly worker: ScriptWorker;
  private readonly queue: PendingJob[] = [];
  private active: PendingJob | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  /**
   * The worker said `ready`. A job's time limit counts from then: starting a thread takes a while (longer
   * on a loaded machine), and that time is not the script's.
   */
  private workerReady = false;
  private nextId = 1;
  private disposed = false;

  constructor(options: ScriptRunnerOptions = {}) {
    this.timeoutMs = positive(options.timeoutMs, DEFAULT_SCRIPT_TIMEOUT_MS, 'timeoutMs');
    this.limits = {
      maxLogBytes: positive(options.maxLogBytes, DEFAULT_MAX_LOG_BYTES, 'maxLogBytes'),
      maxTests: positive(options.maxTests, DEFAULT_MAX_TESTS, 'maxTests'),
      maxEvents: positive(options.maxEvents, DEFAULT_MAX_EVENTS, 'maxEvents'),
    };
    this.worker = new ScriptWorker({
      memoryLimitMb: positive(options.memoryLimitMb, DEFAULT_SCRIPT_MEMORY_MB, 'memoryLimitMb'),
      onMessage: (m) => this.onMessage(m),
      onDeath: (d) => this.onDeath(d),
    });
  }

  /** Runs a job to its end. Never rejects for anything the script does; see ScriptResult.error. */
  run(job: ScriptJob, hooks: ScriptRunHooks = {}): Promise<ScriptResult> {
    return this.start(job, hooks).result;
  }

  /** Starts a job; the returned handle feeds a streamed response and cancels. */
  start(job: ScriptJob, hooks: ScriptRunHooks = {}): ScriptRun {
    if (this.disposed) throw new Error('This ScriptRunner is disposed.');
    try {
      checkJob(job);
      if (job.kind === 'httpyac-assert') return this.startAssertion(job, hooks);
      return this.enqueue(job, job.kind, job.source, false, {}, hooks);
    } catch (err) {
      if (!(err instanceof BadScriptInput)) throw err;
      const result = settle(emptyResult(), { code: 'BAD_INPUT', message: err.message });
      return { result: Promise.resolve(result), push() {}, end() {}, cancel() {} };
    }
  }

  /**
   * Starts the worker thread ahead of the first job (it takes tens of milliseconds), e.g. when a
   * test run begins. Optional: run() starts it when needed.
   */
  warmUp(): void {
    if (this.disposed || this.active) return;
    if (!this.worker.isRunning) this.workerReady = false;
    this.worker.warmUp();
  }

  /** Stops the worker; jobs still waiting or running end with CANCELLED. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const job of this.queue.splice(0)) this.finish(job, cancelled());
    if (this.active) this.finish(this.active, cancelled());
    this.worker.terminate();
  }

  private enqueue(
    job: ScriptJob,
    kind: SandboxKind,
    source: string,
    asExpression: boolean,
    bindings: Record<string, JsonValue>,
    hooks: ScriptRunHooks,
  ): ScriptRun {
    const { data, warnings } = prepareSandboxInput(job, kind, this.limits, bindings);
    const initialGlobals = data.globals;
    let resolve!: (r: ScriptResult) => void;
    const result = new Promise<ScriptResult>((r) => (resolve = r));
    const pending: PendingJob = {
      id: this.nextId++,
      source,
      asExpression,
      data: JSON.stringify(data),
      timeoutMs: job.timeoutMs ?? this.timeoutMs,
      placement: { source, filename: job.filename ?? 'script', lineOffset: job.lineOffset ?? 0, columnOffset: job.columnOffset ?? 0 },
      hooks,
      initialGlobals,
      result: { ...emptyResult(initialGlobals), warnings },
      early: [],
      started: 0,
      settled: false,
      resolve,
    };
    const signal = hooks.signal;
    if (signal) {
      if (signal.aborted) queueMicrotask(() => this.cancel(pending));
      else {
        const onAbort = () => this.cancel(pending);
        signal.addEventListener('abort', onAbort, { once: true });
        pending.detach = () => signal.removeEventListener('abort', onAbort);
      }
    }
    this.queue.push(pending);
    this.pump();
    return {
      result,
      push: (item: string) => this.feed(pending, { item: String(item) }),
      end: () => this.feed(pending, { end: true }),
      cancel: () => this.cancel(pending),
    };
  }

  private feed(job: PendingJob, what: { item: string } | { end: true }): void {
    if (job.settled) return;
    if (this.active !== job) {
      job.early.push(what);
      return;
    }
    this.worker.post('item' in what ? { type: 'stream', id: job.id, item: what.item } : { type: 'stream-end', id: job.id });
    if (this.workerReady) this.armWatchdog(job); // a stream's time limit counts from its latest input
  }

  private cancel(job: PendingJob): void {
    if (job.settled) return;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    else if (this.active === job) this.worker.terminate();
    this.finish(job, cancelled());
  }

  private pump(): void {
    if (this.active || this.disposed) return;
    const job = this.queue.shift();
    if (!job) {
      this.worker.setBusy(false);
      return;
    }
    this.active = job;
    job.started = performance.now();
    if (!this.worker.isRunning) this.workerReady = false;
    try {
      this.worker.post({ type: 'run', id: job.id, job: { data: job.data, source: wrapUserSource(job.source, job.asExpression), asExpression: job.asExpression, timeoutMs: job.timeoutMs } });
    } catch (err) {
      // The thread could not start (e.g. a host that refuses its options): every job says so.
      this.finish(job, { code: 'WORKER_CRASHED', message: `The script worker could not start: ${(err as Error).message}` });
      return;
    }
    this.worker.setBusy(true);
    for (const what of job.early.splice(0)) {
      this.worker.post('item' in what ? { type: 'stream', id: job.id, item: what.item } : { type: 'stream-end', id: job.id });
    }
    this.armWatchdog(job, !this.workerReady);
  }

  /**
   * Stops the job at its time limit — or, while its worker is still starting (`starting`), after a
   * generous limit for the thread to start, when the job fails with WORKER_CRASHED.
   */
  private armWatchdog(job: PendingJob, starting = false): void {
    if (this.watchdog !== undefined) clearTimeout(this.watchdog);
    const limit = starting ? Math.max(WORKER_START_LIMIT_MS, job.timeoutMs) : job.timeoutMs;
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      if (this.active !== job) return;
      this.worker.terminate();
      this.finish(job, starting ? { code: 'WORKER_CRASHED', message: `The script worker did not start within ${limit} ms.` } : timedOut(job.timeoutMs));
    }, limit);
  }

  private onMessage(message: WorkerMessage): void {
    const job = this.active;
    if (message.type === 'ready') {
      // The job waiting for the thread gets its time limit from now.
      const waiting = !this.workerReady && job !== undefined;
      this.workerReady = true;
      if (waiting) this.armWatchdog(job);
      return;
    }
    if (message.type === 'crash' || !job || message.id !== job.id) return;
    if (message.type === 'syntax') {
      this.finish(job, toScriptError({ ...message.error, syntax: true }, job.placement));
      return;
    }
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(message.json) as Record<string, unknown>;
    } catch {
      this.worker.terminate();
      this.finish(job, { code: 'WORKER_CRASHED', message: `The script runtime sent an unreadable "${message.kind}" event.` });
      return;
    }
    this.onEvent(job, message.kind, payload);
  }

  private onEvent(job: PendingJob, kind: string, p: Record<string, unknown>): void {
    const result = job.result;
    switch (kind) {
      case 'log': {
        const line = { level: p.level as ScriptResult['logs'][number]['level'], text: String(p.text) };
        result.logs.push(line);
        callHook(job.result.warnings, () => job.hooks.onLog?.(line));
        return;
      }
      case 'test': {
        const test = this.mapTest(job, p);
        result.tests.push(test);
        callHook(job.result.warnings, () => job.hooks.onTest?.(test));
        return;
      }
      case 'global':
        result.globalChanges.push(p as never);
        return;
      case 'variable':
        result.variables[String(p.name)] = p.value as JsonValue;
        return;
      case 'variableClear':
        delete result.variables[String(p.name)];
        return;
      case 'warning':
        result.warnings.push(String(p.text));
        return;
      case 'output':
        if (job.hooks.onOutput) callHook(job.result.warnings, () => job.hooks.onOutput?.(String(p.text)));
        else result.warnings.push('The script called output(), but nothing can send answers on this stream.');
        return;
      case 'unsubscribe':
        result.streamUnsubscribed = true;
        callHook(job.result.warnings, () => job.hooks.onUnsubscribe?.());
        return;
      case 'cancel':
        result.cancelRequested = p.value === true;
        return;
      case 'request':
        result.requestChanges = p as unknown as NonNullable<ScriptResult['requestChanges']>;
        return;
      case 'timeout':
        this.finish(job, timedOut(job.timeoutMs));
        return;
      case 'done': {
        result.exitRequested = p.exitRequested === true;
        if (p.unsubscribed === true) result.streamUnsubscribed = true;
        if (p.value !== undefined) job.value = describeValue(p.value as Record<string, unknown>);
        let error: ScriptError | undefined;
        if (p.error) {
          error = toScriptError(p.error as RawScriptError, job.placement);
          if (p.limit === true) error.code = 'LIMIT';
        }
        this.finish(job, error);
        return;
      }
    }
  }

  private mapTest(job: PendingJob, p: Record<string, unknown>): ScriptTestResult {
    const test: ScriptTestResult = { name: String(p.name), passed: p.passed === true, durationMs: Number(p.durationMs) || 0 };
    for (const key of ['message', 'expected', 'actual'] as const) if (typeof p[key] === 'string') test[key] = p[key] as string;
    const map = (line: unknown, column: unknown) => toFilePosition(job.placement, Number(line), Number(column));
    if (typeof p.line === 'number') Object.assign(test, map(p.line, p.column));
    if (typeof p.failureLine === 'number') {
      const at = map(p.failureLine, p.failureColumn);
      test.failureLine = at.line;
      test.failureColumn = at.column;
    }
    return test;
  }

  private onDeath(death: WorkerDeath): void {
    const job = this.active;
    if (!job) return;
    this.finish(job, { code: death.reason === 'out-of-memory' ? 'LIMIT' : 'WORKER_CRASHED', message: death.message });
  }

  private finish(job: PendingJob, error?: ScriptError): void {
    if (job.settled) return;
    job.settled = true;
    job.detach?.();
    if (this.active === job) {
      this.active = undefined;
      if (this.watchdog !== undefined) clearTimeout(this.watchdog);
      this.watchdog = undefined;
    }
    const result = job.result;
    result.globals = applyGlobalChanges(job.initialGlobals, result.globalChanges);
    result.durationMs = job.started ? performance.now() - job.started : 0;
    if (job.asExpression) this.expressionValues.set(result, job.value);
    job.resolve(settle(result, error));
    this.pump();
  }

  /** A `??` line: read on the host, with the worker for expressions and regular expressions. */
  private startAssertion(job: ScriptJob, hooks: ScriptRunHooks): ScriptRun {
    if (!job.response) throw new BadScriptInput('An httpyac-assert job needs the response (job.response).');
    const { data, warnings } = prepareSandboxInput(job, 'httpyac-expression', this.limits);
    const controller = new AbortController();
    const signal = hooks.signal ? AbortSignal.any([hooks.signal, controller.signal]) : controller.signal;
    const result = this.runAssertion(job, data, warnings, hooks, signal);
    return { result, push() {}, end() {}, cancel: () => controller.abort() };
  }

  private async runAssertion(job: ScriptJob, data: SandboxData, warnings: string[], hooks: ScriptRunHooks, signal: AbortSignal): Promise<ScriptResult> {
    const started = performance.now();
    const lead = /^\s*/.exec(job.source)![0].length;
    const line = (job.lineOffset ?? 0) + 1;
    const column = (job.columnOffset ?? 0) + lead + 1;
    const result = emptyResult(job.globals ?? {});
    result.warnings.push(...warnings);
    const report = (test: ScriptTestResult, error?: ScriptError): ScriptResult => {
      result.tests.push(test);
      callHook(result.warnings, () => hooks.onTest?.(test));
      result.durationMs = performance.now() - started;
      return settle(result, error);
    };
    const parsed = parseHttpYacAssertion(job.source);
    if (!parsed.ok) {
      return report({ name: job.source.trim(), passed: false, message: parsed.message, line, column, durationMs: 0 }, { code: parsed.code, message: parsed.message, line, column });
    }
    const outcome = await evaluateHttpYacAssertion(parsed.assertion, {
      response: data.response!,
      ...(job.response!.body instanceof Uint8Array ? { bodyBytes: job.response!.body } : {}),
      variables: { ...(job.globals ?? {}), ...(job.variables ?? {}) },
      line,
      column,
      sandbox: {
        evaluate: async (expression, bindings) => {
          if (signal.aborted) return { error: cancelled() };
          if (this.disposed) return { error: { code: 'CANCELLED', message: 'The ScriptRunner was disposed.' } };
          const run = this.enqueue({ ...job, lineOffset: line - 1, columnOffset: 0 }, 'httpyac-expression', expression, true, bindings, { signal });
          const r = await run.result;
          if (r.error) return { error: r.error };
          return { value: this.expressionValues.get(r) };
        },
      },
    });
    return report(outcome.test, outcome.error);
  }

  /** Expression values, handed from finish() to runAssertion() without putting them on the public result. */
  private readonly expressionValues = new WeakMap<ScriptResult, unknown>();
}

/** Runs a caller's hook; one that throws is reported as a warning, never breaks the run. */
function callHook(warnings: string[], call: () => void): void {
  try {
    call();
  } catch (err) {
    warnings.push(`A ScriptRunner hook threw: ${(err as Error)?.message ?? String(err)}`);
  }
}

function describeValue(v: Record<string, unknown>): unknown {
  if (v.undefined === true) return undefined;
  if ('json' in v) return v.json;
  return v.text;
}

function toFilePosition(placement: ScriptPlacement, line: number, column: number): { line: number; column: number } {
  return { line: placement.lineOffset + line, column: line === 1 ? placement.columnOffset + column : column };
}

function timedOut(ms: number): ScriptError {
  return { code: 'TIMEOUT', message: `The script was still running after ${ms} ms (its time limit) and was stopped.` };
}

function cancelled(): ScriptError {
  return { code: 'CANCELLED', message: 'The script was cancelled.' };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`ScriptRunner option ${name} must be a positive number (got ${value}).`);
  return value;
}
