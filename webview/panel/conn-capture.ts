// What the UI knows of one connection: where its chunks sit (both directions
// in arrival order), the bytes it holds of them (all, for small or pinned
// captures; a cache with a budget otherwise, asking the host for the rest as
// views draw them), its dissected messages, HTTP results and WebSocket log.
// Version counters tell the views what changed.
import type { ConnectionInfo, Direction, DissectedMessage, FailureView, HttpRequestSpec, HttpResponseView, HttpStreamRecordView, TimingBreakdown } from '../../server-core/protocol/playground.js';
import { ByteCache, type StreamBytes } from './byte-cache.js';
import { ChunkIndex, chunksBelow, withoutDropped } from './chunk-index.js';

export interface HttpExchange {
  reqId: string;
  spec?: HttpRequestSpec;
  response?: HttpResponseView;
  timing?: TimingBreakdown;
  error?: string;
  /** Why it failed, in words. */
  failure?: FailureView;
  tSent: number;
  /** A streamed response's records as they arrived (the latest MAX_KEPT_RECORDS), and how many in all. */
  records?: HttpStreamRecordView[];
  recordCount?: number;
}

/** Records of a streamed response kept per exchange (the count stays exact). */
export const MAX_KEPT_RECORDS = 1000;

export interface WsLogEntry {
  dir: Direction;
  opcode: number;
  data: Uint8Array;
  t: number;
}

/** Asks the host for bytes [start, end) of one direction of a connection. */
export type RequestBytes = (connectionId: string, dir: Direction, start: number, end: number) => void;

export class ConnCapture {
  /** Where each chunk sits (direction, time, stream offset, hex rows). */
  index = new ChunkIndex();
  /** The bytes the UI holds of each direction (all of them for small or pinned captures, a cache otherwise). */
  readonly bytes: Record<Direction, StreamBytes>;
  streamLen: Record<Direction, number> = { c2s: 0, s2c: 0 };
  messages: DissectedMessage[] = [];
  private readonly messageIndex = new Map<number, number>();
  byDir: Record<Direction, DissectedMessage[]> = { c2s: [], s2c: [] };
  private byDirDirty = false;
  http: HttpExchange[] = [];
  ws: WsLogEntry[] = [];
  /** Bumped on every change a view may show (chunks, messages, bytes arriving, results). */
  version = 0;
  /** Bumped only when messages change (the dissection tree rebuilds on it). */
  messagesVersion = 0;
  /** Bumped when the chunk index changes (chunks added, or dropped ones compacted away). */
  chunksVersion = 0;

  constructor(
    public info: ConnectionInfo,
    cache: ByteCache = new ByteCache(),
    private readonly request?: RequestBytes,
  ) {
    this.bytes = { c2s: cache.stream(), s2c: cache.stream() };
  }

  get rowCount(): number {
    return this.index.rowCount;
  }

  get chunkCount(): number {
    return this.index.count;
  }

  /** Every byte since the connection opened is indexed here: the first chunk of each direction starts at offset 0. */
  get fromStart(): boolean {
    const idx = this.index;
    if (!idx.count) return false;
    for (const d of ['c2s', 's2c'] as const) if (idx.chunksOf(d) && idx.start(idx.chunkOf(d, 0)) !== 0) return false;
    return true;
  }

  /**
   * Adds a chunk: its bytes, or only its length when the host did not send
   * them (they are asked for when shown). Bytes already indexed (a repeat)
   * are skipped. Pinned bytes have no host to ask again and are never evicted.
   */
  addChunk(dir: Direction, t: number, bytes: Uint8Array | undefined, offset?: number, length?: number, pinned = false): void {
    let len = bytes ? bytes.length : (length ?? 0);
    let start = offset ?? this.streamLen[dir];
    const have = this.index.streamEnd(dir);
    if (!(len > 0) || start + len <= have) return;
    if (start < have) {
      bytes = bytes?.subarray(have - start);
      len -= have - start;
      start = have;
    }
    this.index.add(dir, t, start, len);
    if (bytes) this.bytes[dir].write(start, bytes, pinned);
    this.streamLen[dir] = start + len;
    this.version++;
    this.chunksVersion++;
  }

