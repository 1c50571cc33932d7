// The proxy's public contract: its options, its rules, the record kept for
// every request that goes through it (ProxyExchange) and the events it emits.
// The facade (wireplay-proxy.ts), the CLI and, later, the extension's command
// and views depend on these types only.
import type { HttpParserLimits } from '../http/parser-types.js';
import type { CaptureStore } from '../capture/capture-store.js';

export interface WireplayProxyOptions {
  /** The server to forward to: `http://host[:port]` or `https://host[:port]` (an origin: no path, query or credentials). */
  target: string;
  /** Address to listen on. Default 127.0.0.1 (anything else is reported in `warnings`). */
  host?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /**
   * Where both legs of every connection are recorded: a store of the caller's (the extension's,
   * so proxied traffic shows with the rest), false for none, or by default a store of its own.
   */
  capture?: CaptureStore | false;
  /** Byte cap of the store the proxy makes for itself (ignored when `capture` is given). Default 64 MiB. */
  captureMaxBytes?: number;
  /** https target: accept a certificate that does not verify (a self-signed local one). Reported in `warnings`. */
  insecure?: boolean;
  /** Forward a request the parser refuses, byte for byte, instead of answering 400 (the rest of that connection is tunnelled raw). */
  passMalformed?: boolean;
  /** Milliseconds to wait for the target to connect and to start answering a forwarded request; then 504. 0: no limit. Default 30 000. */
  timeoutMs?: number;
  /** Replace the value of the request's Host field by the target's host[:port] (default false: forwarded as the client wrote it). */
  rewriteHost?: boolean;
  /** Add X-Forwarded-For / -Host / -Proto fields (default false). */
  xForwarded?: boolean;
  /** Rules applied from the first request on; change them live with setRules(). */
  rules?: readonly ProxyRule[];
  /** Limits of the parser on both legs. Defaults are generous (the proxy observes; it refuses only what it cannot frame). */
  parserLimits?: Partial<HttpParserLimits>;
  /** Graceful close: milliseconds before the connections still busy are destroyed. Default 5 000. */
  closeTimeoutMs?: number;
  /** Finished exchanges kept for exchanges() (the oldest go first). Default 1 000. */
  maxExchanges?: number;
}

/**
 * A rule: requests whose path matches `path` (and `method`, when given) get its effects. The first
 * enabled rule that matches wins. Effects combine: a rule may add latency and throttle at once.
 */
export interface ProxyRule {
  /** Stable id, unique among the rules (the UI toggles by id). */
  id: string;
  /** Default true. */
  enabled?: boolean;
  /**
   * Path pattern, matched against the request target's path (without the query): `*` matches within
   * one segment, `**` across segments, anything else literally. `/api/**`, `/items/*`, `/health`.
   */
  path: string;
  /** Only this method (case-sensitive, as on the wire). */
  method?: string;
  /** Hold the response this many ms before its first byte goes to the client. */
  latencyMs?: number;
  /** Send the response (and, after an upgrade, the server's stream) to the client at this many bytes per second. */
  bytesPerSecond?: number;
  /** Close both connections once this many response bytes (head included) have gone to the client. */
  dropAfterBytes?: number;
  /** Answer this instead of forwarding: the target never sees the request. */
  respond?: { status: number; body?: string; contentType?: string };
}

/** One byte-level change the proxy made to a forwarded request head (only with rewriteHost / xForwarded). */
export interface RewriteEdit {
  kind: 'host' | 'x-forwarded-for' | 'x-forwarded-host' | 'x-forwarded-proto';
  /** Offset in the request as the client sent it (relative to the request's first byte) where the change is. */
  at: number;
  /** Bytes removed there (latin1), '' for an insertion. */
  removed: string;
  /** Bytes put there instead (latin1). */
  inserted: string;
}

/** Byte ranges [start, end) of one direction of one leg, as stream offsets in the capture. */
export interface StreamRange {
  start: number;
  end: number;
}

export type ExchangeOutcome =
  /** The response went to the client whole. */
  | 'complete'
  /** The response was cut: a rule dropped it, or a side closed or reset before its end. */
  | 'cut'
  /** Never answered: the connection ended first (a later pipelined request after a close, a client reset). */
  | 'aborted';

