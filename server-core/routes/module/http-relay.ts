// On the server's thread: an HTTP request for a `.mjs` route, relayed to the routes
// worker and answered from its messages. The router sees an ordinary handler whose
// promise settles when the worker's handler does (and rejects with its error, so a
// throw still answers 500 through the router).
//
// Each request has a time limit to start its response (handlerTimeoutMs). Past it
// the client gets 503 and the worker is told to drop the request; the handler's
// later messages are ignored.
import type { Handler, ServerRequest, ServerResponse } from '../../http/handler-types.js';
import { sendText } from '../../router/router.js';
import { asBuffer, ownBytes, restoreError, snapshotError, type FromWorker, type HeadSnapshot, type RequestSnapshot, type ToWorker } from './protocol.js';

/** How the relays reach the worker (module-host.ts). */
export interface Channel {
  /** The module was unloaded: nothing more can run on it. */
  closed(): boolean;
  /**
   * Posts (or queues until the worker is ready). `code`: the message runs user code (of that
   * route, for that request): the worker acknowledges it once that code returns.
   */
  send(message: ToWorker, transfer: ArrayBuffer[], code?: { key: string; request?: number }): void;
  /** A call or session ended: a retired module may now stop. */
  released(): void;
}

export function snapshotRequest(req: ServerRequest): RequestSnapshot {
  const head = req.head;
  const headers: string[] = [];
  for (const h of head.headers) headers.push(h.name, h.value);
  return {
    connectionId: req.connectionId,
    index: req.index,
    method: req.method,
    target: req.target,
    targetForm: head.targetForm,
    version: [head.versionMajor, head.versionMinor],
    headers,
    contentLength: head.contentLength,
    chunked: head.chunked,
    keepAlive: head.keepAlive,
    upgrade: head.upgrade,
    expectContinue: head.expectContinue,
    path: req.path,
    params: req.params,
    remote: { address: req.remote.address, port: req.remote.port },
    rawHead: req.rawHead.toString('latin1'),
    aborted: req.isAborted ?? req.signal.aborted,
  };
}

interface Call {
  id: number;
  key: string;
  req: ServerRequest;
  res: ServerResponse;
  settled: boolean;
  /** The worker ran the handler's synchronous part (it is not what blocks the worker). */
  started: boolean;
  resolve(): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  body?: AsyncIterator<Buffer>;
  onAbort?: () => void;
  /** Bytes the socket took that the worker has not been told about yet. */
  unacked: number;
}

export interface HttpRelayOptions {
  timeoutMs: number;
  /** A handler did not start its response in time (it was answered 503). */
  onTimeout(key: string): void;
  /** A failure after the handler settled (nobody awaits it any more). */
  onLateError(key: string, error: unknown): void;
}

export class HttpRelay {
  private readonly calls = new Map<number, Call>();
  private nextId = 0;

  constructor(
    private readonly channel: Channel,
    private readonly options: HttpRelayOptions,
  ) {}

  get size(): number {
    return this.calls.size;
  }

  handler(key: string): Handler {
    return (req, res) => this.start(key, req, res);
  }

  private start(key: string, req: ServerRequest, res: ServerResponse): Promise<void> {
    if (this.channel.closed()) return Promise.reject(new Error(`the routes of this module were unloaded before ${key} could run`));
    return new Promise<void>((resolve, reject) => {
      const id = ++this.nextId;
      const call: Call = { id, key, req, res, settled: false, started: false, resolve, reject, timer: undefined, unacked: 0 };
      call.onAbort = () => this.channel.send({ t: 'abort', id }, []);
      req.signal.addEventListener('abort', call.onAbort, { once: true });
      this.calls.set(id, call);
      this.post(call);
    });
  }

  private post(call: Call): void {
    this.channel.send({ t: 'request', id: call.id, key: call.key, req: snapshotRequest(call.req) }, [], { key: call.key, request: call.id });
  }

  /** The request reached the worker: its time limit starts. */
  posted(id: number): void {
    const call = this.calls.get(id);
    if (!call || call.res.headersSent) return;
    clearTimeout(call.timer);
    call.started = false;
    call.timer = setTimeout(() => this.timedOut(call), this.options.timeoutMs);
  }

  /** The worker came back from the handler's synchronous part. */
  started(id: number): void {
    const call = this.calls.get(id);
    if (call) call.started = true;
  }

  /** Sends a request again (to the next worker: the one it was posted to stopped before running it). */
  resend(id: number): void {
    const call = this.calls.get(id);
    if (call) this.post(call);
  }

  /** A message about a request; false when it is not one. */
  handle(m: FromWorker): boolean {
    if (!('id' in m)) return false;
    const call = this.calls.get(m.id);
    if (!call) return true; // timed out or dropped: its late messages go nowhere
    try {
      switch (m.t) {
        case 'head':
          this.applyHead(call, m.head);
          break;
        case 'write':
          this.applyHead(call, m.head);
          if (call.res.write(asBuffer(m.chunk))) this.written(call, m.chunk.byteLength);
          else void call.res.drain().then(() => this.written(call, m.chunk.byteLength));
          break;
        case 'end':
          this.applyHead(call, m.head);
          call.res.end(m.chunk ? asBuffer(m.chunk) : undefined);
          break;
        case 'read':
          void this.pull(call);
          break;
        case 'done':
          this.settle(call);
          break;
        case 'fail':
          // The router answers (500, or ends what was sent); the worker may forget the request.
          this.settle(call, restoreError(m.error));
          this.channel.send({ t: 'abort', id: call.id }, []);
          this.forget(call);
          break;
      }
    } catch (error) {
      // The server's response refused what the handler did (a Content-Length it overran, …).
      this.settle(call, error);
      this.channel.send({ t: 'abort', id: call.id }, []);
    }
    this.forgetIfOver(call);
    return true;
  }

