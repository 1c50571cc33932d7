// The playground controller: the host side of the UI, with no VS Code in it.
// It takes the UI's messages (validated first, see validate.ts) and hands each
// to its part through one dispatch table: HTTP sends (http-sends.ts),
// WebSocket sessions (ws-sessions.ts), raw TCP sessions (raw-sessions.ts), the
// server's queue (queue-relay.ts) and the capture itself. Everything those
// parts send and receive is recorded in one CaptureStore (with dissection) and
// pushed back as ToWebview messages (live-push.ts). The VS Code panel and
// `wireplay ui` both drive one.
import { CaptureStore } from '../capture/capture-store.js';
import type { CaptureEvents } from '../capture/types.js';
import { DisposableStore, type Disposable } from '../util/disposable.js';
import { Emitter } from '../util/emitter.js';
import { PROTOCOL_VERSION, assertNever, type DraftsSnapshot, type FromWebview, type HistoryEntry, type ToWebview } from '../protocol/playground.js';
import { snapshotChunks } from './capture-transfer.js';
import { forwardCapture, type PlaygroundContext } from './context.js';
import { ExchangeFeed } from './exchange-feed.js';
import { HttpSends } from './http-sends.js';
import { LivePush, plainMessage } from './live-push.js';
import { QueueRelay } from './queue-relay.js';
import type { ServerQueueSource } from './queue-jobs.js';
import { RawSessions } from './raw-sessions.js';
import type { RetainedExchangeLimits } from './retained-exchanges.js';
import { parseFromWebview, ProtocolError, type ValidationLimits } from './validate.js';
import type { AttachedWebSocket, AttachWebSocketOptions } from './ws-attach.js';
import { WsSessions } from './ws-sessions.js';
import { SseSessions } from './sse-sessions.js';
import { CompareRuns } from './compare-runs.js';
import type { CompareChatOptions } from './compare-chat.js';

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
  /** The request tabs kept from before (the UI takes them when it has none of its own). */
  drafts?: DraftsSnapshot;
  /**
   * Opens a routes file at a line in an editor (the Pipeline view's link; VS Code). Only a file some pipeline
   * record named as its route's file is passed on. Absent: the UI shows file:line as text.
   */
  openSource?(file: string, line: number | undefined): void;
  /** The UI saved its request tabs (keep them where they outlive the panel). */
  onDraftsChange?(drafts: DraftsSnapshot): void;
  standalone?: boolean;
  /** Largest response body previewed in the Parsed view, bytes. Default 1 MiB. */
  bodyPreviewBytes?: number;
  /** How long updates are batched before they are pushed, ms. Default 16. */
  flushIntervalMs?: number;
  validation?: ValidationLimits;
  /** Bounds on the HTTP results kept to send again with a capture snapshot (see retained-exchanges.ts). */
  retainedExchanges?: Partial<RetainedExchangeLimits>;
  log?: (message: string) => void;
  /** "Compare the three": overrides of the runner's poll interval and time limits (tests). */
  compare?: Partial<Pick<CompareChatOptions, 'pollIntervalMs' | 'messageTimeoutMs' | 'script'>>;
}

/** One handler per message type: the compiler checks that every FromWebview type has its own. */
type Handlers = { [K in FromWebview['type']]: (msg: Extract<FromWebview, { type: K }>) => void | Promise<void> };

export class PlaygroundController implements Disposable {
  readonly store: CaptureStore;
  private readonly out = new Emitter<{ message: ToWebview }>();
  /** Client-side capture of everything the playground sends. */
  private readonly capture = new Emitter<CaptureEvents>();
  private readonly disposables = new DisposableStore();
  private readonly push: LivePush;
  private readonly queue: QueueRelay;
  private readonly http: HttpSends;
  private readonly ws: WsSessions;
  private readonly raw: RawSessions;
  private readonly network: ExchangeFeed;
  private drafts: DraftsSnapshot | undefined;
  private readonly sse: SseSessions;
  private readonly compare: CompareRuns;
  private disposed = false;
  /** Routes files named by pipeline records: the only files source.open may open. */
  private readonly routeFiles = new Set<string>();

