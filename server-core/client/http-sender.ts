// The HTTP sender: a RequestSpec in, the exact prepared bytes out on a
// connection it opens itself (TcpConnection: timed DNS, connect, TLS), the
// response parsed by server-core's HttpMessageParser in 'response' mode.
// Redirects are followed only when the spec asks; connections are kept alive
// only when it asks and a pool is given. Bodies stream: an optional file gets
// every byte, memory keeps a bounded preview, so a 1 GiB download costs no more
// than the preview (and whatever the capture store keeps).
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { HttpMessageParser } from '../http/message-parser.js';
import type { HttpParserLimits, MessageHead, ResponseHead } from '../http/parser-types.js';
import type { CaptureEvents, Endpoint } from '../capture/types.js';
import type { Disposable } from '../util/disposable.js';
import { DisposableStore } from '../util/disposable.js';
import type { Emitter } from '../util/emitter.js';
import { prepareRequest, type PreparedRequest, type RequestSpec } from './request-spec.js';
import { TcpConnection } from './tcp-connection.js';
import { SendError, toSendError } from './transport.js';

export interface HttpSendOptions {
  signal?: AbortSignal;
  capture?: Emitter<CaptureEvents>;
  /** Connections are reused only when spec.options.keepAlive is set and a pool is given. */
  pool?: HttpConnectionPool;
  /** Write the final response's body (de-chunked) to this file as it arrives. */
  bodyFile?: string;
  /** Bytes of each response body kept in memory. Default 1 MiB. */
  previewBytes?: number;
  /** Parser limits; the body limit defaults to unlimited (bodies stream). */
  parserLimits?: Partial<HttpParserLimits>;
  /** Live progress: each response head (1xx included) and each body slice of the final response. */
  onHead?(head: ResponseHead): void;
  onBody?(chunk: Buffer): void;
}

export interface HttpTimings {
  /** Name resolution; 0 for an IP literal or a reused connection. */
  dns: number;
  connect: number;
  tls: number;
  /** From the first byte written to the first byte read. */
  firstByte: number;
  /** From the first byte read to the end of the response. */
  download: number;
  /** The whole exchange, connection set-up included. */
  total: number;
}

export interface HttpHeaderLine {
  name: string;
  value: string;
}

export interface HttpResponse {
  statusCode: number;
  reason: string;
  httpVersion: string;
  headers: HttpHeaderLine[];
  /** The parsed head with byte spans (relative to this response's first byte). */
  head: ResponseHead;
  /** Status line through the empty line, as received. */
  rawHead: Buffer;
  /** 1xx responses that came first (100 Continue, 103 Early Hints). */
  informational: { statusCode: number; reason: string; headers: HttpHeaderLine[] }[];
  /** The first previewBytes of the body (de-chunked). */
  body: Buffer;
  bodyBytes: number;
  bodyTruncated: boolean;
  bodyFile?: string;
  /**
   * The body with its Content-Encoding (gzip, deflate, br) undone, when the whole body is in the
   * preview and decodes; the wire bytes stay in `body`.
   */
  decodedBody?: Buffer;
  trailers: HttpHeaderLine[];
  /** The connection may carry another request (HTTP/1.x rules and Connection header). */
  keepAlive: boolean;
}

export interface HttpExchange {
  request: PreparedRequest;
  response: HttpResponse;
  timings: HttpTimings;
  connectionId: string;
  reused: boolean;
  local: Endpoint;
  remote: Endpoint;
}

export interface HttpSendResult extends HttpExchange {
  /** Responses that redirected here, in order (empty unless followRedirects). */
  redirects: HttpExchange[];
}

export const DEFAULT_PREVIEW_BYTES = 1024 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

// ---------------------------------------------------------------- pool

export interface HttpConnectionPoolOptions {
  /** Idle connections kept per origin. Default 6. */
  maxIdlePerOrigin?: number;
  /** An idle connection is closed after this long. Default 30 s. */
  idleTimeoutMs?: number;
}

interface IdleEntry {
  conn: TcpConnection;
  timer: NodeJS.Timeout;
  /** Close and unexpected-data listeners, removed when the connection leaves the pool. */
  onClose: Disposable;
}

