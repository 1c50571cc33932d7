// WebSocket frame dissection for one direction of one connection (RFC 6455 §5.2,
// RFC 7692 for permessage-deflate). Headers are decoded and checked by the same
// code as the frame parser's (ws/frame-header.ts: decodeFrameHeader and
// checkFrameHeader, one set of error codes); the payload is not read through
// ws/frame-parser.ts on purpose: that parser delivers whole frames (it collects
// each payload, up to its maxPayload), while a capture may hold a 1 GiB frame
// and the dissector must stream it keeping only a preview. Frames that break a
// rule (unmasked client frame, reserved opcode, RSV bits, …) are shown with the
// rule marked on the field and dissection goes on; only input whose framing
// cannot be decoded (a 64-bit length with its top bit set) stops the direction.
//
// State machine: HEADER (collect 2–14 bytes) → PAYLOAD (stream the payload,
// keeping only a preview unless the payload is needed) → HEADER …
import { inflateRawSync, constants as zlibConstants } from 'node:zlib';
import type { DissectedField, DissectedMessage } from './dissection-types.js';
import type { Direction } from './types.js';
import { decodeUtf8, escapeBytes, formatCount, previewPayload } from './format.js';
import { isValidUtf8 } from '../ws/utf8.js';
import { checkFrameHeader, decodeFrameHeader, frameHeaderLength, isViolation, type FrameViolation } from '../ws/frame-header.js';
import type { FrameHeader } from '../ws/types.js';

export const OPCODE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0x0: 'continuation',
  0x1: 'text',
  0x2: 'binary',
  0x8: 'close',
  0x9: 'ping',
  0xa: 'pong',
});

export function opcodeName(op: number): string {
  return OPCODE_NAMES[op] ?? (op < 8 ? 'reserved non-control' : 'reserved control');
}

/** The header bits every frame has (the names of ws/types.ts's FrameHeader). */
type HeaderBits = Pick<FrameHeader, 'fin' | 'rsv1' | 'rsv2' | 'rsv3' | 'opcode' | 'masked'>;

/** What a frame message carries beyond the contract, for the exports. */
export interface WsFrameDetail extends HeaderBits {
  maskingKey?: Buffer;
  payloadLength: number;
  headerLength: number;
  /** RSV1 on the first frame of the message with permessage-deflate negotiated. */
  compressed: boolean;
  /** Opcode of the message this frame belongs to (the first frame's, for continuations). */
  messageOpcode: number;
  /** On the final frame of a data message: the whole message, unmasked and inflated, when it was kept. */
  messageData?: Buffer;
  /** Unmasked payload of this frame, when kept (keepPayload, control frames). */
  payload?: Buffer;
  closeCode?: number;
  closeReason?: string;
}

export type WsMessage = Omit<DissectedMessage, 'id' | 'connectionId'> & { ws: WsFrameDetail };

export interface WsDissectorOptions {
  /** Keep every payload whole (exports). Otherwise only previews and control payloads are kept. */
  keepPayload: boolean;
  /** Bytes of payload shown in a field value. */
  previewBytes: number;
  /** Cap on a kept or inflated message; past it the message is shown without its content. */
  maxMessageBytes: number;
}

export const DEFAULT_WS_DISSECTOR_OPTIONS: Readonly<WsDissectorOptions> = Object.freeze({
  keepPayload: false,
  previewBytes: 64,
  maxMessageBytes: 16 * 1024 * 1024,
});

export interface DeflateParams {
  noContextTakeover: boolean;
  windowBits: number;
}

/** The permessage-deflate parameters that govern what `dir` sends, or undefined when it was not negotiated. */
export function deflateParamsFor(extensions: string | undefined, dir: Direction): DeflateParams | undefined {
  if (!extensions) return undefined;
  for (const ext of extensions.split(',')) {
    const parts = ext.split(';').map((s) => s.trim());
    if (parts[0].toLowerCase() !== 'permessage-deflate') continue;
    const side = dir === 'c2s' ? 'client' : 'server';
    const out: DeflateParams = { noContextTakeover: false, windowBits: 15 };
    for (const p of parts.slice(1)) {
      const [k, v] = p.split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
      const key = k.toLowerCase();
      if (key === `${side}_no_context_takeover`) out.noContextTakeover = true;
      if (key === `${side}_max_window_bits` && v) out.windowBits = Number(v) || 15;
    }
    return out;
  }
  return undefined;
}

