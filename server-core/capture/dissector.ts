// Incremental dissection of one connection: each direction runs its own state
// machine (HTTP through the parser, WebSocket frames after an upgrade, raw
// bytes otherwise) and every decoded message goes out through onMessage with a
// capture-wide id, in arrival order. Work per pushed chunk is bounded by the
// chunk: payloads are streamed, only previews are kept (unless keepPayload, for
// the exports), and field lists are capped per message.
//
// Upgrades are followed from the bytes themselves — a request that offers an
// upgrade holds back the client's next bytes until the response says 101 (they
// become WebSocket frames) or something else (HTTP goes on) — so a client-side
// capture without 'switch' events reads the same as the server's. A 'switch'
// event, when it comes, supplies the negotiated extensions and forces the
// switch at its offsets if the bytes did not show it.
import type { DissectedMessage } from './dissection-types.js';
import type { Direction, ProtocolSwitched, WireProtocol } from './types.js';
import { getHeader, type HttpParseError, type HttpParserLimits, type MessageHead } from '../http/parser-types.js';
import {
  HttpDirectionDissector,
  type HttpDirectionHost,
  type HttpMessage,
  type HttpMessageDetail,
  type HttpParserFactory,
  type StoredStream,
} from './http-dissector.js';
import { WsDirectionDissector, type WsFrameDetail, type WsMessage } from './ws-dissector.js';
import { formatCount, previewPayload } from './format.js';
import { HttpMessageParser } from '../http/message-parser.js';

/** A dissected message with the decoded details the exports use (the contract's fields plus these). */
export interface DetailedMessage extends DissectedMessage {
  http?: HttpMessageDetail;
  ws?: WsFrameDetail;
}

export interface DissectorOptions {
  onMessage(m: DetailedMessage): void;
  /**
   * A message emitted `open` changed (the same object, its id kept): it grew, or it ended (no longer
   * `open`). With this callback an event-stream response is emitted when its head is parsed and updated
   * as its events arrive; without it, every message is emitted once, when it ends.
   */
  onUpdate?(m: DetailedMessage): void;
  /** Ids for the messages; default counts from 1 per connection. */
  nextMessageId?: () => number;
  /** Keep whole bodies and payloads in the details (exports). Default false: previews only. */
  keepPayload?: boolean;
  /** Payload bytes shown in values and summaries. Default 64. */
  previewBytes?: number;
  /** Largest body or WebSocket message kept or inflated. Default 16 MiB. */
  maxMessageBytes?: number;
  /** Fields of one HTTP message past which chunks are only counted. Default 500. */
  maxFieldsPerMessage?: number;
  /** Bytes a request that offered an upgrade may hold back before the response decides. Default 1 MiB. */
  maxPendingBytes?: number;
  /** Parser limits for dissection; generous by default (a capture shows what was sent). */
  parserLimits?: Partial<HttpParserLimits>;
  /** The HTTP parser to use. Default: server-core's HttpMessageParser. */
  httpParser?: HttpParserFactory;
  /**
   * The owner drops the bytes of `dir` below the returned offset right after this dissection step: an HTTP
   * message ending there is emitted as a stand-in (kind, range, times), not built (the capture store's
   * deferred dissection of what it evicts). Default: nothing is.
   */
  leavingBelow?(dir: Direction): number;
  /**
   * HTTP field trees are built when first read, from these stored bytes (the capture store; not with
   * keepPayload). The owner calls pin() before it drops bytes.
   */
  deferred?: StoredStream;
}

export const DEFAULT_DISSECTOR_LIMITS: Partial<HttpParserLimits> = Object.freeze({
  maxStartLineBytes: 64 * 1024,
  maxHeaderBytes: 256 * 1024,
  maxHeaderCount: 1000,
  maxBodyBytes: Number.MAX_SAFE_INTEGER,
  maxChunkExtensionBytes: 64 * 1024,
});

const defaultParser: HttpParserFactory = (kind, handlers, limits) => new HttpMessageParser(kind, handlers, limits);