/** Keep-alive connections by origin (scheme, host, port, TLS verification). */
export class HttpConnectionPool implements Disposable {
  private readonly idle = new Map<string, IdleEntry[]>();
  private readonly maxIdle: number;
  private readonly idleTimeoutMs: number;
  private disposed = false;

  constructor(options: HttpConnectionPoolOptions = {}) {
    this.maxIdle = options.maxIdlePerOrigin ?? 6;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  }

  static key(req: PreparedRequest, insecure: boolean): string {
    return `${req.tls ? 'https' : 'http'}://${req.host}:${req.port}${req.tls && insecure ? '#insecure' : ''}`;
  }

  /** An idle open connection for this origin, or undefined. */
  acquire(key: string): TcpConnection | undefined {
    const list = this.idle.get(key);
    while (list && list.length) {
      const e = list.pop()!;
      clearTimeout(e.timer);
      e.onClose.dispose();
      if (e.conn.state === 'open' && !e.conn.peerEnded) {
        e.conn.setIdle(false);
        return e.conn;
      }
    }
    return undefined;
  }

  release(key: string, conn: TcpConnection): void {
    if (this.disposed || conn.state !== 'open' || conn.peerEnded) {
      conn.destroy();
      return;
    }
    let list = this.idle.get(key);
    if (!list) this.idle.set(key, (list = []));
    if (list.length >= this.maxIdle) {
      conn.close();
      return;
    }
    const remove = () => {
      const l = this.idle.get(key);
      const i = l?.indexOf(entry) ?? -1;
      if (l && i >= 0) l.splice(i, 1);
      clearTimeout(entry.timer);
      entry.onClose.dispose();
    };
    const entry: IdleEntry = {
      conn,
      timer: setTimeout(() => {
        remove();
        conn.close();
      }, this.idleTimeoutMs),
      onClose: new DisposableStore(),
    };
    const subs = entry.onClose as DisposableStore;
    subs.add(conn.on('close', () => remove()));
    // Bytes on an idle connection answer nothing we asked: the connection is unusable.
    subs.add(
      conn.on('data', () => {
        remove();
        conn.destroy('unexpected data on an idle keep-alive connection');
      }),
    );
    entry.timer.unref();
    conn.setIdle(true);
    list.push(entry);
  }

  /** Idle connections currently held. */
  get size(): number {
    let n = 0;
    for (const l of this.idle.values()) n += l.length;
    return n;
  }

  dispose(): void {
    this.disposed = true;
    for (const list of this.idle.values()) {
      for (const e of list) {
        clearTimeout(e.timer);
        e.onClose.dispose();
        e.conn.destroy();
      }
    }
    this.idle.clear();
  }
}

// ---------------------------------------------------------------- sending

/** Undoes a Content-Encoding list (applied in order, so undone in reverse); undefined when unknown or broken. */
export function decodeContent(body: Buffer, contentEncoding: string): Buffer | undefined {
  const codings = contentEncoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  let out = body;
  try {
    for (const c of codings.reverse()) {
      if (c === 'gzip' || c === 'x-gzip') out = gunzipSync(out);
      else if (c === 'br') out = brotliDecompressSync(out);
      else if (c === 'deflate') {
        // Servers send zlib-wrapped or raw deflate; the first byte tells (0x78 = zlib header).
        out = out[0] === 0x78 ? inflateSync(out) : inflateRawSync(out);
      } else return undefined;
    }
  } catch {
    return undefined;
  }
  return out;
}

function decoded(headers: HttpHeaderLine[], preview: Buffer[] | undefined, length: number): { decodedBody?: Buffer } {
  const enc = findHeader(headers, 'content-encoding');
  if (!enc || !preview || length === 0) return {};
  const out = decodeContent(Buffer.concat(preview, length), enc);
  return out ? { decodedBody: out } : {};
}

function headerLines(head: MessageHead): HttpHeaderLine[] {
  return head.headers.map((h) => ({ name: h.name, value: h.value }));
}