const enum State {
  Header,
  Payload,
  Stopped,
}

const DEFLATE_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

interface Frame extends HeaderBits {
  start: number;
  tStart: number;
  lenField: number;
  length: number;
  headerLength: number;
  key?: Buffer;
  /** Unmasked payload bytes kept so far. */
  kept: Buffer[];
  keptBytes: number;
  keepAll: boolean;
  /** A data frame of the message in this.msg. */
  inMessage: boolean;
  received: number;
  errors: { field: string; message: string; code: string }[];
}

export class WsDirectionDissector {
  private state = State.Header;
  private header: Buffer = Buffer.alloc(0);
  private headerStart = 0;
  private headerT = 0;
  private frame?: Frame;
  private sequence = 0;
  /** The data message in progress (fragmented), if any. */
  private msg?: {
    opcode: number;
    compressed: boolean;
    parts: Buffer[];
    bytes: number;
    overflow: boolean;
    /** Uncompressed text: validated as it streams, so it need not be kept. */
    utf8?: TextDecoder;
    utf8Error?: number;
  };
  /** Inflation history (the LZ77 window) for context takeover. */
  private window: Buffer = Buffer.alloc(0);
  private inflateBroken = false;
  private deflate?: DeflateParams;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(
    readonly dir: Direction,
    private offset: number,
    private readonly emit: (m: WsMessage) => void,
    private readonly opts: WsDissectorOptions,
    extensions?: string,
  ) {
    this.deflate = deflateParamsFor(extensions, dir);
  }

  setExtensions(extensions: string | undefined): void {
    this.deflate = deflateParamsFor(extensions, this.dir);
  }

  get stopped(): boolean {
    return this.state === State.Stopped;
  }

  /** The offset of the next byte this dissector expects. */
  get position(): number {
    return this.offset;
  }

  /** Feeds bytes that start at this.position. Returns the number consumed (all, unless the dissection stopped). */
  push(bytes: Buffer, t: number): number {
    let i = 0;
    while (i < bytes.length) {
      if (this.state === State.Stopped) return i;
      if (this.state === State.Header) {
        if (this.header.length === 0) {
          this.headerStart = this.offset;
          this.headerT = t;
        }
        const need = this.headerNeed();
        const take = Math.min(need - this.header.length, bytes.length - i);
        this.header = Buffer.concat([this.header, bytes.subarray(i, i + take)]);
        i += take;
        this.offset += take;
        if (this.header.length < this.headerNeed()) continue;
        this.startFrame();
        if (this.frame && this.frame.length === 0) this.finishFrame(t);
      } else if (this.state === State.Payload) {
        const f = this.frame!;
        const take = Math.min(f.length - f.received, bytes.length - i);
        this.takePayload(f, bytes.subarray(i, i + take));
        i += take;
        this.offset += take;
        if (f.received === f.length) this.finishFrame(t);
      }
    }
    return i;
  }

  /** The stream ended: a frame cut short is reported as truncated. */
  end(t: number): void {
    if (this.state === State.Stopped) return;
    if (this.state === State.Header && this.header.length > 0) {
      this.emit({
        kind: 'ws-frame',
        protocol: 'ws',
        dir: this.dir,
        range: { start: this.headerStart, end: this.offset },
        tStart: this.headerT,
        tEnd: t,
        summary: `Truncated frame header (${this.header.length} B)`,
        fields: [
          {
            name: 'Frame header',
            value: escapeBytes(this.header),
            explain: 'The connection ended inside a frame header',
            range: { start: this.headerStart, end: this.offset },
            error: 'The stream ended before the header was complete',
          },
        ],
        error: { offset: this.offset, message: 'The stream ended inside a frame header', code: 'UNEXPECTED_EOF' },
        sequence: this.sequence++,
        ws: {
          fin: false, rsv1: false, rsv2: false, rsv3: false, opcode: 0, masked: false, payloadLength: 0,
          headerLength: this.header.length, compressed: false, messageOpcode: 0,
        },
      });
    } else if (this.state === State.Payload && this.frame) {
      this.frame.errors.push({
        field: 'Payload',
        message: `The stream ended after ${this.frame.received} of ${this.frame.length} payload bytes`,
        code: 'UNEXPECTED_EOF',
      });
      this.finishFrame(t, true);
    }
    this.state = State.Stopped;
  }

