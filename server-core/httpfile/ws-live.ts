// Runs the WebSocket block of a `.http` file as a live session: the connection
// is opened by a session host (the playground controller, which shows and
// captures it), the block's steps run over it, and then it stays open — the
// user keeps sending from the playground until they or the server close it.
// A wait that times out, or a cancel, ends the script, not the session.
import type { WebSocketRunResult, WebSocketScriptRunner, WebSocketTranscriptEntry } from './run-http-file.js';
import { tapEntries } from './ws-script.js';
import { ScriptDriver, type ScriptChannel, type StepsEnd } from './ws-script-steps.js';

/** What a session host hands back for one opened WebSocket. */
export interface LiveWebSocket extends ScriptChannel {
  readonly sessionId: string;
  readonly connectionId: string;
  readonly protocol: string;
  readonly extensions: string;
  /** How it closed, once it has. */
  readonly closeEvent: { code: number; reason: string; wasClean: boolean } | undefined;
}

export interface LiveWebSocketRequest {
  url: string;
  protocols: string[];
  /** The handshake headers, variables resolved. */
  headers: { name: string; value: string }[];
  insecure: boolean;
  handshakeTimeoutMs: number;
  signal?: AbortSignal;
}

/** Opens a session (rejects when the connection or the handshake fails). */
export type OpenLiveWebSocket = (request: LiveWebSocketRequest) => Promise<LiveWebSocket>;

export interface LiveRunnerDefaults {
  /** Connect + handshake limit. Default 10 s (or the run's timeout when shorter). */
  handshakeTimeoutMs?: number;
  /** Called for each scripted message as it is sent or received. */
  onEntry?(entry: WebSocketTranscriptEntry): void;
}

/** A WebSocketScriptRunner whose connections outlive the script. The run's capture emitter is not used: the host captures. */
export function createLiveWebSocketRunner(open: OpenLiveWebSocket, defaults: LiveRunnerDefaults = {}): WebSocketScriptRunner {
  return async (script, options) => {
    const timeoutMs = script.timeoutMs ?? options.timeoutMs;
    const ws = await open({
      url: script.url,
      protocols: script.protocols,
      headers: script.headers,
      insecure: script.insecure ?? false,
      handshakeTimeoutMs: Math.min(defaults.handshakeTimeoutMs ?? 10_000, timeoutMs),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const driver = new ScriptDriver(ws, {
      timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
      onEntry: tapEntries(defaults.onEntry, options.tap),
    });
    options.tap?.connected({ send: (text) => void driver.answer(text), stop: () => driver.stop() });
    let ended: StepsEnd;
    try {
      ended = await driver.run(script.steps);
      // A response handler reads the messages: keep feeding it after the last step until it unsubscribes,
      // the server closes or the time runs out (the session stays open either way).
      if (options.tap && ended === 'script' && script.steps[script.steps.length - 1]?.kind !== 'wait-for-server') {
        const why = await driver.listen();
        if (why === 'server-closed' || why === 'aborted') ended = why;
      }
    } catch (err) {
      if (!driver.isClosed) {
        driver.dispose();
        throw err;
      }
      ended = 'server-closed';
    }
    driver.dispose();
    const close = ws.closeEvent;
    const result: WebSocketRunResult = {
      url: script.url,
      protocol: ws.protocol,
      extensions: ws.extensions,
      transcript: driver.transcript,
      ended,
      connectionId: ws.connectionId,
    };
    if (close) result.close = { code: close.code, reason: close.reason, wasClean: close.wasClean };
    else result.live = { sessionId: ws.sessionId };
    return result;
  };
}
