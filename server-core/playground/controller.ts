// The playground controller: the host side of the UI, with no VS Code in it.
// It takes the UI's requests (already validated, see validate.ts), runs the
// HTTP sender, WebSocket sessions and raw TCP connections, records every byte
// in a CaptureStore (with dissection), and pushes what happened back as
// ToWebview messages. The VS Code panel and `wireplay ui` both drive one.
import type { DissectedMessage } from '../capture/dissection-types.js';
import { CaptureStore, type ConnectionSummary } from '../capture/capture-store.js';
import type { CaptureEvents, Direction, Endpoint } from '../capture/types.js';
import { sendRequest, type HttpSendResult } from '../client/http-sender.js';
import { TcpConnection } from '../client/tcp-connection.js';
import { DisposableStore, type Disposable } from '../util/disposable.js';
import { Emitter } from '../util/emitter.js';
import { connectWebSocket, type WebSocketClient } from '../ws/client.js';
import { closePayload, encodeFrame, fragmentMessage } from '../ws/frame-encoder.js';
import {
  PROTOCOL_VERSION,
  assertNever,
  type ChunkView,
  type ConnectionInfo,
  type FromWebview,
  type HeaderRow,
  type HistoryEntry,
  type HttpRequestSpec,
  type HttpResponseView,
  type QueueJob,
  type QueueSnapshot,
  type ServerMode,
  type ToWebview,
} from '../protocol/playground.js';
import { QueueJobs, type ServerQueueSource } from './queue-jobs.js';
import { previewRequest, toRequestSpec } from './http-request.js';
import { RetainedExchanges, retainedSpec, type RetainedExchangeLimits } from './retained-exchanges.js';
import { chunkView, PUSH_INLINE_BYTES, retainedRange, snapshotChunks } from './capture-transfer.js';
import { parseFromWebview, ProtocolError, type ValidationLimits } from './validate.js';
import { attachedHandle, type AttachedWebSocket, type AttachWebSocketOptions } from './ws-attach.js';

export interface PlaygroundControllerOptions {
  /** The URL of the running Wireplay server, if any (the composer's default target). */
  serverUrl?: () => string | null;
  /** Server-side capture to show beside the connections the playground opens. */
  serverCapture?: Emitter<CaptureEvents>;
  /** The server's scheduler (queued / started / finished, and its mode), for the Timeline's server queue view. */
  serverQueue?: ServerQueueSource;
  /** Server requests remembered for that view (oldest forgotten first). Default 2000. */
  queueJobLimit?: number;
  /** Total capture bytes kept (ring). Default 64 MiB. */
  captureMaxBytes?: number;
  /** History entries kept. Default 100. */
  historyLimit?: number;
  history?: HistoryEntry[];
  onHistoryChange?(entries: HistoryEntry[]): void;
  standalone?: boolean;
  /** Largest response body previewed in the Parsed view, bytes. Default 1 MiB. */
  bodyPreviewBytes?: number;
  /** How long updates are batched before they are pushed, ms. Default 16. */
  flushIntervalMs?: number;
  validation?: ValidationLimits;
  /** Bounds on the HTTP results kept to send again with a capture snapshot (see retained-exchanges.ts). */
  retainedExchanges?: Partial<RetainedExchangeLimits>;
  log?: (message: string) => void;
}

interface WsSession {
  id: string;
  connectionId: string;
  client?: WebSocketClient;
  closed: boolean;
  url: string;
  protocols: string[];
  /** Why the connection attempt failed. */
  error?: string;
  /** Set for a session opened from the host side (attachWebSocket): where it came from. */
  source?: string;
  /** The latest messages, replayed to a reloaded UI so the composer's log does not restart empty. */
  log: Extract<ToWebview, { type: 'ws.message' }>[];
  logChars: number;
}

/** What a reloaded UI gets back of an open session's message log. */
const WS_REPLAY_MESSAGES = 500;
const WS_REPLAY_CHARS = 4 * 1024 * 1024;

/** What connectWs takes beyond the composer's fields (host-side sessions). */
interface WsConnectExtras {
  tls?: { rejectUnauthorized: boolean };
  handshakeTimeout?: number;
  signal?: AbortSignal;
  /** Announce the session to the UI (`ws.attached`) before connecting, with this origin. */
  source?: string;
}

