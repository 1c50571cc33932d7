// Run-time validation of what the playground UI sends. The webview (or a page
// in a browser) is untrusted: every message is checked field by field against
// server-core/protocol/playground.ts before the controller acts on it, with bounded sizes.
import { MAX_DRAFT_TABS, type RawDraft, type RequestDraft, type SseDraft, type WsDraft, type DraftsSnapshot } from '../protocol/drafts.js';
import { MAX_BYTE_RANGE, type BodySpec, type FromWebview, type HeaderRow, type HttpRequestSpec, type WsFrameSpec } from '../protocol/playground.js';

export interface ValidationLimits {
  /** Largest base64 payload (raw bytes, WebSocket data, file bodies), in characters. */
  maxBase64Chars: number;
  maxStringChars: number;
  maxHeaders: number;
}

export const DEFAULT_VALIDATION_LIMITS: Readonly<ValidationLimits> = Object.freeze({
  maxBase64Chars: 96 * 1024 * 1024,
  maxStringChars: 16 * 1024 * 1024,
  maxHeaders: 500,
});

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code = 'PLAYGROUND_BAD_MESSAGE';
}

type Obj = Record<string, unknown>;

function fail(path: string, why: string): never {
  throw new ProtocolError(`${path}: ${why}`);
}

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'expected an object');
  return v as Obj;
}

function str(o: Obj, key: string, path: string, max: number, optional = false): string {
  const v = o[key];
  if (v === undefined && optional) return undefined as unknown as string;
  if (typeof v !== 'string') fail(`${path}.${key}`, 'expected a string');
  if (v.length > max) fail(`${path}.${key}`, `longer than ${max} characters`);
  return v;
}

function bool(o: Obj, key: string, path: string, optional = false): boolean {
  const v = o[key];
  if (v === undefined && optional) return undefined as unknown as boolean;
  if (typeof v !== 'boolean') fail(`${path}.${key}`, 'expected a boolean');
  return v;
}

