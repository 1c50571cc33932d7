// A WebSocket session for the playground: connect to a ws:// or wss:// URL
// through server-core's WebSocket client, send text, binary, ping, pong, close
// or any frame built by the composer (valid or not), receive messages and
// frames live, switch auto-pong at any time. Every byte (the handshake, then
// the frames) goes to the capture emitter: the connection opens as 'http' and
// switches to 'ws' at the end of the handshake, as the server side does.
// The capture goes through the one socket tap (capture/socket-tap.ts).
//
// Public API (stable; the playground's WebSocket sessions build on it):
//   new WsSession(options) · connect(signal?) · send(WsOutgoing) · sendText ·
//   sendBinary · ping · close(code?, reason?) · closed() · terminate() ·
//   setAutoPong(on) · on('open' | 'message' | 'frame' | 'frameSent' | 'ping' |
//   'pong' | 'error' | 'close') · state · connectionId · protocol ·
//   extensions · handshake · local · remote · dispose().
import type { Socket } from 'node:net';
import { Emitter } from '../util/emitter.js';
import type { Disposable } from '../util/disposable.js';
import type { CaptureEvents, Endpoint } from '../capture/types.js';
import { ClientCapture, tapClientSocket } from '../capture/socket-tap.js';
import { connectWebSocket, WebSocketHandshakeError, type ClientHandshake } from '../ws/client.js';
import type { CloseEvent, WebSocketConnection, WebSocketConnectionEvents } from '../ws/connection.js';
import { encodeFrame, type FrameSpec } from '../ws/frame-encoder.js';
import { newClientConnectionId } from './tcp-connection.js';
import { SendError, toSendError, type Transport, type TransportState } from './transport.js';

export interface WsSessionOptions {
  /** ws://, wss:// (http:// and https:// are taken as ws:// and wss://). */
  url: string;
  protocols?: string[];
  /** Extra handshake headers (Origin, Authorization, Cookie, …). */
  headers?: Record<string, string>;
  /** Answer pings automatically (default true); switchable later with setAutoPong. */
  autoPong?: boolean;
  /** Offer permessage-deflate (default true). */
  perMessageDeflate?: boolean;
  /** wss:// without certificate verification. */
  insecure?: boolean;
  /** Connect + handshake limit. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Largest incoming message. Default: the WebSocket client's (64 MiB). */
  maxPayload?: number;
  capture?: Emitter<CaptureEvents>;
}

/** What a session can send. `frame` goes through the composer (masked with a fresh key unless told otherwise); `raw` bytes go as they are. */
export type WsOutgoing =
  | { kind: 'text'; text: string }
  | { kind: 'binary'; data: Buffer }
  | { kind: 'ping'; data?: Buffer | string }
  | { kind: 'pong'; data?: Buffer | string }
  | { kind: 'close'; code?: number; reason?: string }
  | { kind: 'frame'; frame: FrameSpec }
  | { kind: 'frames'; frames: FrameSpec[] }
  | { kind: 'raw'; bytes: Buffer };

/**
 * The connection's events (message, frame, frameSent — composed and raw frames
 * included —, ping, pong, error, close) passed on as they are, and an open
 * event that carries the handshake.
 */
export interface WsSessionEvents extends Omit<WebSocketConnectionEvents, 'open' | 'drain'> {
  open: { connectionId: string; protocol: string; extensions: string; handshake: ClientHandshake };
}

export class WsSession implements Transport<WsOutgoing, WsSessionEvents> {
  private readonly events = new Emitter<WsSessionEvents>();
  private connection: WebSocketConnection | undefined;
  private _state: TransportState = 'idle';
  private _connectionId = '';
  private autoPongValue: boolean;
  private closeEvent: CloseEvent | undefined;
  private readonly closeWaiters: ((e: CloseEvent) => void)[] = [];
  handshake: ClientHandshake | undefined;
  local: Endpoint = { address: '', port: 0 };
  remote: Endpoint = { address: '', port: 0 };

  constructor(private readonly options: WsSessionOptions) {
    this.autoPongValue = options.autoPong ?? true;
  }

  get state(): TransportState {
    return this._state;
  }

  get connectionId(): string {
    return this._connectionId;
  }

  get protocol(): string {
    return this.connection?.protocol ?? '';
  }

  get extensions(): string {
    return this.connection?.extensions ?? '';
  }

  get autoPong(): boolean {
    return this.autoPongValue;
  }

  setAutoPong(on: boolean): void {
    this.autoPongValue = on;
    if (this.connection) this.connection.autoPong = on;
  }

  on<K extends keyof WsSessionEvents>(event: K, listener: (payload: WsSessionEvents[K]) => void): Disposable {
    return this.events.on(event, listener);
  }

