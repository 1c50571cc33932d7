// permessage-deflate (RFC 7692): parameter negotiation for both roles and the
// per-connection codec on node:zlib. zlib streams are created on first use,
// so an idle connection that negotiated compression costs nothing extra.
// Inflation stops at maxPayload bytes: a zip bomb ends in close 1009, not in
// an out-of-memory; with a server-wide InflationBudget (inflation-budget.ts),
// an inflation that would pass it ends in 1009 too.
import * as zlib from 'node:zlib';
import { parseExtensions, formatExtension, type ExtensionOffer } from './extensions-header.js';
import type { InflationBudget } from './inflation-budget.js';
import { WebSocketError, type PerMessageDeflateOptions } from './types.js';

export const EXTENSION_NAME = 'permessage-deflate';

/** The agreed parameters of one connection. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

export const DEFAULT_THRESHOLD = 1024;

function bits(v: string | true): number | null {
  if (v === true || !/^(8|9|1[0-5])$/.test(v)) return null;
  return Number(v);
}

interface ParsedOffer {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | null;
  /** null: absent; true: present without a value; a number: with one. */
  clientMaxWindowBits: number | true | null;
}

/** Reads one permessage-deflate parameter list; null when a parameter is unknown, repeated or has a bad value. */
function readParams(params: ExtensionOffer['params']): ParsedOffer | null {
  const seen = new Set<string>();
  const r: ParsedOffer = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: null, clientMaxWindowBits: null };
  for (const [name, value] of params) {
    const key = name.toLowerCase();
    if (seen.has(key)) return null;
    seen.add(key);
    switch (key) {
      case 'server_no_context_takeover':
        if (value !== true) return null;
        r.serverNoContextTakeover = true;
        break;
      case 'client_no_context_takeover':
        if (value !== true) return null;
        r.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits': {
        const b = bits(value);
        if (b === null) return null;
        r.serverMaxWindowBits = b;
        break;
      }
      case 'client_max_window_bits':
        if (value === true) r.clientMaxWindowBits = true;
        else {
          const b = bits(value);
          if (b === null) return null;
          r.clientMaxWindowBits = b;
        }
        break;
      default:
        return null;
    }
  }
  return r;
}

function config(o: boolean | PerMessageDeflateOptions | undefined): Required<PerMessageDeflateOptions> | null {
  if (o === false) return null;
  const c = o === true || o === undefined ? {} : o;
  return {
    serverNoContextTakeover: c.serverNoContextTakeover ?? false,
    clientNoContextTakeover: c.clientNoContextTakeover ?? false,
    serverMaxWindowBits: c.serverMaxWindowBits ?? 15,
    clientMaxWindowBits: c.clientMaxWindowBits ?? 15,
    threshold: c.threshold ?? DEFAULT_THRESHOLD,
    level: c.level ?? 1,
  };
}

export interface Negotiated {
  params: DeflateParams;
  /** The value for Sec-WebSocket-Extensions in the 101. */
  response: string;
}

/**
 * Server side: picks the first acceptable permessage-deflate offer in the
 * client's header. Returns null when there is none or compression is off;
 * throws a TypeError when the header itself is malformed (→ 400).
 */
export function negotiateServer(header: string | undefined, options: boolean | PerMessageDeflateOptions | undefined): Negotiated | null {
  if (header === undefined) return null;
  const offers = parseExtensions(header);
  if (offers === null) throw new TypeError('malformed Sec-WebSocket-Extensions');
  const c = config(options);
  if (c === null) return null;
  for (const offer of offers) {
    if (offer.name.toLowerCase() !== EXTENSION_NAME) continue;
    const p = readParams(offer.params);
    if (p === null) continue; // decline this offer, try the next
    const params: DeflateParams = {
      serverNoContextTakeover: p.serverNoContextTakeover || c.serverNoContextTakeover,
      clientNoContextTakeover: p.clientNoContextTakeover || c.clientNoContextTakeover,
      serverMaxWindowBits: Math.min(p.serverMaxWindowBits ?? 15, c.serverMaxWindowBits),
      clientMaxWindowBits: 15,
    };
    const out: ExtensionOffer = { name: EXTENSION_NAME, params: [] };
    if (params.serverNoContextTakeover) out.params.push(['server_no_context_takeover', true]);
    if (params.clientNoContextTakeover) out.params.push(['client_no_context_takeover', true]);
    if (p.serverMaxWindowBits !== null || params.serverMaxWindowBits < 15) out.params.push(['server_max_window_bits', String(params.serverMaxWindowBits)]);
    if (p.clientMaxWindowBits !== null) {
      const offered = p.clientMaxWindowBits === true ? 15 : p.clientMaxWindowBits;
      params.clientMaxWindowBits = Math.min(offered, c.clientMaxWindowBits);
      if (p.clientMaxWindowBits !== true || params.clientMaxWindowBits < 15) out.params.push(['client_max_window_bits', String(params.clientMaxWindowBits)]);
    }
    return { params, response: formatExtension(out) };
  }
  return null;
}