  private headerNeed(): number {
    return this.header.length < 2 ? 2 : frameHeaderLength(this.header[1]);
  }

  /** FrameRuleState for the shared checks (ws/frame-header.ts). */
  get perMessageDeflate(): boolean {
    return !!this.deflate;
  }

  get messageOpcode(): number {
    return this.msg?.opcode ?? 0;
  }

  get expectMasked(): boolean {
    return this.dir === 'c2s';
  }

  private startFrame(): void {
    const h = this.header;
    const decoded = decodeFrameHeader({ byteAt: (i) => h[i] }, this.headerStart);
    if (isViolation(decoded)) {
      // Not decodable (or beyond what a JS number counts exactly): stop here.
      this.emitUndecodable(decoded);
      return;
    }
    const errors: Frame['errors'] = [];
    checkFrameHeader(h[0], h[1], this.headerStart, this, (v) => {
      errors.push({ field: v.field, message: v.message, code: v.code });
      return false; // a dissector marks every rule broken and goes on
    });
    const lenField = h[1] & 0x7f;
    const f: Frame = {
      start: this.headerStart,
      tStart: this.headerT,
      fin: decoded.fin,
      rsv1: decoded.rsv1,
      rsv2: decoded.rsv2,
      rsv3: decoded.rsv3,
      opcode: decoded.opcode,
      masked: decoded.masked,
      lenField,
      length: decoded.payloadLength,
      headerLength: h.length,
      key: decoded.maskKey ?? undefined,
      kept: [],
      keptBytes: 0,
      keepAll: false,
      inMessage: false,
      received: 0,
      errors,
    };
    const control = f.opcode >= 8;
    // Message bookkeeping.
    if (f.opcode === 1 || f.opcode === 2) {
      this.msg = { opcode: f.opcode, compressed: f.rsv1 && !!this.deflate, parts: [], bytes: 0, overflow: false };
      if (f.opcode === 1 && !this.msg.compressed) {
        // One decoder per direction (building one is costly); flushing resets it for the new message.
        try {
          this.utf8.decode();
        } catch {
          /* a previous message was cut: reset */
        }
        this.msg.utf8 = this.utf8;
      }
    }
    const inData = (f.opcode === 0 || f.opcode === 1 || f.opcode === 2) && this.msg;
    f.keepAll = control || this.opts.keepPayload || !!(inData && this.msg!.compressed);
    f.inMessage = !!inData;
    this.frame = f;
    this.header = Buffer.alloc(0);
    this.state = State.Payload;
  }

  private takePayload(f: Frame, data: Buffer): void {
    const m = this.msg;
    if (f.inMessage && m?.utf8 && m.utf8Error === undefined) {
      let plain = data;
      if (f.key) {
        plain = Buffer.from(data);
        for (let j = 0; j < plain.length; j++) plain[j] ^= f.key[(f.received + j) & 3];
      }
      try {
        m.utf8.decode(plain, { stream: true });
      } catch {
        m.utf8Error = this.offset;
      }
    }
    const keepLimit = f.keepAll ? this.opts.maxMessageBytes : this.opts.previewBytes;
    if (f.keptBytes < keepLimit) {
      const part = Buffer.from(data.subarray(0, keepLimit - f.keptBytes));
      if (f.key) for (let j = 0; j < part.length; j++) part[j] ^= f.key[(f.received + j) & 3];
      f.kept.push(part);
      f.keptBytes += part.length;
    }
    f.received += data.length;
  }

