// The composer's raw TCP sessions: exact bytes to host:port over
// server-core's TcpConnection, in one write or drip-fed in pieces, optionally
// followed by a half-close (FIN, still reading). Sends on one session queue
// behind each other; a session whose connection closed is replaced by a new
// one at the next send. Every byte both ways goes to the capture.
import { TcpConnection } from '../client/tcp-connection.js';
import type { Disposable } from '../util/disposable.js';
import type { FromWebview } from '../protocol/playground.js';
import type { CaptureTap, PlaygroundContext } from './context.js';

type RawSend = Extract<FromWebview, { type: 'raw.send' }>;

interface RawSession {
  id: string;
  conn: TcpConnection;
  /** The sends so far, in order; the next one runs after. */
  queue: Promise<void>;
  /** Pending drip-feed pauses (cleared on dispose). */
  timers: Set<NodeJS.Timeout>;
}

export class RawSessions implements Disposable {
  private readonly sessions = new Map<string, RawSession>();

  constructor(private readonly ctx: PlaygroundContext) {}

  async send(msg: RawSend): Promise<void> {
    const bytes = Buffer.from(msg.data, 'base64');
    let session = this.sessions.get(msg.sessionId);
    if (session && (session.conn.state === 'closed' || session.conn.writeEnded)) {
      this.sessions.delete(msg.sessionId);
      session = undefined;
    }
    session ??= this.open(msg);
    const s = session;
    s.queue = s.queue.then(() => this.write(s, bytes, msg));
    try {
      await s.queue;
    } catch {
      /* reported through raw.state */
    }
  }

  close(sessionId: string): void {
    this.sessions.get(sessionId)?.conn.close();
  }

  dispose(): void {
    for (const s of this.sessions.values()) {
      for (const t of s.timers) clearTimeout(t);
      s.conn.destroy('playground closed');
    }
  }

  /** A new connection for the session, announced as connecting; its queue starts with the connect. */
  private open(msg: RawSend): RawSession {
    const label = `${msg.host}:${msg.port} (raw)`;
    let tap: CaptureTap | undefined = this.ctx.tap((id) => this.ctx.label(id, label));
    const conn = new TcpConnection({ host: msg.host, port: msg.port, protocol: 'raw', capture: tap.emitter });
    const session: RawSession = { id: msg.sessionId, conn, queue: Promise.resolve(), timers: new Set() };
    this.sessions.set(msg.sessionId, session);
    this.ctx.post({ type: 'raw.state', sessionId: msg.sessionId, state: 'connecting' });
    conn.on('close', (e) => {
      this.ctx.post({ type: 'raw.state', sessionId: msg.sessionId, state: 'closed', connectionId: conn.connectionId, error: e.hadError ? e.reason : undefined });
      tap?.dispose();
      tap = undefined;
    });
    conn.on('data', () => {});
    session.queue = conn.connect().then(
      () => this.ctx.post({ type: 'raw.state', sessionId: msg.sessionId, state: 'open', connectionId: conn.connectionId }),
      (err: Error) => {
        this.sessions.delete(msg.sessionId);
        tap?.dispose();
        this.ctx.post({ type: 'raw.state', sessionId: msg.sessionId, state: 'closed', error: err.message });
        throw err;
      },
    );
    return session;
  }

  /** One send: the bytes in one piece or drip-fed, then the half-close if asked. */
  private async write(s: RawSession, bytes: Buffer, msg: RawSend): Promise<void> {
    const pieces: Buffer[] = [];
    if (msg.drip && msg.drip.chunkSize < bytes.length) {
      for (let i = 0; i < bytes.length; i += msg.drip.chunkSize) pieces.push(bytes.subarray(i, i + msg.drip.chunkSize));
    } else pieces.push(bytes);
    for (let i = 0; i < pieces.length; i++) {
      if (s.conn.state !== 'open') return;
      await s.conn.send(pieces[i]);
      if (msg.drip && i < pieces.length - 1 && msg.drip.intervalMs > 0) await this.pause(s, msg.drip.intervalMs);
    }
    if (msg.halfClose && s.conn.state === 'open') {
      s.conn.halfClose();
      this.ctx.post({ type: 'raw.state', sessionId: s.id, state: 'half-closed', connectionId: s.conn.connectionId });
    }
  }

  private pause(s: RawSession, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        s.timers.delete(t);
        resolve();
      }, ms);
      s.timers.add(t);
    });
  }
}