/** Client side: the Sec-WebSocket-Extensions offer, or null when compression is off. */
export function clientOffer(options: boolean | PerMessageDeflateOptions | undefined): string | null {
  const c = config(options);
  if (c === null) return null;
  const out: ExtensionOffer = { name: EXTENSION_NAME, params: [] };
  if (c.serverNoContextTakeover) out.params.push(['server_no_context_takeover', true]);
  if (c.clientNoContextTakeover) out.params.push(['client_no_context_takeover', true]);
  if (c.serverMaxWindowBits < 15) out.params.push(['server_max_window_bits', String(c.serverMaxWindowBits)]);
  out.params.push(['client_max_window_bits', c.clientMaxWindowBits < 15 ? String(c.clientMaxWindowBits) : true]);
  return formatExtension(out);
}

/**
 * Client side: checks the server's answer against what we offered. Returns
 * the parameters, null when the server did not accept the extension, and
 * throws a TypeError when the answer is invalid (the client must fail the connection).
 */
export function acceptClient(header: string | undefined, options: boolean | PerMessageDeflateOptions | undefined): DeflateParams | null {
  if (header === undefined || header.trim() === '') return null;
  const exts = parseExtensions(header);
  if (exts === null) throw new TypeError('malformed Sec-WebSocket-Extensions in the response');
  const c = config(options);
  let result: DeflateParams | null = null;
  for (const ext of exts) {
    if (ext.name.toLowerCase() !== EXTENSION_NAME || c === null) throw new TypeError(`the server accepted an extension we did not offer: ${ext.name}`);
    if (result) throw new TypeError('the server accepted permessage-deflate twice');
    const p = readParams(ext.params);
    if (p === null) throw new TypeError('invalid permessage-deflate parameters in the response');
    if (p.clientMaxWindowBits === true) throw new TypeError('client_max_window_bits needs a value in a response');
    if (c.serverNoContextTakeover && !p.serverNoContextTakeover) throw new TypeError('the server ignored server_no_context_takeover');
    if (c.serverMaxWindowBits < 15 && (p.serverMaxWindowBits === null || p.serverMaxWindowBits > c.serverMaxWindowBits)) {
      throw new TypeError('server_max_window_bits in the response is over the offer');
    }
    if (typeof p.clientMaxWindowBits === 'number' && p.clientMaxWindowBits > c.clientMaxWindowBits) {
      throw new TypeError('client_max_window_bits in the response is over the offer');
    }
    result = {
      serverNoContextTakeover: p.serverNoContextTakeover,
      clientNoContextTakeover: p.clientNoContextTakeover || c.clientNoContextTakeover,
      serverMaxWindowBits: p.serverMaxWindowBits ?? 15,
      clientMaxWindowBits: typeof p.clientMaxWindowBits === 'number' ? p.clientMaxWindowBits : c.clientMaxWindowBits,
    };
  }
  return result;
}

export function formatParams(p: DeflateParams): string {
  const out: ExtensionOffer = { name: EXTENSION_NAME, params: [] };
  if (p.serverNoContextTakeover) out.params.push(['server_no_context_takeover', true]);
  if (p.clientNoContextTakeover) out.params.push(['client_no_context_takeover', true]);
  if (p.serverMaxWindowBits < 15) out.params.push(['server_max_window_bits', String(p.serverMaxWindowBits)]);
  if (p.clientMaxWindowBits < 15) out.params.push(['client_max_window_bits', String(p.clientMaxWindowBits)]);
  return formatExtension(out);
}

const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

type Done = (err: WebSocketError | null, data?: Buffer) => void;

/** The compressor and decompressor of one connection, each running one operation at a time. */
export class DeflateCodec {
  private deflate: zlib.DeflateRaw | null = null;
  private inflate: zlib.InflateRaw | null = null;
  private readonly deflateQueue: (() => void)[] = [];
  private readonly inflateQueue: (() => void)[] = [];
  private deflating = false;
  private inflating = false;
  private closed = false;
  readonly threshold: number;
  private readonly level: number;
  /** Bytes the inflation in progress took from the budget. */
  private taken = 0;

