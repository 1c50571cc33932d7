// Which bytes of a proxied exchange a replay starts from ("Edit and Resend",
// "Save to .http", "Copy as cURL" on a proxied row). A forwarded request is
// read from the proxy ↔ target leg: those are the bytes the user's server
// received (with a Host rewrite or X-Forwarded-* fields, they differ from what
// the client sent), and the replay goes to that same server. A request the
// proxy answered itself (a rule, a 502, a malformed request) never reached the
// target: its bytes are the client's, from the client ↔ proxy leg.
import type { CaptureEntry } from '../capture/capture-store.js';
import { capturedRequestBytes, ReplayError } from './replay.js';
import type { ProxyExchange } from './types.js';

export interface ExchangeRequest {
  bytes: Buffer;
  /** The leg the bytes were read from. */
  leg: 'upstream' | 'downstream';
  /** The connection (capture id) they were read from. */
  connectionId: string;
}

/**
 * The request's bytes, read through `entries` (a capture's entries of a connection, by id; undefined
 * when that connection is no longer in the capture). Throws ReplayError MISSING_BYTES when they are gone.
 */
export function exchangeRequestBytes(exchange: Pick<ProxyExchange, 'downstreamId' | 'upstreamId' | 'request'>, entries: (connectionId: string) => readonly CaptureEntry[] | undefined): ExchangeRequest {
  const { upstreamId } = exchange;
  const upstream = exchange.request.upstream;
  const leg = upstreamId !== undefined && upstream !== undefined ? { leg: 'upstream' as const, connectionId: upstreamId, range: upstream } : { leg: 'downstream' as const, connectionId: exchange.downstreamId, range: exchange.request.downstream };
  const list = entries(leg.connectionId);
  if (list === undefined) throw new ReplayError('MISSING_BYTES', `connection ${leg.connectionId} is no longer in the capture (it was cleared, or its memory cap dropped it)`);
  if (leg.range.end <= leg.range.start) throw new ReplayError('INCOMPLETE', `the request on ${leg.connectionId} has no bytes in the capture`);
  return { bytes: capturedRequestBytes(list, leg.range), leg: leg.leg, connectionId: leg.connectionId };
}