interface RawSession {
  id: string;
  conn: TcpConnection;
  queue: Promise<void>;
  timers: Set<NodeJS.Timeout>;
}

interface Pending {
  chunks: ChunkView[];
  /** Bytes of this push sent along with its chunks (at most PUSH_INLINE_BYTES). */
  inlined: number;
  messages: Map<number, DissectedMessage>;
  /** Per direction, the offset below which the ring dropped every byte. */
  dropped: Partial<Record<Direction, number>>;
}

export { toRequestSpec } from './http-request.js';

/** Only the contract's fields: dissector details may carry Buffers that must not be serialised. */
function plainMessage(m: DissectedMessage): DissectedMessage {
  const out: DissectedMessage = {
    id: m.id,
    connectionId: m.connectionId,
    kind: m.kind,
    protocol: m.protocol,
    dir: m.dir,
    range: m.range,
    tStart: m.tStart,
    tEnd: m.tEnd,
    summary: m.summary,
    fields: m.fields,
  };
  if (m.error) out.error = m.error;
  if (m.sequence !== undefined) out.sequence = m.sequence;
  return out;
}

function endpoint(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

export class PlaygroundController implements Disposable {
  readonly store: CaptureStore;
  private readonly out = new Emitter<{ message: ToWebview }>();
  /** Client-side capture of everything the playground sends. */
  private readonly capture = new Emitter<CaptureEvents>();
  private readonly disposables = new DisposableStore();
  private readonly labels = new Map<string, string>();
  private readonly inflight = new Map<string, AbortController>();
  private readonly ws = new Map<string, WsSession>();
  private readonly raw = new Map<string, RawSession>();
  private readonly exchanges: RetainedExchanges;
  private history: HistoryEntry[];
  /**
   * Connections whose bytes and messages are pushed live: the ones the
   * playground opened and the ones the UI loaded. The others (say, a load test
   * against the server) only announce their open and close, so the UI is never
   * flooded; selecting one loads it (capture.load) and makes it live.
   */
  private readonly live = new Set<string>();
  private pending = new Map<string, Pending>();
  private readonly queueJobs: QueueJobs;
  /** Jobs changed since the last flush, by connectionId#index. */
  private pendingJobs = new Map<string, QueueJob>();
  private postedMode: ServerMode | null | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private wsCounter = 0;
  /** The session the UI's WebSocket composer is bound to (the last one connected or attached). */
  private composerWs: string | undefined;

  constructor(private readonly options: PlaygroundControllerOptions = {}) {
    this.store = new CaptureStore({ maxBytes: options.captureMaxBytes });
    this.history = [...(options.history ?? [])];
    this.exchanges = new RetainedExchanges(options.retainedExchanges);
    this.queueJobs = new QueueJobs(options.queueJobLimit);
    this.disposables.add(this.store);
    this.disposables.add(this.store.attach(this.capture));
    if (options.serverCapture) this.disposables.add(this.store.attach(options.serverCapture));
    const ev = this.store.events;
    this.disposables.add(ev.on('open', (s) => this.post({ type: 'connection.opened', info: this.info(s) })));
    this.disposables.add(
      ev.on('close', (s) => {
        this.flush();
        this.post({ type: 'connection.closed', connectionId: s.id, t: s.closed?.t ?? performance.now(), reason: s.closed?.reason });
      }),
    );
    this.disposables.add(
      ev.on('chunk', ({ connectionId, entry }) => {
        if (!this.live.has(connectionId)) return;
        const p = this.pendingFor(connectionId);
        const inline = p.inlined + entry.bytes.length <= PUSH_INLINE_BYTES;
        if (inline) p.inlined += entry.bytes.length;
        p.chunks.push(chunkView(entry, inline));
        this.scheduleFlush();
      }),
    );
    this.disposables.add(
      ev.on('message', (m) => {
        if (!this.live.has(m.connectionId)) return;
        this.pendingFor(m.connectionId).messages.set(m.id, plainMessage(m));
        this.scheduleFlush();
      }),
    );
    this.disposables.add(
      ev.on('switch', ({ connectionId }) => {
        const s = this.store.getConnection(connectionId);
        if (s) this.post({ type: 'connection.opened', info: this.info(s) });
      }),
    );
    this.disposables.add(
      ev.on('dropped', ({ connectionId, entry }) => {
        if (!this.live.has(connectionId)) return;
        this.pendingFor(connectionId).dropped[entry.dir] = entry.offset + entry.length;
        this.scheduleFlush();
      }),
    );
    this.disposables.add(ev.on('clear', () => this.post({ type: 'capture.cleared' })));
    // A playground connection and the server's end of it were tied after their opens were announced: announce
    // both again with the link (the Timeline reads the server side's queue through it).
    this.disposables.add(
      ev.on('peer', ({ clientId, serverId }) => {
        for (const id of [clientId, serverId]) {
          const s = this.store.getConnection(id);
          if (s) this.post({ type: 'connection.opened', info: this.info(s) });
        }
      }),
    );
    const queue = options.serverQueue;
    if (queue) {
      this.postedMode = queue.mode();
      this.disposables.add(
        queue.onQueue((e) => {
          const job = this.queueJobs.apply(e);
          this.pendingJobs.set(`${job.connectionId}#${job.index}`, job);
          this.scheduleFlush();
        }),
      );
      if (queue.onMode) this.disposables.add(queue.onMode(() => this.modeChanged()));
    }
  }

  /** Everything the UI should receive. Dispose the returned handle to stop. */
  onMessage(listener: (m: ToWebview) => void): Disposable {
    return this.out.on('message', listener);
  }

  /** An untrusted message from the UI: validated, then handled. Invalid input is answered with a notice and otherwise ignored. */
  receive(input: unknown): Promise<void> {
    let msg: FromWebview;
    try {
      msg = parseFromWebview(input, this.options.validation);
    } catch (err) {
      const message = err instanceof ProtocolError ? err.message : String(err);
      this.options.log?.(`playground: rejected a message: ${message}`);
      this.post({ type: 'notice', level: 'error', message: `Rejected a malformed message (${message}).` });
      return Promise.resolve();
    }
    return this.handle(msg);
  }

  async handle(msg: FromWebview): Promise<void> {
    if (this.disposed) return;
    switch (msg.type) {
      case 'ready':
        this.post({
          type: 'init',
          version: PROTOCOL_VERSION,
          serverUrl: this.options.serverUrl?.() ?? null,
          standalone: this.options.standalone ?? false,
          history: this.history,
          connections: this.store.listConnections().map((s) => this.info(s)),
          queue: this.queueSnapshot(),
        });
        this.reannounceWs();
        return;
      case 'http.preview':
        return this.preview(msg.reqId, msg.spec);
      case 'http.send':
        return this.sendHttp(msg.reqId, msg.spec);
      case 'http.cancel':
        this.inflight.get(msg.reqId)?.abort();
        return;
      case 'ws.connect':
        await this.connectWs(msg.sessionId, msg.url, msg.protocols, msg.headers, msg.autoPong);
        return;
      case 'ws.send':
        return this.wsSend(msg.sessionId, msg.kind, Buffer.from(msg.data, 'base64'));
      case 'ws.frame':
        return this.wsFrame(msg);
      case 'ws.close': {
        const s = this.ws.get(msg.sessionId);
        if (!s?.client) return this.post({ type: 'notice', level: 'warning', message: 'That WebSocket is not connected.' });
        this.wsLog(s, 'c2s', 8, closePayload(msg.code, msg.reason ?? ''));
        s.client.connection.close(msg.code, msg.reason ?? '');
        this.post({ type: 'ws.state', sessionId: s.id, state: 'closing', connectionId: s.connectionId });
        return;
      }
      case 'ws.autoPong': {
        const s = this.ws.get(msg.sessionId);
        if (s?.client) s.client.connection.autoPong = msg.enabled;
        return;
      }
      case 'ws.disconnect': {
        const s = this.ws.get(msg.sessionId);
        s?.client?.connection.terminate();
        return;
      }
      case 'raw.send':
        return this.rawSend(msg);
      case 'raw.close': {
        const r = this.raw.get(msg.sessionId);
        r?.conn.close();
        return;
      }
      case 'capture.load':
        return this.sendSnapshot(msg.connectionId);
      case 'capture.bytes':
        return this.sendBytes(msg);
      case 'capture.clear':
        this.pending.clear();
        this.live.clear();
        this.pendingJobs.clear();
        this.queueJobs.clear();
        this.exchanges.clear();
        this.store.clear();
        return;
      case 'history.clear':
        this.history = [];
        this.options.onHistoryChange?.(this.history);
        this.post({ type: 'history', entries: this.history });
        return;
      case 'server.setMode':
        return this.setServerMode(msg.mode);
      default:
        assertNever(msg);
    }
  }

  /** The server started, stopped or moved: tell the UI. */
  serverChanged(): void {
    this.post({ type: 'server', url: this.options.serverUrl?.() ?? null });
    this.modeChanged();
  }

  /** Shows a connection in the inspector (the sidebar's "open in playground"). */
  select(connectionId: string): void {
    this.post({ type: 'select', connectionId });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.flushTimer);
    for (const a of this.inflight.values()) a.abort();
    for (const s of this.ws.values()) s.client?.connection.terminate();
    for (const r of this.raw.values()) {
      for (const t of r.timers) clearTimeout(t);
      r.conn.destroy('playground closed');
    }
    this.out.clear();
    this.disposables.dispose();
  }

  // ------------------------------------------------------------------ plumbing

  private post(m: ToWebview): void {
    if (!this.disposed) this.out.emit('message', m);
  }

  private info(s: ConnectionSummary): ConnectionInfo {
    const remote = endpoint(s.info.remote);
    const info: ConnectionInfo = {
      connectionId: s.id,
      side: s.info.side,
      protocol: s.protocol,
      label: this.labels.get(s.id) ?? (s.info.side === 'server' ? `from ${remote}` : remote),
      remote: s.info.side === 'server' ? remote : remote,
      t: s.info.t,
      wallTime: s.info.wallTime,
    };
    if (s.closed) info.closed = { t: s.closed.t, reason: s.closed.reason };
    if (s.peerConnectionId) info.peerConnectionId = s.peerConnectionId;
    return info;
  }

  private pendingFor(id: string): Pending {
    let p = this.pending.get(id);
    if (!p) this.pending.set(id, (p = { chunks: [], inlined: 0, messages: new Map(), dropped: {} }));
    return p;
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.disposed) return;
    this.flushTimer = setTimeout(() => this.flush(), this.options.flushIntervalMs ?? 16);
  }

  /** Pushes batched chunks and messages. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const pending = this.pending;
    this.pending = new Map();
    for (const [connectionId, p] of pending) {
      if (p.chunks.length) this.post({ type: 'capture.chunks', connectionId, chunks: p.chunks });
      if (p.messages.size) this.post({ type: 'capture.messages', connectionId, messages: [...p.messages.values()] });
      for (const [dir, before] of Object.entries(p.dropped) as [Direction, number][]) this.post({ type: 'capture.dropped', connectionId, dir, before });
    }
    if (this.pendingJobs.size) {
      const jobs = [...this.pendingJobs.values()].map((j) => ({ ...j }));
      this.pendingJobs = new Map();
      this.post({ type: 'queue.jobs', jobs, now: performance.now() });
    }
  }

  // ------------------------------------------------------------------ server queue

  private queueSnapshot(): QueueSnapshot | undefined {
    const q = this.options.serverQueue;
    if (!q) return undefined;
    return { mode: q.mode(), canSetMode: q.setMode !== undefined, jobs: this.queueJobs.list(), now: performance.now() };
  }

  /** Tells the UI the mode, when it differs from what it was last told. */
  private modeChanged(): void {
    const q = this.options.serverQueue;
    if (!q) return;
    const mode = q.mode();
    if (mode === this.postedMode) return;
    this.postedMode = mode;
    // Jobs reported before the switch reach the UI first.
    this.flush();
    this.post({ type: 'server.mode', mode, canSetMode: q.setMode !== undefined });
  }

  private async setServerMode(mode: ServerMode): Promise<void> {
    const q = this.options.serverQueue;
    if (!q?.setMode) return this.post({ type: 'notice', level: 'warning', message: 'The server mode cannot be switched from here.' });
    try {
      await q.setMode(mode);
    } catch (err) {
      this.post({ type: 'notice', level: 'error', message: `Could not switch the server to ${mode}: ${(err as Error).message}` });
    }
    this.modeChanged();
  }

  private sendSnapshot(connectionId: string): void {
    const entries = this.store.chunks(connectionId);
    if (!this.store.getConnection(connectionId)) return this.post({ type: 'notice', level: 'warning', message: `No capture for ${connectionId} (it may have been dropped).` });
    const chunks = snapshotChunks(entries);
    this.flush();
    this.live.add(connectionId);
    const http = this.exchanges.get(connectionId);
    this.post({ type: 'capture.snapshot', connectionId, chunks, messages: this.store.messages(connectionId).map(plainMessage), ...(http ? { http } : {}) });
  }

  /** Answers a byte range the UI is about to draw (a snapshot or push sent only the chunk's place). */
  private sendBytes(msg: Extract<FromWebview, { type: 'capture.bytes' }>): void {
    const { connectionId, dir, start, end } = msg;
    const { offset, bytes } = retainedRange(this.store.chunks(connectionId), dir, start, end);
    this.post({ type: 'capture.bytes', connectionId, dir, start, end, offset, bytes: bytes.toString('base64') });
  }

  /** A capture emitter for one operation: forwards to the main one, reports the connection id of each open. */
  private tap(onOpen: (connectionId: string) => void): { emitter: Emitter<CaptureEvents>; dispose(): void } {
    const emitter = new Emitter<CaptureEvents>();
    const d = new DisposableStore();
    d.add(
      emitter.on('open', (e) => {
        this.live.add(e.connectionId);
        onOpen(e.connectionId);
      }),
    );
    d.add(emitter.on('open', (e) => this.capture.emit('open', e)));
    d.add(emitter.on('chunk', (e) => this.capture.emit('chunk', e)));
    d.add(emitter.on('switch', (e) => this.capture.emit('switch', e)));
    d.add(emitter.on('close', (e) => this.capture.emit('close', e)));
    return { emitter, dispose: () => d.dispose() };
  }

  // ------------------------------------------------------------------ HTTP

  private preview(reqId: string, spec: HttpRequestSpec): void {
    try {
      const { bytes, autoHeaders } = previewRequest(spec);
      this.post({ type: 'http.preview', reqId, bytes: bytes.toString('base64'), autoHeaders });
    } catch (err) {
      this.post({ type: 'http.preview', reqId, bytes: '', autoHeaders: [], error: (err as Error).message });
    }
  }

  private async sendHttp(reqId: string, spec: HttpRequestSpec): Promise<void> {
    const entry: HistoryEntry = { id: reqId, wallTime: Date.now(), spec };
    this.history.push(entry);
    const limit = this.options.historyLimit ?? 100;
    if (this.history.length > limit) this.history.splice(0, this.history.length - limit);
    const abort = new AbortController();
    this.inflight.set(reqId, abort);
    let started = false;
    const tap = this.tap((connectionId) => {
      this.labels.set(connectionId, `${spec.method} ${spec.url}`);
      entry.connectionId ??= connectionId;
      if (!started) {
        started = true;
        this.post({ type: 'http.started', reqId, connectionId });
      }
    });
    let result: HttpSendResult;
    try {
      result = await sendRequest(toRequestSpec(spec), {
        signal: abort.signal,
        capture: tap.emitter,
        previewBytes: this.options.bodyPreviewBytes ?? 1024 * 1024,
      });
    } catch (err) {
      const e = err as Error & { code?: string };
      this.flush();
      const message = abort.signal.aborted ? 'Cancelled.' : e.message;
      if (entry.connectionId) this.exchanges.record(entry.connectionId, { reqId, spec: retainedSpec(spec), error: message });
      this.post({ type: 'http.error', reqId, message, code: abort.signal.aborted ? 'ABORTED' : e.code });
      this.historyChanged();
      return;
    } finally {
      this.inflight.delete(reqId);
      tap.dispose();
    }
    const r = result.response;
    entry.status = r.statusCode;
    entry.connectionId = result.connectionId;
    const stats = this.store.getConnection(result.connectionId)?.stats;
    this.flush();
    const response: HttpResponseView = {
      statusCode: r.statusCode,
      reason: r.reason,
      httpVersion: r.httpVersion,
      headers: r.headers.map((h) => [h.name, h.value]),
      body: r.body.toString('base64'),
      bodyBytes: r.bodyBytes,
      bodyTruncated: r.bodyTruncated,
      wireBytes: stats?.s2cBytes ?? r.rawHead.length + r.bodyBytes,
    };
    const timing = { ...result.timings };
    this.exchanges.record(result.connectionId, { reqId, spec: retainedSpec(spec), response, timing });
    this.post({ type: 'http.response', reqId, connectionId: result.connectionId, response, timing });
    this.historyChanged();
  }

  private historyChanged(): void {
    this.options.onHistoryChange?.(this.history);
    this.post({ type: 'history', entries: this.history });
  }

  // ------------------------------------------------------------------ WebSocket

  private async connectWs(sessionId: string, url: string, protocols: string[], headerRows: HeaderRow[], autoPong: boolean, extras: WsConnectExtras = {}): Promise<WsSession | undefined> {
    const old = this.ws.get(sessionId);
    if (old && !old.closed) {
      this.post({ type: 'notice', level: 'warning', message: 'That session is already connected.' });
      return undefined;
    }
    const connectionId = `pg-ws-${++this.wsCounter}-${process.pid}`;
    const session: WsSession = { id: sessionId, connectionId, closed: false, url, protocols, log: [], logChars: 0, ...(extras.source !== undefined ? { source: extras.source } : {}) };
    this.live.add(connectionId);
    this.ws.set(sessionId, session);
    this.composerWs = sessionId;
    this.labels.set(connectionId, url);
    if (extras.source !== undefined) this.post({ type: 'ws.attached', sessionId, url, protocols, connectionId, source: extras.source });
    const headers: Record<string, string> = {};
    for (const h of headerRows) if (h.enabled && h.name.trim()) headers[h.name.trim()] = h.value;
    this.post({ type: 'ws.state', sessionId, state: 'connecting', connectionId });
    let opened = false;
    const cap = this.capture;
    try {
      const client = await connectWebSocket(url, {
        protocols,
        headers,
        autoPong,
        id: connectionId,
        ...(extras.tls ? { tls: extras.tls } : {}),
        ...(extras.handshakeTimeout !== undefined ? { handshakeTimeout: extras.handshakeTimeout } : {}),
        onSocket: (socket) => {
          if (extras.signal) {
            const abort = () => socket.destroy(new Error('aborted'));
            if (extras.signal.aborted) abort();
            else extras.signal.addEventListener('abort', abort, { once: true });
            socket.once('close', () => extras.signal?.removeEventListener('abort', abort));
          }
          // Tap the socket: every byte written and read goes to the capture.
          // The handshake is written before the socket connects: held until the open event.
          const early: Buffer[] = [];
          const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
          socket.write = ((chunk: unknown, ...rest: unknown[]) => {
            if (typeof chunk === 'string' || chunk instanceof Uint8Array) {
              const enc = typeof rest[0] === 'string' ? (rest[0] as BufferEncoding) : 'utf8';
              const bytes = typeof chunk === 'string' ? Buffer.from(chunk, enc) : Buffer.from(chunk);
              if (opened) cap.emit('chunk', { connectionId, dir: 'c2s', t: performance.now(), bytes });
              else early.push(bytes);
            }
            return write(chunk, ...rest);
          }) as typeof socket.write;
          const onConnect = () => {
            opened = true;
            cap.emit('open', {
              connectionId,
              side: 'client',
              protocol: 'http',
              tls: url.startsWith('wss:'),
              local: { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
              remote: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
              t: performance.now(),
              wallTime: Date.now(),
            });
            for (const bytes of early.splice(0)) cap.emit('chunk', { connectionId, dir: 'c2s', t: performance.now(), bytes });
          };
          socket.once(url.startsWith('wss:') ? 'secureConnect' : 'connect', onConnect);
          socket.on('data', (bytes: Buffer) => {
            if (opened) cap.emit('chunk', { connectionId, dir: 's2c', t: performance.now(), bytes: Buffer.from(bytes) });
          });
          socket.once('close', () => {
            if (!opened) return;
            cap.emit('close', { connectionId, t: performance.now() });
            session.closed = true;
          });
        },
      });
      session.client = client;
      cap.emit('switch', {
        connectionId,
        t: performance.now(),
        protocol: 'ws',
        c2sOffset: client.handshake.requestBytes.length,
        s2cOffset: client.handshake.responseBytes.length,
        extensions: client.connection.extensions || undefined,
      });
      const conn = client.connection;
      conn.on('frame', (f) => this.wsLog(session, 's2c', f.opcode, f.payload));
      conn.on('close', (e) => {
        session.closed = true;
        this.post({ type: 'ws.state', sessionId, state: 'closed', connectionId, code: e.code, reason: e.reason, error: e.error?.message });
      });
      conn.on('error', (e) => this.post({ type: 'notice', level: 'warning', message: `WebSocket: ${e.message}` }));
      this.post({ type: 'ws.state', sessionId, state: 'open', connectionId, protocol: conn.protocol });
      // Another session took the composer while this one was still connecting: nobody is bound to it.
      if (this.composerWs !== sessionId) this.closeReplaced(session);
    } catch (err) {
      session.closed = true;
      session.error = extras.signal?.aborted ? 'aborted while connecting' : (err as Error).message;
      this.post({ type: 'ws.state', sessionId, state: 'closed', connectionId, error: session.error });
    }
    return session;
  }

  /**
   * Opens a WebSocket session from the host side (a WEBSOCKET block sent from a
   * .http file) and binds the UI's WebSocket composer to it (`ws.attached`):
   * from then on it is a session like one the composer opened. The composer's
   * previous session, if still open, is closed with 1000 (the composer shows
   * one session at a time; its capture stays in the inspector). Resolves once
   * the handshake is done; rejects when the connection or the handshake fails.
   */
  async attachWebSocket(options: AttachWebSocketOptions): Promise<AttachedWebSocket> {
    if (this.disposed) throw new Error('the playground is closed');
    const previous = this.composerWs === undefined ? undefined : this.ws.get(this.composerWs);
    if (previous?.client && !previous.closed && previous.client.connection.readyState === 'open') this.closeReplaced(previous);
    const sessionId = `host-ws-${++this.wsCounter}-${process.pid}`;
    const headers: HeaderRow[] = (options.headers ?? []).map((h) => ({ name: h.name, value: h.value, enabled: true }));
    const session = await this.connectWs(sessionId, options.url, options.protocols ?? [], headers, true, {
      source: options.source ?? '',
      ...(options.insecure ? { tls: { rejectUnauthorized: false } } : {}),
      ...(options.handshakeTimeoutMs !== undefined ? { handshakeTimeout: options.handshakeTimeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const client = session?.client;
    if (!session || !client) throw new Error(session?.error ?? 'the WebSocket did not open');
    return attachedHandle({
      sessionId,
      connectionId: session.connectionId,
      connection: client.connection,
      logSent: (opcode, data) => this.wsLog(session, 'c2s', opcode, data),
      logClose: (code, reason) => {
        this.wsLog(session, 'c2s', 8, closePayload(code, reason));
        this.post({ type: 'ws.state', sessionId, state: 'closing', connectionId: session.connectionId });
      },
    });
  }

  private closeReplaced(s: WsSession): void {
    const reason = 'replaced by a new session';
    this.wsLog(s, 'c2s', 8, closePayload(1000, reason));
    s.client!.connection.close(1000, reason);
    this.post({ type: 'ws.state', sessionId: s.id, state: 'closing', connectionId: s.connectionId });
  }

  /** A new byte cap for the playground's capture, applied at once. */
  setCaptureMaxBytes(maxBytes: number): void {
    this.store.setMaxBytes(maxBytes);
  }

  /** A reloaded UI (a hidden webview comes back empty) binds its composer again to the session it had (open: only open ones are re-announced). */
  private reannounceWs(): void {
    const s = this.composerWs === undefined ? undefined : this.ws.get(this.composerWs);
    if (!s?.client || s.closed) return;
    this.post({ type: 'ws.attached', sessionId: s.id, url: s.url, protocols: s.protocols, connectionId: s.connectionId, resumed: true, ...(s.source !== undefined ? { source: s.source } : {}) });
    for (const m of s.log) this.post(m);
  }

  private wsLog(s: WsSession, dir: Direction, opcode: number, data: Buffer): void {
    const m = { type: 'ws.message', sessionId: s.id, dir, opcode, data: data.toString('base64'), t: performance.now() } as const;
    s.log.push(m);
    s.logChars += m.data.length;
    while (s.log.length > WS_REPLAY_MESSAGES || (s.logChars > WS_REPLAY_CHARS && s.log.length > 1)) s.logChars -= s.log.shift()!.data.length;
    this.post(m);
  }

  private openSession(sessionId: string): WsSession | undefined {
    const s = this.ws.get(sessionId);
    if (!s?.client || s.closed || s.client.connection.readyState !== 'open') {
      this.post({ type: 'notice', level: 'warning', message: 'The WebSocket is not open; connect first.' });
      return undefined;
    }
    return s;
  }

  private wsSend(sessionId: string, kind: 'text' | 'binary' | 'ping' | 'pong', data: Buffer): void {
    const s = this.openSession(sessionId);
    if (!s) return;
    const conn = s.client!.connection;
    const opcode = { text: 1, binary: 2, ping: 9, pong: 10 }[kind];
    if ((kind === 'ping' || kind === 'pong') && data.length > 125) {
      return this.post({ type: 'notice', level: 'error', message: 'A control frame carries at most 125 bytes (use the frame composer to send a longer one on purpose).' });
    }
    this.wsLog(s, 'c2s', opcode, data);
    if (kind === 'text') conn.send(data.toString('utf8'));
    else if (kind === 'binary') conn.send(data, { binary: true });
    else if (kind === 'ping') conn.ping(data);
    else conn.pong(data);
  }

  private wsFrame(msg: Extract<FromWebview, { type: 'ws.frame' }>): void {
    const s = this.openSession(msg.sessionId);
    if (!s) return;
    const f = msg.frame;
    const payload = Buffer.from(f.payload, 'base64');
    let frames: Buffer[];
    if (f.fragments <= 1) {
      frames = [encodeFrame({ fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, opcode: f.opcode, mask: f.mask, payload })];
    } else {
      frames = fragmentMessage({ opcode: f.opcode, payload, fragments: f.fragments, mask: f.mask, rsv1: f.rsv1 });
    }
    this.wsLog(s, 'c2s', f.opcode, payload);
    for (const b of frames) s.client!.connection.sendRaw(b);
  }

  // ------------------------------------------------------------------ raw TCP

  private async rawSend(msg: Extract<FromWebview, { type: 'raw.send' }>): Promise<void> {
    const bytes = Buffer.from(msg.data, 'base64');
    let r = this.raw.get(msg.sessionId);
    if (r && (r.conn.state === 'closed' || r.conn.writeEnded)) {
      this.raw.delete(msg.sessionId);
      r = undefined;
    }
    if (!r) {
      const label = `${msg.host}:${msg.port} (raw)`;
      let tap: { emitter: Emitter<CaptureEvents>; dispose(): void } | undefined;
      tap = this.tap((id) => this.labels.set(id, label));
      const conn = new TcpConnection({ host: msg.host, port: msg.port, protocol: 'raw', capture: tap.emitter });
      const session: RawSession = { id: msg.sessionId, conn, queue: Promise.resolve(), timers: new Set() };
      r = session;
      this.raw.set(msg.sessionId, session);
      this.post({ type: 'raw.state', sessionId: msg.sessionId, state: 'connecting' });
      conn.on('close', (e) => {
        this.post({ type: 'raw.state', sessionId: msg.sessionId, state: 'closed', connectionId: conn.connectionId, error: e.hadError ? e.reason : undefined });
        tap?.dispose();
        tap = undefined;
      });
      conn.on('data', () => {});
      session.queue = conn.connect().then(
        () => this.post({ type: 'raw.state', sessionId: msg.sessionId, state: 'open', connectionId: conn.connectionId }),
        (err: Error) => {
          this.raw.delete(msg.sessionId);
          tap?.dispose();
          this.post({ type: 'raw.state', sessionId: msg.sessionId, state: 'closed', error: err.message });
          throw err;
        },
      );
    }
    const session = r;
    const run = async () => {
      const pieces: Buffer[] = [];
      if (msg.drip && msg.drip.chunkSize < bytes.length) {
        for (let i = 0; i < bytes.length; i += msg.drip.chunkSize) pieces.push(bytes.subarray(i, i + msg.drip.chunkSize));
      } else pieces.push(bytes);
      for (let i = 0; i < pieces.length; i++) {
        if (session.conn.state !== 'open') return;
        await session.conn.send(pieces[i]);
        if (msg.drip && i < pieces.length - 1 && msg.drip.intervalMs > 0) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              session.timers.delete(t);
              resolve();
            }, msg.drip!.intervalMs);
            session.timers.add(t);
          });
        }
      }
      if (msg.halfClose && session.conn.state === 'open') {
        session.conn.halfClose();
        this.post({ type: 'raw.state', sessionId: session.id, state: 'half-closed', connectionId: session.conn.connectionId });
      }
    };
    session.queue = session.queue.then(run);
    try {
      await session.queue;
    } catch {
      /* reported through raw.state */
    }
  }
}
