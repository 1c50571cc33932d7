// The steps of a WebSocket block, over any open connection: a message is sent,
// `=== wait-for-server` waits for one more message from the server. Used by the
// script runner (a fresh connection, closed after the script: the CLI) and the
// live runner (a playground session that stays open: the editor). Every message
// both ways is recorded in the transcript as it happens.
import { performance } from 'node:perf_hooks';
import type { Disposable } from '../util/disposable.js';
import type { WebSocketScript } from './ws-script.js';
import type { WebSocketTranscriptEntry } from './run-http-file.js';

/** What the steps need from a connection. */
export interface ScriptChannel {
  send(data: Buffer, binary: boolean): Promise<void>;
  onMessage(listener: (message: { binary: boolean; data: Buffer }) => void): Disposable;
  onClose(listener: () => void): Disposable;
  /** Closed already (before the driver subscribed). */
  readonly isClosed: boolean;
}

/** Why the steps (or the listening after them) stopped. */
export type StepsEnd = 'script' | 'server-closed' | 'timeout' | 'aborted';

type Wake = 'message' | 'closed' | 'timeout' | 'aborted' | 'stopped';

export interface ScriptDriverOptions {
  /** Limit for each wait-for-server (and for listen()). */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called for each message as it is sent or received. */
  onEntry?(entry: WebSocketTranscriptEntry): void;
}

export class ScriptDriver implements Disposable {
  readonly transcript: WebSocketTranscriptEntry[] = [];
  private readonly t0 = performance.now();
  private received = 0;
  private closed: boolean;
  private stopped = false;
  private wake: ((why: Wake) => void) | undefined;
  private readonly subscriptions: Disposable[];

  /** Subscribe before the first message can arrive: right after the connection opened, in the same turn. */
  constructor(
    private readonly channel: ScriptChannel,
    private readonly options: ScriptDriverOptions,
  ) {
    this.closed = channel.isClosed;
    this.subscriptions = [
      channel.onMessage((m) => {
        this.received++;
        this.record({ dir: 'received', t: performance.now() - this.t0, binary: m.binary, data: m.data });
        this.wake?.('message');
      }),
      channel.onClose(() => {
        this.closed = true;
        this.wake?.('closed');
      }),
    ];
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs the steps in order; stops early when the server closes, a wait times out or the run is aborted. */
  async run(steps: WebSocketScript['steps']): Promise<StepsEnd> {
    let consumed = 0;
    for (const step of steps) {
      if (this.stopped) return 'script';
      if (this.closed) return 'server-closed';
      if (this.options.signal?.aborted) return 'aborted';
      if (step.kind === 'send') {
        this.record({ dir: 'sent', t: performance.now() - this.t0, binary: step.binary, data: step.data });
        await this.channel.send(step.data, step.binary);
        continue;
      }
      const target = consumed + 1;
      const why = await this.waitUntil(() => this.received >= target);
      if (why !== 'message') return why === 'closed' ? 'server-closed' : why === 'stopped' ? 'script' : why;
      consumed = target;
    }
    return 'script';
  }

  /** Listens (recording what arrives) until the server closes, the time runs out or the run is aborted. */
  async listen(): Promise<StepsEnd> {
    const why = await this.waitUntil(() => false);
    return why === 'closed' ? 'server-closed' : why === 'aborted' ? 'aborted' : why === 'stopped' ? 'script' : 'timeout';
  }

  /**
   * Sends a message that is not a step — a response handler's output() — and records it. A message
   * the connection can no longer take (it closed meanwhile) is dropped.
   */
  async answer(text: string): Promise<void> {
    if (this.closed) return;
    const data = Buffer.from(text, 'utf8');
    this.record({ dir: 'sent', t: performance.now() - this.t0, binary: false, data });
    await this.channel.send(data, false).catch(() => undefined);
  }

  /** Ends the steps and the listening early: every response handler has unsubscribed from the messages. */
  stop(): void {
    this.stopped = true;
    this.wake?.('stopped');
  }

  dispose(): void {
    this.wake?.('aborted');
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }

  private record(entry: WebSocketTranscriptEntry): void {
    this.transcript.push(entry);
    this.options.onEntry?.(entry);
  }

  /** Resolves when `ready()` holds, the connection closes, the time runs out or the run is aborted. */
  private waitUntil(ready: () => boolean): Promise<Wake> {
    if (ready()) return Promise.resolve('message');
    if (this.stopped) return Promise.resolve('stopped');
    if (this.closed) return Promise.resolve('closed');
    const signal = this.options.signal;
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise<Wake>((resolve) => {
      const finish = (why: Wake) => {
        if (why === 'message' && !ready()) return;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.wake = undefined;
        resolve(why);
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), this.options.timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.wake = finish;
    });
  }
}