  constructor(
    readonly params: DeflateParams,
    private readonly isServer: boolean,
    private readonly maxPayload: number,
    options: boolean | PerMessageDeflateOptions | undefined,
    /** Shared by every connection of a server: what all inflations may hold together. */
    private readonly budget?: InflationBudget,
  ) {
    const c = config(options) ?? config(true)!;
    this.threshold = c.threshold;
    this.level = c.level;
  }

  /** Compresses one whole message; the callback gets the payload without the 00 00 FF FF tail. */
  compress(data: Buffer, done: Done): void {
    this.run(this.deflateQueue, 'deflating', (next) => {
      if (this.closed) return next();
      if (!this.deflate) {
        const windowBits = this.isServer ? this.params.serverMaxWindowBits : this.params.clientMaxWindowBits;
        this.deflate = zlib.createDeflateRaw({ windowBits, level: this.level, memLevel: 8 });
      }
      const d = this.deflate;
      const chunks: Buffer[] = [];
      let length = 0;
      const onData = (c: Buffer) => {
        chunks.push(c);
        length += c.length;
      };
      d.on('data', onData);
      d.write(data);
      d.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        d.removeListener('data', onData);
        if (this.closed) return next();
        let out = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
        if (out.length >= 4 && out[out.length - 4] === 0 && out[out.length - 3] === 0 && out[out.length - 2] === 0xff && out[out.length - 1] === 0xff) {
          out = out.subarray(0, out.length - 4);
        }
        const noTakeover = this.isServer ? this.params.serverNoContextTakeover : this.params.clientNoContextTakeover;
        if (noTakeover) d.reset();
        done(null, out);
        next();
      });
    });
  }

  /** Inflates one whole message (its frames' payloads concatenated). */
  decompress(data: Buffer, done: Done): void {
    this.run(this.inflateQueue, 'inflating', (next) => {
      if (this.closed) return next();
      if (!this.inflate) {
        const windowBits = this.isServer ? this.params.clientMaxWindowBits : this.params.serverMaxWindowBits;
        this.inflate = zlib.createInflateRaw({ windowBits });
      }
      const inf = this.inflate;
      const chunks: Buffer[] = [];
      let length = 0;
      let error: WebSocketError | null = null;
      const finish = () => {
        inf.removeListener('data', onData);
        inf.removeListener('error', onError);
        this.giveBack();
        if (this.closed) return next();
        if (error) {
          // The stream is unusable now; a fresh one will not be needed, the connection closes.
          this.inflate = null;
          inf.destroy();
          done(error);
          return next();
        }
        const noTakeover = this.isServer ? this.params.clientNoContextTakeover : this.params.serverNoContextTakeover;
        if (noTakeover) inf.reset();
        done(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length));
        next();
      };
      const onData = (c: Buffer) => {
        if (error) return;
        length += c.length;
        if (length > this.maxPayload) {
          error = new WebSocketError('WS_MESSAGE_TOO_BIG', `inflated message over the limit of ${this.maxPayload} bytes`, 1009);
          inf.pause();
          finish();
          return;
        }
        const budget = this.budget;
        if (budget) {
          if (!budget.take(c.length)) {
            error = new WebSocketError('WS_INFLATE_BUDGET', `server inflation budget spent (${budget.limit} bytes across connections)`, 1009);
            inf.pause();
            finish();
            return;
          }
          this.taken += c.length;
        }
        chunks.push(c);
      };
      const onError = (e: Error) => {
        if (error) return;
        error = new WebSocketError('WS_INFLATE_FAILED', `invalid compressed data: ${e.message}`, 1007);
        finish();
      };
      inf.on('data', onData);
      inf.on('error', onError);
      inf.write(data);
      inf.write(TRAILER);
      inf.flush(() => {
        if (error) return;
        finish();
      });
    });
  }

  private run(queue: (() => void)[], flag: 'deflating' | 'inflating', op: (next: () => void) => void): void {
    const start = () => {
      this[flag] = true;
      op(() => {
        this[flag] = false;
        const n = queue.shift();
        if (n) n();
      });
    };
    if (this[flag]) queue.push(start);
    else start();
  }

  /** The inflation in progress is over (handed over, failed or abandoned): its bytes go back to the budget. */
  private giveBack(): void {
    if (this.taken === 0) return;
    this.budget?.give(this.taken);
    this.taken = 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.giveBack();
    this.deflate?.close();
    this.inflate?.close();
    this.deflate = null;
    this.inflate = null;
    this.deflateQueue.length = 0;
    this.inflateQueue.length = 0;
  }
}
