// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) of the HTTP
// exchanges of captured connections. Each request is paired with the final
// response that answers it (the dissector's sequence). A request that upgraded
// to WebSocket carries the connection's messages the way Chrome DevTools writes
// them: `_resourceType: 'websocket'` and `_webSocketMessages` of
// `{ type: 'send' | 'receive', time (epoch seconds), opcode, data }`, data as
// text for text messages and base64 for binary ones — so the file opens in
// DevTools' Network panel (Import HAR) with the Messages tab filled. A
// text/event-stream response carries its events likewise: `_resourceType:
// 'eventsource'` and `_eventStream` (har-event-stream.ts, docs/sse.md).
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { CapturedConnection } from '../capture/capture-store.js';
import { dissectEntries, type DetailedMessage } from '../capture/dissector.js';
import type { HttpMessageDetail } from '../capture/http-dissector.js';
import { isValidUtf8 } from '../ws/utf8.js';
import type { RequestSpec } from '../client/request-spec.js';
import type { RequestPipeline } from '../capture/types.js';
import type { RequestStages, RouteDecision } from '../server/request-stages.js';
import { isEventStreamContentType } from '../sse/media-type.js';
import { harEventStream, type HarEventStreamMessage } from './har-event-stream.js';

export interface HarNameValue {
  name: string;
  value: string;
  comment?: string;
}

export interface HarCookie extends HarNameValue {
  path?: string;
  domain?: string;
  expires?: string;
  httpOnly?: boolean;
  secure?: boolean;
}

export interface HarPostData {
  mimeType: string;
  params: (HarNameValue & { fileName?: string; contentType?: string })[];
  text: string;
  /** Not in HAR 1.2: set to 'base64' when text holds base64 of a binary body. */
  _encoding?: 'base64';
}

export interface HarRequest {
  method: string;
  url: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarNameValue[];
  queryString: HarNameValue[];
  postData?: HarPostData;
  headersSize: number;
  bodySize: number;
}

export interface HarContent {
  size: number;
  compression?: number;
  mimeType: string;
  text?: string;
  encoding?: string;
}

export interface HarResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  cookies: HarCookie[];
  headers: HarNameValue[];
  content: HarContent;
  redirectURL: string;
  headersSize: number;
  bodySize: number;
  _error?: string;
}

export interface HarTimings {
  blocked?: number;
  dns?: number;
  connect?: number;
  send: number;
  wait: number;
  receive: number;
  ssl?: number;
}

export interface HarWebSocketMessage {
  type: 'send' | 'receive';
  /** Seconds since the epoch. */
  time: number;
  opcode: number;
  data: string;
}

export interface HarEntry {
  pageref?: string;
  startedDateTime: string;
  time: number;
  request: HarRequest;
  response: HarResponse;
  cache: Record<string, never>;
  timings: HarTimings;
  serverIPAddress?: string;
  connection?: string;
  comment?: string;
  _resourceType?: string;
  _webSocketMessages?: HarWebSocketMessage[];
  /**
   * Wireplay's server pipeline for this request (docs/pipeline.md): stage times in ms since
   * its connection's accept. Present when the server side of the exchange was captured.
   */
  _stages?: RequestStages;
  /** The route that took the request (null: none did), beside `_stages`. */
  _route?: RouteDecision | null;
  /** A text/event-stream response: its events (har-event-stream.ts). */
  _eventStream?: HarEventStreamMessage[];
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    pages?: unknown[];
    entries: HarEntry[];
    comment?: string;
  };
}

export interface HarOptions {
  creatorVersion?: string;
  /** When both ends of an exchange are in the capture, keep only the client side's view. Default true. */
  dedupePeers?: boolean;
  /** Largest body or message written into the HAR; larger ones are cut and say so. Default 16 MiB. */
  maxBodyBytes?: number;
}

