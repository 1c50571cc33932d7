// One client connection over TCP or TLS, opened step by step so each phase is
// timed: dns.lookup, TCP connect to the address, then the TLS handshake with the
// host name as servername. Every byte written and read is reported to the
// capture emitter (side 'client': c2s what we write, s2c what we read; TLS
// captures show the plaintext above it), through the one socket tap
// (capture/socket-tap.ts: ClientCapture; this class does its own reads and
// writes, so nothing is patched). The HTTP sender, raw mode and the CLI build
// on it.
import { lookup } from 'node:dns/promises';
import { isIP, Socket, connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Emitter } from '../util/emitter.js';
import type { Disposable } from '../util/disposable.js';
import type { CaptureEvents, Endpoint, WireProtocol } from '../capture/types.js';
import { ClientCapture } from '../capture/socket-tap.js';
import { SendError, toSendError, type ConnectTimings, type Transport, type TransportState } from './transport.js';

export interface TcpConnectionOptions {
  host: string;
  port: number;
  tls?: boolean;
  /** TLS server name (SNI and certificate check); defaults to host unless host is an IP literal. */
  servername?: string;
  /** TLS without certificate verification. */
  insecure?: boolean;
  /** ALPN protocols to offer; default ['http/1.1'] for TLS. */
  alpnProtocols?: string[];
  /** Limit on dns + connect + TLS; 0 = none. Default 30 s. */
  connectTimeoutMs?: number;
  /** What the capture labels the connection as. Default 'raw'. */
  protocol?: WireProtocol;
  capture?: Emitter<CaptureEvents>;
  /** The connection this one reconnects (an event stream's next attempt): recorded in the capture's open event. */
  previousConnectionId?: string;
}

export interface TcpConnectionEvents {
  open: { connectionId: string; local: Endpoint; remote: Endpoint; timings: ConnectTimings };
  data: Buffer;
  /** The peer ended its write side (FIN); we may still write. */
  end: void;
  close: { hadError: boolean; reason?: string };
  error: SendError;
}

export function newClientConnectionId(): string {
  return 'client-' + randomBytes(5).toString('hex');
}

/** A raw client connection: exact bytes out, whatever comes back in. */
export class TcpConnection implements Transport<Buffer, TcpConnectionEvents> {
  private readonly events = new Emitter<TcpConnectionEvents>();
  private socket: Socket | undefined;
  private _state: TransportState = 'idle';
  private _connectionId = '';
  private closeReason: string | undefined;
  private early: Buffer[] = [];
  private earlyEnd = false;
  /** The capture's view of this connection (capture/socket-tap.ts), from attach() on. */
  private tap: ClientCapture | undefined;
  timings: ConnectTimings = { dns: 0, connect: 0, tls: 0 };
  local: Endpoint = { address: '', port: 0 };
  remote: Endpoint = { address: '', port: 0 };
  /** Set once the peer has sent FIN. */
  peerEnded = false;
  /** Set once we have sent FIN. */
  writeEnded = false;
  bytesWritten = 0;
  bytesRead = 0;
  /** ALPN result, '' when none. */
  alpnProtocol = '';

  constructor(private readonly options: TcpConnectionOptions) {}

  get state(): TransportState {
    return this._state;
  }

  get connectionId(): string {
    return this._connectionId;
  }

  on<K extends keyof TcpConnectionEvents>(event: K, listener: (payload: TcpConnectionEvents[K]) => void): Disposable {
    const d = this.events.on(event, listener);
    // Bytes (or a FIN) that arrived before anyone listened are delivered to the first listener.
    if (event === 'data' && this.early.length) {
      const early = this.early;
      this.early = [];
      for (const chunk of early) (listener as (c: Buffer) => void)(chunk);
    }
    if (event === 'end' && this.earlyEnd) {
      this.earlyEnd = false;
      (listener as () => void)();
    }
    return d;
  }

