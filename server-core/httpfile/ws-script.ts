// Runs the WebSocket block of a `.http` file over WsSession: connect (with the
// block's subprotocols and handshake headers), then each step in order — a
// message is sent, `=== wait-for-server` waits for one more server message.
// A script that ends with a wait closes with 1000 right after it; otherwise the
// connection stays open, listening, until the server closes or the timeout
// runs out (then we close with 1000). Every message both ways goes into the
// transcript, and every byte into the capture emitter.
import { performance } from 'node:perf_hooks';
import { WsSession } from '../client/ws-session.js';
import type { ResolvedRequest } from './resolve-block.js';
import type { WebSocketRunResult, WebSocketScriptRunner, WebSocketTranscriptEntry } from './run-http-file.js';

export type WebSocketScript = Extract<ResolvedRequest, { kind: 'websocket' }>;

export interface WebSocketScriptDefaults {
  /** Connect + handshake limit. Default 10 s (or the run's timeout when shorter). */
  handshakeTimeoutMs?: number;
  /** After asking to close, how long to wait for the server's close frame before dropping the socket. Default 2 s. */
  closeTimeoutMs?: number;
  /** Called for each message as it is sent or received (live views, the CLI). */
  onEntry?(entry: WebSocketTranscriptEntry): void;
}

type Wake = 'message' | 'closed' | 'timeout' | 'aborted';

/** A WebSocketScriptRunner for HttpFileSession. */
export function createWebSocketScriptRunner(defaults: WebSocketScriptDefaults = {}): WebSocketScriptRunner {
  return (request, options) => runWebSocketScript(request, { ...defaults, ...options });
}

export async function runWebSocketScript(
  script: WebSocketScript,
  options: WebSocketScriptDefaults & Parameters<WebSocketScriptRunner>[1],
): Promise<WebSocketRunResult> {
  const timeoutMs = script.timeoutMs ?? options.timeoutMs;
  const session = new WsSession({
    url: script.url,
    protocols: script.protocols,
    headers: Object.fromEntries(script.headers.map((h) => [h.name, h.value])),
    handshakeTimeoutMs: Math.min(options.handshakeTimeoutMs ?? 10_000, timeoutMs),
    ...(script.insecure ? { insecure: true } : {}),
    ...(options.capture ? { capture: options.capture } : {}),
  });
  const transcript: WebSocketTranscriptEntry[] = [];
  let t0 = performance.now();
  let received = 0;
  let closed = false;
  let wake: ((why: Wake) => void) | undefined;
  const record = (entry: WebSocketTranscriptEntry) => {
    transcript.push(entry);
    options.onEntry?.(entry);
  };
  session.on('message', (m) => {
    received++;
    record({ dir: 'received', t: performance.now() - t0, binary: m.binary, data: m.data });
    wake?.('message');
  });
  session.on('close', () => {
    closed = true;
    wake?.('closed');
  });

  /** Resolves when `ready()` holds, the connection closes, the time runs out or the run is aborted. */
  const waitUntil = (ready: () => boolean, ms: number): Promise<Wake> => {
    if (ready()) return Promise.resolve('message');
    if (closed) return Promise.resolve('closed');
    if (options.signal?.aborted) return Promise.resolve('aborted');
    return new Promise<Wake>((resolve) => {
      const finish = (why: Wake) => {
        if (why === 'message' && !ready()) return;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        wake = undefined;
        resolve(why);
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => finish('timeout'), ms);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      wake = finish;
    });
  };

  await session.connect(options.signal);
  t0 = performance.now();
  const connectionId = session.connectionId;
  let ended: NonNullable<WebSocketRunResult['ended']> = 'script';
  let consumed = 0;
  try {
    for (const step of script.steps) {
      if (closed) {
        ended = 'server-closed';
        break;
      }
      if (options.signal?.aborted) {
        ended = 'aborted';
        break;
      }
      if (step.kind === 'send') {
        record({ dir: 'sent', t: performance.now() - t0, binary: step.binary, data: step.data });
        await (step.binary ? session.sendBinary(step.data) : session.sendText(step.data.toString('utf8')));
        continue;
      }
      const target = consumed + 1;
      const why = await waitUntil(() => received >= target, timeoutMs);
      if (why === 'message') consumed = target;
      else {
        ended = why === 'closed' ? 'server-closed' : why;
        break;
      }
    }
    const last = script.steps[script.steps.length - 1];
    if (ended === 'script' && last?.kind !== 'wait-for-server') {
      // No final wait: keep listening until the server closes or the time runs out.
      const why = await waitUntil(() => false, timeoutMs);
      if (why === 'closed') ended = 'server-closed';
      else if (why === 'aborted') ended = 'aborted';
    }
  } catch (err) {
    if (!closed) {
      session.terminate();
      throw err;
    }
    ended = 'server-closed';
  }

  if (!closed) {
    if (ended === 'aborted') session.terminate();
    else session.close(1000);
  }
  const closeTimeout = options.closeTimeoutMs ?? 2000;
  const timer = setTimeout(() => session.terminate(), closeTimeout);
  const close = await session.closed();
  clearTimeout(timer);
  session.dispose();
  return {
    url: script.url,
    protocol: session.protocol,
    extensions: session.extensions,
    transcript,
    close: { code: close.code, reason: close.reason, wasClean: close.wasClean },
    ended,
    ...(connectionId ? { connectionId } : {}),
  };
}
