// One request through the proxy and its response: the public record
// (ProxyExchange: byte ranges on both legs, timings, who answered, what was
// changed) and the forwarding state the connection keeps beside it.
import type { ResponseHead } from '../http/parser-types.js';
import type { ResponseSlot } from './response-queue.js';
import type { ExchangeOutcome, ProxyExchange, ProxyRule } from './types.js';
import type { UpstreamLeg } from './upstream-leg.js';

export class Exchange {
  readonly record: ProxyExchange;
  slot!: ResponseSlot<Exchange>;
  rule: ProxyRule | undefined;
  /** The leg that carries it; null while it is answered by the proxy. */
  leg: UpstreamLeg | null = null;
  /** The request offered an upgrade (Upgrade + Connection: upgrade, or CONNECT) and has no body. */
  upgradeOffered = false;
  /** The request was a HEAD: its response has no body, whatever it declares. */
  headRequest = false;
  expectContinue = false;
  /** The last byte of the request was read from the client. */
  requestDone = false;
  /** Everything the target needs before answering is written to its leg (the whole request, or the head for Expect: 100-continue). */
  requestSentToLeg = false;
  /** The client asked to close after this exchange (Connection: close, HTTP/1.0 without keep-alive). */
  requestKeepAlive = true;
  upstreamAnswered = false;
  lastResponseHead: ResponseHead | undefined;
  /** The client connection ends once this exchange's response is written. */
  closeAfter = false;
  /** exchangeEnd was emitted. */
  done = false;

  constructor(id: number, downstreamId: string, requestStart: number, firstByteTime: number) {
    this.record = {
      id,
      downstreamId,
      method: '',
      target: '',
      request: { downstream: { start: requestStart, end: requestStart } },
      response: {},
      rewrites: [],
      timings: { requestFirstByte: firstByteTime },
    };
  }

  /** Marks the end of the exchange; returns false when it had ended already. */
  finish(outcome: ExchangeOutcome, error?: string): boolean {
    if (this.done) return false;
    this.done = true;
    const r = this.record;
    r.outcome = outcome;
    if (error !== undefined && r.error === undefined) r.error = error;
    r.timings.lastByte ??= performance.now();
    return true;
  }
}

/** A copy of the record that later changes do not reach (for events and lists). */
export function snapshotExchange(r: ProxyExchange): ProxyExchange {
  const copy: ProxyExchange = {
    ...r,
    request: { downstream: { ...r.request.downstream } },
    response: {},
    rewrites: r.rewrites.map((e) => ({ ...e })),
    timings: { ...r.timings },
  };
  if (r.request.upstream) copy.request.upstream = { ...r.request.upstream };
  if (r.response.downstream) copy.response.downstream = { ...r.response.downstream };
  if (r.response.upstream) copy.response.upstream = { ...r.response.upstream };
  return copy;
}
