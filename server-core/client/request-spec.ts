// A request as the user edits it (RequestSpec) and the exact bytes it becomes
// (PreparedRequest). Nothing is added behind the user's back: every header the
// sender adds (Host, User-Agent, Accept, Connection, Content-Length) appears in
// the prepared headers marked `auto`, and each can be switched off.
import { statSync } from 'node:fs';

export interface SpecHeader {
  name: string;
  value: string;
  enabled: boolean;
}

export type SpecBody =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  /** Arbitrary bytes, base64-encoded so the spec stays JSON (webview messages, saved state). */
  | { kind: 'base64'; data: string }
  /** Streamed from a file at send time; never read whole. */
  | { kind: 'file'; path: string };

export type AutoHeaderName = 'host' | 'userAgent' | 'accept' | 'connection' | 'contentLength';

/** Which headers the sender adds when the spec does not carry them itself. */
export interface AutoHeaderToggles {
  /** `Host: host[:port]` from the URL (port omitted when it is the scheme's default). */
  host: boolean;
  /** `User-Agent: wireplay/VERSION`. */
  userAgent: boolean;
  /** `Accept: *\/*`. */
  accept: boolean;
  /** `Connection: close` when keepAlive is off (HTTP/1.1 keeps connections alive by default). */
  connection: boolean;
  /** `Content-Length: N` when there is a body, or for POST/PUT/PATCH with an empty one. */
  contentLength: boolean;
}

export interface RequestOptions {
  followRedirects: boolean;
  maxRedirects: number;
  keepAlive: boolean;
  /** Whole exchange (connect, send, response); 0 = no limit. */
  timeoutMs: number;
  /** TLS without certificate verification (curl -k). */
  insecure: boolean;
  autoHeaders: AutoHeaderToggles;
}

export interface RequestSpec {
  method: string;
  url: string;
  /**
   * The request-target written on the start line when it is not the URL's path
   * and query: `*` for a server-wide `OPTIONS *` (asterisk form, RFC 9112 3.2.4).
   * The connection still goes to the URL's host.
   */
  target?: string;
  headers: SpecHeader[];
  body: SpecBody;
  options: RequestOptions;
}

export const WIREPLAY_USER_AGENT = 'wireplay/0.1.0';

export const DEFAULT_AUTO_HEADERS: Readonly<AutoHeaderToggles> = Object.freeze({
  host: true,
  userAgent: true,
  accept: true,
  connection: true,
  contentLength: true,
});

export const DEFAULT_REQUEST_OPTIONS: Readonly<RequestOptions> = Object.freeze({
  followRedirects: false,
  maxRedirects: 10,
  keepAlive: false,
  timeoutMs: 30_000,
  insecure: false,
  autoHeaders: DEFAULT_AUTO_HEADERS,
});

export interface RequestSpecInit {
  method?: string;
  url: string;
  headers?: (SpecHeader | { name: string; value: string; enabled?: boolean })[];
  body?: SpecBody;
  options?: Partial<Omit<RequestOptions, 'autoHeaders'>> & { autoHeaders?: Partial<AutoHeaderToggles> };
}

/** A complete spec from a partial one, with the defaults above. */
export function createRequestSpec(init: RequestSpecInit): RequestSpec {
  return {
    method: init.method ?? 'GET',
    url: init.url,
    headers: (init.headers ?? []).map((h) => ({ name: h.name, value: h.value, enabled: h.enabled ?? true })),
    body: init.body ?? { kind: 'none' },
    options: {
      ...DEFAULT_REQUEST_OPTIONS,
      ...init.options,
      autoHeaders: { ...DEFAULT_AUTO_HEADERS, ...init.options?.autoHeaders },
    },
  };
}

export type RequestSpecErrorCode = 'INVALID_URL' | 'UNSUPPORTED_SCHEME' | 'INVALID_METHOD' | 'INVALID_HEADER' | 'BODY_FILE';

