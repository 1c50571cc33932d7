// The target side of one proxied client connection: the upstream legs that
// carry its requests (one at a time; a new one when the target closed the
// last), and what their responses and failures mean for the client. Where the
// bytes go back and how the client connection ends is the client side's
// (ClientSide, implemented by ProxyConnection).
import type { Socket } from 'node:net';
import { getHeader, type ResponseHead } from '../http/parser-types.js';
import type { Exchange } from './exchange.js';
import type { LegTap } from './leg-tap.js';
import { failureResponse, type LocalResponse } from './local-response.js';
import type { ResponseQueue } from './response-queue.js';
import type { ProxyConnectionContext } from './connection-context.js';
import type { ProxyAnswer } from './types.js';
import { UpstreamLeg, type LegFailure, type UpstreamLegOwner } from './upstream-leg.js';

/** What the target side needs from the client side of the connection. */
export interface ClientSide {
  readonly socket: Socket;
  readonly tap: LegTap;
  readonly queue: ResponseQueue<Exchange>;
  /** The exchange whose leg gets the client's bytes raw (after a 101, or a malformed request passed on). */
  tunnel: Exchange | null;
  readonly gone: boolean;
  /** No more requests are read (bytes still arriving are captured and dropped). */
  stopReading(): void;
  answer(ex: Exchange, res: LocalResponse, answer: ProxyAnswer): void;
  abortAfter(ex: Exchange, why: string): void;
  endExchange(ex: Exchange, outcome: 'complete' | 'cut' | 'aborted', error?: string): void;
  /** Ends the client connection after what is queued. */
  endClient(): void;
  /** The target answered the upgrade request `ex` with something else than 101: HTTP goes on. */
  upgradeRefused(ex: Exchange): void;
  /** The target switched protocols: the client bytes held since the upgrade request go to it now, and the rest raw. */
  upgradeAccepted(ex: Exchange): void;
  /** From now on every client byte goes to the tunnel raw. */
  requestsRaw(): void;
  /** The target's socket drained: the client may be read again. */
  legDrained(): void;
  /** A read from the target is being handled (true), or was (false): what it causes to be written to the client goes out together. */
  batchWrites(on: boolean): void;
  /** Ends the client's side after everything written to it so far. */
  endSocket(): void;
  /** Whether bytes handed to the client side may still be read: queued, in the socket's buffer, or in a capture batch. */
  readonly holdsBytes: boolean;
}

export class TargetSide implements UpstreamLegOwner {
  /** The leg new requests go to (null: the next request opens one). */
  private leg: UpstreamLeg | null = null;
  readonly legs = new Set<UpstreamLeg>();

  constructor(
    private readonly ctx: ProxyConnectionContext,
    private readonly client: ClientSide,
  ) {}

  legForRequest(): UpstreamLeg {
    if (this.leg !== null && !this.leg.retired) return this.leg;
    const { settings } = this.ctx;
    const leg = new UpstreamLeg(this.ctx.nextUpstreamId(), settings.target, this.ctx.capture, this.client.tap.id, settings, this);
    this.leg = leg;
    this.legs.add(leg);
    return leg;
  }

  /** The leg that would take writes now, if any (to batch them). */
  get current(): UpstreamLeg | null {
    return this.leg;
  }

  /** Stops or resumes reading every target connection (the client is not reading). */
  pause(on: boolean): void {
    for (const leg of this.legs) {
      if (on) leg.pause();
      else leg.resume();
    }
  }

  /** The client connection is ending: a tunnel ends with a FIN, a request still waiting is abandoned. */
  endAll(): void {
    for (const leg of this.legs) {
      if (leg.awaiting.length > 0 && !leg.tunnel) leg.destroy('client connection ended');
      else leg.end();
    }
  }

  /** The client connection closed: what was in flight is reset, idle legs end. */
  clientGone(reset: boolean): void {
    for (const leg of this.legs) {
      if (leg.awaiting.length > 0 || leg.tunnel) leg.destroy(reset ? 'client reset' : 'client closed');
      else leg.end();
    }
  }

  destroyAll(reason: string): void {
    for (const leg of this.legs) leg.destroy(reason);
  }

  // ------------------------------------------------------------ UpstreamLegOwner

  responseHead(leg: UpstreamLeg, ex: Exchange, head: ResponseHead, bytes: Buffer[]): void {
    if (ex.done || ex.record.source === 'proxy') return;
    const r = ex.record;
    let length = 0;
    for (const b of bytes) length += b.length;
    r.response.upstream ??= { start: leg.responseOffset - length, end: leg.responseOffset };
    r.response.upstream.end = leg.responseOffset;
    if (head.statusCode >= 200 || head.statusCode === 101) {
      r.status = head.statusCode;
      r.source = 'upstream';
      if (!head.keepAlive && head.statusCode !== 101) {
        // The target closes after this response: so does the client connection (it was told so, byte for byte).
        ex.closeAfter = true;
        leg.retired = true;
        this.client.stopReading();
        this.client.abortAfter(ex, 'the target closed the connection after an earlier response');
      }
    }
    for (const b of bytes) this.client.queue.write(ex.slot, b);
  }