  /**
   * The host's capture dropped every byte of `dir` below `offset` (its ring
   * was full): their messages go, their bytes are freed, and once most of the
   * index is gone it is compacted, so a long live connection stays bounded
   * like the host's capture.
   */
  dropBefore(dir: Direction, offset: number): void {
    const s = this.bytes[dir];
    if (offset <= s.goneBelow) return;
    s.dropBelow(offset);
    const kept = this.messages.filter((m) => m.dir !== dir || m.range.end > offset || m.kind === 'dropped');
    if (kept.length !== this.messages.length) {
      this.messages = [];
      this.messageIndex.clear();
      this.upsertMessages(kept);
    }
    const gone = chunksBelow(this.index, 'c2s', this.bytes.c2s.goneBelow) + chunksBelow(this.index, 's2c', this.bytes.s2c.goneBelow);
    if (gone > 1024 && gone * 2 > this.index.count) {
      this.index = withoutDropped(this.index, { c2s: this.bytes.c2s.goneBelow, s2c: this.bytes.s2c.goneBelow });
      this.chunksVersion++;
    }
    this.version++;
  }

  upsertMessages(messages: DissectedMessage[]): void {
    for (const m of messages) {
      const at = this.messageIndex.get(m.id);
      if (at === undefined) {
        this.messageIndex.set(m.id, this.messages.length);
        this.messages.push(m);
      } else this.messages[at] = m;
    }
    this.byDirDirty = true;
    this.version++;
    this.messagesVersion++;
  }

  /** The index in `messages` of the message with this id, or -1. */
  indexOfMessage(id: number): number {
    return this.messageIndex.get(id) ?? -1;
  }

  messagesOf(dir: Direction): DissectedMessage[] {
    if (this.byDirDirty) {
      this.byDir = { c2s: [], s2c: [] };
      for (const m of this.messages) this.byDir[m.dir].push(m);
      this.byDir.c2s.sort((a, b) => a.range.start - b.range.start);
      this.byDir.s2c.sort((a, b) => a.range.start - b.range.start);
      this.byDirDirty = false;
    }
    return this.byDir[dir];
  }

  /** Index of the chunk holding the hex row `row` (-1 past the end). */
  chunkOfRow(row: number): number {
    return this.index.chunkOfRow(row);
  }

  /** The global hex row showing byte `offset` of direction `dir`, or -1. */
  rowOf(dir: Direction, offset: number): number {
    return this.index.rowOf(dir, offset);
  }

  /**
   * Makes sure bytes [start, end) of a direction will be held: asks the host
   * for the pages that are missing. True when they are all held now.
   */
  want(dir: Direction, start: number, end: number): boolean {
    const s = this.bytes[dir];
    end = Math.min(end, this.streamLen[dir]);
    if (start >= end) return true;
    s.touch(start, end);
    if (!this.request) return s.missing(start, end, this.streamLen[dir]).length === 0;
    const now = performance.now();
    const ask = s.missing(start, end, this.streamLen[dir], now);
    for (const r of ask) this.request(this.info.connectionId, dir, r.start, r.end);
    return ask.length === 0 && s.missing(start, end, this.streamLen[dir]).length === 0;
  }

  /** The host's answer to a request for bytes (see StreamBytes.answer). */
  answer(dir: Direction, start: number, end: number, offset: number, bytes: Uint8Array): void {
    this.bytes[dir].answer(start, end, offset, bytes);
    this.version++;
  }

  /**
   * Bytes [start, end) of one direction as far as they are held without a gap
   * (shorter than asked while the rest is on its way from the host; the
   * capture's version changes when it arrives).
   */
  slice(dir: Direction, start: number, end: number): Uint8Array {
    end = Math.min(end, this.streamLen[dir]);
    if (end <= start) return new Uint8Array(0);
    this.want(dir, start, end);
    const out = new Uint8Array(end - start);
    const got = this.bytes[dir].read(start, out);
    return got === out.length ? out : out.subarray(0, got);
  }

  /** Frees the bytes held (the capture left the UI). */
  release(): void {
    this.bytes.c2s.release();
    this.bytes.s2c.release();
  }
}