  private emitUndecodable(v: FrameViolation): void {
    const start = this.headerStart;
    const hi = this.header.readUInt32BE(2);
    const lo = this.header.readUInt32BE(6);
    const f0 = fieldsForHeader(this.header, start, [], !!this.deflate);
    const lenField = f0.find((x) => x.name === 'Extended payload length');
    if (lenField) lenField.error = v.message;
    this.emit({
      kind: 'ws-frame',
      protocol: 'ws',
      dir: this.dir,
      range: { start, end: this.offset },
      tStart: this.headerT,
      tEnd: this.headerT,
      summary: `Invalid 64-bit length 0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}`,
      fields: [{ name: 'Frame header', range: { start, end: this.offset }, children: f0 }],
      error: { offset: v.offset, message: v.message, code: v.code },
      sequence: this.sequence++,
      ws: {
        fin: false, rsv1: false, rsv2: false, rsv3: false, opcode: this.header[0] & 0x0f, masked: false,
        payloadLength: 0, headerLength: this.header.length, compressed: false, messageOpcode: 0,
      },
    });
    this.header = Buffer.alloc(0);
    this.state = State.Stopped;
  }

  private finishFrame(t: number, truncated = false): void {
    const f = this.frame!;
    this.frame = undefined;
    this.state = truncated ? State.Stopped : State.Header;
    const payload = f.kept.length === 1 ? f.kept[0] : Buffer.concat(f.kept);
    const payloadStart = f.start + f.headerLength;
    const payloadEnd = payloadStart + f.received;
    const control = f.opcode >= 8;
    const detail: WsFrameDetail = {
      fin: f.fin, rsv1: f.rsv1, rsv2: f.rsv2, rsv3: f.rsv3, opcode: f.opcode, masked: f.masked,
      payloadLength: f.length, headerLength: f.headerLength, compressed: false,
      messageOpcode: control ? f.opcode : (this.msg?.opcode ?? f.opcode),
    };
    const complete = f.keptBytes === f.received;
    if ((this.opts.keepPayload || control) && complete) detail.payload = payload;

    const payloadChildren: DissectedField[] = [];
    const range = { start: payloadStart, end: payloadEnd };
    let summaryTail = '';
    // Data message assembly and inflation.
    let messageData: Buffer | undefined;
    if (!control && this.msg) {
      const m = this.msg;
      detail.compressed = m.compressed;
      if (f.keepAll && complete && !m.overflow && m.bytes + payload.length <= this.opts.maxMessageBytes) {
        m.parts.push(payload);
        m.bytes += payload.length;
      } else if (f.keepAll) {
        m.overflow = true;
      }
      if (f.fin) {
        this.msg = undefined;
        if (!m.overflow && !truncated) {
          messageData = m.parts.length === 1 ? m.parts[0] : Buffer.concat(m.parts);
          if (m.compressed) messageData = this.inflate(messageData, f, range, payloadChildren);
        } else if (m.compressed) {
          // The window is lost: later messages that depend on it cannot be inflated.
          this.inflateBroken = !this.deflate?.noContextTakeover;
          payloadChildren.push({ name: 'Inflated message', value: '(too large to inflate)', range, explain: `Over the dissector's ${formatCount(this.opts.maxMessageBytes)}-byte limit` });
        }
        if (messageData !== undefined) {
          if (this.opts.keepPayload) detail.messageData = messageData;
          if (m.opcode === 1 && m.compressed && !isValidUtf8(messageData))
            f.errors.push({ field: 'Payload', message: 'Text message is not valid UTF-8', code: 'WS_INVALID_UTF8' });
        }
        if (m.utf8 && !truncated) {
          if (m.utf8Error === undefined) {
            try {
              m.utf8.decode();
            } catch {
              m.utf8Error = payloadEnd;
            }
          }
          if (m.utf8Error !== undefined) f.errors.push({ field: 'Payload', message: 'Text message is not valid UTF-8', code: 'WS_INVALID_UTF8' });
        }
      }
    }
    if (f.opcode === 8 && complete) {
      if (payload.length === 1) f.errors.push({ field: 'Payload', message: 'A close payload cannot be 1 byte long', code: 'WS_INVALID_CLOSE_PAYLOAD' });
      if (payload.length >= 2) {
        const code = payload.readUInt16BE(0);
        detail.closeCode = code;
        const reasonBytes = payload.subarray(2);
        const reason = decodeUtf8(reasonBytes) ?? '';
        detail.closeReason = reason;
        const validCode = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
        payloadChildren.push({
          name: 'Close code',
          value: String(code),
          explain: closeCodeMeaning(code),
          range: { start: payloadStart, end: payloadStart + 2 },
          ...(validCode ? {} : { error: `Close code ${code} may not be sent on the wire` }),
        });
        if (!validCode) f.errors.push({ field: 'Close code', message: `Invalid close code ${code}`, code: 'WS_INVALID_CLOSE_CODE' });
        if (reasonBytes.length) {
          const ok = isValidUtf8(reasonBytes);
          payloadChildren.push({
            name: 'Close reason',
            value: JSON.stringify(reason),
            explain: 'UTF-8 text explaining why',
            range: { start: payloadStart + 2, end: payloadEnd },
            ...(ok ? {} : { error: 'The close reason is not valid UTF-8' }),
          });
          if (!ok) f.errors.push({ field: 'Close reason', message: 'Close reason is not valid UTF-8', code: 'WS_INVALID_UTF8' });
        }
        summaryTail = ` ${code}${reason ? ` ${JSON.stringify(reason)}` : ''}`;
      }
    }

    // One small buffer: the header, then the unmasked preview.
    const kept = Buffer.concat([this.headerBytesOf(f), payload.subarray(0, this.opts.previewBytes)]);
    const headerBytes = kept.subarray(0, f.headerLength);
    const preview = kept.subarray(f.headerLength);
    if (f.key) detail.maskingKey = kept.subarray(f.headerLength - 4, f.headerLength);
    const errors = f.errors;
    const key = detail.maskingKey;
    const received = f.received;
    const deflateOn = !!this.deflate;
    const start = f.start;
    const headerLength = f.headerLength;
    const buildFields = fieldsBuilder({ range, payloadStart, start, headerLength, headerBytes, preview, key, received, errors, payloadChildren, deflateOn, length: f.length });

    const name = opcodeName(f.opcode);
    const label = name[0].toUpperCase() + name.slice(1);
    const flags = [f.fin ? 'FIN' : 'not FIN'];
    if (detail.compressed && f.rsv1) flags.push('compressed');
    let summary = `${label} (${flags.join(', ')}) ${formatCount(f.length)} B`;
    if (f.opcode === 8) summary += summaryTail;
    else if (messageData !== undefined && detail.compressed) summary += ` → ${formatCount(messageData.length)} B ${previewPayload(messageData.subarray(0, this.opts.previewBytes), messageData.length, 40)}`;
    else if (f.length > 0 && !detail.compressed) summary += ` ${previewPayload(payload.subarray(0, this.opts.previewBytes), f.received, 40)}`;

    const msg: WsMessage = {
      kind: 'ws-frame',
      protocol: 'ws',
      dir: this.dir,
      range: { start: f.start, end: payloadEnd },
      tStart: f.tStart,
      tEnd: t,
      summary,
      fields: buildFields(),
      sequence: this.sequence++,
      ws: detail,
    };
    const first = f.errors[0];
    if (first) msg.error = { offset: errorOffset(first.field, f, payloadStart), message: first.message, code: first.code };
    this.emit(msg);
  }