  /**
   * The worker is gone: every request in progress is answered (503 after a time limit, else an
   * error for the router), except those in `keep`, which go to the next worker.
   */
  failAll(error: Error, timedOut: boolean, keep: ReadonlySet<number> = new Set()): void {
    for (const call of [...this.calls.values()]) {
      if (keep.has(call.id)) {
        clearTimeout(call.timer);
        continue;
      }
      if (call.res.finished) this.settle(call); // answered: only the handler's "done" had not come back
      else if (timedOut && !call.res.headersSent) this.answer503(call);
      else this.settle(call, error, true);
      this.forget(call);
    }
  }

  /**
   * Tells the worker the socket took `bytes` (so its write() may return true again). The
   * writes of one turn of the event loop are acknowledged together.
   */
  private written(call: Call, bytes: number): void {
    const first = call.unacked === 0;
    call.unacked += bytes;
    if (!first) return;
    setImmediate(() => {
      const n = call.unacked;
      call.unacked = 0;
      if (this.calls.has(call.id)) this.channel.send({ t: 'written', id: call.id, bytes: n }, []);
    });
  }

  private applyHead(call: Call, head: HeadSnapshot | undefined): void {
    if (!head) return;
    clearTimeout(call.timer);
    const res = call.res;
    res.statusMessage = head.statusMessage;
    for (const [name, value] of head.headers) res.setHeader(name, value);
    if (head.explicit) res.writeHead(head.status);
    else res.statusCode = head.status;
  }

  private async pull(call: Call): Promise<void> {
    call.body ??= call.req[Symbol.asyncIterator]();
    let message: ToWorker;
    let transfer: ArrayBuffer[] = [];
    try {
      const r = await call.body.next();
      if (r.done) message = { t: 'body', id: call.id, done: true };
      else {
        const chunk = ownBytes(r.value);
        message = { t: 'body', id: call.id, chunk };
        transfer = [chunk.buffer as ArrayBuffer];
      }
    } catch (error) {
      message = { t: 'body', id: call.id, error: snapshotError(error) };
    }
    if (this.calls.has(call.id)) this.channel.send(message, transfer);
  }

  private timedOut(call: Call): void {
    if (call.res.headersSent || !this.calls.has(call.id)) return;
    // Still inside its synchronous part: the worker is blocked, and its watchdog answers (and restarts it).
    if (!call.started) return;
    this.answer503(call);
    this.channel.send({ t: 'abort', id: call.id }, []);
    this.forget(call);
    this.options.onTimeout(call.key);
  }

  private answer503(call: Call): void {
    try {
      sendText(call.res, 503, `The handler for ${call.key} did not answer within ${this.options.timeoutMs} ms.\n`, { 'Retry-After': '1' });
    } catch {
      /* the response is beyond repair; the connection closes it */
    }
    this.settle(call);
  }

  /** `reported`: the error was already reported (the worker stopped); only the response is left to settle. */
  private settle(call: Call, error?: unknown, reported = false): void {
    if (call.settled) {
      // The router no longer awaits this handler: answer as it would have.
      if (error !== undefined) {
        if (!reported) this.options.onLateError(call.key, error);
        this.answerError(call.res, error);
      }
      return;
    }
    call.settled = true;
    if (error === undefined) call.resolve();
    else call.reject(error);
  }

  /**
   * A 500 while the head is not out; otherwise the response is given up where it stands, as the
   * router does (ServerResponse.destroy: a chunked body without its last chunk, the connection closed).
   */
  private answerError(res: ServerResponse, error: unknown): void {
    try {
      if (!res.headersSent) sendText(res, 500, `Handler error: ${error instanceof Error ? error.message : String(error)}\n`);
      else if (!res.finished) giveUp(res, error);
    } catch {
      giveUp(res, error); // beyond repair: the connection answers in its place
    }
  }

  private forgetIfOver(call: Call): void {
    if (call.settled && (call.res.finished || (call.req.isAborted ?? call.req.signal.aborted))) this.forget(call);
  }

  private forget(call: Call): void {
    if (!this.calls.delete(call.id)) return;
    clearTimeout(call.timer);
    if (call.onAbort) call.req.signal.removeEventListener('abort', call.onAbort);
    this.channel.released();
  }
}

/** Cuts a response where it stands; a stand-in response without destroy() can only be ended. */
function giveUp(res: ServerResponse, error: unknown): void {
  try {
    if (res.destroy) res.destroy(error);
    else if (!res.finished) res.end();
  } catch {
    /* nothing more can be done with it */
  }
}