export class RequestSpecError extends Error {
  override readonly name = 'RequestSpecError';
  constructor(
    readonly code: RequestSpecErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface PreparedHeader {
  name: string;
  value: string;
  /** Added by the sender, not written by the user; `autoName` says which toggle removes it. */
  auto: boolean;
  autoName?: AutoHeaderName;
}

export type PreparedBody =
  | { kind: 'none' }
  | { kind: 'bytes'; bytes: Buffer }
  | { kind: 'file'; path: string; size: number };

export interface PreparedRequest {
  method: string;
  url: URL;
  tls: boolean;
  /** Host name or IP literal to connect to (brackets removed from IPv6). */
  host: string;
  port: number;
  /** The request target on the start line (origin form: path and query). */
  target: string;
  headers: PreparedHeader[];
  /** Start line, headers and the empty line: exactly what is written first. */
  head: Buffer;
  body: PreparedBody;
  bodyLength: number;
  /** head + body when the body is in memory; head alone when it streams from a file. */
  bytes: Buffer;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function defaultPort(protocol: string): number {
  return protocol === 'https:' || protocol === 'wss:' ? 443 : 80;
}

/** Parses the URL of a spec; a URL without a scheme is taken as http://. */
export function parseSpecUrl(raw: string): URL {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? text : `http://${text}`);
  } catch {
    throw new RequestSpecError('INVALID_URL', `not a valid URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RequestSpecError('UNSUPPORTED_SCHEME', `the sender speaks http and https, not ${url.protocol.slice(0, -1)}`);
  }
  return url;
}

function bodyBytes(body: SpecBody): PreparedBody {
  switch (body.kind) {
    case 'none':
      return { kind: 'none' };
    case 'text':
      return { kind: 'bytes', bytes: Buffer.from(body.text, 'utf8') };
    case 'base64':
      return { kind: 'bytes', bytes: Buffer.from(body.data, 'base64') };
    case 'file': {
      let size: number;
      try {
        const st = statSync(body.path);
        if (!st.isFile()) throw new Error('not a regular file');
        size = st.size;
      } catch (err) {
        throw new RequestSpecError('BODY_FILE', `cannot read the body file ${body.path}: ${(err as Error).message}`);
      }
      return { kind: 'file', path: body.path, size };
    }
  }
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

function hasHeader(headers: { name: string }[], name: string): boolean {
  const lower = name.toLowerCase();
  return headers.some((h) => h.name.toLowerCase() === lower);
}

/**
 * The exact bytes a spec becomes. Order: auto Host, auto User-Agent, auto Accept,
 * the user's enabled headers in their order, auto Connection, auto Content-Length
 * (the same order curl uses, so an exported curl command puts the same bytes on
 * the wire). An enabled user header of the same name replaces the auto one.
 * Header names must be tokens and values free of CR, LF and NUL; anything else
 * is raw mode's job.
 */
export function prepareRequest(spec: RequestSpec): PreparedRequest {
  const method = spec.method.trim();
  if (!TOKEN.test(method)) throw new RequestSpecError('INVALID_METHOD', `not a valid method: ${JSON.stringify(spec.method)}`);
  const url = parseSpecUrl(spec.url);
  const tls = url.protocol === 'https:';
  const port = url.port ? Number(url.port) : defaultPort(url.protocol);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const target = spec.target ?? (url.pathname || '/') + url.search;

  const user = spec.headers.filter((h) => h.enabled);
  for (const h of user) {
    if (!TOKEN.test(h.name)) throw new RequestSpecError('INVALID_HEADER', `not a valid header name: ${JSON.stringify(h.name)}`);
    if (/[\r\n\0]/.test(h.value)) throw new RequestSpecError('INVALID_HEADER', `the value of ${h.name} contains CR, LF or NUL (use raw mode for that)`);
  }
  const body = bodyBytes(spec.body);
  const bodyLength = body.kind === 'none' ? 0 : body.kind === 'bytes' ? body.bytes.length : body.size;
  // A spec saved before a toggle existed (webview state, a file) gets that toggle's default.
  const auto: AutoHeaderToggles = { ...DEFAULT_AUTO_HEADERS, ...spec.options?.autoHeaders };
  const headers: PreparedHeader[] = [];
  const add = (autoName: AutoHeaderName, name: string, value: string) => {
    if (auto[autoName] && !hasHeader(user, name)) headers.push({ name, value, auto: true, autoName });
  };
  add('host', 'Host', url.host);
  add('userAgent', 'User-Agent', WIREPLAY_USER_AGENT);
  add('accept', 'Accept', '*/*');
  for (const h of user) headers.push({ name: h.name, value: h.value.trim(), auto: false });
  if (!spec.options?.keepAlive) add('connection', 'Connection', 'close');
  if (bodyLength > 0 || METHODS_WITH_BODY.has(method.toUpperCase())) {
    if (!hasHeader(user, 'Transfer-Encoding')) add('contentLength', 'Content-Length', String(bodyLength));
  }

  let headText = `${method} ${target} HTTP/1.1\r\n`;
  // An empty value is written `Name:` with no space, as curl does.
  for (const h of headers) headText += h.value === '' ? `${h.name}:\r\n` : `${h.name}: ${h.value}\r\n`;
  headText += '\r\n';
  const head = Buffer.from(headText, 'utf8');
  const bytes = body.kind === 'bytes' ? Buffer.concat([head, body.bytes]) : head;
  return { method, url, tls, host, port, target, headers, head, body, bodyLength, bytes };
}

/** The spec with one auto header switched off (what the preview's "remove" on an auto header does). */
export function withoutAutoHeader(spec: RequestSpec, name: AutoHeaderName): RequestSpec {
  return { ...spec, options: { ...spec.options, autoHeaders: { ...spec.options.autoHeaders, [name]: false } } };
}
