// Where a server connection's input is — in a request head, in a body, or
// between requests — and since when, for the timeouts the listener's sweep
// checks (performance.now() based, no timer per connection):
//   headersTimeout  a head that does not complete (slowloris),
//   requestTimeout  a request (head and body) that does not complete, counted
//                   from the first byte of its head,
//   keepAliveTimeout an idle keep-alive connection with nothing owed.
import type { ServerLimits } from './limits.js';

export type Phase = 'head' | 'body' | 'idle';

export type ReadTimeout = 'headers timeout' | 'request timeout' | 'keep-alive timeout';

export class ReadPhase {
  phase: Phase = 'head';
  private since: number;
  private idleSince = 0;

  constructor(openedAt: number) {
    this.since = openedAt;
  }

  /** A new head starts (its first byte arrived, or bytes follow the last message), with the read that carried it at `at`. */
  head(at: number): void {
    this.phase = 'head';
    this.since = at;
  }

  /** Head done, body next: the request timeout keeps counting from the first byte of the head. */
  body(): void {
    this.phase = 'body';
  }

  /** Between requests. `nothingOwed`: the keep-alive clock starts at `at` (now, or the read just handled). */
  idle(nothingOwed: boolean, at: number): void {
    this.phase = 'idle';
    if (nothingOwed) this.idleSince = at;
  }

  /** The last response owed went out: the keep-alive clock starts now if the input is idle. */
  answered(): void {
    if (this.phase === 'idle') this.idleSince = performance.now();
  }

  /** Which limit is exceeded at `now`, if any. `reading`: requests are being read; `nothingOwed`: no response is due. */
  expired(now: number, limits: ServerLimits, reading: boolean, nothingOwed: boolean): ReadTimeout | undefined {
    const phase = this.phase;
    if (reading && (phase === 'head' || phase === 'body')) {
      const elapsed = now - this.since;
      if (phase === 'head' && elapsed > limits.headersTimeout) return 'headers timeout';
      if (elapsed > limits.requestTimeout) return 'request timeout';
      return undefined;
    }
    if (phase === 'idle' && nothingOwed && now - this.idleSince > limits.keepAliveTimeout) return 'keep-alive timeout';
    return undefined;
  }
}
