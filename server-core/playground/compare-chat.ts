// "Compare the three": the same chat — a fixed script of short messages — sent
// to a running Wireplay server three ways with server-core's own clients, one
// way after the other, each on connections of its own:
//
//   polling    each message POSTed to /sse/chat; a poller GETs
//              /poll/chat?after=N every pollIntervalMs (keep-alive, as a
//              browser would) and sees it in the answer.
//   sse        one GET /sse/chat event stream (SseClient); each message POSTed
//              to /sse/chat arrives on it as a `message` event.
//   websocket  one /ws/chat session (WsSession); the room sends each message
//              back to every member, the sender included.
//
// A message is sent only once the previous one has arrived (or its time is up),
// so each latency is one message's own: from just before its send to its
// arrival at the listener. Bytes, connections, requests and header bytes come
// from each way's capture (compare-tally.ts), never from estimates. A way that
// fails (server gone, a message lost) says so in its result; the others still
// run. WebSocket frames are sent without permessage-deflate, so the payload
// bytes are the same text three ways and the difference is the framing.
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { CaptureEvents } from '../capture/types.js';
import type { Emitter } from '../util/emitter.js';
import { HttpConnectionPool, sendRequest } from '../client/http-sender.js';
import { createRequestSpec } from '../client/request-spec.js';
import { SseClient } from '../client/sse-client.js';
import { WsSession } from '../client/ws-session.js';
import { COMPARE_WAYS, type CompareChatResult, type CompareMessageResult, type CompareWay, type CompareWayResult } from '../protocol/compare-chat.js';
import { WireTally } from './compare-tally.js';

export const DEFAULT_COMPARE_SCRIPT: readonly string[] = ['hello', 'is anyone there?', 'polling asks again and again', 'SSE keeps one response open', 'WebSocket talks both ways'];

export interface CompareChatOptions {
  /** The running Wireplay server, http://host:port. */
  serverUrl: string;
  /** The messages, in order. Default DEFAULT_COMPARE_SCRIPT (5 messages). */
  script?: readonly string[];
  /** Time between two polls, ms. Default 200. */
  pollIntervalMs?: number;
  /** How long one message may take to arrive before its way gives up, ms. Default 5000. */
  messageTimeoutMs?: number;
  /** Where each way's connections are captured as well (the playground's capture), or none. */
  capture?: (way: CompareWay) => Emitter<CaptureEvents> | undefined;
  /** A way starts (for a progress line). */
  onWay?(way: CompareWay): void;
}

/** Messages sent and not yet seen by the listener, keyed by their exact text. */
class Arrivals {
  readonly results: CompareMessageResult[] = [];
  private readonly waiting = new Map<string, { result: CompareMessageResult; sentAt: number; resolve: () => void; reject: (err: Error) => void }>();

