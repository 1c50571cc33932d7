// An event-stream session the way EventSource runs one, on Wireplay's own
// sender: connect, read events as they arrive, and after a drop wait the
// reconnection time and connect again with Last-Event-ID — each time on a new
// connection, recorded in the capture with `previousConnectionId` naming the
// one it follows (capture/types.ts). The rules (when to reconnect, with which
// id, when to give up) are sse/reconnect-policy.ts; this module owns the
// sockets: sendRequest with onRecord (body-stream.ts) and a stop signal.
//
//   const sse = new SseClient({ spec: createRequestSpec({ url }), capture });
//   sse.on((e) => { if (e.type === 'event') show(e.event); });   // or: for await (const e of sse.events())
//   const end = await sse.start();   // resolves when the session is over: closed, refused, given up
//   sse.close();                      // the user's disconnect, from anywhere
//
// What it reports (SseClientEvent): `state` changes (connecting, open,
// waiting with the delay, closed with why), each `event`, `comment`, `retry`
// and `id` record with its connection, and each connection's `exchange` as
// the sender returns it (for the response view: head, bytes, timings).
import { performance } from 'node:perf_hooks';
import type { CaptureEvents } from '../capture/types.js';
import type { Emitter } from '../util/emitter.js';
import type { Disposable } from '../util/disposable.js';
import { ReconnectPolicy, type DropCause, type ReconnectPolicyOptions, type StopReason } from '../sse/reconnect-policy.js';
import type { SseEvent } from '../sse/types.js';
import { AsyncQueue } from './async-queue.js';
import { REDIRECT_STATUSES, findHeader, sendRequest, type HttpSendResult, type StreamRecord } from './http-sender.js';
import type { RequestSpec, SpecHeader } from './request-spec.js';
import { SendError } from './transport.js';

export type SseClientState = 'connecting' | 'open' | 'waiting' | 'closed';

export interface SseClientOptions extends Pick<ReconnectPolicyOptions, 'autoReconnect' | 'reconnectionTime' | 'maxAttempts' | 'backoff' | 'now'> {
  /** The request: usually a GET. Its headers go out as written; EventSource's own are added when absent. */
  spec: RequestSpec;
  capture?: Emitter<CaptureEvents>;
  /** The Last-Event-ID to start with (typed by the user); a `Last-Event-ID` header in the spec is read too. */
  lastEventId?: string;
  /** Body bytes each connection's exchange keeps in its preview. Default 64 KiB. */
  previewBytes?: number;
}

interface ConnectionRef {
  /** 1-based attempt number in the session. */
  connection: number;
  /** The capture's id, once the TCP connection is open. */
  connectionId?: string;
}

export type SseClientEvent =
  | (ConnectionRef & {
      type: 'state';
      state: SseClientState;
      /** 'connecting' and 'open': the session's last connection that opened, which this attempt follows. */
      previousConnectionId?: string;
      /** What a reconnect sends as Last-Event-ID ('' for none). */
      lastEventId: string;
      /** 'open': the response's status. */
      status?: number;
      /** 'waiting': milliseconds until the next attempt, and performance.now() when it starts. */
      delay?: number;
      at?: number;
      /** 'waiting' and 'closed': why the connection (or the session) ended. */
      reason?: string;
      /** 'closed': what stopped the session. */
      stop?: StopReason;
      /** A failure's code (SSE_BAD_STATUS, CONNECTION_REFUSED, …). */
      code?: string;
    })
  | (ConnectionRef & { type: 'event'; event: SseEvent; t: number })
  | (ConnectionRef & { type: 'comment'; text: string; t: number })
  | (ConnectionRef & { type: 'retry'; ms: number; t: number })
  | (ConnectionRef & { type: 'id'; lastEventId: string; t: number })
  /** A connection's exchange ended (the body ended, or it was stopped): the sender's result. */
  | (ConnectionRef & { type: 'exchange'; result: HttpSendResult });

export interface SseSessionEnd {
  stop: StopReason;
  message: string;
  connections: number;
  events: number;
  lastEventId: string;
}

type Listener = (e: SseClientEvent) => void;

