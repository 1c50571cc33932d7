// Runs one wireplay.routes.mjs in a worker thread and keeps it running: the
// server's event loop never executes user code, so a module that blocks, throws
// out of nowhere or never finishes loading cannot take the server down.
//
// - load(): a fresh worker imports the module (within loadTimeoutMs) and describes
//   its exports. A load that does not finish is reported at the first top-level
//   await when the worker is idle, or where its code is spinning when it is not.
// - The relays (http-relay.ts, ws-relay.ts) send it requests and WebSocket events.
//   Every message that runs user code is acknowledged; when acks stop coming for
//   handlerTimeoutMs the thread is blocked: it is located (stuck-location.ts),
//   reported, terminated, and its requests answered 503.
// - An uncaught exception or rejection ends the worker: reported with its place, the
//   requests in progress answer 500, its WebSocket connections close with 1011.
// - A stopped worker is started again, with the module imported afresh, when the
//   next request or connection for one of its routes arrives.
// - retire(): the routes were replaced; the worker stops once its requests and
//   connections are done.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { UserRouteError } from '../types.js';
import { HttpRelay, type Channel } from './http-relay.js';
import { moduleLoadError, stackPlace, type ModuleText } from './module-errors.js';
import type { ExportDescription, FromWorker, ToWorker } from './protocol.js';
import { locateStuckWorker } from './stuck-location.js';
import { WsRelay } from './ws-relay.js';

export interface ModuleHostOptions {
  file: string;
  text: ModuleText;
  handlerTimeoutMs: number;
  loadTimeoutMs: number;
  /** A failure of the running module, placed in the file. */
  report(error: UserRouteError): void;
  log(message: string, error?: unknown): void;
}

/** What a posted message runs: the route key, and the request id for an HTTP request. */
export interface UserCode {
  key: string;
  request?: number;
}

export type LoadOutcome = { ok: true; exports: ExportDescription[] | null } | { ok: false; error: UserRouteError };

/** How long an idle-or-blocked probe waits for the worker's answer. */
const PROBE_MS = 1000;
/** A thread that has not started importing by then will not. */
const STARTUP_MS = 30_000;

/**
 * The worker's entry: dist/routes-worker.js next to a bundle; from source (tests and
 * benchmarks run under tsx), the TypeScript file through tsx's loader.
 */