  private inflate(data: Buffer, f: Frame, range: { start: number; end: number }, out: DissectedField[]): Buffer | undefined {
    if (this.inflateBroken) {
      out.push({ name: 'Inflated message', value: '(unavailable)', range, explain: 'An earlier message could not be inflated, so the shared window is lost' });
      return undefined;
    }
    try {
      const windowBits = this.deflate?.windowBits ?? 15;
      const useWindow = !this.deflate?.noContextTakeover && this.window.length > 0;
      const inflated = inflateRawSync(Buffer.concat([data, DEFLATE_TAIL]), {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: this.opts.maxMessageBytes,
        windowBits: Math.max(windowBits, 9),
        ...(useWindow ? { dictionary: this.window } : {}),
      });
      if (!this.deflate?.noContextTakeover) {
        const size = 1 << windowBits;
        const joined = inflated.length >= size ? inflated : Buffer.concat([this.window, inflated]);
        this.window = Buffer.from(joined.subarray(Math.max(0, joined.length - size)));
      }
      out.push({
        name: 'Inflated message',
        value: previewPayload(inflated.subarray(0, this.opts.previewBytes), inflated.length),
        explain: `permessage-deflate: ${formatCount(data.length)} compressed bytes inflate to ${formatCount(inflated.length)}`,
        range,
      });
      return inflated;
    } catch (err) {
      this.inflateBroken = true;
      const message = `Inflate failed: ${(err as Error).message}`;
      f.errors.push({ field: 'Payload', message, code: 'WS_INFLATE_FAILED' });
      out.push({ name: 'Inflated message', range, error: message });
      return undefined;
    }
  }