  responseBytes(ex: Exchange, bytes: Buffer): void {
    if (ex.done || ex.record.source === 'proxy') return;
    if (ex.record.response.upstream && ex.leg) ex.record.response.upstream.end = ex.leg.responseOffset;
    this.client.queue.write(ex.slot, bytes);
  }

  responseEnd(leg: UpstreamLeg, ex: Exchange, interim: boolean): void {
    if (interim || ex.done || ex.record.source === 'proxy') return;
    this.client.queue.end(ex.slot);
    if (ex.upgradeOffered) this.client.upgradeRefused(ex);
    if (leg.retired && leg.awaiting.length === 0 && this.leg === leg) this.leg = null;
  }

  upgraded(leg: UpstreamLeg, ex: Exchange, head: ResponseHead, rest: Buffer): void {
    if (ex.done || ex.record.source === 'proxy') return;
    const r = ex.record;
    const websocket = /websocket/i.test(getHeader(head, 'upgrade') ?? '');
    r.upgraded = websocket ? 'websocket' : 'other';
    const protocol = websocket ? 'ws' : 'raw';
    const extensions = getHeader(head, 'sec-websocket-extensions');
    if (this.leg === leg) this.leg = null;
    // Both legs switch at the ends of the upgrade request and of the 101, each at its own offsets.
    leg.tap.switchProtocol(protocol, r.request.upstream?.end ?? 0, r.response.upstream?.end ?? 0, extensions);
    const c2s = r.request.downstream.end;
    const { tap, queue } = this.client;
    queue.mark(ex.slot, () => tap.switchProtocol(protocol, c2s, tap.s2c, extensions));
    this.client.upgradeAccepted(ex);
    if (rest.length > 0) queue.write(ex.slot, rest);
  }

  tunnelBytes(ex: Exchange, bytes: Buffer): void {
    if (!ex.done) this.client.queue.write(ex.slot, bytes);
  }

  unsolicited(leg: UpstreamLeg): void {
    // Captured on the target's leg; nothing is waiting for it, so the client does not get it.
    leg.retired = true;
    if (this.leg === leg) this.leg = null;
  }

  failed(leg: UpstreamLeg, failure: LegFailure): void {
    if (this.leg === leg) this.leg = null;
    const client = this.client;
    const tunnel = client.tunnel;
    if (tunnel !== null && tunnel.leg === leg) {
      // A tunnel's target side broke: so does the client side.
      client.endExchange(tunnel, 'cut', `the target ${failure.kind === 'closed' ? failure.message : 'failed'}`);
      client.socket.destroy();
      return;
    }
    const first = leg.awaiting.find((e) => !e.done && e.record.source !== 'proxy');
    if (!leg.connected) {
      // Never forwarded: no upstream leg and no upstream range for these requests (types.ts).
      for (const e of leg.awaiting) delete e.record.request.upstream;
    }
    leg.awaiting.length = 0;
    if (first === undefined) return;
    if (failure.kind === 'invalid' && this.ctx.settings.passMalformed) {
      first.record.error = `malformed response forwarded: ${failure.error.code}: ${failure.error.message}`;
      for (const b of failure.unread) client.queue.write(first.slot, b);
      leg.tunnelRaw(first);
      client.tunnel = first;
      client.requestsRaw();
      return;
    }
    if (first.record.response.upstream !== undefined) {
      // Part of the target's response is on its way to the client: the client sees it cut.
      const why = failure.kind === 'invalid' ? `the target's response is malformed: ${failure.error.message}` : failure.kind === 'timeout' ? 'timeout' : `the target ${failure.message}`;
      client.endExchange(first, 'cut', why);
      client.socket.destroy();
      if (failure.kind !== 'timeout') leg.destroy(failure.kind);
      return;
    }
    const { res, answer } = failureResponse(failure, this.ctx.settings.target.origin, this.ctx.settings.timeoutMs, first.headRequest);
    client.answer(first, res, answer);
    if (failure.kind !== 'timeout') leg.destroy(failure.kind === 'connect' ? failure.message : failure.kind);
  }

  ended(leg: UpstreamLeg): void {
    if (this.leg === leg) this.leg = null;
    const tunnel = this.client.tunnel;
    if (tunnel !== null && tunnel.leg === leg) this.client.queue.mark(tunnel.slot, () => this.client.endSocket());
  }

  closed(leg: UpstreamLeg): void {
    this.legs.delete(leg);
    if (this.leg === leg) this.leg = null;
    const tunnel = this.client.tunnel;
    if (tunnel !== null && tunnel.leg === leg && !this.client.gone) {
      this.client.queue.mark(tunnel.slot, () => {
        this.client.endExchange(tunnel, 'complete');
        this.client.endClient();
      });
    }
  }

  drained(): void {
    this.client.legDrained();
  }

  batchWrites(on: boolean): void {
    this.client.batchWrites(on);
  }

  holdsReadBytes(): boolean {
    return this.client.holdsBytes;
  }
}