type Mode =
  | { kind: 'http'; d: HttpDirectionDissector }
  | { kind: 'ws'; d: WsDirectionDissector }
  | { kind: 'raw' }
  | { kind: 'sniff' }
  | { kind: 'pending'; start: number; parts: Buffer[]; bytes: number; sequence: number };

interface DirState {
  mode: Mode;
  /** Absolute offset of the next byte to arrive. */
  pos: number;
  rawSequence: number;
  /** A 'switch' event whose offset was not reached yet. */
  forced?: { offset: number; protocol: WireProtocol };
}

export class ConnectionDissector {
  private readonly dirs: Record<Direction, DirState>;
  private readonly opts: Required<Omit<DissectorOptions, 'onMessage' | 'onUpdate' | 'nextMessageId' | 'httpParser' | 'deferred' | 'leavingBelow'>>;
  private readonly parserFactory: HttpParserFactory;
  private readonly nextId: () => number;
  private extensions?: string;
  private requests: { method: string }[] = [];
  private responseCursor = 0;
  private t = 0;
  private ended = false;
  /** Per direction, where the owner's stored bytes start (see pin). */
  private readonly storedFrom: Record<Direction, number> = { c2s: 0, s2c: 0 };

  constructor(
    readonly connectionId: string,
    protocol: WireProtocol,
    private readonly options: DissectorOptions,
  ) {
    let n = 1;
    this.nextId = options.nextMessageId ?? (() => n++);
    this.parserFactory = options.httpParser ?? defaultParser;
    this.opts = {
      keepPayload: options.keepPayload ?? false,
      previewBytes: options.previewBytes ?? 64,
      maxMessageBytes: options.maxMessageBytes ?? 16 * 1024 * 1024,
      maxFieldsPerMessage: options.maxFieldsPerMessage ?? 500,
      maxPendingBytes: options.maxPendingBytes ?? 1024 * 1024,
      parserLimits: { ...DEFAULT_DISSECTOR_LIMITS, ...options.parserLimits },
    };
    const initial = (dir: Direction): Mode => {
      if (protocol === 'http') return { kind: 'http', d: this.newHttp(dir, 0, true) };
      if (protocol === 'ws') return { kind: 'ws', d: this.newWs(dir, 0) };
      return { kind: 'sniff' };
    };
    this.dirs = {
      c2s: { mode: initial('c2s'), pos: 0, rawSequence: 0 },
      s2c: { mode: initial('s2c'), pos: 0, rawSequence: 0 },
    };
  }

  /**
   * Bytes of `dir`, following on from the previous push of that direction. They are not modified
   * afterwards, or not before the owner's pin() of them: the dissector may keep views of them until then
   * (retained-bytes.ts; the capture store reuses its blocks only after pinning, chunk-arena.ts).
   */
  push(dir: Direction, bytes: Buffer, t: number): void {
    if (this.ended || bytes.length === 0) return;
    this.t = t;
    const st = this.dirs[dir];
    const f = st.forced;
    if (f && f.offset >= st.pos && f.offset < st.pos + bytes.length) {
      if (st.mode.kind === f.protocol && f.offset === st.pos) {
        st.forced = undefined;
        this.feed(dir, bytes);
        return;
      }
      const cut = f.offset - st.pos;
      if (cut > 0) this.feed(dir, bytes.subarray(0, cut));
      st.forced = undefined;
      this.force(dir, f.protocol, f.offset);
      this.feed(dir, bytes.subarray(cut));
      return;
    }
    this.feed(dir, bytes);
  }

  /**
   * `n` bytes of `dir` are missing (dropped from the capture before dissection).
   * HTTP cannot resynchronise mid-stream, so the direction goes back to sniffing:
   * bytes that do not start like a message are shown raw.
   */
  skip(dir: Direction, n: number): void {
    if (n <= 0) return;
    const st = this.dirs[dir];
    st.pos += n;
    st.forced = undefined;
    st.mode = st.mode.kind === 'ws' ? { kind: 'raw' } : { kind: 'sniff' };
  }