export function toHar(connections: readonly CapturedConnection[], options: HarOptions = {}): Har {
  const byId = new Map(connections.map((c) => [c.id, c]));
  const entries: HarEntry[] = [];
  for (const conn of connections) {
    // Both ends ours: the server's view duplicates the client's; keep the client (what a browser's HAR shows).
    if ((options.dedupePeers ?? true) && conn.info.side === 'server' && conn.peerConnectionId !== undefined && byId.has(conn.peerConnectionId)) continue;
    // The client's entries carry the server's pipeline when its end is in the capture too.
    const pipelines = conn.pipelines ?? (conn.peerConnectionId !== undefined ? byId.get(conn.peerConnectionId)?.pipelines : undefined);
    entries.push(...connectionEntries(conn, options, pipelines));
  }
  entries.sort((a, b) => Date.parse(a.startedDateTime) - Date.parse(b.startedDateTime));
  return { log: { version: '1.2', creator: { name: 'Wireplay', version: options.creatorVersion ?? '0.1.0' }, entries } };
}

function connectionEntries(conn: CapturedConnection, options: HarOptions, pipelines: readonly RequestPipeline[] | undefined): HarEntry[] {
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const messages = dissectEntries(conn.id, conn.info.protocol, conn.entries, conn.switches, {
    keepPayload: true,
    maxMessageBytes: maxBody,
    ...(conn.closed ? { endT: conn.closed.t } : {}),
  });
  const info = conn.info;
  const wall = (t: number) => info.wallTime + (t - info.t);
  const server = info.side === 'server' ? info.local : info.remote;
  const requests = messages.filter((m) => m.kind === 'http-request' && m.http);
  const responses = messages.filter((m) => m.kind === 'http-response' && m.http);
  const frames = messages.filter((m) => m.kind === 'ws-frame' && m.ws);
  const out: HarEntry[] = [];
  const pipelineOf = new Map<number, RequestPipeline>();
  for (const p of pipelines ?? []) pipelineOf.set(p.index, p);
  for (const [i, req] of requests.entries()) {
    const rq = req.http!;
    const finals = responses.filter((r) => r.sequence === req.sequence && (r.http!.statusCode! >= 200 || r.http!.statusCode === 101));
    const res = finals[0];
    const isWs = res?.http?.statusCode === 101 && (frames.length > 0 || /websocket/i.test(header(res.http, 'upgrade') ?? ''));
    const url = requestUrl(rq, info.tls, server, isWs);
    const entry: HarEntry = {
      startedDateTime: new Date(wall(req.tStart)).toISOString(),
      time: 0,
      request: harRequest(rq, url),
      response: res ? harResponse(res.http!, url) : missingResponse(),
      cache: {},
      timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0 },
      serverIPAddress: server.address,
      connection: conn.id,
    };
    const send = Math.max(0, req.tEnd - req.tStart);
    const wait = res ? Math.max(0, res.tStart - req.tEnd) : 0;
    const receive = res ? Math.max(0, res.tEnd - res.tStart) : 0;
    entry.timings.send = round3(send);
    entry.timings.wait = round3(wait);
    entry.timings.receive = round3(receive);
    entry.time = round3(send + wait + receive);
    if (!rq.complete) entry.comment = 'The request was cut short or malformed in the capture';
    if (isWs) {
      entry._resourceType = 'websocket';
      entry._webSocketMessages = wsMessages(frames, wall);
    } else if (res?.http && isEventStreamContentType(header(res.http, 'content-type')) && !header(res.http, 'content-encoding')) {
      entry._resourceType = 'eventsource';
      entry._eventStream = harEventStream(res.http, conn.entries, res.dir, wall);
    }
    // The server numbers its requests from 1 in the order read, as the dissector does from 0.
    const pipeline = pipelineOf.get((req.sequence ?? i) + 1);
    if (pipeline) {
      entry._stages = pipeline.stages;
      entry._route = pipeline.route;
    }
    out.push(entry);
  }
  return out;
}

function wsMessages(frames: DetailedMessage[], wall: (t: number) => number): HarWebSocketMessage[] {
  const out: HarWebSocketMessage[] = [];
  for (const f of frames) {
    const ws = f.ws!;
    if (!ws.fin || (ws.messageOpcode !== 1 && ws.messageOpcode !== 2) || ws.opcode >= 8) continue;
    const data = ws.messageData ?? Buffer.alloc(0);
    out.push({
      type: f.dir === 'c2s' ? 'send' : 'receive',
      time: wall(f.tEnd) / 1000,
      opcode: ws.messageOpcode,
      data: ws.messageOpcode === 1 ? data.toString('utf8') : data.toString('base64'),
    });
  }
  return out;
}