/** Who wrote the response the client got. */
export type ResponseSource = 'upstream' | 'proxy';

/** Why the proxy answered by itself. */
export type ProxyAnswer = 'rule' | 'malformed-request' | 'upstream-unreachable' | 'upstream-error' | 'upstream-timeout' | 'invalid-response';

/**
 * Timestamps of one exchange (monotonic ms, performance.now()); absent when the step did not
 * happen. upstream time = upstreamFirstByte − forwarded; the proxy's own overhead =
 * (forwarded − requestHeadIn) + (toClientFirstByte − upstreamFirstByte).
 */
export interface ExchangeTimings {
  /** The first byte of the request arrived from the client. */
  requestFirstByte: number;
  /** The request head was complete (the proxy could decide where it goes). */
  requestHeadIn?: number;
  /** The request head was written to the target's socket. */
  forwarded?: number;
  /** The last byte of the request was read from the client. */
  requestEnd?: number;
  /** The first byte of the target's response (an interim 100 counts) arrived. */
  upstreamFirstByte?: number;
  /** The first byte of the response was written to the client. */
  toClientFirstByte?: number;
  /** The last byte of the response was written to the client (or the exchange ended otherwise). */
  lastByte?: number;
}

export interface ProxyExchange {
  /** Counts from 1 per proxy. */
  id: number;
  /** Capture id of the client ↔ proxy leg (role 'proxy-downstream'). */
  downstreamId: string;
  /** Capture id of the proxy ↔ target leg that carried it (role 'proxy-upstream'); absent when it was not forwarded. */
  upstreamId?: string;
  /** From the request line ('' when the request could not be parsed). */
  method: string;
  target: string;
  /** The request's bytes on each leg (c2s offsets). `downstream` always; `upstream` when forwarded. */
  request: { downstream: StreamRange; upstream?: StreamRange };
  /** The response's bytes on each leg (s2c offsets), as far as they went. */
  response: { downstream?: StreamRange; upstream?: StreamRange };
  /** Final status the client got (1xx interim responses are not counted; 101 is final). */
  status?: number;
  source?: ResponseSource;
  /** Set when source is 'proxy'. */
  answer?: ProxyAnswer;
  outcome?: ExchangeOutcome;
  /** What went wrong, readable (the body of the proxy's 4xx/5xx, or why the response was cut). */
  error?: string;
  /** The rule that applied, by id. */
  ruleId?: string;
  /** The changes the proxy made to the forwarded head; empty when forwarded byte for byte. */
  rewrites: RewriteEdit[];
  /** The connection switched protocols after this exchange (the bytes that follow are tunnelled). */
  upgraded?: 'websocket' | 'other';
  /** A refused request forwarded anyway (passMalformed): its parse error. */
  passedMalformed?: string;
  timings: ExchangeTimings;
}

/** One client connection as it is now (for a live view): which side is held back by the other. */
export interface ProxyConnectionStatus {
  /** Capture id of its client leg. */
  id: string;
  /** Capture ids of its target legs still open. */
  upstreamIds: string[];
  /** Exchanges not ended yet. */
  inFlight: number;
  /** The proxy stopped reading the client: the target (or the proxy's queue for an upgrade) is not taking its bytes. */
  clientPaused: boolean;
  /** The proxy stopped reading the target: the client is not taking the responses (or a rule holds them). */
  targetPaused: boolean;
  /** The connection is a tunnel (after a 101, or raw after a malformed request passed on). */
  tunnel: boolean;
}

export interface ProxyAddress {
  host: string;
  port: number;
  /** http://HOST:PORT */
  url: string;
}

export interface ProxyEvents {
  /** A request head arrived and its route is decided (the record is updated until exchangeEnd). */
  exchangeStart: ProxyExchange;
  /** The exchange is over (its outcome is set). */
  exchangeEnd: ProxyExchange;
  /** Something the user should know: an insecure TLS target, a non-loopback address, a listener error. */
  warning: string;
}
