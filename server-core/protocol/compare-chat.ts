// The result of "Compare the three" (playground/compare-chat.ts): the same chat
// sent over polling HTTP, SSE + POST and WebSocket against one Wireplay server,
// measured from the capture of each way's own connections. Plain data, so the
// host can post it to the panel as it is and a test can read it.

export type CompareWay = 'polling' | 'sse' | 'websocket';

export const COMPARE_WAYS: readonly CompareWay[] = ['polling', 'sse', 'websocket'];

export const COMPARE_WAY_LABELS: Readonly<Record<CompareWay, string>> = {
  polling: 'Polling HTTP',
  sse: 'SSE + POST',
  websocket: 'WebSocket',
};

/** One message of the script as one way carried it. */
export interface CompareMessageResult {
  /** 1-based place in the script. */
  index: number;
  text: string;
  /** From just before the send to its arrival at the listener, ms; null when it never arrived. */
  latencyMs: number | null;
}

export interface CompareWayResult {
  way: CompareWay;
  messagesSent: number;
  messagesDelivered: number;
  /** HTTP requests written (a WebSocket handshake is one). */
  requests: number;
  /** TCP connections opened. */
  connections: number;
  /** Every byte on the way's connections, as captured: client → server and server → client. */
  bytesC2s: number;
  bytesS2c: number;
  /**
   * Bytes of framing, read from the capture by the dissector: HTTP request and response heads (a WebSocket
   * handshake included) and WebSocket frame headers. Chunk-size lines are not counted in it.
   */
  headerBytes: number;
  messages: CompareMessageResult[];
  /** The capture ids of the way's connections, oldest first (to open them in the inspector). */
  connectionIds: string[];
  /** Why the way stopped before every message arrived; absent when it went through. */
  error?: string;
  /** One line in plain words, e.g. "polling: 12 requests for 5 messages, 4.1 KiB of headers". */
  summary: string;
}

export interface CompareChatResult {
  serverUrl: string;
  /** The script, in order. */
  script: string[];
  pollIntervalMs: number;
  ways: CompareWayResult[];
}