function harRequest(rq: HttpMessageDetail, url: string): HarRequest {
  const contentType = header(rq, 'content-type') ?? '';
  const r: HarRequest = {
    method: rq.method ?? '',
    url,
    httpVersion: rq.httpVersion,
    cookies: requestCookies(header(rq, 'cookie')),
    headers: rq.headers.map((h) => ({ name: h.name, value: h.value })),
    queryString: queryString(url),
    headersSize: rq.headSize,
    bodySize: rq.bodySize,
  };
  if (rq.bodySize > 0 || rq.body?.length) {
    const body = rq.body ?? Buffer.alloc(0);
    const textual = isText(body);
    const postData: HarPostData = { mimeType: contentType, params: [], text: textual ? body.toString('utf8') : body.toString('base64') };
    if (!textual) postData._encoding = 'base64';
    if (/^application\/x-www-form-urlencoded/i.test(contentType) && textual) {
      for (const [name, value] of new URLSearchParams(body.toString('utf8'))) postData.params.push({ name, value });
    }
    r.postData = postData;
  }
  return r;
}

function harResponse(rs: HttpMessageDetail, url: string): HarResponse {
  const mimeType = header(rs, 'content-type') ?? '';
  const raw = rs.body ?? Buffer.alloc(0);
  const coding = (header(rs, 'content-encoding') ?? '').trim().toLowerCase();
  let decoded = raw;
  let compression: number | undefined;
  if (coding && raw.length) {
    try {
      decoded =
        coding === 'gzip' || coding === 'x-gzip' ? gunzipSync(raw)
        : coding === 'br' ? brotliDecompressSync(raw)
        : coding === 'deflate' ? inflateOrRaw(raw)
        : raw;
      if (decoded !== raw) compression = decoded.length - raw.length;
    } catch {
      decoded = raw;
    }
  }
  const content: HarContent = { size: decoded.length, mimeType };
  if (compression !== undefined) content.compression = compression;
  if (decoded.length) {
    if (isText(decoded)) content.text = decoded.toString('utf8');
    else {
      content.text = decoded.toString('base64');
      content.encoding = 'base64';
    }
  }
  const location = header(rs, 'location');
  let redirectURL = '';
  if (location) {
    try {
      redirectURL = new URL(location, url).href;
    } catch {
      redirectURL = location;
    }
  }
  const out: HarResponse = {
    status: rs.statusCode ?? 0,
    statusText: rs.reason ?? '',
    httpVersion: rs.httpVersion,
    cookies: responseCookies(rs.headers.filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value)),
    headers: rs.headers.map((h) => ({ name: h.name, value: h.value })),
    content,
    redirectURL,
    headersSize: rs.headSize,
    bodySize: rs.bodySize,
  };
  if (!rs.complete) out._error = 'The response was cut short or malformed in the capture';
  return out;
}

function missingResponse(): HarResponse {
  return {
    status: 0,
    statusText: '',
    httpVersion: '',
    cookies: [],
    headers: [],
    content: { size: 0, mimeType: '' },
    redirectURL: '',
    headersSize: -1,
    bodySize: -1,
    _error: 'No response in the capture',
  };
}

function inflateOrRaw(b: Buffer): Buffer {
  try {
    return inflateSync(b);
  } catch {
    return inflateRawSync(b);
  }
}

function requestUrl(rq: HttpMessageDetail, tls: boolean, server: { address: string; port: number }, ws: boolean): string {
  const target = rq.target ?? '/';
  const scheme = ws ? (tls ? 'wss' : 'ws') : tls ? 'https' : 'http';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return target;
  const defaultPort = tls ? 443 : 80;
  const host =
    header(rq, 'host') ??
    `${server.address.includes(':') ? `[${server.address}]` : server.address}${server.port === defaultPort ? '' : `:${server.port}`}`;
  if (rq.method === 'CONNECT') return `${scheme}://${target}`;
  if (target === '*') return `${scheme}://${host}`;
  return `${scheme}://${host}${target.startsWith('/') ? '' : '/'}${target}`;
}

function queryString(url: string): HarNameValue[] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  const hash = url.indexOf('#', q);
  const search = url.slice(q + 1, hash < 0 ? undefined : hash);
  const out: HarNameValue[] = [];
  for (const part of search.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    out.push({ name: decode(name), value: decode(value) });
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function requestCookies(h: string | undefined): HarCookie[] {
  if (!h) return [];
  return h
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? { name: p, value: '' } : { name: p.slice(0, eq).trim(), value: p.slice(eq + 1).trim() };
    });
}

