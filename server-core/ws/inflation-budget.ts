// The server-wide permessage-deflate inflation budget. maxPayload bounds what
// one message may inflate to; this bounds what every connection of a server
// inflates at once: a few KiB of compressed zeros per connection would
// otherwise make 30 connections hold 30 × 64 MiB. Each inflation takes bytes
// from the budget as its output arrives and gives them back when the message
// is handed over (or fails); an inflation that would pass the budget fails
// with close 1009 (permessage-deflate.ts) rather than waiting, since waiting
// inflations each holding part of the budget could wait on one another forever.

/** 256 MiB: four messages of the default maxPayload inflating together. */
export const DEFAULT_MAX_INFLATING_BYTES = 256 * 1024 * 1024;

export class InflationBudget {
  private used = 0;

  constructor(readonly limit: number = DEFAULT_MAX_INFLATING_BYTES) {
    if (!(limit > 0)) throw new RangeError(`the inflation budget must be a positive number of bytes, got ${String(limit)}`);
  }

  /** Bytes of inflated output held now, across connections. */
  get inUse(): number {
    return this.used;
  }

  /** Takes `n` bytes; false (nothing taken) when that would pass the limit. */
  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  /** Gives back bytes taken earlier. */
  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}