  async connect(signal?: AbortSignal): Promise<void> {
    if (this._state !== 'idle') throw new Error(`connect() in state ${this._state}`);
    this._state = 'connecting';
    const o = this.options;
    const timeoutMs = o.connectTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    let pending: Socket | undefined;
    let onTcpError: ((err: Error) => void) | undefined;
    let onTlsError: ((err: Error) => void) | undefined;
    let rejectWait: ((err: unknown) => void) | undefined;
    const fail = (err: unknown) => {
      pending?.destroy();
      rejectWait?.(err);
    };
    const onAbort = () => fail(new SendError('ABORTED', 'aborted while connecting'));
    if (signal?.aborted) {
      this._state = 'closed';
      throw new SendError('ABORTED', 'aborted before connecting');
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    const cancelled = new Promise<never>((_, reject) => {
      rejectWait = reject;
      if (timeoutMs > 0) timer = setTimeout(() => fail(new SendError('TIMEOUT', `no connection to ${o.host}:${o.port} within ${timeoutMs} ms`)), timeoutMs);
    });
    cancelled.catch(() => {});
    try {
      const bare = o.host.startsWith('[') ? o.host.slice(1, -1) : o.host;
      let address = bare;
      let t0 = performance.now();
      if (isIP(bare) === 0) {
        try {
          address = (await Promise.race([lookup(bare), cancelled])).address;
        } catch (err) {
          throw toSendError(err, `DNS lookup of ${bare}`);
        }
      }
      const t1 = performance.now();
      this.timings.dns = isIP(bare) === 0 ? t1 - t0 : 0;
      t0 = t1;
      const tcp = netConnect({ host: address, port: o.port });
      pending = tcp;
      await Promise.race([
        new Promise<void>((resolve, reject) => {
          tcp.once('connect', resolve);
          tcp.on('error', (onTcpError = (err) => reject(toSendError(err, `connect to ${address}:${o.port}`))));
        }),
        cancelled,
      ]);
      const t2 = performance.now();
      this.timings.connect = t2 - t0;
      let socket: Socket = tcp;
      if (o.tls) {
        const servername = o.servername ?? (isIP(bare) === 0 ? bare : undefined);
        const secure: TLSSocket = tlsConnect({
          socket: tcp,
          // The name the certificate is checked against (an IP literal is checked against its IP SANs).
          host: bare,
          ...(servername ? { servername } : {}),
          rejectUnauthorized: !o.insecure,
          ALPNProtocols: o.alpnProtocols ?? ['http/1.1'],
        });
        pending = secure;
        await Promise.race([
          new Promise<void>((resolve, reject) => {
            secure.once('secureConnect', resolve);
            secure.on('error', (onTlsError = (err) => reject(toSendError(err, `TLS handshake with ${servername ?? address}`))));
          }),
          cancelled,
        ]);
        this.timings.tls = performance.now() - t2;
        this.alpnProtocol = typeof secure.alpnProtocol === 'string' ? secure.alpnProtocol : '';
        socket = secure;
      }
      // Only our own set-up listeners go (TLS keeps its listeners on the TCP socket); attach() adds the lasting one.
      if (onTcpError) tcp.off('error', onTcpError);
      if (onTlsError) socket.off('error', onTlsError);
      // Under TLS the TLS socket reports failures and closes; an error on the TCP socket below must not go unhandled.
      if (socket !== tcp) tcp.on('error', () => {});
      pending = undefined;
      this.attach(socket, address);
    } catch (err) {
      pending?.destroy();
      this._state = 'closed';
      throw toSendError(err, `connect to ${o.host}:${o.port}`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private attach(socket: Socket, address: string): void {
    this.socket = socket;
    socket.setNoDelay(true);
    this.local = { address: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    this.remote = { address: socket.remoteAddress ?? address, port: socket.remotePort ?? this.options.port };
    this._connectionId = newClientConnectionId();
    this._state = 'open';
    const tap = (this.tap = new ClientCapture(this.options.capture, this._connectionId));
    tap.open(socket, this.options.protocol ?? 'raw', !!this.options.tls, { local: this.local, remote: this.remote }, this.options.previousConnectionId);
    socket.on('data', (chunk: Buffer) => {
      this.bytesRead += chunk.length;
      tap.chunk('s2c', chunk);
      if (this.events.hasListeners('data')) this.events.emit('data', chunk);
      else this.early.push(chunk);
    });
    socket.on('end', () => {
      this.peerEnded = true;
      if (this.events.hasListeners('end')) this.events.emit('end', undefined);
      else this.earlyEnd = true;
    });
    socket.on('error', (err) => {
      const e = toSendError(err, `connection to ${this.options.host}:${this.options.port}`);
      this.closeReason ??= e.code === 'CONNECTION_RESET' ? 'reset' : e.message;
      this.events.emit('error', e);
    });
    socket.on('close', (hadError) => {
      this._state = 'closed';
      tap.close(this.closeReason);
      this.events.emit('close', { hadError, ...(this.closeReason !== undefined ? { reason: this.closeReason } : {}) });
    });
    this.events.emit('open', { connectionId: this._connectionId, local: this.local, remote: this.remote, timings: this.timings });
  }

  /** Writes bytes; resolves once the socket has taken them (after 'drain' under backpressure). */
  send(data: Buffer): Promise<void> {
    const socket = this.socket;
    if (!socket || this._state !== 'open' || this.writeEnded) return Promise.reject(new SendError('CONNECTION_CLOSED', 'the connection is not open for writing'));
    if (data.length === 0) return Promise.resolve();
    this.bytesWritten += data.length;
    this.tap?.chunk('c2s', data);
    return new Promise((resolve, reject) => {
      const onClose = () => done(new SendError('CONNECTION_CLOSED', 'the connection closed before the data was written'));
      const done = (err?: unknown) => {
        socket.off('close', onClose);
        socket.off('drain', onDrain);
        if (err) reject(toSendError(err, 'write'));
        else resolve();
      };
      const onDrain = () => done();
      socket.once('close', onClose);
      const ok = socket.write(data, (err) => {
        if (err) done(err);
        else if (ok) done();
      });
      if (!ok) socket.once('drain', onDrain);
    });
  }

  /** Announces a protocol switch to the capture (an HTTP upgrade). */
  captureSwitch(protocol: WireProtocol, c2sOffset: number, s2cOffset: number, extensions?: string): void {
    this.tap?.switchProtocol(protocol, c2sOffset, s2cOffset, extensions);
  }

  /** Half-close: sends FIN, keeps reading. */
  halfClose(): void {
    if (!this.socket || this.writeEnded) return;
    this.writeEnded = true;
    this.socket.end();
  }

  /** Stop / restart reading (backpressure towards the peer). */
  pause(): void {
    this.socket?.pause();
  }

  resume(): void {
    this.socket?.resume();
  }

  /** Graceful: FIN now, the socket closes when the peer ends too (destroy() after a grace period). */
  close(): void {
    if (!this.socket || this._state === 'closed') {
      this._state = 'closed';
      return;
    }
    this._state = 'closing';
    this.halfClose();
    const socket = this.socket;
    const t = setTimeout(() => socket.destroy(), 2000);
    t.unref();
    socket.once('close', () => clearTimeout(t));
  }

  /** Closes at once (RST-like from our side); `reason` goes into the capture's close event. */
  destroy(reason?: string): void {
    if (reason !== undefined) this.closeReason ??= reason;
    if (this.socket) this.socket.destroy();
    else this._state = 'closed';
  }

  /** Resolves when the socket has closed (immediately if it never opened or already closed). */
  closed(): Promise<void> {
    if (!this.socket || this.socket.closed) return Promise.resolve();
    return new Promise((resolve) => this.socket!.once('close', () => resolve()));
  }

  /** Keep-alive bookkeeping for pools: unref so an idle pooled socket does not keep the process alive. */
  setIdle(idle: boolean): void {
    if (idle) this.socket?.unref();
    else this.socket?.ref();
  }

  dispose(): void {
    this.destroy();
    this.events.clear();
  }
}
