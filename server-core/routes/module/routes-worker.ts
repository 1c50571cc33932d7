// The routes worker: a thread of its own that imports one wireplay.routes.mjs and
// runs its handlers, so user code never runs on the server's event loop. An
// infinite loop blocks this thread only; an uncaught exception ends it; the server
// notices either (module-host.ts), answers the affected requests, and starts a
// fresh worker for the next one. Built as its own bundle (dist/routes-worker.js).
//
// It only translates: messages in (protocol.ts) become calls on the module's
// exports with the request, response and peer objects of worker-http.ts and
// worker-ws.ts; what those objects do goes back as messages.
import { parentPort } from 'node:worker_threads';
import type { Handler } from '../../http/handler-types.js';
import { asBuffer, restoreError, snapshotError, type ExportDescription, type FromWorker, type ToWorker } from './protocol.js';
import { sseHandler } from '../../sse/sse-route.js';
import type { SseStream } from '../../sse/sse-stream.js';
import { isPlainObject, parseRouteKey, SSE_CALLBACKS, WS_CALLBACKS } from './route-keys.js';
import { WorkerRequest, WorkerResponse, type Post } from './worker-http.js';
import { runCallback, WorkerPeer } from './worker-ws.js';

const port = parentPort!;

// Everything a turn of this thread produces (response heads and bodies, WebSocket sends, a
// handler settling, acks, body reads) waits in the outbox and goes to the server as one batch at
// the end of the turn: a handler that answers at once costs one message back, a loop of writes
// one message, not one per write. Only the loading protocol goes at once. (The price: what a
// handler writes in the very turn it then blocks the thread never goes out.)
const IMMEDIATE = new Set<FromWorker['t']>(['importing', 'loaded', 'load-failed', 'pong']);
let outbox: FromWorker[] = [];
let outboxTransfer: ArrayBuffer[] = [];
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  if (outbox.length === 0) return;
  const messages = outbox;
  const transfer = outboxTransfer;
  outbox = [];
  outboxTransfer = [];
  port.postMessage(messages.length === 1 ? messages[0] : ({ t: 'batch', messages } satisfies FromWorker), transfer);
}

const post: Post = (message: FromWorker, transfer: ArrayBuffer[] = []) => {
  if (!IMMEDIATE.has(message.t)) {
    outbox.push(message);
    outboxTransfer.push(...transfer);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
    return;
  }
  flush();
  port.postMessage(message, transfer);
};

let exported: Record<string, unknown> = {};
/** The handler of each `SSE /path` export, made once per load. */
let eventStreams = new Map<string, Handler>();
const requests = new Map<number, { req: WorkerRequest; res: WorkerResponse }>();
const sessions = new Map<number, { peer: WorkerPeer; handler: Record<string, (...args: unknown[]) => unknown> }>();

port.on('message', received);

function received(m: ToWorker): void {
  switch (m.t) {
    case 'batch':
      for (const one of m.messages) received(one);
      return;
    case 'load':
      void load(m.url);
      return;
    case 'ping':
      post({ t: 'pong', n: m.n });
      return;
    case 'request':
      // A handler that returns at once says so in its "done" or "fail" (one message fewer).
      if (!serve(m.id, m.key, new WorkerRequest(m.id, m.req, post))) post({ t: 'ack' });
      return;
    case 'body':
      requests.get(m.id)?.req.received(m);
      return;
    case 'written':
      requests.get(m.id)?.res.written(m.bytes);
      return;
    case 'abort': {
      const r = requests.get(m.id);
      requests.delete(m.id);
      r?.req.abort();
      r?.res.abandon();
      return;
    }
    case 'ws-buffered': {
      const s = sessions.get(m.sid);
      if (s) s.peer.bufferedAmount = m.amount;
      return;
    }
    default:
      webSocketEvent(m);
      post({ t: 'ack' });
  }
}

async function load(url: string): Promise<void> {
  let mod: Record<string, unknown>;
  post({ t: 'importing' });
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    post({ t: 'load-failed', error: snapshotError(err) });
    return;
  }
  if (!isPlainObject(mod.default)) {
    post({ t: 'loaded', exports: null });
    return;
  }
  exported = mod.default;
  eventStreams = new Map();
  post({ t: 'loaded', exports: Object.entries(exported).map(([key, value]) => describe(key, value)) });
}