  /**
   * The owner's stored bytes of `dir` below `before` are about to go: a deferred HTTP message that starts
   * there builds its tree now (messages already emitted are the owner's to pin, see lazy-fields.ts).
   */
  pin(dir: Direction, before: number): void {
    const m = this.dirs[dir].mode;
    if (m.kind === 'http') m.d.pin(before);
    if (before > this.storedFrom[dir]) this.storedFrom[dir] = before;
  }

  /**
   * Where the HTTP message in progress in `dir` starts, when one is (some of its bytes arrived):
   * the owner can feed it to its end before dropping its first bytes, so that it ends as a message whose
   * tree stays on demand instead of building its tree at once (pin).
   */
  httpMessageInProgress(dir: Direction): number | undefined {
    const st = this.dirs[dir];
    const m = st.mode;
    if (m.kind !== 'http' || m.d.stopped) return undefined;
    return m.d.messageStart < st.pos ? m.d.messageStart : undefined;
  }

  /** A 'switch' event from the capture source. */
  switchProtocol(ev: ProtocolSwitched): void {
    if (ev.extensions !== undefined) this.extensions = ev.extensions;
    for (const dir of ['c2s', 's2c'] as const) {
      const st = this.dirs[dir];
      const offset = dir === 'c2s' ? ev.c2sOffset : ev.s2cOffset;
      if (st.mode.kind === ev.protocol || (ev.protocol === 'ws' && st.mode.kind === 'ws')) {
        if (st.mode.kind === 'ws') st.mode.d.setExtensions(this.extensions);
        continue;
      }
      if (offset >= st.pos) st.forced = { offset, protocol: ev.protocol };
      else this.force(dir, ev.protocol, offset);
    }
  }

  /** The connection closed: messages in progress are completed or reported cut. */
  end(t: number): void {
    if (this.ended) return;
    this.t = t;
    for (const dir of ['c2s', 's2c'] as const) {
      const m = this.dirs[dir].mode;
      if (m.kind === 'http' || m.kind === 'ws') m.d.end(t);
      else if (m.kind === 'pending') {
        const bytes = Buffer.concat(m.parts);
        this.dirs[dir].mode = { kind: 'raw' };
        if (bytes.length) this.emitRaw(dir, m.start, bytes, 'Sent after an upgrade offer that got no answer');
      }
    }
    this.ended = true;
  }

  // --- internals ---

  private feed(dir: Direction, bytes: Buffer): void {
    const st = this.dirs[dir];
    const start = st.pos;
    st.pos += bytes.length;
    const m = st.mode;
    switch (m.kind) {
      case 'http':
        m.d.push(bytes, this.t);
        break;
      case 'ws': {
        const used = m.d.push(bytes, this.t);
        if (used < bytes.length) {
          this.dirs[dir].mode = { kind: 'raw' };
          this.emitRaw(dir, start + used, bytes.subarray(used), 'Not decodable as WebSocket frames');
        }
        break;
      }
      case 'pending':
        if (m.bytes + bytes.length > this.opts.maxPendingBytes) {
          // No answer in sight: carry on as HTTP with what was held back.
          const held = Buffer.concat([...m.parts, bytes]);
          st.mode = { kind: 'http', d: this.newHttp(dir, m.start, true) };
          st.mode.d.push(held, this.t);
        } else {
          m.parts.push(Buffer.from(bytes));
          m.bytes += bytes.length;
        }
        break;
      case 'sniff': {
        const b = bytes[0];
        const looksHttp = dir === 'c2s' ? b >= 0x41 && b <= 0x5a : b === 0x48; // 'A'–'Z' / 'H'
        if (looksHttp) {
          st.mode = { kind: 'http', d: this.newHttp(dir, start, false) };
          st.mode.d.push(bytes, this.t);
        } else {
          st.mode = { kind: 'raw' };
          this.emitRaw(dir, start, bytes);
        }
        break;
      }
      case 'raw':
        this.emitRaw(dir, start, bytes);
        break;
    }
  }