function findHeader(lines: HttpHeaderLine[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return lines.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** Sends a spec, follows redirects if asked; rejects with a SendError only when the exchange could not happen. */
export async function sendRequest(spec: RequestSpec, options: HttpSendOptions = {}): Promise<HttpSendResult> {
  const deadline = spec.options.timeoutMs > 0 ? performance.now() + spec.options.timeoutMs : Infinity;
  const redirects: HttpExchange[] = [];
  let current = spec;
  for (;;) {
    const prepared = prepareRequest(current);
    const canFollow = spec.options.followRedirects;
    const exchange = await exchangeWithRetry(prepared, current, options, deadline, canFollow);
    const location = findHeader(exchange.response.headers, 'location');
    if (!canFollow || !REDIRECT_STATUSES.has(exchange.response.statusCode) || location === undefined) {
      return { ...exchange, redirects };
    }
    redirects.push(exchange);
    if (redirects.length > spec.options.maxRedirects) {
      throw new SendError('TOO_MANY_REDIRECTS', `more than ${spec.options.maxRedirects} redirects (last to ${location})`);
    }
    current = redirectSpec(current, prepared, exchange.response.statusCode, location);
  }
}

/** The request a redirect leads to: 303 (and 301/302 after POST) become GET without body; credentials stay on the same origin. */
export function redirectSpec(spec: RequestSpec, prepared: PreparedRequest, status: number, location: string): RequestSpec {
  let next: URL;
  try {
    next = new URL(location, prepared.url);
  } catch {
    throw new SendError('INVALID_RESPONSE', `redirect to an invalid Location: ${JSON.stringify(location)}`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new SendError('INVALID_RESPONSE', `redirect to an unsupported scheme: ${next.protocol}`);
  const method = spec.method.toUpperCase();
  const toGet = (status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
  const sameOrigin = next.origin === prepared.url.origin;
  const dropped = new Set<string>();
  if (toGet) for (const n of ['content-type', 'content-length', 'content-encoding', 'transfer-encoding']) dropped.add(n);
  if (!sameOrigin) for (const n of ['authorization', 'cookie', 'proxy-authorization', 'host']) dropped.add(n);
  return {
    ...spec,
    method: toGet ? 'GET' : spec.method,
    url: next.href,
    headers: spec.headers.filter((h) => !dropped.has(h.name.toLowerCase())),
    body: toGet ? { kind: 'none' } : spec.body,
  };
}

async function exchangeWithRetry(
  prepared: PreparedRequest,
  spec: RequestSpec,
  options: HttpSendOptions,
  deadline: number,
  canFollow: boolean,
): Promise<HttpExchange> {
  const pool = spec.options.keepAlive ? options.pool : undefined;
  const key = HttpConnectionPool.key(prepared, spec.options.insecure);
  const reused = pool?.acquire(key);
  if (reused) {
    const readBefore = reused.bytesRead;
    try {
      return await exchange(reused, true, prepared, spec, options, deadline, canFollow, pool, key);
    } catch (err) {
      // A kept-alive connection the server had already closed: try once on a fresh one.
      if (!(err instanceof SendError && err.code === 'CONNECTION_CLOSED' && reused.bytesRead === readBefore)) throw err;
    }
  }
  const remaining = deadline - performance.now();
  const conn = new TcpConnection({
    host: prepared.host,
    port: prepared.port,
    tls: prepared.tls,
    insecure: spec.options.insecure,
    connectTimeoutMs: Number.isFinite(remaining) ? Math.max(1, remaining) : 0,
    protocol: 'http',
    capture: options.capture,
  });
  const t0 = performance.now();
  try {
    await conn.connect(options.signal);
  } catch (err) {
    if (err instanceof SendError && err.code === 'TIMEOUT') throw new SendError('TIMEOUT', `${err.message} (timeout ${spec.options.timeoutMs} ms)`);
    throw err;
  }
  return exchange(conn, false, prepared, spec, options, deadline, canFollow, pool, key, t0);
}

async function exchange(
  conn: TcpConnection,
  reused: boolean,
  prepared: PreparedRequest,
  spec: RequestSpec,
  options: HttpSendOptions,
  deadline: number,
  canFollow: boolean,
  pool: HttpConnectionPool | undefined,
  key: string,
  connectStart = performance.now(),
): Promise<HttpExchange> {
  const subs = new DisposableStore();
  const previewMax = options.previewBytes ?? DEFAULT_PREVIEW_BYTES;
  const isHead = prepared.method.toUpperCase() === 'HEAD';
  const rawHeadParts: Buffer[] = [];
  let rawHead = Buffer.alloc(0);
  let isFinal = false;
  let readThisExchange = 0;
  let writeStart = 0;
  let firstByteAt = -1;
  let finalHead: ResponseHead | undefined;
  let finalIsFile = false;
  const informational: HttpResponse['informational'] = [];
  const preview: Buffer[] = [];
  let previewLen = 0;
  let bodyBytes = 0;
  let trailers: HttpHeaderLine[] = [];
  let file: WriteStream | undefined;
  let fileError: unknown;
  let settled = false;
  let resolveDone!: () => void;
  let rejectDone!: (err: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => {});
  const fail = (err: unknown) => {
    if (settled) return;
    settled = true;
    rejectDone(err);
  };
  const succeed = () => {
    if (settled) return;
    settled = true;
    resolveDone();
  };

  const parser = new HttpMessageParser(
    'response',
    {
      onHead(head) {
        if (head.kind !== 'response') return;
        options.onHead?.(head);
        if (head.statusCode >= 100 && head.statusCode < 200 && head.statusCode !== 101) {
          informational.push({ statusCode: head.statusCode, reason: head.reason, headers: headerLines(head) });
          return;
        }
        finalHead = head;
        // The parser's offsets count from this exchange's first byte, and every chunk so far is in rawHeadParts.
        rawHead = Buffer.from(Buffer.concat(rawHeadParts).subarray(head.headSpan.start, head.headSpan.end));
        rawHeadParts.length = 0;
        const lines = headerLines(head);
        const redirecting = canFollow && REDIRECT_STATUSES.has(head.statusCode) && findHeader(lines, 'location') !== undefined;
        isFinal = !redirecting;
        if (options.bodyFile && !redirecting && !isHead) {
          finalIsFile = true;
          file = createWriteStream(options.bodyFile);
          file.on('error', (err) => {
            fileError = err;
            fail(new SendError('BODY_FILE', `cannot write ${options.bodyFile}: ${err.message}`, { cause: err }));
          });
          file.on('drain', () => conn.resume());
        }
        if (head.statusCode === 101) return 'upgrade';
        if (isHead) return 'no-body';
      },
      onBody(data) {
        bodyBytes += data.length;
        if (previewLen < previewMax) {
          const part = data.subarray(0, Math.min(data.length, previewMax - previewLen));
          preview.push(Buffer.from(part));
          previewLen += part.length;
        }
        // A view into the socket's chunk is safe to queue: Node never reuses a chunk it handed out.
        if (file && !fileError) {
          if (!file.write(data)) conn.pause();
        }
        if (isFinal) options.onBody?.(data);
      },
      onTrailers(fields) {
        trailers = fields.map((h) => ({ name: h.name, value: h.value }));
      },
      onMessageComplete() {
        if (finalHead) succeed();
      },
      onUpgrade() {
        succeed();
      },
      onError(error) {
        if (error.code === 'UNEXPECTED_EOF') {
          fail(new SendError('CONNECTION_CLOSED', `the connection closed before the response ended (after ${error.offset} bytes)`, { cause: error }));
          return;
        }
        fail(new SendError('INVALID_RESPONSE', `invalid response at byte ${error.offset}: ${error.message} (${error.code})`, { cause: error }));
      },
    },
    { maxBodyBytes: Number.MAX_SAFE_INTEGER, ...options.parserLimits },
  );

  subs.add(
    conn.on('data', (chunk) => {
      if (settled) return;
      if (firstByteAt < 0) firstByteAt = performance.now();
      readThisExchange += chunk.length;
      // Keep the bytes until the final head is parsed, to cut its raw copy out.
      if (!finalHead) rawHeadParts.push(chunk);
      parser.push(chunk);
    }),
  );
  const onEnd = () => {
    if (settled) return;
    if (readThisExchange === 0) {
      fail(new SendError('CONNECTION_CLOSED', `${prepared.url.host} closed the connection without a response`));
      return;
    }
    parser.finish();
    if (!settled) fail(new SendError('CONNECTION_CLOSED', 'the connection closed before the response ended'));
  };
  subs.add(conn.on('end', onEnd));
  subs.add(conn.on('close', onEnd));
  subs.add(
    conn.on('error', (err) => {
      if (err.code === 'CONNECTION_RESET' && readThisExchange === 0) fail(new SendError('CONNECTION_CLOSED', err.message, { cause: err }));
      else fail(err);
    }),
  );
  const remaining = deadline - performance.now();
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(remaining)) {
    timer = setTimeout(() => fail(new SendError('TIMEOUT', `no complete response within ${spec.options.timeoutMs} ms`)), Math.max(1, remaining));
  }
  const onAbort = () => fail(new SendError('ABORTED', 'the request was aborted'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  subs.add({ dispose: () => options.signal?.removeEventListener('abort', onAbort) });

  writeStart = performance.now();
  let writeDone = false;
  const writing = (async () => {
    await conn.send(prepared.body.kind === 'bytes' ? prepared.bytes : prepared.head);
    if (prepared.body.kind === 'file') {
      const stream = createReadStream(prepared.body.path);
      try {
        for await (const chunk of stream) {
          if (settled) break;
          await conn.send(chunk as Buffer);
        }
      } catch (err) {
        if (!(err instanceof SendError)) throw new SendError('BODY_FILE', `cannot read ${prepared.body.path}: ${(err as Error).message}`, { cause: err });
        throw err;
      } finally {
        stream.destroy();
      }
    }
    writeDone = true;
  })();
  writing.catch((err) => {
    // A server may answer (413, 400) and close before reading the whole body: the response still counts.
    if (err instanceof SendError && err.code === 'BODY_FILE') fail(err);
    else if (readThisExchange === 0 && !(err instanceof SendError && err.code === 'CONNECTION_CLOSED')) fail(toSendError(err, 'write'));
  });

  try {
    await done;
  } catch (err) {
    clearTimeout(timer);
    subs.dispose();
    conn.destroy(err instanceof SendError ? err.code.toLowerCase() : undefined);
    if (file && !file.closed) {
      const f = file;
      await new Promise<void>((resolve) => {
        f.once('close', () => resolve());
        f.destroy();
      });
    }
    throw err;
  } finally {
    clearTimeout(timer);
    subs.dispose();
  }
  const end = performance.now();
  // The server answered before taking the whole request (a 413, an early 400): the rest is not sent and
  // the connection cannot carry another request.
  const partial = !writeDone;
  if (partial) conn.destroy();
  await writing.catch(() => {});
  if (file) {
    conn.resume();
    await new Promise<void>((resolve, reject) => {
      file!.end(() => (fileError ? reject(new SendError('BODY_FILE', `cannot write ${options.bodyFile}`, { cause: fileError })) : resolve()));
    });
  }
  const head = finalHead!;
  const keepAlive = head.keepAlive && head.statusCode !== 101;
  if (pool && keepAlive && !partial && spec.options.keepAlive && !conn.peerEnded) pool.release(key, conn);
  else if (conn.state !== 'closed') {
    if (head.statusCode === 101) conn.destroy();
    else conn.close();
    await conn.closed();
  }
  const first = firstByteAt < 0 ? end : firstByteAt;
  return {
    request: prepared,
    response: {
      statusCode: head.statusCode,
      reason: head.reason,
      httpVersion: `${head.versionMajor}.${head.versionMinor}`,
      headers: headerLines(head),
      head,
      rawHead,
      informational,
      body: Buffer.concat(preview, previewLen),
      bodyBytes,
      bodyTruncated: bodyBytes > previewLen,
      ...decoded(headerLines(head), bodyBytes > previewLen ? undefined : preview, previewLen),
      ...(finalIsFile && options.bodyFile ? { bodyFile: options.bodyFile } : {}),
      trailers,
      keepAlive,
    },
    timings: {
      dns: reused ? 0 : conn.timings.dns,
      connect: reused ? 0 : conn.timings.connect,
      tls: reused ? 0 : conn.timings.tls,
      firstByte: first - writeStart,
      download: end - first,
      total: end - connectStart,
    },
    connectionId: conn.connectionId,
    reused,
    local: conn.local,
    remote: conn.remote,
  };
}