  private readonly handlers: Handlers = {
    ready: () => this.init(),
    'http.preview': (m) => this.http.preview(m.reqId, m.spec),
    'http.send': (m) => this.http.send(m.reqId, m.spec),
    'http.cancel': (m) => this.http.cancel(m.reqId),
    'ws.connect': async (m) => {
      await this.ws.connect(m.sessionId, m.url, m.protocols, m.headers, m.autoPong);
    },
    'ws.send': (m) => this.ws.send(m.sessionId, m.kind, Buffer.from(m.data, 'base64')),
    'ws.frame': (m) => this.ws.frame(m),
    'ws.close': (m) => this.ws.close(m.sessionId, m.code, m.reason ?? ''),
    'ws.autoPong': (m) => this.ws.setAutoPong(m.sessionId, m.enabled),
    'ws.disconnect': (m) => this.ws.disconnect(m.sessionId),
    'raw.send': (m) => this.raw.send(m),
    'raw.close': (m) => this.raw.close(m.sessionId),
    'sse.connect': (m) => this.sse.connect(m.sessionId, m.url, m.headers, m.lastEventId, m.autoReconnect),
    'sse.disconnect': (m) => this.sse.disconnect(m.sessionId),
    'compare.run': (m) => this.compare.run(m.runId),
    'capture.load': (m) => this.sendSnapshot(m.connectionId),
    'capture.bytes': (m) => this.sendBytes(m),
    'capture.clear': () => this.clearCapture(),
    'history.clear': () => this.http.clearHistory(),
    'server.setMode': (m) => this.queue.setMode(m.mode),
    'source.open': (m) => {
      if (this.routeFiles.has(m.file)) this.options.openSource?.(m.file, m.line);
      else this.post({ type: 'notice', level: 'warning', message: `Not a routes file of a request this playground saw: ${m.file.slice(0, 200)}` });
    },
    'drafts.save': (m) => {
      this.drafts = m.drafts;
      this.options.onDraftsChange?.(m.drafts);
    },
  };