  private newHttp(dir: Direction, base: number, emitErrors: boolean): HttpDirectionDissector {
    const host: HttpDirectionHost = {
      requestHead: (method) => {
        this.requests.push({ method });
        return this.requests.length - 1;
      },
      responseHead: (status) => {
        const sequence = this.responseCursor;
        const method = this.requests[sequence]?.method;
        const final = status >= 200 || status === 101;
        if (final) this.responseCursor++;
        // A final answer to a request that offered an upgrade, other than 101: the client's held bytes are HTTP again.
        const c2s = this.dirs.c2s.mode;
        if (final && status !== 101 && !(method === 'CONNECT' && status < 300) && c2s.kind === 'pending' && c2s.sequence === sequence) {
          this.resumeHttp('c2s', c2s);
        }
        return method === undefined ? { sequence } : { sequence, method };
      },
      emit: (m) => this.emit(m),
      update: (m) => this.options.onUpdate?.(m as DetailedMessage),
      leaving: (end) => this.options.leavingBelow !== undefined && end <= this.options.leavingBelow(dir),
      upgraded: (d, offset, rest, head) => this.upgraded(d, offset, rest, head),
      failed: (d, rawFrom, err, atStart) => this.failed(d, rawFrom, err, atStart),
    };
    const h = new HttpDirectionDissector(dir, base, this.parserFactory, host, {
      keepPayload: this.opts.keepPayload,
      previewBytes: this.opts.previewBytes,
      maxMessageBytes: this.opts.maxMessageBytes,
      maxFieldsPerMessage: this.opts.maxFieldsPerMessage,
      parserLimits: this.opts.parserLimits,
      deferred: this.options.deferred,
      openStreams: this.options.onUpdate !== undefined,
    });
    h.emitErrors = emitErrors;
    if (this.storedFrom[dir] > base) h.pin(this.storedFrom[dir]);
    return h;
  }

  private newWs(dir: Direction, base: number): WsDirectionDissector {
    return new WsDirectionDissector(dir, base, (m) => this.emit(m), {
      keepPayload: this.opts.keepPayload,
      previewBytes: this.opts.previewBytes,
      maxMessageBytes: this.opts.maxMessageBytes,
    }, this.extensions);
  }

  private resumeHttp(dir: Direction, m: Extract<Mode, { kind: 'pending' }>): void {
    const held = Buffer.concat(m.parts);
    const d = this.newHttp(dir, m.start, true);
    this.dirs[dir].mode = { kind: 'http', d };
    if (held.length) d.push(held, this.t);
  }

  private upgraded(dir: Direction, _offset: number, rest: Buffer, head: MessageHead): void {
    const st = this.dirs[dir];
    const restStart = st.pos - rest.length;
    if (head.kind === 'request') {
      // Hold the client's bytes until the response decides.
      const sequence = this.requests.length - 1;
      st.mode = { kind: 'pending', start: restStart, parts: rest.length ? [Buffer.from(rest)] : [], bytes: rest.length, sequence };
      return;
    }
    const isWs = head.statusCode === 101 && /websocket/i.test(getHeader(head, 'upgrade') ?? '');
    if (isWs && this.extensions === undefined) {
      const ext = getHeader(head, 'sec-websocket-extensions');
      if (ext !== undefined) this.extensions = ext;
    }
    const next: WireProtocol = isWs ? 'ws' : 'raw';
    // The client's held bytes arrived before the rest of this chunk: they go first.
    const c2s = this.dirs.c2s;
    if (c2s.mode.kind === 'pending') {
      const held = Buffer.concat(c2s.mode.parts);
      const start = c2s.mode.start;
      this.setMode('c2s', next, start);
      if (held.length) this.feedMode('c2s', held, start);
    } else if (c2s.mode.kind === 'http') {
      const from = c2s.mode.d.messageStart;
      const held = c2s.mode.d.allBytesFrom(from);
      if (held !== undefined) {
        c2s.mode.d.stop();
        this.setMode('c2s', next, from);
        if (held.length) this.feedMode('c2s', held, from);
      }
    }
    this.force('s2c', next, restStart, rest);
  }

