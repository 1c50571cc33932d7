// The playground's WebSocket sessions, each a client/ws-session.ts WsSession
// (which captures the handshake and every frame both ways): opened by the
// composer (ws.connect) or by the host for a WEBSOCKET block of a .http file
// (attach), then driven from the composer: messages, pings, frames built by
// hand (valid or not), close, auto-pong, disconnect. The composer shows one
// session at a time: the one last connected or attached. Each session keeps
// its latest messages so a reloaded UI binds to it again with its log.
import type { Disposable } from '../util/disposable.js';
import { WsSession, type WsOutgoing } from '../client/ws-session.js';
import { closePayload, encodeFrame, fragmentMessage } from '../ws/frame-encoder.js';
import type { Direction, FromWebview, HeaderRow, ToWebview, WsSendKind } from '../protocol/playground.js';
import type { PlaygroundContext } from './context.js';
import { attachedHandle, type AttachedWebSocket, type AttachWebSocketOptions } from './ws-attach.js';

/** What a reloaded UI gets back of an open session's message log. */
const WS_REPLAY_MESSAGES = 500;
const WS_REPLAY_CHARS = 4 * 1024 * 1024;

type WsMessage = Extract<ToWebview, { type: 'ws.message' }>;

interface Session {
  id: string;
  transport: WsSession;
  url: string;
  protocols: string[];
  /** The capture's id, from the moment the TCP connection opens. */
  connectionId?: string;
  /** The handshake is done. */
  opened: boolean;
  closed: boolean;
  /** The server sent its close frame: the session is closing, nothing more may be sent. */
  peerClosing: boolean;
  /** Why the connection attempt failed. */
  error?: string;
  /** Set for a session opened from the host side (attach): where it came from. */
  source?: string;
  /** The latest messages, replayed to a reloaded UI so the composer's log does not restart empty. */
  log: WsMessage[];
  logChars: number;
}

/** What connect takes beyond the composer's fields (host-side sessions). */
interface ConnectExtras {
  insecure?: boolean;
  handshakeTimeoutMs?: number;
  signal?: AbortSignal;
  /** Announce the session to the UI (`ws.attached`) once its connection opens, with this origin. */
  source?: string;
}

export class WsSessions implements Disposable {
  private readonly sessions = new Map<string, Session>();
  private counter = 0;
  /** The session the UI's WebSocket composer is bound to (the last one connected or attached). */
  private composer: string | undefined;

  constructor(private readonly ctx: PlaygroundContext) {}