  private headerBytesOf(f: Frame): Buffer {
    const h = Buffer.alloc(f.headerLength);
    h[0] = (f.fin ? 0x80 : 0) | (f.rsv1 ? 0x40 : 0) | (f.rsv2 ? 0x20 : 0) | (f.rsv3 ? 0x10 : 0) | f.opcode;
    h[1] = (f.masked ? 0x80 : 0) | f.lenField;
    if (f.lenField === 126) h.writeUInt16BE(f.length, 2);
    if (f.lenField === 127) {
      h.writeUInt32BE(Math.floor(f.length / 0x100000000), 2);
      h.writeUInt32BE(f.length >>> 0, 6);
    }
    if (f.key) f.key.copy(h, f.headerLength - 4);
    return h;
  }

}

function fieldsForHeader(h: Buffer, o: number, errors: Frame['errors'], deflateOn: boolean, f?: { length: number }): DissectedField[] {
  const err = (name: string) => errors.find((e) => e.field === name)?.message;
  const out: DissectedField[] = [];
  const add = (field: DissectedField) => {
    const e = err(field.name);
    if (e) field.error = e;
    out.push(field);
  };
  const b0 = h[0];
  const b1 = h[1];
  const op = b0 & 0x0f;
  const fin = (b0 & 0x80) !== 0;
  add({ name: 'FIN', value: fin ? '1' : '0', explain: fin ? 'Final fragment of the message' : 'More fragments of this message follow', range: { start: o, end: o + 1 }, bitMask: 0x80 });
  const rsv1 = (b0 & 0x40) !== 0;
  add({
    name: 'RSV1',
    value: rsv1 ? '1' : '0',
    explain: deflateOn ? (rsv1 ? 'Compressed with permessage-deflate' : 'Not compressed') : 'Reserved for extensions; 0 without one',
    range: { start: o, end: o + 1 },
    bitMask: 0x40,
  });
  add({ name: 'RSV2', value: b0 & 0x20 ? '1' : '0', explain: 'Reserved for extensions; 0 without one', range: { start: o, end: o + 1 }, bitMask: 0x20 });
  add({ name: 'RSV3', value: b0 & 0x10 ? '1' : '0', explain: 'Reserved for extensions; 0 without one', range: { start: o, end: o + 1 }, bitMask: 0x10 });
  add({ name: 'Opcode', value: `0x${op.toString(16)} (${opcodeName(op)})`, explain: opcodeMeaning(op), range: { start: o, end: o + 1 }, bitMask: 0x0f });
  const masked = (b1 & 0x80) !== 0;
  add({ name: 'MASK', value: masked ? '1' : '0', explain: masked ? 'The payload is masked with the key below' : 'The payload is not masked', range: { start: o + 1, end: o + 2 }, bitMask: 0x80 });
  const lenField = b1 & 0x7f;
  const form = lenField === 126 ? '16-bit' : lenField === 127 ? '64-bit' : '7-bit';
  add({
    name: 'Payload length',
    value: String(lenField),
    explain: lenField < 126 ? `7-bit length form: the payload is ${lenField} bytes` : `${form} length form: the length follows in the next ${lenField === 126 ? 2 : 8} bytes`,
    range: { start: o + 1, end: o + 2 },
    bitMask: 0x7f,
  });
  let p = o + 2;
  if (lenField >= 126) {
    const n = lenField === 126 ? 2 : 8;
    const value = f ? f.length : lenField === 126 ? h.readUInt16BE(2) : Number(h.readBigUInt64BE(2));
    out.push({ name: 'Extended payload length', value: String(value), explain: `${form} length: ${formatCount(value)} bytes`, range: { start: p, end: p + n } });
    if (f && lenField === 126 && value < 126) out[out.length - 1].explain += ' (not minimal: the 7-bit form would do)';
    if (f && lenField === 127 && value < 65536) out[out.length - 1].explain += ' (not minimal: a shorter form would do)';
    p += n;
  }
  if (masked && h.length >= p - o + 4) {
    const key = h.subarray(p - o, p - o + 4);
    out.push({ name: 'Masking key', value: [...key].map((b) => b.toString(16).padStart(2, '0')).join(' '), explain: 'XOR key for the payload, cycled every 4 bytes', range: { start: p, end: p + 4 } });
  }
  return out;
}