function int(o: Obj, key: string, path: string, min: number, max: number, optional = false): number {
  const v = o[key];
  if (v === undefined && optional) return undefined as unknown as number;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(`${path}.${key}`, `expected an integer in [${min}, ${max}]`);
  return v;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function b64(o: Obj, key: string, path: string, limits: ValidationLimits, optional = false): string {
  const v = str(o, key, path, limits.maxBase64Chars, optional);
  if (v === undefined) return v;
  if (v.length % 4 !== 0 || !BASE64.test(v)) fail(`${path}.${key}`, 'expected base64');
  return v;
}

function id(o: Obj, key: string, path: string): string {
  const v = str(o, key, path, 200);
  if (!/^[\w.:-]+$/.test(v)) fail(`${path}.${key}`, 'expected an id of letters, digits, . : _ -');
  return v;
}

function headers(v: unknown, path: string, limits: ValidationLimits): HeaderRow[] {
  if (!Array.isArray(v)) fail(path, 'expected an array');
  if (v.length > limits.maxHeaders) fail(path, `more than ${limits.maxHeaders} headers`);
  return v.map((h, i) => {
    const o = obj(h, `${path}[${i}]`);
    const row: HeaderRow = {
      name: str(o, 'name', `${path}[${i}]`, 64 * 1024),
      value: str(o, 'value', `${path}[${i}]`, 1024 * 1024),
      enabled: bool(o, 'enabled', `${path}[${i}]`),
    };
    const auto = bool(o, 'auto', `${path}[${i}]`, true);
    if (auto !== undefined) row.auto = auto;
    return row;
  });
}

function body(v: unknown, path: string, limits: ValidationLimits): BodySpec {
  const o = obj(v, path);
  const kind = str(o, 'kind', path, 10);
  if (!['none', 'text', 'json', 'form', 'file'].includes(kind)) fail(`${path}.kind`, 'expected none, text, json, form or file');
  const out: BodySpec = { kind: kind as BodySpec['kind'] };
  const text = str(o, 'text', path, limits.maxStringChars, true);
  if (text !== undefined) out.text = text;
  if (o.form !== undefined) {
    if (!Array.isArray(o.form) || o.form.length > 10_000) fail(`${path}.form`, 'expected an array of at most 10 000 fields');
    out.form = o.form.map((f, i) => {
      const fo = obj(f, `${path}.form[${i}]`);
      return { name: str(fo, 'name', `${path}.form[${i}]`, 1024 * 1024), value: str(fo, 'value', `${path}.form[${i}]`, limits.maxStringChars) };
    });
  }
  const fileName = str(o, 'fileName', path, 4096, true);
  if (fileName !== undefined) out.fileName = fileName;
  const file = b64(o, 'fileBase64', path, limits, true);
  if (file !== undefined) out.fileBase64 = file;
  return out;
}

function httpSpec(v: unknown, path: string, limits: ValidationLimits): HttpRequestSpec {
  const o = obj(v, path);
  const spec: HttpRequestSpec = {
    method: str(o, 'method', path, 1024),
    url: str(o, 'url', path, 64 * 1024),
    headers: headers(o.headers, `${path}.headers`, limits),
    body: body(o.body, `${path}.body`, limits),
  };
  const follow = bool(o, 'followRedirects', path, true);
  if (follow !== undefined) spec.followRedirects = follow;
  const timeout = int(o, 'timeoutMs', path, 1, 3_600_000, true);
  if (timeout !== undefined) spec.timeoutMs = timeout;
  return spec;
}

function frame(v: unknown, path: string, limits: ValidationLimits): WsFrameSpec {
  const o = obj(v, path);
  return {
    fin: bool(o, 'fin', path),
    rsv1: bool(o, 'rsv1', path),
    rsv2: bool(o, 'rsv2', path),
    rsv3: bool(o, 'rsv3', path),
    opcode: int(o, 'opcode', path, 0, 15),
    mask: bool(o, 'mask', path),
    payload: b64(o, 'payload', path, limits),
    fragments: int(o, 'fragments', path, 1, 1000),
  };
}

function oneOf<T extends string>(o: Obj, key: string, path: string, values: readonly T[]): T {
  const v = str(o, key, path, 40);
  if (!values.includes(v as T)) fail(`${path}.${key}`, `expected ${values.join(', ')}`);
  return v as T;
}

/** A draft's text fields are bounded tighter than a send's: they are kept in the workspace's state. */
const DRAFT_TEXT = 1024 * 1024;

function wsDraft(v: unknown, path: string): WsDraft {
  const o = obj(v, path);
  const a = obj(o.adv, `${path}.adv`);
  const p = `${path}.adv`;
  return {
    url: str(o, 'url', path, 64 * 1024),
    protocols: str(o, 'protocols', path, 64 * 1024),
    headers: str(o, 'headers', path, DRAFT_TEXT),
    autoPong: bool(o, 'autoPong', path),
    kind: oneOf(o, 'kind', path, ['text', 'hex', 'base64', 'ping', 'pong'] as const),
    text: str(o, 'text', path, DRAFT_TEXT),
    closeCode: str(o, 'closeCode', path, 20),
    closeReason: str(o, 'closeReason', path, 1024),
    advanced: bool(o, 'advanced', path),
    adv: {
      fin: bool(a, 'fin', p),
      rsv1: bool(a, 'rsv1', p),
      rsv2: bool(a, 'rsv2', p),
      rsv3: bool(a, 'rsv3', p),
      opcode: str(a, 'opcode', p, 10),
      mask: bool(a, 'mask', p),
      fragments: str(a, 'fragments', p, 10),
      enc: oneOf(a, 'enc', p, ['text', 'hex'] as const),
      payload: str(a, 'payload', p, DRAFT_TEXT),
    },
  };
}

function rawDraft(v: unknown, path: string): RawDraft {
  const o = obj(v, path);
  return {
    host: str(o, 'host', path, 1024),
    port: str(o, 'port', path, 20),
    enc: oneOf(o, 'enc', path, ['text', 'hex'] as const),
    text: str(o, 'text', path, DRAFT_TEXT),
    drip: bool(o, 'drip', path),
    dripSize: str(o, 'dripSize', path, 20),
    dripMs: str(o, 'dripMs', path, 20),
    halfClose: bool(o, 'halfClose', path),
  };
}

function sseDraft(v: unknown, path: string): SseDraft {
  const o = obj(v, path);
  return {
    url: str(o, 'url', path, 64 * 1024),
    headers: str(o, 'headers', path, DRAFT_TEXT),
    lastEventId: str(o, 'lastEventId', path, 1024),
    autoReconnect: bool(o, 'autoReconnect', path),
  };
}

function drafts(v: unknown, path: string, limits: ValidationLimits): DraftsSnapshot {
  const o = obj(v, path);
  if (!Array.isArray(o.tabs) || o.tabs.length === 0 || o.tabs.length > MAX_DRAFT_TABS) fail(`${path}.tabs`, `expected 1 to ${MAX_DRAFT_TABS} tabs`);
  const draftLimits = { ...limits, maxStringChars: Math.min(limits.maxStringChars, DRAFT_TEXT), maxBase64Chars: 0 };
  const tabs = o.tabs.map((t, i): RequestDraft => {
    const p = `${path}.tabs[${i}]`;
    const d = obj(t, p);
    const r = obj(d.repeat, `${p}.repeat`);
    return {
      id: id(d, 'id', p),
      mode: oneOf(d, 'mode', p, ['http', 'ws', 'sse', 'raw'] as const),
      http: httpSpec(d.http, `${p}.http`, draftLimits),
      ws: wsDraft(d.ws, `${p}.ws`),
      raw: rawDraft(d.raw, `${p}.raw`),
      ...(d.sse === undefined ? {} : { sse: sseDraft(d.sse, `${p}.sse`) }),
      repeat: { count: str(r, 'count', `${p}.repeat`, 10), order: oneOf(r, 'order', `${p}.repeat`, ['parallel', 'sequence'] as const) },
    };
  });
  const out: DraftsSnapshot = { tabs, active: id(o, 'active', path) };
  if (o.selection !== undefined) {
    const p = `${path}.selection`;
    const s = obj(o.selection, p);
    const row = str(s, 'row', p, 240, true);
    if (row !== undefined && !/^[\w.:-]+(#\d+)?$/.test(row)) fail(`${p}.row`, 'expected a connection id, then #sequence');
    out.selection = { connectionId: id(s, 'connectionId', p), ...(row !== undefined ? { row } : {}), tab: int(s, 'tab', p, 0, 2) };
  }
  return out;
}

/** Returns the message typed, or throws ProtocolError naming the first bad field. */
export function parseFromWebview(input: unknown, limits: ValidationLimits = DEFAULT_VALIDATION_LIMITS): FromWebview {
  const m = obj(input, 'message');
  const type = str(m, 'type', 'message', 40);
  const p = type;
  switch (type) {
    case 'ready':
      return { type, version: int(m, 'version', p, 0, 1000) };
    case 'http.preview':
    case 'http.send':
      return { type, reqId: id(m, 'reqId', p), spec: httpSpec(m.spec, `${p}.spec`, limits) };
    case 'http.cancel':
      return { type, reqId: id(m, 'reqId', p) };
    case 'ws.connect': {
      if (!Array.isArray(m.protocols) || m.protocols.length > 50 || !m.protocols.every((x) => typeof x === 'string' && x.length <= 256)) {
        fail(`${p}.protocols`, 'expected at most 50 strings');
      }
      return {
        type,
        sessionId: id(m, 'sessionId', p),
        url: str(m, 'url', p, 64 * 1024),
        protocols: m.protocols as string[],
        headers: headers(m.headers, `${p}.headers`, limits),
        autoPong: bool(m, 'autoPong', p),
      };
    }
    case 'ws.send': {
      const kind = str(m, 'kind', p, 10);
      if (!['text', 'binary', 'ping', 'pong'].includes(kind)) fail(`${p}.kind`, 'expected text, binary, ping or pong');
      return { type, sessionId: id(m, 'sessionId', p), kind: kind as 'text', data: b64(m, 'data', p, limits) };
    }
    case 'ws.frame':
      return { type, sessionId: id(m, 'sessionId', p), frame: frame(m.frame, `${p}.frame`, limits) };
    case 'ws.close': {
      const out: FromWebview = { type, sessionId: id(m, 'sessionId', p) };
      const code = int(m, 'code', p, 0, 65535, true);
      if (code !== undefined) out.code = code;
      const reason = str(m, 'reason', p, 1024, true);
      if (reason !== undefined) out.reason = reason;
      return out;
    }
    case 'ws.autoPong':
      return { type, sessionId: id(m, 'sessionId', p), enabled: bool(m, 'enabled', p) };
    case 'ws.disconnect':
    case 'raw.close':
      return { type, sessionId: id(m, 'sessionId', p) };
    case 'raw.send': {
      const out: FromWebview = {
        type,
        sessionId: id(m, 'sessionId', p),
        host: str(m, 'host', p, 1024),
        port: int(m, 'port', p, 1, 65535),
        data: b64(m, 'data', p, limits),
        halfClose: bool(m, 'halfClose', p),
      };
      if (m.drip !== undefined) {
        const d = obj(m.drip, `${p}.drip`);
        out.drip = { chunkSize: int(d, 'chunkSize', `${p}.drip`, 1, 1 << 30), intervalMs: int(d, 'intervalMs', `${p}.drip`, 0, 60_000) };
      }
      return out;
    }
    case 'sse.connect':
      return {
        type,
        sessionId: id(m, 'sessionId', p),
        url: str(m, 'url', p, 64 * 1024),
        headers: headers(m.headers, `${p}.headers`, limits),
        lastEventId: str(m, 'lastEventId', p, 64 * 1024),
        autoReconnect: bool(m, 'autoReconnect', p),
      };
    case 'sse.disconnect':
      return { type, sessionId: id(m, 'sessionId', p) };
    case 'compare.run':
      return { type, runId: id(m, 'runId', p) };
    case 'capture.load':
      return { type, connectionId: str(m, 'connectionId', p, 200) };
    case 'capture.bytes': {
      const dir = str(m, 'dir', p, 3);
      if (dir !== 'c2s' && dir !== 's2c') fail(`${p}.dir`, 'expected c2s or s2c');
      const start = int(m, 'start', p, 0, Number.MAX_SAFE_INTEGER);
      const end = int(m, 'end', p, start, start + MAX_BYTE_RANGE);
      return { type, connectionId: str(m, 'connectionId', p, 200), dir, start, end };
    }
    case 'capture.clear':
    case 'history.clear':
      return { type };
    case 'server.setMode': {
      const mode = str(m, 'mode', p, 20);
      if (mode !== 'concurrent' && mode !== 'sequential') fail(`${p}.mode`, 'expected concurrent or sequential');
      return { type, mode };
    }
    case 'source.open': {
      const out: Extract<FromWebview, { type: 'source.open' }> = { type, file: str(m, 'file', p, 4096) };
      if (m.line !== undefined) out.line = int(m, 'line', p, 1, 10_000_000);
      return out;
    }
    case 'drafts.save':
      return { type, drafts: drafts(m.drafts, `${p}.drafts`, limits) };
    default:
      fail('message.type', `unknown message type ${JSON.stringify(type).slice(0, 60)}`);
  }
}