  /** The composer's ws.connect. Resolves once the session is open, or failed (then `closed` with its `error`). */
  async connect(sessionId: string, url: string, protocols: string[], headerRows: HeaderRow[], autoPong: boolean, extras: ConnectExtras = {}): Promise<Session | undefined> {
    const old = this.sessions.get(sessionId);
    if (old && !old.closed) {
      this.ctx.post({ type: 'notice', level: 'warning', message: 'That session is already connected.' });
      return undefined;
    }
    const headers: Record<string, string> = {};
    for (const h of headerRows) if (h.enabled && h.name.trim()) headers[h.name.trim()] = h.value;
    const tap = this.ctx.tap((connectionId) => {
      session.connectionId = connectionId;
      this.ctx.label(connectionId, url);
      if (session.source !== undefined) this.ctx.post({ type: 'ws.attached', sessionId, url, protocols, connectionId, source: session.source });
      this.ctx.post({ type: 'ws.state', sessionId, state: 'connecting', connectionId });
    });
    // Forwarded first, then the tap goes: the session's one connection is over.
    tap.emitter.on('close', () => tap.dispose());
    const transport = new WsSession({
      url,
      protocols,
      headers,
      autoPong,
      capture: tap.emitter,
      ...(extras.insecure ? { insecure: true } : {}),
      ...(extras.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: extras.handshakeTimeoutMs } : {}),
    });
    const session: Session = {
      id: sessionId,
      transport,
      url,
      protocols,
      opened: false,
      closed: false,
      peerClosing: false,
      log: [],
      logChars: 0,
      ...(extras.source !== undefined ? { source: extras.source } : {}),
    };
    this.sessions.set(sessionId, session);
    this.composer = sessionId;
    // A composer session is shown connecting at once (the composer knows its id); a host-side one is announced
    // with ws.attached when its connection opens, before any of its states.
    if (extras.source === undefined) this.ctx.post({ type: 'ws.state', sessionId, state: 'connecting' });
    transport.on('frame', (f) => {
      if (f.opcode === 8) session.peerClosing = true;
      this.logMessage(session, 's2c', f.opcode, f.payload);
    });
    transport.on('close', (e) => {
      session.closed = true;
      this.ctx.post({ type: 'ws.state', sessionId, state: 'closed', connectionId: session.connectionId, code: e.code, reason: e.reason, error: e.error?.message });
    });
    transport.on('error', (e) => this.ctx.post({ type: 'notice', level: 'warning', message: `WebSocket: ${e.message}` }));
    try {
      await transport.connect(extras.signal);
    } catch (err) {
      session.closed = true;
      session.error = extras.signal?.aborted ? 'aborted while connecting' : (err as Error).message;
      // No connection opened: no close will come to end the tap.
      if (session.connectionId === undefined) tap.dispose();
      this.ctx.post({ type: 'ws.state', sessionId, state: 'closed', connectionId: session.connectionId, error: session.error });
      return session;
    }
    session.opened = true;
    this.ctx.post({ type: 'ws.state', sessionId, state: 'open', connectionId: session.connectionId, protocol: transport.protocol });
    // Another session took the composer while this one was still connecting: nobody is bound to it.
    if (this.composer !== sessionId) this.closeReplaced(session);
    return session;
  }

  /**
   * Opens a session from the host side (a WEBSOCKET block sent from a .http
   * file) and binds the UI's composer to it (`ws.attached`): from then on it is
   * a session like one the composer opened. The composer's previous session,
   * if still open, is closed with 1000 (the composer shows one session at a
   * time; its capture stays in the inspector). Resolves once the handshake is
   * done; rejects when the connection or the handshake fails.
   */
  async attach(options: AttachWebSocketOptions): Promise<AttachedWebSocket> {
    const previous = this.composer === undefined ? undefined : this.sessions.get(this.composer);
    if (previous && this.isOpen(previous)) this.closeReplaced(previous);
    const sessionId = `host-ws-${++this.counter}-${process.pid}`;
    const headers: HeaderRow[] = (options.headers ?? []).map((h) => ({ name: h.name, value: h.value, enabled: true }));
    const session = await this.connect(sessionId, options.url, options.protocols ?? [], headers, true, {
      source: options.source ?? '',
      ...(options.insecure ? { insecure: true } : {}),
      ...(options.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!session?.opened || session.connectionId === undefined) throw new Error(session?.error ?? 'the WebSocket did not open');
    return attachedHandle({
      sessionId,
      connectionId: session.connectionId,
      session: session.transport,
      isOpen: () => this.isOpen(session),
      logSent: (opcode, data) => this.logMessage(session, 'c2s', opcode, data),
      logClose: (code, reason) => {
        this.logMessage(session, 'c2s', 8, closePayload(code, reason));
        this.ctx.post({ type: 'ws.state', sessionId, state: 'closing', connectionId: session.connectionId });
      },
    });
  }

  /** The composer's ws.send: a message, or a ping or pong. */
  async send(sessionId: string, kind: WsSendKind, data: Buffer): Promise<void> {
    const s = this.openSession(sessionId);
    if (!s) return;
    if ((kind === 'ping' || kind === 'pong') && data.length > 125) {
      return this.ctx.post({ type: 'notice', level: 'error', message: 'A control frame carries at most 125 bytes (use the frame composer to send a longer one on purpose).' });
    }
    this.logMessage(s, 'c2s', { text: 1, binary: 2, ping: 9, pong: 10 }[kind], data);
    const out: WsOutgoing = kind === 'text' ? { kind, text: data.toString('utf8') } : kind === 'binary' ? { kind, data } : { kind, data };
    await s.transport.send(out).catch((err: Error) => this.ctx.post({ type: 'notice', level: 'warning', message: `WebSocket: ${err.message}` }));
  }

  /** The frame composer: one frame as built (any bits, any opcode), or a message split into fragments. */
  async frame(msg: Extract<FromWebview, { type: 'ws.frame' }>): Promise<void> {
    const s = this.openSession(msg.sessionId);
    if (!s) return;
    const f = msg.frame;
    const payload = Buffer.from(f.payload, 'base64');
    const frames =
      f.fragments <= 1
        ? [encodeFrame({ fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, opcode: f.opcode, mask: f.mask, payload })]
        : fragmentMessage({ opcode: f.opcode, payload, fragments: f.fragments, mask: f.mask, rsv1: f.rsv1 });
    this.logMessage(s, 'c2s', f.opcode, payload);
    // All written in this turn, so nothing else sent meanwhile lands between the fragments.
    const written = frames.map((bytes) => s.transport.send({ kind: 'raw', bytes }));
    await Promise.all(written).catch((err: Error) => this.ctx.post({ type: 'notice', level: 'warning', message: `WebSocket: ${err.message}` }));
  }

  /** The composer's "Send close". */
  close(sessionId: string, code: number | undefined, reason: string): void {
    const s = this.sessions.get(sessionId);
    if (!s?.opened) return this.ctx.post({ type: 'notice', level: 'warning', message: 'That WebSocket is not connected.' });
    this.logMessage(s, 'c2s', 8, closePayload(code, reason));
    s.transport.send({ kind: 'close', code, reason }).catch(() => {
      /* already closed: its ws.state says so */
    });
    this.ctx.post({ type: 'ws.state', sessionId: s.id, state: 'closing', connectionId: s.connectionId });
  }

  setAutoPong(sessionId: string, enabled: boolean): void {
    this.sessions.get(sessionId)?.transport.setAutoPong(enabled);
  }

  /** Drops the TCP connection, without a closing handshake. */
  disconnect(sessionId: string): void {
    this.sessions.get(sessionId)?.transport.terminate();
  }

  /** A reloaded UI (a hidden webview comes back empty) binds its composer again to the session it had, if still open. */
  reannounce(): void {
    const s = this.composer === undefined ? undefined : this.sessions.get(this.composer);
    if (!s?.opened || s.closed || s.connectionId === undefined) return;
    this.ctx.post({ type: 'ws.attached', sessionId: s.id, url: s.url, protocols: s.protocols, connectionId: s.connectionId, resumed: true, ...(s.source !== undefined ? { source: s.source } : {}) });
    for (const m of s.log) this.ctx.post(m);
  }

  dispose(): void {
    for (const s of this.sessions.values()) s.transport.terminate();
  }

  private isOpen(s: Session): boolean {
    return s.opened && !s.closed && !s.peerClosing && s.transport.state === 'open';
  }

  private openSession(sessionId: string): Session | undefined {
    const s = this.sessions.get(sessionId);
    if (!s || !this.isOpen(s)) {
      this.ctx.post({ type: 'notice', level: 'warning', message: 'The WebSocket is not open; connect first.' });
      return undefined;
    }
    return s;
  }

  private closeReplaced(s: Session): void {
    const reason = 'replaced by a new session';
    this.logMessage(s, 'c2s', 8, closePayload(1000, reason));
    s.transport.close(1000, reason);
    this.ctx.post({ type: 'ws.state', sessionId: s.id, state: 'closing', connectionId: s.connectionId });
  }

  private logMessage(s: Session, dir: Direction, opcode: number, data: Buffer): void {
    const m: WsMessage = { type: 'ws.message', sessionId: s.id, dir, opcode, data: data.toString('base64'), t: performance.now() };
    s.log.push(m);
    s.logChars += m.data.length;
    while (s.log.length > WS_REPLAY_MESSAGES || (s.logChars > WS_REPLAY_CHARS && s.log.length > 1)) s.logChars -= s.log.shift()!.data.length;
    this.ctx.post(m);
  }
}