interface FieldsSource {
  range: { start: number; end: number };
  payloadStart: number;
  start: number;
  headerLength: number;
  headerBytes: Buffer;
  /** Unmasked. */
  preview: Buffer;
  key?: Buffer;
  received: number;
  errors: Frame['errors'];
  payloadChildren: DissectedField[];
  deflateOn: boolean;
  length: number;
}

/**
 * A frame's field tree. Plain data on purpose: messages are posted to webviews and serialised, so a
 * lazy getter (which would save about a kilobyte per frame) could be lost on the way.
 */
function fieldsBuilder(src: FieldsSource): () => DissectedField[] {
  return () => {
    const { range, payloadStart, start, headerLength, headerBytes, preview, key, received, errors, payloadChildren, deflateOn } = src;
    const payloadField: DissectedField = {
      name: 'Payload',
      value: previewPayload(key ? maskedPreview(preview, key, preview.length) : preview, received),
      explain: key ? `${formatCount(received)} bytes as sent, masked` : `${formatCount(received)} bytes`,
      range: { ...range },
    };
    const children = payloadChildren.map((c) => ({ ...c, range: { ...c.range } }));
    if (key) {
      children.unshift({
        name: 'Unmasked payload',
        value: previewPayload(preview, received),
        explain: 'Each byte XORed with the masking key byte at its position modulo 4',
        range: { ...range },
      });
    }
    if (children.length) payloadField.children = children;
    const payloadErr = errors.find((e) => e.field === 'Payload');
    if (payloadErr) payloadField.error = payloadErr.message;
    return [
      {
        name: 'Frame header',
        value: [...headerBytes].map((b) => b.toString(16).padStart(2, '0')).join(' '),
        range: { start, end: payloadStart },
        explain: `${headerLength}-byte header`,
        children: fieldsForHeader(headerBytes, start, errors, deflateOn, src),
      },
      payloadField,
    ];
  };
}

function maskedPreview(unmasked: Buffer, key: Buffer, n: number): Buffer {
  const out = Buffer.from(unmasked.subarray(0, n));
  for (let i = 0; i < out.length; i++) out[i] ^= key[i & 3];
  return out;
}

function errorOffset(field: string, f: Frame, payloadStart: number): number {
  switch (field) {
    case 'FIN':
    case 'RSV1':
    case 'RSV2':
    case 'RSV3':
    case 'Opcode':
      return f.start;
    case 'MASK':
      return f.start + 1;
    case 'Payload length':
      return f.start + 1;
    default:
      return payloadStart + (field === 'Close reason' ? 2 : 0) + (field === 'Payload' && f.received < f.length ? f.received : 0);
  }
}

function opcodeMeaning(op: number): string {
  switch (op) {
    case 0: return 'Continues the fragmented message';
    case 1: return 'Starts a text message (UTF-8)';
    case 2: return 'Starts a binary message';
    case 8: return 'Close: starts or answers the closing handshake';
    case 9: return 'Ping: the peer should answer with a pong';
    case 0xa: return 'Pong: answers a ping (or a unilateral heartbeat)';
    default: return op < 8 ? 'Reserved non-control opcode (3–7)' : 'Reserved control opcode (B–F)';
  }
}

function closeCodeMeaning(code: number): string {
  const names: Record<number, string> = {
    1000: 'Normal closure', 1001: 'Going away', 1002: 'Protocol error', 1003: 'Unsupported data',
    1005: 'No status (must not be sent)', 1006: 'Abnormal closure (must not be sent)', 1007: 'Invalid payload data',
    1008: 'Policy violation', 1009: 'Message too big', 1010: 'Mandatory extension', 1011: 'Internal error',
    1012: 'Service restart', 1013: 'Try again later', 1014: 'Bad gateway', 1015: 'TLS handshake (must not be sent)',
  };
  if (names[code]) return names[code];
  if (code >= 3000 && code <= 3999) return 'Registered for libraries and frameworks';
  if (code >= 4000 && code <= 4999) return 'Private use';
  return 'Not a valid close code';
}
