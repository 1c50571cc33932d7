// What the capture does, told to the UI: every connection's open, close,
// protocol switch and peer link as it happens, and for the connections the UI
// follows (the ones the playground opened, the ones it loaded) their bytes,
// dissected messages and dropped ranges too, batched (one push per connection
// every flush interval). The others, say a load test against the server, only
// announce their open and close, so the UI is never flooded; selecting one
// loads it (capture.load) and makes it followed. Server requests' pipeline
// records (stage times and route, docs/pipeline.md) are small and go for every
// connection, batched into one capture.pipelines per flush, so the Pipeline
// view and its links from the queue and the network list work without a load.
import type { CaptureStore, ConnectionSummary } from '../capture/capture-store.js';
import type { DissectedMessage } from '../capture/dissection-types.js';
import type { Direction, Endpoint, RequestPipeline } from '../capture/types.js';
import { DisposableStore, type Disposable } from '../util/disposable.js';
import type { ChunkView, ConnectionInfo, ToWebview } from '../protocol/playground.js';
import { chunkView, PUSH_INLINE_BYTES } from './capture-transfer.js';

/** What one connection has gathered since the last flush. */
interface Pending {
  chunks: ChunkView[];
  /** Bytes of this push sent along with its chunks (at most PUSH_INLINE_BYTES). */
  inlined: number;
  messages: Map<number, DissectedMessage>;
  /** Per direction, the offset below which the ring dropped every byte. */
  dropped: Partial<Record<Direction, number>>;
}

/** Only the contract's fields: dissector details may carry Buffers that must not be serialised. */
export function plainMessage(m: DissectedMessage): DissectedMessage {
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
  if (m.open) out.open = true;
  return out;
}

function endpoint(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

export class LivePush implements Disposable {
  private readonly followed = new Set<string>();
  private pending = new Map<string, Pending>();
  private pipelines: RequestPipeline[] = [];
  private readonly labels = new Map<string, string>();
  /** Run at every flush after the connections' pushes (the queue relay's jobs). */
  private readonly flushers: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly disposables = new DisposableStore();

  constructor(
    private readonly store: CaptureStore,
    private readonly post: (m: ToWebview) => void,
    /** How long updates are batched before they are pushed, ms. */
    private readonly intervalMs = 16,
  ) {
    const ev = store.events;
    const announce = (s: ConnectionSummary | undefined) => s && this.post({ type: 'connection.opened', info: this.info(s) });
    this.disposables.add(ev.on('open', announce));
    this.disposables.add(
      ev.on('close', (s) => {
        this.flush();
        this.post({ type: 'connection.closed', connectionId: s.id, t: s.closed?.t ?? performance.now(), reason: s.closed?.reason });
      }),
    );
    this.disposables.add(
      ev.on('chunk', ({ connectionId, entry }) => {
        if (!this.followed.has(connectionId)) return;
        const p = this.pendingFor(connectionId);
        const inline = p.inlined + entry.bytes.length <= PUSH_INLINE_BYTES;
        if (inline) p.inlined += entry.bytes.length;
        p.chunks.push(chunkView(entry, inline));
        this.schedule();
      }),
    );
    this.disposables.add(
      ev.on('message', (m) => {
        if (!this.followed.has(m.connectionId)) return;
        // Made plain at the flush: an open event stream announced at every push is read once per batch.
        this.pendingFor(m.connectionId).messages.set(m.id, m);
        this.schedule();
      }),
    );
    this.disposables.add(ev.on('switch', ({ connectionId }) => announce(store.getConnection(connectionId))));
    this.disposables.add(
      ev.on('dropped', ({ connectionId, entry }) => {
        if (!this.followed.has(connectionId)) return;
        this.pendingFor(connectionId).dropped[entry.dir] = entry.offset + entry.length;
        this.schedule();
      }),
    );
    this.disposables.add(
      ev.on('pipeline', (p) => {
        this.pipelines.push(p);
        this.schedule();
      }),
    );
    this.disposables.add(ev.on('clear', () => this.post({ type: 'capture.cleared' })));
    // A playground connection and the server's end of it were tied after their opens were announced: announce
    // both again with the link (the Timeline reads the server side's queue through it).
    this.disposables.add(
      ev.on('peer', ({ clientId, serverId }) => {
        for (const id of [clientId, serverId]) announce(store.getConnection(id));
      }),
    );
  }

  /** From now on this connection's bytes and messages are pushed as they arrive. */
  follow(connectionId: string): void {
    this.followed.add(connectionId);
  }

  label(connectionId: string, label: string): void {
    this.labels.set(connectionId, label);
  }

  /** A connection as the UI sees it. */
  info(s: ConnectionSummary): ConnectionInfo {
    const remote = endpoint(s.info.remote);
    const info: ConnectionInfo = {
      connectionId: s.id,
      side: s.info.side,
      protocol: s.protocol,
      label: this.labels.get(s.id) ?? defaultLabel(s.info, remote),
      remote,
      t: s.info.t,
      wallTime: s.info.wallTime,
    };
    if (s.info.tls) info.tls = true;
    if (s.closed) info.closed = { t: s.closed.t, reason: s.closed.reason };
    if (s.peerConnectionId) info.peerConnectionId = s.peerConnectionId;
    if (s.info.previousConnectionId) info.previousConnectionId = s.info.previousConnectionId;
    if (s.info.role) info.role = s.info.role;
    if (s.info.linkedConnectionId) info.linkedConnectionId = s.info.linkedConnectionId;
    return info;
  }

  /** `flusher` runs at every flush, after the connections' pushes. */
  onFlush(flusher: () => void): void {
    this.flushers.push(flusher);
  }

  /** Something is waiting to be pushed: flush within the interval. */
  schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Pushes everything batched, now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = new Map();
    for (const [connectionId, p] of pending) {
      if (p.chunks.length) this.post({ type: 'capture.chunks', connectionId, chunks: p.chunks });
      if (p.messages.size) this.post({ type: 'capture.messages', connectionId, messages: [...p.messages.values()].map(plainMessage) });
      for (const [dir, before] of Object.entries(p.dropped) as [Direction, number][]) this.post({ type: 'capture.dropped', connectionId, dir, before });
    }
    if (this.pipelines.length) {
      const pipelines = this.pipelines;
      this.pipelines = [];
      this.post({ type: 'capture.pipelines', pipelines });
    }
    for (const f of this.flushers) f();
  }

  /** The capture is being cleared: nothing pending, nothing followed. */
  clear(): void {
    this.pending.clear();
    this.pipelines = [];
    this.followed.clear();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.disposables.dispose();
  }

  private pendingFor(id: string): Pending {
    let p = this.pending.get(id);
    if (!p) this.pending.set(id, (p = { chunks: [], inlined: 0, messages: new Map(), dropped: {} }));
    return p;
  }
}

/**
 * A connection's name in the picker when nothing better was given: the recording proxy's legs say which
 * leg they are, and the target's leg which client leg it serves (docs/proxy.md), so the two are found together.
 */
function defaultLabel(info: ConnectionSummary['info'], remote: string): string {
  if (info.role === 'proxy-downstream') return `proxied: client ${remote} → proxy (${info.connectionId})`;
  if (info.role === 'proxy-upstream') return `proxied: proxy → ${remote} (${info.connectionId}, for ${info.linkedConnectionId ?? '?'})`;
  return info.side === 'server' ? `from ${remote}` : remote;
}
