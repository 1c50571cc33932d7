// Runs the WebSocket block of a `.http` file over WsSession: connect (with the
// block's subprotocols and handshake headers), then each step in order — a
// message is sent, `=== wait-for-server` waits for one more server message.
// A script that ends with a wait closes with 1000 right after it; otherwise the
// connection stays open, listening, until the server closes or the timeout
// runs out (then we close with 1000). Every message both ways goes into the
// transcript, and every byte into the capture emitter.
import { WsSession } from '../client/ws-session.js';
import type { ResolvedRequest } from './resolve-block.js';
import type { WebSocketRunResult, WebSocketScriptRunner, WebSocketTap, WebSocketTranscriptEntry } from './run-http-file.js';
import { ScriptDriver, type ScriptChannel } from './ws-script-steps.js';

export type WebSocketScript = Extract<ResolvedRequest, { kind: 'websocket' }>;

export interface WebSocketScriptDefaults {
  /** Connect + handshake limit. Default 10 s (or the run's timeout when shorter). */
  handshakeTimeoutMs?: number;
  /** After asking to close, how long to wait for the server's close frame before dropping the socket. Default 2 s. */
  closeTimeoutMs?: number;
  /** Called for each message as it is sent or received (live views, the CLI). */
  onEntry?(entry: WebSocketTranscriptEntry): void;
}

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
  await session.connect(options.signal);
  const connectionId = session.connectionId;
  // Subscribed in the same turn as the open: frames are read only after it.
  const driver = new ScriptDriver(wsChannel(session), {
    timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    onEntry: tapEntries(options.onEntry, options.tap),
  });
  options.tap?.connected({ send: (text) => void driver.answer(text), stop: () => driver.stop() });
  let ended: NonNullable<WebSocketRunResult['ended']>;
  try {
    ended = await driver.run(script.steps);
    const last = script.steps[script.steps.length - 1];
    if (ended === 'script' && last?.kind !== 'wait-for-server') {
      // No final wait: keep listening until the server closes or the time runs out.
      const why = await driver.listen();
      if (why === 'server-closed' || why === 'aborted') ended = why;
    }
  } catch (err) {
    if (!driver.isClosed) {
      driver.dispose();
      session.terminate();
      throw err;
    }
    ended = 'server-closed';
  }
  if (!driver.isClosed) {
    if (ended === 'aborted') session.terminate();
    else session.close(1000);
  }
  const closeTimeout = options.closeTimeoutMs ?? 2000;
  const timer = setTimeout(() => session.terminate(), closeTimeout);
  const close = await session.closed();
  clearTimeout(timer);
  driver.dispose();
  session.dispose();
  return {
    url: script.url,
    protocol: session.protocol,
    extensions: session.extensions,
    transcript: driver.transcript,
    close: { code: close.code, reason: close.reason, wasClean: close.wasClean },
    ended,
    ...(connectionId ? { connectionId } : {}),
  };
}

/** The entry listener, with the received messages also handed to a response handler's tap. */
export function tapEntries(onEntry: ((e: WebSocketTranscriptEntry) => void) | undefined, tap: WebSocketTap | undefined): (e: WebSocketTranscriptEntry) => void {
  return (e) => {
    onEntry?.(e);
    if (e.dir === 'received') tap?.message(e.data, e.binary);
  };
}

/** A WsSession as the steps see it. */
function wsChannel(session: WsSession): ScriptChannel {
  return {
    send: (data, binary) => (binary ? session.sendBinary(data) : session.sendText(data.toString('utf8'))),
    onMessage: (listener) => session.on('message', (m) => listener({ binary: m.binary, data: m.data })),
    onClose: (listener) => session.on('close', () => listener()),
    get isClosed() {
      return session.state === 'closed';
    },
  };
}