function responseCookies(values: string[]): HarCookie[] {
  return values.map((v) => {
    const [first, ...attrs] = v.split(';');
    const eq = first.indexOf('=');
    const c: HarCookie = eq < 0 ? { name: first.trim(), value: '' } : { name: first.slice(0, eq).trim(), value: first.slice(eq + 1).trim() };
    for (const a of attrs) {
      const [k, ...rest] = a.split('=');
      const key = k.trim().toLowerCase();
      const val = rest.join('=').trim();
      if (key === 'path') c.path = val;
      else if (key === 'domain') c.domain = val;
      else if (key === 'expires') {
        const d = new Date(val);
        if (!Number.isNaN(d.getTime())) c.expires = d.toISOString();
      } else if (key === 'httponly') c.httpOnly = true;
      else if (key === 'secure') c.secure = true;
    }
    return c;
  });
}

function header(d: { headers: { name: string; value: string }[] }, name: string): string | undefined {
  const lower = name.toLowerCase();
  return d.headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** Text when valid UTF-8 without control bytes other than TAB, CR, LF. */
function isText(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
    if (c === 0x7f) return false;
  }
  return isValidUtf8(b);
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

// ---------------------------------------------------------------- import

export interface HarImportedRequest {
  method: string;
  url: string;
  headers: { name: string; value: string }[];
  /** The body as bytes (postData.text, decoded from base64 when marked so). */
  body?: Buffer;
  startedDateTime?: string;
  /** For WebSocket entries: the messages the client sent, in order. */
  webSocketSends?: { opcode: number; data: Buffer }[];
}

/** Reads the requests of a HAR (ours or a browser's), in file order. Throws with a clear message on a non-HAR. */
export function fromHar(input: string | Har): HarImportedRequest[] {
  const har = (typeof input === 'string' ? JSON.parse(input) : input) as Partial<Har>;
  const entries = har?.log?.entries;
  if (!Array.isArray(entries)) throw new Error('Not a HAR file: log.entries is missing');
  return entries.map((e, i) => {
    const r = e?.request;
    if (!r || typeof r.method !== 'string' || typeof r.url !== 'string') throw new Error(`HAR entry ${i}: request.method and request.url are required`);
    const out: HarImportedRequest = {
      method: r.method,
      url: r.url,
      headers: Array.isArray(r.headers) ? r.headers.filter((h) => typeof h?.name === 'string').map((h) => ({ name: h.name, value: String(h.value ?? '') })) : [],
    };
    if (typeof e.startedDateTime === 'string') out.startedDateTime = e.startedDateTime;
    const p = r.postData;
    if (p && typeof p.text === 'string') out.body = p._encoding === 'base64' || (p as { encoding?: string }).encoding === 'base64' ? Buffer.from(p.text, 'base64') : Buffer.from(p.text, 'utf8');
    else if (p && Array.isArray(p.params) && p.params.length) out.body = Buffer.from(new URLSearchParams(p.params.map((x) => [x.name, x.value ?? ''])).toString());
    if (Array.isArray(e._webSocketMessages)) {
      out.webSocketSends = e._webSocketMessages
        .filter((m) => m?.type === 'send')
        .map((m) => ({ opcode: m.opcode, data: m.opcode === 2 ? Buffer.from(m.data ?? '', 'base64') : Buffer.from(m.data ?? '', 'utf8') }));
    }
    return out;
  });
}

/** HAR entries as request specs for the sender (headers kept as written; the sender adds nothing they already carry). */
export function harToRequestSpecs(input: string | Har, defaults: Pick<RequestSpec, 'options'>): RequestSpec[] {
  return fromHar(input).map((r) => {
    const spec: RequestSpec = {
      method: r.method,
      url: r.url,
      // HTTP/2 pseudo-headers (from browsers) are not HTTP/1.1 fields.
      headers: r.headers.filter((h) => !h.name.startsWith(':')).map((h) => ({ name: h.name, value: h.value, enabled: true })),
      body: r.body && r.body.length ? (isText(r.body) ? { kind: 'text', text: r.body.toString('utf8') } : { kind: 'base64', data: r.body.toString('base64') }) : { kind: 'none' },
      options: defaults.options,
    };
    return spec;
  });
}