function workerEntry(): { script: string; eval: boolean } {
  if (typeof __dirname === 'string' && existsSync(join(__dirname, 'routes-worker.js'))) return { script: join(__dirname, 'routes-worker.js'), eval: false };
  const source = new URL('./routes-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return { script: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(source)}); })`, eval: true };
}

export class ModuleHost {
  readonly fileHref: string;
  private worker: Worker | undefined;
  private ready = false;
  /** Messages for the ready worker, posted together at the end of the turn. */
  private outbox: ToWorker[] = [];
  private outboxTransfer: ArrayBuffer[] = [];
  /** Messages waiting for the worker to be ready. */
  private queue: Array<{ message: ToWorker; transfer: ArrayBuffer[]; code: UserCode | undefined }> = [];
  /** A load in progress; its time limit runs from the moment the worker starts the import (starting a thread is not the module's time). */
  private loading: { resolve(o: LoadOutcome): void; timer: ReturnType<typeof setTimeout> | undefined; hold: ReturnType<typeof setInterval> } | undefined;
  private pings = new Map<number, () => void>();
  private pingCount = 0;
  /**
   * Messages that run user code, posted and not acknowledged yet, oldest first. The worker
   * takes them in order: when it stops, only the oldest can have started.
   */
  private unacked: UserCode[] = [];
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  /** The module's export keys (to tell which route a line belongs to). */
  private keys: string[] = [];
  private retired = false;
  private disposed = false;
  private readonly http: HttpRelay;
  private readonly ws: WsRelay;

  constructor(private readonly options: ModuleHostOptions) {
    this.fileHref = pathToFileURL(options.file).href;
    const channel: Channel = {
      closed: () => this.disposed,
      send: (message, transfer, code) => this.send(message, transfer, code),
      released: () => this.maybeStop(),
    };
    this.http = new HttpRelay(channel, {
      timeoutMs: options.handlerTimeoutMs,
      onTimeout: (key) =>
        this.report('HANDLER_TIMEOUT', `"${key}" did not start its response within ${options.handlerTimeoutMs} ms; answered 503 (wireplay.routes.handlerTimeoutMs)`, options.text.key(key)),
      onLateError: (key, error) => options.log(`"${key}" failed after its handler returned:`, error),
    });
    this.ws = new WsRelay(channel, {
      onFault: (key, callback, error) => {
        const place = stackPlace(error.stack, this.fileHref);
        const closed = callback === 'onClose' || callback === 'onError' ? '' : '; that connection was closed with 1011';
        this.report('MODULE_FAILED', `WebSocket "${key}" ${callback} threw ${error.name}: ${error.message}${closed}`, place.line !== undefined ? place : options.text.key(key));
      },
    });
  }

  /** Starts a worker on the module and resolves with its exports (or why it could not load). */
  load(): Promise<LoadOutcome> {
    return new Promise((resolve) => this.spawn(resolve));
  }

  httpHandler(key: string) {
    return this.http.handler(key);
  }

  webSocketRoute(key: string, callbacks: readonly string[], protocols?: readonly string[], origins?: readonly string[]) {
    return this.ws.route(key, callbacks, protocols, origins);
  }

  /** These routes were replaced: stop once the requests and connections in progress are done. */
  retire(): void {
    this.retired = true;
    this.maybeStop();
  }

  /** Stops now: requests in progress fail, connections close. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stop(new Error('the routes were unloaded'), false);
  }

  // ---- the worker's life

  private spawn(resolve: (o: LoadOutcome) => void): void {
    const entry = workerEntry();
    const w = new Worker(entry.script, { eval: entry.eval, execArgv: [], name: 'wireplay-routes' });
    this.worker = w;
    this.ready = false;
    // `hold` keeps the process alive until the worker answers (the worker itself is unref'd);
    // `timer` bounds the thread's start until it says it is importing.
    this.loading = {
      resolve,
      timer: setTimeout(() => {
        if (w !== this.worker) return;
        const message = `the routes worker did not start within ${STARTUP_MS} ms`;
        this.finishLoad({ ok: false, error: { code: 'MODULE_TIMEOUT', file: this.options.file, message } });
        this.stop(new Error(message), true);
      }, STARTUP_MS),
      hold: setInterval(() => {}, 60_000),
    };
    w.on('message', (m: FromWorker) => {
      if (w === this.worker) this.received(m);
    });
    w.on('error', (err) => {
      if (w === this.worker) this.crashed(err);
    });
    w.on('exit', (code) => {
      if (w !== this.worker) return;
      this.crashed(new Error(`the routes worker exited with code ${code} (does the module call process.exit()?)`));
    });
    // The worker alone never keeps the process alive (after the listeners: adding one refs it again).
    // What waits on it holds a timer: the load, a request's time limit, the watchdog.
    w.unref();
    w.postMessage({ t: 'load', url: this.fileHref } satisfies ToWorker);
  }

  private finishLoad(outcome: LoadOutcome): void {
    const loading = this.loading;
    if (!loading) return;
    this.loading = undefined;
    clearTimeout(loading.timer);
    clearInterval(loading.hold);
    loading.resolve(outcome);
  }

  private received(m: FromWorker): void {
    switch (m.t) {
      case 'batch': {
        // Stop at a message that ended this worker: the rest belong to it.
        const w = this.worker;
        for (const one of m.messages) if (this.worker === w) this.received(one);
        return;
      }
      case 'importing': {
        const w = this.worker!;
        if (!this.loading) return;
        clearTimeout(this.loading.timer);
        this.loading.timer = setTimeout(() => void this.loadTimedOut(w), this.options.loadTimeoutMs);
        return;
      }
      case 'loaded':
        this.ready = true;
        this.keys = (m.exports ?? []).map((e) => e.key);
        this.finishLoad({ ok: true, exports: m.exports });
        for (const q of this.queue.splice(0)) this.post(q.message, q.transfer, q.code);
        return;
      case 'load-failed': {
        const w = this.worker;
        void moduleLoadError(this.options.file, this.fileHref, m.error).then((error) => {
          if (w !== this.worker) return;
          this.finishLoad({ ok: false, error });
          this.stop(new Error(error.message), false);
        });
        return;
      }
      case 'pong':
        this.pings.get(m.n)?.();
        return;
      case 'ack':
        this.acknowledged();
        return;
      case 'done':
      case 'fail':
        // The relay settles first: the ack may let the watchdog go, the call must be over by then.
        this.http.handle(m);
        if (m.ack) this.acknowledged();
        return;
      default:
        if (!this.http.handle(m)) this.ws.handle(m);
    }
  }

  private async loadTimedOut(w: Worker): Promise<void> {
    if (w !== this.worker || !this.loading) return;
    const ms = this.options.loadTimeoutMs;
    const idle = await this.probe(w);
    if (w !== this.worker || !this.loading) return;
    const place = idle ? this.options.text.firstTopLevelAwait() : await locateStuckWorker(w, this.fileHref);
    const message = idle
      ? `the module did not finish loading within ${ms} ms: a top-level await that never settles?${place.line !== undefined ? ' (the first one is here)' : ''}`
      : `the module did not finish loading within ${ms} ms: its code keeps running at import (an endless loop?)`;
    this.finishLoad({ ok: false, error: { code: 'MODULE_TIMEOUT', file: this.options.file, message, ...place } });
    this.stop(new Error(message), true);
  }

  /** True when the worker's event loop answers a ping within PROBE_MS. */
  private probe(w: Worker): Promise<boolean> {
    return new Promise((resolve) => {
      const n = ++this.pingCount;
      const timer = setTimeout(() => {
        this.pings.delete(n);
        resolve(false);
      }, PROBE_MS);
      this.pings.set(n, () => {
        clearTimeout(timer);
        this.pings.delete(n);
        resolve(true);
      });
      w.postMessage({ t: 'ping', n } satisfies ToWorker);
    });
  }

  /** An uncaught exception, an unhandled rejection, or the worker exiting on its own. */
  private crashed(err: Error): void {
    const place = stackPlace(err.stack, this.fileHref);
    const message = `${err.name}: ${err.message}`;
    if (this.loading) {
      this.finishLoad({ ok: false, error: { code: 'MODULE_FAILED', file: this.options.file, message, ...place } });
    } else {
      this.report('WORKER_FAILED', `${message} (uncaught in the routes worker; requests in progress answered 500, the worker restarts with the next request)`, place);
    }
    this.stop(new Error(`the routes worker stopped: ${message}`), false);
  }

  private async stuck(w: Worker): Promise<void> {
    const place = await locateStuckWorker(w, this.fileHref);
    if (w !== this.worker) return;
    // The route whose code is spinning: the one the located line belongs to, else the oldest
    // message not acknowledged (the thread may be blocked in a timer of another route).
    const located = place.line !== undefined ? this.options.text.keyAround(place.line, this.keys) : undefined;
    const key = located ?? this.unacked[0]?.key;
    const what = key ? `"${key}"` : 'the module';
    this.report(
      'HANDLER_TIMEOUT',
      `${what} blocked the routes worker for more than ${this.options.handlerTimeoutMs} ms (an endless loop?); requests in progress answered 503, the worker restarts with the next request`,
      place.line !== undefined ? place : key ? this.options.text.key(key) : {},
    );
    // Blocked elsewhere than in the oldest message's code: that message has not started either.
    const oldestStarted = located === undefined || located === this.unacked[0]?.key;
    this.stop(new Error(`the routes worker was blocked for more than ${this.options.handlerTimeoutMs} ms`), true, oldestStarted);
  }

  /**
   * Ends the current worker and everything in progress on it. Requests the worker had not
   * started yet (queued, or posted behind the one it was running) are sent again to the
   * next worker, unless this one never loaded (its successor would not either).
   */
  private stop(error: Error, timedOut: boolean, oldestStarted = true): void {
    const w = this.worker;
    const wasReady = this.ready;
    const notStarted = [...this.unacked.slice(oldestStarted ? 1 : 0), ...this.queue.map((q) => q.code)].flatMap((c) => (c?.request !== undefined ? [c.request] : []));
    this.worker = undefined;
    this.ready = false;
    this.queue = [];
    this.outbox = [];
    this.outboxTransfer = [];
    this.unacked = [];
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    if (this.loading) this.finishLoad({ ok: false, error: { code: 'MODULE_FAILED', file: this.options.file, message: error.message } });
    if (w) void w.terminate();
    const again = wasReady && !this.disposed ? new Set(notStarted) : new Set<number>();
    this.http.failAll(error, timedOut, again);
    this.ws.closeAll();
    for (const id of again) this.http.resend(id);
  }

  private maybeStop(): void {
    if (this.retired && this.http.size === 0 && this.ws.size === 0) this.dispose();
  }

  // ---- messages

  private send(message: ToWorker, transfer: ArrayBuffer[], code: UserCode | undefined): void {
    if (this.disposed) return;
    if (this.ready) return this.post(message, transfer, code);
    this.queue.push({ message, transfer, code });
    // A stopped worker starts again for the next request. When that load fails, stop() has
    // already failed what was waiting for it; the failure is reported here.
    if (!this.worker) {
      this.spawn((outcome) => {
        if (!outcome.ok) this.report(outcome.error.code, `${outcome.error.message} (while restarting the routes worker)`, outcome.error);
      });
    }
  }

  /**
   * Posts at the end of this turn, with whatever else this turn sends: the requests of many
   * connections that arrive together cost the worker one wake-up.
   */
  private post(message: ToWorker, transfer: ArrayBuffer[], code: UserCode | undefined): void {
    const w = this.worker!;
    this.outbox.push(message);
    this.outboxTransfer.push(...transfer);
    if (this.outbox.length === 1) {
      setImmediate(() => {
        const messages = this.outbox;
        const transfers = this.outboxTransfer;
        this.outbox = [];
        this.outboxTransfer = [];
        if (w !== this.worker || messages.length === 0) return;
        w.postMessage(messages.length === 1 ? messages[0] : ({ t: 'batch', messages } satisfies ToWorker), transfers);
      });
    }
    if (!code) return;
    this.unacked.push(code);
    this.watchdog ??= setTimeout(() => void this.stuck(w), this.options.handlerTimeoutMs);
    // A request's time limit runs from here: waiting for a worker to start is not the handler's time.
    if (code.request !== undefined) this.http.posted(code.request);
  }

  private acknowledged(): void {
    const done = this.unacked.shift();
    if (done?.request !== undefined) this.http.started(done.request);
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    // Progress: the next unacknowledged message gets a full time limit.
    const w = this.worker;
    if (this.unacked.length > 0 && w) this.watchdog = setTimeout(() => void this.stuck(w), this.options.handlerTimeoutMs);
  }

  private report(code: UserRouteError['code'], message: string, place: { line?: number; column?: number }): void {
    this.options.report({ code, file: this.options.file, message, line: place.line, column: place.column });
  }
}
