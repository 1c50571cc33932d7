// The playground's event-stream sessions, each a client/sse-client.ts
// SseClient (EventSource's behaviour on Wireplay's own sender: every
// connection captured, a reconnect linked to the connection it follows):
// opened by the composer's SSE tab (sse.connect) and ended by it
// (sse.disconnect). States go to the UI as they happen (sse.state); records
// are batched into sse.records, one message per turn of the event loop at
// most, so a stream of 100 000 events costs the UI a few hundred messages,
// not 100 000. Each session keeps its latest records so a reloaded UI gets
// its list back.
import type { Disposable } from '../util/disposable.js';
import { SseClient, type SseClientEvent } from '../client/sse-client.js';
import { createRequestSpec } from '../client/request-spec.js';
import type { HeaderRow, SseRecordView, SseStateView, ToWebview } from '../protocol/playground.js';
import type { CaptureTap, PlaygroundContext } from './context.js';

/** Records a session keeps for a reloaded UI. */
const REPLAY_RECORDS = 1000;
/** Records per sse.records message at most. */
const BATCH_RECORDS = 2000;

interface Session {
  id: string;
  url: string;
  client: SseClient;
  tap: CaptureTap;
  state: SseStateView;
  log: SseRecordView[];
  pending: SseRecordView[];
  closed: boolean;
}

export class SseSessions implements Disposable {
  private readonly sessions = new Map<string, Session>();
  private flushing: NodeJS.Immediate | undefined;
  private disposed = false;

  constructor(private readonly ctx: PlaygroundContext) {}

  /** sse.connect: resolves when the session is over (closed, refused, given up). */
  async connect(sessionId: string, url: string, headerRows: HeaderRow[], lastEventId: string, autoReconnect: boolean): Promise<void> {
    const old = this.sessions.get(sessionId);
    if (old && !old.closed) {
      this.ctx.post({ type: 'notice', level: 'warning', message: 'That event stream is already connected.' });
      return;
    }
    let spec;
    try {
      spec = createRequestSpec({ url, headers: headerRows.filter((h) => h.name.trim() !== '').map((h) => ({ name: h.name.trim(), value: h.value, enabled: h.enabled })) });
      new URL(url);
    } catch (err) {
      this.ctx.post({ type: 'sse.state', sessionId, state: 'closed', connection: 0, lastEventId, reason: `not a URL: ${(err as Error).message}`, code: 'INVALID_URL' });
      return;
    }
    // Each reconnect is a new connection in the list, named as such (its ConnectionInfo links the previous one).
    let opened = 0;
    const tap = this.ctx.tap((connectionId) => this.ctx.label(connectionId, `SSE ${url}${++opened > 1 ? ` · reconnect ${opened - 1}` : ''}`));
    const client = new SseClient({ spec, capture: tap.emitter, lastEventId, autoReconnect });
    const session: Session = { id: sessionId, url, client, tap, state: { state: 'connecting', connection: 1, lastEventId }, log: [], pending: [], closed: false };
    this.sessions.set(sessionId, session);
    client.on((e) => this.onClientEvent(session, e));
    await client.start();
  }

  /** sse.disconnect: the user's stop; no reconnect follows. */
  disconnect(sessionId: string): void {
    this.sessions.get(sessionId)?.client.close('disconnected by the user');
  }

  /** A reloaded UI: each session's state and its latest records again. */
  reannounce(): void {
    for (const s of this.sessions.values()) {
      this.ctx.post({ type: 'sse.state', sessionId: s.id, ...s.state });
      if (s.log.length > 0) this.ctx.post({ type: 'sse.records', sessionId: s.id, records: s.log.slice() });
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.flushing) clearImmediate(this.flushing);
    for (const s of this.sessions.values()) {
      s.client.close('the playground closed');
      s.tap.dispose();
    }
    this.sessions.clear();
  }

  private onClientEvent(s: Session, e: SseClientEvent): void {
    if (this.disposed) return;
    const where = { connection: e.connection, ...(e.connectionId ? { connectionId: e.connectionId } : {}) };
    switch (e.type) {
      case 'state': {
        // Records before a state change reach the UI before it.
        this.flush();
        const { type: _t, ...rest } = e;
        s.state = rest;
        if (e.state === 'closed') {
          s.closed = true;
          s.tap.dispose();
        }
        this.ctx.post({ type: 'sse.state', sessionId: s.id, ...rest });
        return;
      }
      case 'event':
        return this.record(s, { kind: 'event', ...where, type: e.event.type, id: e.event.lastEventId, data: e.event.data, t: e.t });
      case 'comment':
        return this.record(s, { kind: 'comment', ...where, text: e.text, t: e.t });
      case 'retry':
        return this.record(s, { kind: 'retry', ...where, ms: e.ms, t: e.t });
      case 'id':
      case 'exchange':
        return;
    }
  }

  private record(s: Session, r: SseRecordView): void {
    s.pending.push(r);
    s.log.push(r);
    if (s.log.length > REPLAY_RECORDS * 2) s.log.splice(0, s.log.length - REPLAY_RECORDS);
    if (s.pending.length >= BATCH_RECORDS) this.flush();
    else this.flushing ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    // The capture's chunks of these records first, so the timeline has the bytes the list names.
    this.ctx.flush();
    for (const s of this.sessions.values()) {
      if (s.pending.length === 0) continue;
      const records = s.pending;
      s.pending = [];
      this.ctx.post({ type: 'sse.records', sessionId: s.id, records } satisfies ToWebview);
    }
  }
}