  /** Switches `dir` to `protocol` at `offset`, re-feeding retained bytes after it (or `rest`). */
  private force(dir: Direction, protocol: WireProtocol, offset: number, rest?: Buffer): void {
    const st = this.dirs[dir];
    let bytes = rest;
    if (bytes === undefined) {
      const m = st.mode;
      if (m.kind === 'http') {
        bytes = m.d.allBytesFrom(offset);
        m.d.stop();
      } else if (m.kind === 'pending') bytes = Buffer.concat(m.parts).subarray(Math.max(0, offset - m.start));
      if (bytes === undefined || offset > st.pos) bytes = Buffer.alloc(0);
    }
    this.setMode(dir, protocol, offset);
    if (bytes.length) this.feedMode(dir, bytes, offset);
  }

  private setMode(dir: Direction, protocol: WireProtocol, at: number): void {
    const st = this.dirs[dir];
    if (protocol === 'ws') st.mode = { kind: 'ws', d: this.newWs(dir, at) };
    else if (protocol === 'http') st.mode = { kind: 'http', d: this.newHttp(dir, at, true) };
    else st.mode = { kind: 'raw' };
  }

  /** Feeds bytes that are already counted in pos (re-fed after a switch). */
  private feedMode(dir: Direction, bytes: Buffer, start: number): void {
    const m = this.dirs[dir].mode;
    if (m.kind === 'ws') {
      const used = m.d.push(bytes, this.t);
      if (used < bytes.length) {
        this.dirs[dir].mode = { kind: 'raw' };
        this.emitRaw(dir, start + used, bytes.subarray(used));
      }
    } else if (m.kind === 'http') m.d.push(bytes, this.t);
    else this.emitRaw(dir, start, bytes);
  }

  private failed(dir: Direction, rawFrom: number, _err: HttpParseError, _atStart: boolean): void {
    const st = this.dirs[dir];
    const m = st.mode;
    if (m.kind !== 'http') return;
    const rest = m.d.allBytesFrom(rawFrom);
    st.mode = { kind: 'raw' };
    if (rest && rest.length) this.emitRaw(dir, rawFrom, rest, _atStart ? 'Not HTTP' : 'After a malformed message');
  }

  private emitRaw(dir: Direction, start: number, bytes: Buffer, why?: string): void {
    const st = this.dirs[dir];
    const range = { start, end: start + bytes.length };
    const preview = previewPayload(bytes.subarray(0, this.opts.previewBytes), bytes.length, 40);
    this.emit({
      kind: 'raw',
      protocol: 'raw',
      dir,
      range,
      tStart: this.t,
      tEnd: this.t,
      summary: `${formatCount(bytes.length)} B ${preview}`,
      fields: [{ name: 'Data', value: preview, explain: why ?? `${formatCount(bytes.length)} bytes, not dissected as HTTP or WebSocket`, range }],
      sequence: st.rawSequence++,
    });
  }

  private emit(m: HttpMessage | WsMessage | Omit<DissectedMessage, 'id' | 'connectionId'>): void {
    const out = m as DetailedMessage;
    out.id = this.nextId();
    out.connectionId = this.connectionId;
    this.options.onMessage(out);
  }
}

/** Dissects a whole recorded connection at once (the exports use this with keepPayload). */
export function dissectEntries(
  connectionId: string,
  protocol: WireProtocol,
  entries: Iterable<{ kind: 'data' | 'dropped'; dir: Direction; t: number; bytes?: Buffer; length?: number }>,
  switches: readonly ProtocolSwitched[],
  options: Omit<DissectorOptions, 'onMessage'> & { endT?: number },
): DetailedMessage[] {
  const out: DetailedMessage[] = [];
  const d = new ConnectionDissector(connectionId, protocol, { ...options, onMessage: (m) => out.push(m) });
  for (const s of switches) d.switchProtocol(s);
  let last = 0;
  for (const e of entries) {
    if (e.kind === 'dropped') {
      d.skip(e.dir, e.length ?? 0);
      continue;
    }
    if (!e.bytes) continue;
    d.push(e.dir, e.bytes, e.t);
    last = e.t;
  }
  d.end(options.endT ?? last);
  return out;
}