  constructor(private readonly options: PlaygroundControllerOptions = {}) {
    this.store = new CaptureStore({ maxBytes: options.captureMaxBytes });
    const post = (m: ToWebview) => this.post(m);
    this.push = new LivePush(this.store, post, options.flushIntervalMs ?? 16);
    this.queue = new QueueRelay(options.serverQueue, post, this.push, options.queueJobLimit);
    this.network = new ExchangeFeed(this.store, post, this.push);
    this.drafts = options.drafts;
    const ctx: PlaygroundContext = {
      store: this.store,
      post,
      flush: () => this.push.flush(),
      tap: (onOpen) =>
        forwardCapture(this.capture, (connectionId) => {
          this.push.follow(connectionId);
          onOpen(connectionId);
        }),
      label: (connectionId, label) => this.push.label(connectionId, label),
      ...(options.log ? { log: options.log } : {}),
    };
    this.http = new HttpSends(ctx, {
      history: options.history,
      historyLimit: options.historyLimit,
      onHistoryChange: options.onHistoryChange,
      bodyPreviewBytes: options.bodyPreviewBytes,
      retainedExchanges: options.retainedExchanges,
    });
    this.ws = new WsSessions(ctx);
    this.raw = new RawSessions(ctx);
    this.sse = new SseSessions(ctx);
    this.compare = new CompareRuns(ctx, () => options.serverUrl?.() ?? null, options.compare);
    // Disposed in this order: what sends first (its sockets end while the capture still listens), the capture last.
    for (const part of [this.http, this.ws, this.raw, this.sse, this.compare, this.queue, this.network, this.push]) this.disposables.add(part);
    this.disposables.add(this.store.attach(this.capture));
    if (options.serverCapture) this.disposables.add(this.store.attach(options.serverCapture));
    this.disposables.add(this.store.events.on('pipeline', (p) => p.route?.file && this.routeFiles.add(p.route.file)));
    this.disposables.add(this.store);
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

  /** A message already validated: to its handler. */
  async handle(msg: FromWebview): Promise<void> {
    if (this.disposed) return;
    const handler = this.handlers[msg.type] as ((m: FromWebview) => void | Promise<void>) | undefined;
    if (!handler) return assertNever(msg as never);
    await handler(msg);
  }

  /** The server started, stopped or moved: tell the UI. */
  serverChanged(): void {
    this.post({ type: 'server', url: this.options.serverUrl?.() ?? null });
    this.queue.modeChanged();
  }

  /** Shows a connection in the inspector (the sidebar's "open in playground"). */
  select(connectionId: string, pipeline?: number): void {
    this.post({ type: 'select', connectionId, ...(pipeline !== undefined ? { pipeline } : {}) });
  }

  /**
   * Opens a WebSocket session from the host side (a WEBSOCKET block sent from
   * a .http file) and binds the UI's composer to it; see WsSessions.attach.
   */
  attachWebSocket(options: AttachWebSocketOptions): Promise<AttachedWebSocket> {
    if (this.disposed) return Promise.reject(new Error('the playground is closed'));
    return this.ws.attach(options);
  }

  /** A new byte cap for the playground's capture, applied at once. */
  setCaptureMaxBytes(maxBytes: number): void {
    this.store.setMaxBytes(maxBytes);
  }

  /** Pushes batched chunks, messages and jobs now. */
  flush(): void {
    this.push.flush();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.out.clear();
    this.disposables.dispose();
  }

  private post(m: ToWebview): void {
    if (!this.disposed) this.out.emit('message', m);
  }

  /** The UI (new, or reloaded) said ready: everything it should know, then its composer's session again. */
  private init(): void {
    this.post({
      type: 'init',
      version: PROTOCOL_VERSION,
      serverUrl: this.options.serverUrl?.() ?? null,
      standalone: this.options.standalone ?? false,
      history: this.http.history,
      connections: this.store.listConnections().map((s) => this.push.info(s)),
      queue: this.queue.snapshot(),
      ...this.network.snapshot(),
      ...(this.drafts ? { drafts: this.drafts } : {}),
    });
    this.ws.reannounce();
    this.sse.reannounce();
  }

  /** capture.load: what the capture holds of a connection, then its live pushes. */
  private sendSnapshot(connectionId: string): void {
    const entries = this.store.chunks(connectionId);
    if (!this.store.getConnection(connectionId)) return this.post({ type: 'notice', level: 'warning', message: `No capture for ${connectionId} (it may have been dropped).` });
    const chunks = snapshotChunks(entries);
    this.push.flush();
    this.push.follow(connectionId);
    const http = this.http.exchangesOf(connectionId);
    const pipelines = this.store.pipelines(connectionId);
    this.post({
      type: 'capture.snapshot',
      connectionId,
      chunks,
      messages: this.store.messages(connectionId).map(plainMessage),
      ...(http ? { http } : {}),
      ...(pipelines.length ? { pipelines } : {}),
    });
  }

  /** Answers a byte range the UI is about to draw (a snapshot or push sent only the chunk's place). */
  private sendBytes(msg: Extract<FromWebview, { type: 'capture.bytes' }>): void {
    const { connectionId, dir, start, end } = msg;
    // Only the range is copied out of the store (chunks() would copy the whole connection).
    const { offset, bytes } = this.store.retainedRange(connectionId, dir, start, end);
    this.post({ type: 'capture.bytes', connectionId, dir, start, end, offset, bytes: bytes.toString('base64') });
  }

  private clearCapture(): void {
    this.push.clear();
    this.queue.clear();
    this.http.clearExchanges();
    this.store.clear();
  }
}
