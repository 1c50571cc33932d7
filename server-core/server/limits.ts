// Every limit of the HTTP server, each an option with a node-like default.
// The parser limits (start line, header bytes and count, body, chunk extensions)
// come from parser-types.ts; the rest are enforced by the connection and the listener.
import { DEFAULT_PARSER_LIMITS, type HttpParserLimits } from '../http/parser-types.js';

export interface ServerLimits extends HttpParserLimits {
  /** Milliseconds from the first byte of a request (or the connection's opening) to the end of its head. Over it → 408 and close (slowloris). */
  headersTimeout: number;
  /** Milliseconds from the first byte of a request to its last body byte. Over it → 408 and close. */
  requestTimeout: number;
  /** Milliseconds an idle keep-alive connection stays open between requests; then it is closed without a response. */
  keepAliveTimeout: number;
  /** Open connections at once; one more is answered 503 with `Connection: close`. */
  maxConnections: number;
  /** Milliseconds close() waits for in-flight responses before it destroys the remaining sockets. */
  closeTimeout: number;
  /** Requests read ahead of their responses on one connection before the server stops reading it. */
  maxPipelinedRequests: number;
}

export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = Object.freeze({
  ...DEFAULT_PARSER_LIMITS,
  headersTimeout: 60_000,
  requestTimeout: 300_000,
  keepAliveTimeout: 5_000,
  maxConnections: 1_024,
  closeTimeout: 5_000,
  maxPipelinedRequests: 64,
});

/** Fills the defaults and rejects values that would disable a defence by accident. */
export function resolveLimits(partial: Partial<ServerLimits> = {}): ServerLimits {
  const out = { ...DEFAULT_SERVER_LIMITS } as ServerLimits;
  for (const key of Object.keys(DEFAULT_SERVER_LIMITS) as (keyof ServerLimits)[]) {
    const v = partial[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || Number.isNaN(v) || v <= 0) {
      throw new RangeError(`limit ${key} must be a positive number (Infinity allowed), got ${String(v)}`);
    }
    out[key] = v;
  }
  return out;
}

/** Parser limits only, for the parser's constructor. */
export function parserLimitsOf(limits: ServerLimits): HttpParserLimits {
  return {
    maxStartLineBytes: limits.maxStartLineBytes,
    maxHeaderBytes: limits.maxHeaderBytes,
    maxHeaderCount: limits.maxHeaderCount,
    maxBodyBytes: limits.maxBodyBytes,
    maxChunkExtensionBytes: limits.maxChunkExtensionBytes,
  };
}