  /** Registers a message about to be sent; resolves when it arrives, rejects after `timeoutMs`. */
  expect(index: number, text: string, timeoutMs: number): Promise<void> {
    const result: CompareMessageResult = { index, text, latencyMs: null };
    this.results.push(result);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(text);
        reject(new Error(`message ${index} did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(text, {
        result,
        sentAt: performance.now(),
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
    });
  }

  /** The listener saw `text` (other traffic of the room is ignored). */
  arrived(text: string, at = performance.now()): void {
    const w = this.waiting.get(text);
    if (!w) return;
    this.waiting.delete(text);
    w.result.latencyMs = at - w.sentAt;
    w.resolve();
  }

  /** The send of `text` failed: it was never sent, so it is not counted. */
  cancel(text: string): void {
    const w = this.waiting.get(text);
    if (!w) return;
    this.waiting.delete(text);
    this.results.splice(this.results.indexOf(w.result), 1);
    w.reject(new Error('not sent'));
  }

  /** The listener failed: every message still waiting fails with it. */
  fail(err: Error): void {
    for (const [text, w] of this.waiting) {
      this.waiting.delete(text);
      w.reject(err);
    }
  }

  get delivered(): number {
    return this.results.filter((r) => r.latencyMs !== null).length;
  }
}

interface WayRun {
  tally: WireTally;
  arrivals: Arrivals;
  timeoutMs: number;
  base: URL;
  texts: string[];
}

async function postMessage(run: WayRun, pool: HttpConnectionPool, text: string): Promise<void> {
  const spec = createRequestSpec({
    method: 'POST',
    url: new URL('/sse/chat', run.base).href,
    headers: [{ name: 'Content-Type', value: 'text/plain; charset=utf-8' }],
    body: { kind: 'text', text },
    options: { keepAlive: true, timeoutMs: run.timeoutMs },
  });
  const r = await sendRequest(spec, { capture: run.tally.emitter, pool });
  if (r.response.statusCode !== 200) throw new Error(`POST /sse/chat answered ${r.response.statusCode}`);
}

/** Sends the script one message at a time, each after the previous one arrived. */
async function sendScript(run: WayRun, send: (text: string) => Promise<void>): Promise<void> {
  for (let i = 0; i < run.texts.length; i++) {
    const text = run.texts[i]!;
    const arrived = run.arrivals.expect(i + 1, text, run.timeoutMs);
    arrived.catch(() => {});
    try {
      await send(text);
    } catch (err) {
      run.arrivals.cancel(text);
      throw err;
    }
    await arrived;
  }
}

async function runPolling(run: WayRun, pollIntervalMs: number): Promise<void> {
  const pool = new HttpConnectionPool();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failure: Error | undefined;
  let after = 0;
  /** The poll on the wire, awaited before the way ends so its bytes are counted in this way, not the next. */
  let inflight: Promise<void> | undefined;
  const poll = async (): Promise<void> => {
    const spec = createRequestSpec({ url: new URL(`/poll/chat?after=${after}`, run.base).href, options: { keepAlive: true, timeoutMs: run.timeoutMs } });
    const r = await sendRequest(spec, { capture: run.tally.emitter, pool });
    const at = performance.now();
    if (r.response.statusCode !== 200) throw new Error(`GET /poll/chat answered ${r.response.statusCode}`);
    const json = JSON.parse(r.response.body.toString('utf8')) as { messages: { id: number; text: string }[]; last: number };
    for (const m of json.messages) run.arrivals.arrived(m.text, at);
    after = json.last;
  };
  try {
    // The first poll learns where the room stands, so older messages are not fetched again.
    await poll();
    const loop = () => {
      if (stopped) return;
      inflight = poll().then(
        () => void (stopped || (timer = setTimeout(loop, pollIntervalMs))),
        (err: Error) => {
          failure = err;
          run.arrivals.fail(err);
        },
      );
    };
    timer = setTimeout(loop, pollIntervalMs);
    await sendScript(run, async (text) => {
      if (failure) throw failure;
      await postMessage(run, pool, text);
    });
  } finally {
    stopped = true;
    clearTimeout(timer);
    await inflight;
    pool.dispose();
  }
}

async function runSse(run: WayRun): Promise<void> {
  const pool = new HttpConnectionPool();
  const client = new SseClient({ spec: createRequestSpec({ url: new URL('/sse/chat', run.base).href }), capture: run.tally.emitter, autoReconnect: false });
  const open = new Promise<void>((resolve, reject) => {
    client.on((e) => {
      if (e.type === 'state' && e.state === 'open') resolve();
      if (e.type === 'state' && e.state === 'closed') {
        const err = new Error(`the event stream closed: ${e.reason ?? 'no reason given'}`);
        reject(err);
        run.arrivals.fail(err);
      }
      if (e.type === 'event' && e.event.type === 'message') run.arrivals.arrived(e.event.data);
    });
  });
  open.catch(() => {});
  const ended = client.start();
  try {
    await open;
    await sendScript(run, (text) => postMessage(run, pool, text));
  } finally {
    client.close('the comparison is done');
    await ended;
    pool.dispose();
  }
}

async function runWebSocket(run: WayRun): Promise<void> {
  const url = new URL('/ws/chat', run.base);
  url.protocol = run.base.protocol === 'https:' ? 'wss:' : 'ws:';
  const session = new WsSession({ url: url.href, capture: run.tally.emitter, perMessageDeflate: false, handshakeTimeoutMs: run.timeoutMs });
  session.on('message', (m) => {
    if (!m.binary) run.arrivals.arrived(m.data.toString('utf8'));
  });
  session.on('close', (e) => run.arrivals.fail(new Error(`the WebSocket closed (${e.code}${e.error ? `: ${e.error.message}` : ''})`)));
  try {
    await session.connect();
    await sendScript(run, (text) => session.sendText(text));
    session.close(1000, 'done');
    // The closing handshake is part of the way's bytes; a peer that never answers it is cut after the limit.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([session.closed(), new Promise<void>((resolve) => (timer = setTimeout(resolve, run.timeoutMs)))]);
    clearTimeout(timer);
  } finally {
    session.dispose();
  }
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}

const SHORT_NAMES: Record<CompareWay, string> = { polling: 'polling', sse: 'SSE + POST', websocket: 'WebSocket' };

/** The way's line in plain words. */
export function summarize(r: Omit<CompareWayResult, 'summary'>): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const carried = r.messagesDelivered === r.messagesSent ? plural(r.messagesSent, 'message') : `${r.messagesDelivered} of ${plural(r.messagesSent, 'message')}`;
  let line = `${SHORT_NAMES[r.way]}: ${plural(r.requests, 'request')} on ${plural(r.connections, 'connection')} for ${carried}, ${formatBytes(r.headerBytes)} of headers, ${formatBytes(r.bytesC2s + r.bytesS2c)} in all`;
  if (r.error) line += ` — stopped: ${r.error}`;
  return line;
}

/** Runs the three ways one after the other; resolves with every way's result (a failed way carries its error). */
export async function runCompareChat(options: CompareChatOptions): Promise<CompareChatResult> {
  const base = new URL(options.serverUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error(`compare: the server URL must be http:// or https://, not ${base.protocol}`);
  const script = [...(options.script ?? DEFAULT_COMPARE_SCRIPT)];
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const timeoutMs = options.messageTimeoutMs ?? 5000;
  // A tag per run keeps this run's messages apart from anyone else's in the shared rooms.
  const tag = randomBytes(3).toString('hex');
  const texts = script.map((line, i) => `[${tag}] ${i + 1}/${script.length} ${line}`);
  const ways: CompareWayResult[] = [];
  for (const way of COMPARE_WAYS) {
    options.onWay?.(way);
    const run: WayRun = { tally: new WireTally(options.capture?.(way)), arrivals: new Arrivals(), timeoutMs, base, texts };
    let error: string | undefined;
    try {
      if (way === 'polling') await runPolling(run, pollIntervalMs);
      else if (way === 'sse') await runSse(run);
      else await runWebSocket(run);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const totals = run.tally.totals();
    run.tally.dispose();
    const result: Omit<CompareWayResult, 'summary'> = {
      way,
      messagesSent: run.arrivals.results.length,
      messagesDelivered: run.arrivals.delivered,
      requests: totals.requests,
      connections: totals.connections,
      bytesC2s: totals.bytesC2s,
      bytesS2c: totals.bytesS2c,
      headerBytes: totals.headerBytes,
      messages: run.arrivals.results,
      connectionIds: totals.connectionIds,
      ...(error !== undefined ? { error } : {}),
    };
    ways.push({ ...result, summary: summarize(result) });
  }
  return { serverUrl: base.origin, script, pollIntervalMs, ways };
}