  async connect(signal?: AbortSignal): Promise<void> {
    if (this._state !== 'idle') throw new Error(`connect() in state ${this._state}`);
    this._state = 'connecting';
    const o = this.options;
    const url = o.url.replace(/^http(s?):\/\//i, 'ws$1://');
    const id = newClientConnectionId();
    const tap = new ClientCapture(o.capture, id);
    let socketError: Error | undefined;
    let socket: Socket | undefined;
    const onSocket = (s: Socket) => {
      socket = s;
      s.on('error', (err) => (socketError ??= err));
      const secure = /^wss:/i.test(url);
      s.once(secure ? 'secureConnect' : 'connect', () => {
        this.local = { address: s.localAddress ?? '', port: s.localPort ?? 0 };
        this.remote = { address: s.remoteAddress ?? '', port: s.remotePort ?? 0 };
      });
      if (o.capture) tapClientSocket(s, tap, { protocol: 'http', tls: secure, reason: () => this.closeEvent?.error?.message ?? socketError?.message });
    };
    const onAbort = () => socket?.destroy(new Error('aborted'));
    if (signal?.aborted) {
      this._state = 'closed';
      throw new SendError('ABORTED', 'aborted before connecting');
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const client = await connectWebSocket(url, {
        protocols: o.protocols,
        headers: o.headers,
        autoPong: this.autoPongValue,
        perMessageDeflate: o.perMessageDeflate ?? true,
        handshakeTimeout: o.handshakeTimeoutMs ?? 10_000,
        ...(o.maxPayload !== undefined ? { maxPayload: o.maxPayload } : {}),
        ...(o.insecure ? { tls: { rejectUnauthorized: false } } : {}),
        id,
        onSocket,
      });
      this.connection = client.connection;
      this.handshake = client.handshake;
    } catch (err) {
      this._state = 'closed';
      if (signal?.aborted) throw new SendError('ABORTED', 'aborted while connecting');
      if (err instanceof WebSocketHandshakeError) {
        if (err.code === 'WS_CONNECT_FAILED' && socketError) throw toSendError(socketError, `connect to ${url}`);
        if (err.code === 'WS_HANDSHAKE_TIMEOUT') throw new SendError('TIMEOUT', err.message, { cause: err });
        throw new SendError('HANDSHAKE_FAILED', err.message, { cause: err });
      }
      throw toSendError(err, `connect to ${url}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    this._connectionId = id;
    this._state = 'open';
    const conn = this.connection;
    const hs = this.handshake;
    tap.switchProtocol('ws', hs.requestBytes.length, hs.responseBytes.length, conn.extensions);
    conn.on('message', (m) => this.events.emit('message', m));
    conn.on('frame', (f) => this.events.emit('frame', f));
    conn.on('frameSent', (f) => this.events.emit('frameSent', f));
    conn.on('ping', (p) => this.events.emit('ping', p));
    conn.on('pong', (p) => this.events.emit('pong', p));
    conn.on('error', (e) => this.events.emit('error', e));
    conn.on('close', (e) => {
      this._state = 'closed';
      this.closeEvent = e;
      for (const w of this.closeWaiters.splice(0)) w(e);
      this.events.emit('close', e);
    });
    this.events.emit('open', { connectionId: id, protocol: conn.protocol, extensions: conn.extensions, handshake: hs });
  }

  /** Sends one item; resolves once it is handed to the socket. */
  async send(out: WsOutgoing): Promise<void> {
    const c = this.connection;
    if (!c || c.readyState === 'closed') throw new SendError('CONNECTION_CLOSED', 'the WebSocket session is not open');
    let ok = true;
    switch (out.kind) {
      case 'text':
        ok = c.send(out.text);
        break;
      case 'binary':
        ok = c.send(out.data, { binary: true });
        break;
      case 'ping':
        c.ping(out.data);
        break;
      case 'pong':
        c.pong(out.data);
        break;
      case 'close':
        this._state = 'closing';
        c.close(out.code, out.reason);
        break;
      case 'frame':
        ok = c.sendRaw(encodeFrame({ ...out.frame, mask: out.frame.mask ?? true }));
        break;
      case 'frames':
        for (const f of out.frames) ok = c.sendRaw(encodeFrame({ ...f, mask: f.mask ?? true }));
        break;
      case 'raw':
        ok = c.sendRaw(out.bytes);
        break;
      default:
        assertNever(out);
    }
    // Over the high-water mark: wait for the connection to drain (or close).
    if (!ok && c.readyState === 'open') {
      await new Promise<void>((resolve) => {
        const d1 = c.on('drain', () => done());
        const d2 = c.on('close', () => done());
        const done = () => {
          d1.dispose();
          d2.dispose();
          resolve();
        };
      });
    }
  }

  sendText(text: string): Promise<void> {
    return this.send({ kind: 'text', text });
  }

  sendBinary(data: Buffer): Promise<void> {
    return this.send({ kind: 'binary', data });
  }

  ping(data?: Buffer | string): Promise<void> {
    return this.send({ kind: 'ping', data });
  }

  /** Starts the closing handshake with code 1000 (or the given one). */
  close(code = 1000, reason = ''): void {
    if (!this.connection || this._state === 'closed') return;
    this._state = 'closing';
    this.connection.close(code, reason);
  }

  /** Resolves with the close event once the connection is closed. */
  closed(): Promise<CloseEvent> {
    if (this.closeEvent) return Promise.resolve(this.closeEvent);
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** Ends at once, without a closing handshake. */
  terminate(): void {
    this.connection?.terminate();
  }

  dispose(): void {
    this.terminate();
    this.events.clear();
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected ${JSON.stringify(x)}`);
}
