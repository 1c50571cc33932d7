// The HTTP results (status, headers, body preview, timing) the playground has
// shown, kept per connection so they can be sent again with a capture snapshot:
// a reloaded page or a VS Code webview shown again after being hidden starts
// empty, and the capture's bytes alone do not carry the timing. Bounded by
// connections and by the characters of the bodies kept; the connections used
// longest ago go first.
import type { HttpExchangeView, HttpRequestSpec } from '../protocol/playground.js';

export interface RetainedExchangeLimits {
  /** Connections whose exchanges are kept. Default 200. */
  maxConnections: number;
  /** Exchanges kept per connection (the oldest go first). Default 20. */
  maxPerConnection: number;
  /** Characters of response bodies (base64) and request body text kept in all. Default 32 Mi. */
  maxChars: number;
}

export const DEFAULT_RETAINED_EXCHANGE_LIMITS: Readonly<RetainedExchangeLimits> = Object.freeze({
  maxConnections: 200,
  maxPerConnection: 20,
  maxChars: 32 * 1024 * 1024,
});

/** The request without a file body's bytes (the UI only shows its method and URL). */
export function retainedSpec(spec: HttpRequestSpec): HttpRequestSpec {
  if (spec.body.kind !== 'file') return spec;
  return { ...spec, body: { kind: 'file', fileName: spec.body.fileName } };
}

function weight(x: HttpExchangeView): number {
  return (x.response?.body.length ?? 0) + (x.spec.body.text?.length ?? 0);
}

export class RetainedExchanges {
  private readonly limits: RetainedExchangeLimits;
  /** Insertion order is recency: a connection recorded again moves to the end. */
  private readonly byConnection = new Map<string, HttpExchangeView[]>();
  private chars = 0;

  constructor(limits: Partial<RetainedExchangeLimits> = {}) {
    this.limits = { ...DEFAULT_RETAINED_EXCHANGE_LIMITS, ...limits };
  }

  /** Adds an exchange, or replaces the one with the same reqId on that connection. */
  record(connectionId: string, exchange: HttpExchangeView): void {
    const list = this.byConnection.get(connectionId) ?? [];
    this.byConnection.delete(connectionId);
    const at = list.findIndex((x) => x.reqId === exchange.reqId);
    if (at >= 0) {
      this.chars -= weight(list[at]);
      list[at] = exchange;
    } else list.push(exchange);
    this.chars += weight(exchange);
    while (list.length > this.limits.maxPerConnection) this.chars -= weight(list.shift()!);
    this.byConnection.set(connectionId, list);
    this.evict(connectionId);
  }

  get(connectionId: string): HttpExchangeView[] | undefined {
    return this.byConnection.get(connectionId);
  }

  get size(): number {
    return this.byConnection.size;
  }

  /** Characters of bodies kept now (what maxChars bounds). */
  get keptChars(): number {
    return this.chars;
  }

  clear(): void {
    this.byConnection.clear();
    this.chars = 0;
  }

  /** Drops the oldest connections until within limits; the newest one stays even if alone it is over. */
  private evict(newest: string): void {
    for (const [id, list] of this.byConnection) {
      if (this.byConnection.size <= this.limits.maxConnections && this.chars <= this.limits.maxChars) return;
      if (id === newest) return;
      for (const x of list) this.chars -= weight(x);
      this.byConnection.delete(id);
    }
  }
}