export class SseClient {
  private readonly policy: ReconnectPolicy;
  private readonly listeners = new Set<Listener>();
  private readonly closing = new AbortController();
  private current: AbortController | undefined;
  private started: Promise<SseSessionEnd> | undefined;
  private stateValue: SseClientState = 'connecting';
  private eventCount = 0;
  private lastOpened: string | undefined;
  private readonly ids: string[] = [];

  constructor(private readonly options: SseClientOptions) {
    const typed = options.spec.headers.find((h) => h.enabled && h.name.toLowerCase() === 'last-event-id')?.value;
    this.policy = new ReconnectPolicy({
      lastEventId: options.lastEventId ?? typed ?? '',
      ...(options.autoReconnect !== undefined ? { autoReconnect: options.autoReconnect } : {}),
      ...(options.reconnectionTime !== undefined ? { reconnectionTime: options.reconnectionTime } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  get state(): SseClientState {
    return this.stateValue;
  }

  get lastEventId(): string {
    return this.policy.lastEventId;
  }

  /** Capture ids of the session's connections, oldest first. */
  get connectionIds(): readonly string[] {
    return this.ids;
  }

  on(listener: Listener): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Everything the session reports, from now until it closes, for `for await`; leaving the loop closes the session. */
  events(): AsyncIterable<SseClientEvent> {
    const queue = new AsyncQueue<SseClientEvent>(() => this.close());
    const sub = this.on((e) => {
      queue.push(e);
      if (e.type === 'state' && e.state === 'closed') {
        sub.dispose();
        queue.end();
      }
    });
    return queue;
  }

  /** Runs the session; resolves when it is over. Calling it again returns the same promise. */
  start(): Promise<SseSessionEnd> {
    this.started ??= this.run();
    return this.started;
  }

  /** The user's disconnect: the connection in progress is stopped, no reconnect follows. */
  close(message = 'closed by the client'): void {
    this.policy.close(message);
    this.closing.abort();
    this.current?.abort();
  }

  private emit(e: SseClientEvent): void {
    if (e.type === 'state') this.stateValue = e.state;
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  private async run(): Promise<SseSessionEnd> {
    let end: { stop: StopReason; message: string; code?: string } | undefined;
    while (!end) {
      if (this.policy.state === 'closed') {
        end = { stop: 'closed', message: 'closed by the client' };
        break;
      }
      const attempt = this.policy.connecting();
      const ref: ConnectionRef = { connection: attempt.connection };
      this.emit({ type: 'state', state: 'connecting', ...ref, ...(this.lastOpened ? { previousConnectionId: this.lastOpened } : {}), lastEventId: attempt.lastEventId });
      const outcome = await this.connect(ref, attempt.headers, attempt.lastEventId);
      if (ref.connectionId) this.lastOpened = ref.connectionId;
      if (outcome.refused) {
        end = { stop: 'failed', message: outcome.refused.message, code: outcome.refused.code };
        break;
      }
      const decision = this.policy.dropped(outcome.cause);
      if (decision.action === 'stop') {
        end = { stop: decision.reason, message: decision.reason === 'closed' ? decision.message : `${outcome.reason}; ${decision.message}`, ...(outcome.code ? { code: outcome.code } : {}) };
        break;
      }
      const at = performance.now() + decision.delay;
      this.emit({ type: 'state', state: 'waiting', ...ref, lastEventId: decision.lastEventId, delay: decision.delay, at, reason: outcome.reason, ...(outcome.code ? { code: outcome.code } : {}) });
      if (!(await this.policy.wait(decision, this.closing.signal))) end = { stop: 'closed', message: 'closed by the client' };
    }
    this.policy.close(end.message, end.stop);
    this.emit({
      type: 'state',
      state: 'closed',
      connection: this.policy.connection,
      ...(this.lastOpened ? { connectionId: this.lastOpened } : {}),
      lastEventId: this.policy.lastEventId,
      reason: end.message,
      stop: end.stop,
      ...(end.code ? { code: end.code } : {}),
    });
    return { stop: end.stop, message: end.message, connections: this.policy.connection, events: this.eventCount, lastEventId: this.policy.lastEventId };
  }

  /** One connection: until its body ends, it breaks, it is refused, or the session is closed. */
  private async connect(
    ref: ConnectionRef,
    policyHeaders: Record<string, string>,
    lastEventId: string,
  ): Promise<{ cause: DropCause; reason: string; code?: string; refused?: { code: string; message: string } }> {
    const stop = new AbortController();
    this.current = stop;
    if (this.closing.signal.aborted) stop.abort();
    const spec = this.options.spec;
    let refused: { code: string; message: string } | undefined;
    let open = false;
    try {
      const result = await sendRequest(
        { ...spec, headers: withEventSourceHeaders(spec.headers, policyHeaders), options: { ...spec.options, keepAlive: false } },
        {
          ...(this.options.capture ? { capture: this.options.capture } : {}),
          ...(this.lastOpened ? { previousConnectionId: this.lastOpened } : {}),
          previewBytes: this.options.previewBytes ?? 64 * 1024,
          lastEventId,
          stop: stop.signal,
          onConnection: (c) => {
            ref.connectionId = c.connectionId;
            this.ids.push(c.connectionId);
          },
          onHead: (head) => {
            const status = head.statusCode;
            if (status < 200 || open || refused) return;
            const lines = head.headers.map((h) => ({ name: h.name, value: h.value }));
            if (spec.options.followRedirects && REDIRECT_STATUSES.has(status) && findHeader(lines, 'location') !== undefined) return;
            const verdict = this.policy.responded({ status, contentType: findHeader(lines, 'content-type') });
            if (!verdict.ok) {
              refused = { code: verdict.code, message: verdict.message };
              stop.abort();
              return;
            }
            open = true;
            this.emit({ type: 'state', state: 'open', ...ref, ...(this.lastOpened ? { previousConnectionId: this.lastOpened } : {}), lastEventId: this.policy.lastEventId, status });
          },
          onRecord: (r) => this.record(ref, r),
        },
      );
      this.emit({ type: 'exchange', ...ref, result });
      if (refused) return { cause: 'end-of-body', reason: refused.message, refused };
      if (result.response.stopped) return { cause: 'end-of-body', reason: 'closed by the client' };
      return { cause: 'end-of-body', reason: 'the server ended the stream' };
    } catch (err) {
      if (refused) return { cause: 'end-of-body', reason: refused.message, refused };
      const code = err instanceof SendError ? err.code : undefined;
      return { cause: 'network-error', reason: (err as Error).message, ...(code ? { code } : {}) };
    } finally {
      if (this.current === stop) this.current = undefined;
    }
  }

  private record(ref: ConnectionRef, r: StreamRecord): void {
    const base = { connection: ref.connection, ...(ref.connectionId ? { connectionId: ref.connectionId } : {}) };
    switch (r.kind) {
      case 'event':
        this.policy.dispatched(r.event);
        this.eventCount++;
        this.emit({ type: 'event', ...base, event: r.event, t: r.t });
        return;
      case 'id':
        this.policy.dispatched({ lastEventId: r.lastEventId });
        this.emit({ type: 'id', ...base, lastEventId: r.lastEventId, t: r.t });
        return;
      case 'retry':
        this.policy.retry(r.ms);
        this.emit({ type: 'retry', ...base, ms: r.ms, t: r.t });
        return;
      case 'comment':
        this.emit({ type: 'comment', ...base, text: r.text, t: r.t });
        return;
      case 'line':
        return; // not an event stream: the policy refused it at its head
    }
  }
}

/**
 * The request's headers with EventSource's own added: Accept and Cache-Control when the user did not
 * write them, and Last-Event-ID as the policy says (it replaces a typed one, which it started from).
 */
export function withEventSourceHeaders(headers: readonly SpecHeader[], policy: Record<string, string>): SpecHeader[] {
  const out = headers.filter((h) => h.name.toLowerCase() !== 'last-event-id');
  for (const [name, value] of Object.entries(policy)) {
    if (name === 'Last-Event-ID' || !out.some((h) => h.enabled && h.name.toLowerCase() === name.toLowerCase())) out.push({ name, value, enabled: true });
  }
  return out;
}