function describe(key: string, value: unknown): ExportDescription {
  if (parseRouteKey(key)?.method === 'SSE') {
    if (!isPlainObject(value)) return { key, type: 'other', what: typeof value };
    let problem: string | undefined;
    for (const name of Object.keys(value)) {
      if (!(SSE_CALLBACKS as readonly string[]).includes(name)) problem ??= `unknown event-stream callback "${name}" (allowed: ${SSE_CALLBACKS.join(', ')})`;
      else if (typeof value[name] !== 'function') problem ??= `${name} must be a function`;
    }
    if (typeof value.onOpen !== 'function') problem ??= 'an SSE entry needs onOpen(stream, req)';
    return { key, type: 'sse', callbacks: Object.keys(value), problem };
  }
  if (parseRouteKey(key)?.method === 'WS') {
    if (!isPlainObject(value)) return { key, type: 'other', what: typeof value };
    const isRoute = isPlainObject(value.handler);
    const handler = (isRoute ? value.handler : value) as Record<string, unknown>;
    let problem: string | undefined;
    for (const name of Object.keys(handler)) {
      if (!(WS_CALLBACKS as readonly string[]).includes(name)) problem ??= `unknown WebSocket callback "${name}" (allowed: ${WS_CALLBACKS.join(', ')})`;
      else if (typeof handler[name] !== 'function') problem ??= `${name} must be a function`;
    }
    const copy = (v: unknown) => (v === undefined ? undefined : cloneable(v) ? v : 'not copyable');
    return { key, type: 'ws', callbacks: Object.keys(handler), protocols: isRoute ? copy(value.protocols) : undefined, origins: isRoute ? copy(value.origins) : undefined, problem };
  }
  if (typeof value === 'function') return { key, type: 'function', name: (value as { name?: string }).name || 'function' };
  if (isPlainObject(value) && cloneable(value)) return { key, type: 'data', value };
  return { key, type: 'other', what: typeof value };
}

function cloneable(v: unknown): boolean {
  try {
    structuredClone(v);
    return true;
  } catch {
    return false;
  }
}

/** Runs a handler; true when it settled synchronously (its done/fail carried the ack). */
function serve(id: number, key: string, req: WorkerRequest): boolean {
  // Forgotten once both the handler has settled and the response has ended (in either order).
  let pending = 2;
  const forget = () => {
    if (--pending === 0) requests.delete(id);
  };
  const res = new WorkerResponse(id, post, forget);
  requests.set(id, { req, res });
  const handler = handlerOf(key);
  const settled = (error: unknown, ack: boolean) => {
    post(error === undefined ? { t: 'done', id, ack } : { t: 'fail', id, error: snapshotError(error), ack });
    forget();
  };
  try {
    if (typeof handler !== 'function') throw new Error(`${key} is not a handler in this version of the module`);
    const out = handler(req, res);
    if (!(out instanceof Promise)) {
      settled(undefined, true);
      return true;
    }
    out.then(
      () => settled(undefined, false),
      (err) => settled(err, false),
    );
    return false;
  } catch (err) {
    settled(err, true);
    return true;
  }
}

/** The export under `key` as a handler: a function as it is, an `SSE /path` entry wrapped by sseHandler. */
function handlerOf(key: string): Handler | undefined {
  const value = exported[key];
  if (typeof value === 'function') return value as Handler;
  if (!isPlainObject(value) || parseRouteKey(key)?.method !== 'SSE') return undefined;
  let handler = eventStreams.get(key);
  if (!handler) {
    const entry = value as { onOpen(stream: SseStream, req: unknown): unknown; onClose?(stream: SseStream, reason: string): unknown };
    handler = sseHandler({
      // The user's callbacks as written: onOpen(stream, req), onClose(stream, reason).
      onOpen: (stream, req) => entry.onOpen(stream, req) as void | Promise<void>,
      onClose: (reason, stream) => void entry.onClose?.(stream, reason),
    });
    eventStreams.set(key, handler);
  }
  return handler;
}

function webSocketEvent(m: Extract<ToWorker, { sid: number }>): void {
  if (m.t === 'ws-open') {
    const value = exported[m.key] as Record<string, unknown> | undefined;
    const handler = (isPlainObject(value?.handler) ? value!.handler : (value ?? {})) as Record<string, (...args: unknown[]) => unknown>;
    const peer = new WorkerPeer(m.sid, m.peer, post);
    sessions.set(m.sid, { peer, handler });
    runCallback(m.sid, handler, 'onOpen', [peer, new WorkerRequest(-1, m.req, post)], post);
    return;
  }
  const s = sessions.get(m.sid);
  if (!s) return;
  if (m.t === 'ws-message') {
    const data = asBuffer(m.data);
    runCallback(m.sid, s.handler, 'onMessage', [s.peer, m.binary ? { binary: true, data } : { binary: false, data, text: data.toString('utf8') }], post);
  } else if (m.t === 'ws-close') {
    s.peer.readyState = 'closed';
    sessions.delete(m.sid);
    runCallback(m.sid, s.handler, 'onClose', [s.peer, m.code, m.reason], post);
  } else if (m.t === 'ws-error') {
    runCallback(m.sid, s.handler, 'onError', [s.peer, restoreError(m.error)], post);
  }
}
