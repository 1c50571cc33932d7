// The HTTP sender: a RequestSpec in, the exact prepared bytes out on a
// connection it opens itself (TcpConnection: timed DNS, connect, TLS), the
// response read back through server-core's HTTP parser. Redirects are followed
// only when the spec asks; connections are kept alive only when it asks and a
// pool is given. Bodies stream: an optional file gets every byte, memory keeps
// a bounded preview, so a 1 GiB download costs no more than the preview (and
// whatever the capture store keeps).
//
// Three pieces, kept apart as undici keeps its layers, so a reverse proxy's
// upstream leg and the playground can reuse them:
//   request-writer.ts   writeRequest(sink, prepared): the request's bytes out
//   response-reader.ts  ResponseReader: the parser's handlers, bytes in → ReceivedResponse
//   connection-pool.ts  HttpConnectionPool: idle keep-alive connections by origin
// This file is the policy between them: timeouts, abort, retry on a stale
// kept-alive connection, redirects, what happens to the connection afterwards.
import { performance } from 'node:perf_hooks';
import type { HttpParserLimits, ResponseHead } from '../http/parser-types.js';
import type { CaptureEvents } from '../capture/types.js';
import { DisposableStore } from '../util/disposable.js';
import type { Emitter } from '../util/emitter.js';
import { HttpConnectionPool } from './connection-pool.js';
import { DEFAULT_PREVIEW_BYTES, REDIRECT_STATUSES, findHeader, type ClientExchange, type HttpSendResult } from './http-client-types.js';
import { writeRequest } from './request-writer.js';
import { ResponseReader } from './response-reader.js';
import { prepareRequest, type PreparedRequest, type RequestSpec } from './request-spec.js';
import { TcpConnection } from './tcp-connection.js';
import { SendError, toSendError } from './transport.js';
import { BodyStreamReader, streamKindOf, type StreamRecord } from './body-stream.js';
import type { Endpoint } from '../capture/types.js';

export { HttpConnectionPool, type HttpConnectionPoolOptions } from './connection-pool.js';
export { decodeContent } from './response-reader.js';
export * from './http-client-types.js';
export { streamKindOf, type StreamKind, type StreamRecord } from './body-stream.js';

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
  /**
   * A streamed body record by record, as each is complete: the final response's body when its
   * Content-Type is an event stream, a JSON-lines or JSON-seq type, or chunked text
   * (body-stream.ts). With this set, the time limit of such a response ends with its head: a
   * stream may last as long as the server likes; `stop` ends it.
   */
  onRecord?(record: StreamRecord): void;
  /** The event stream's last event ID to start from (a reconnect sends it as Last-Event-ID). */
  lastEventId?: string;
  /**
   * Headers set on the request, each replacing the spec's headers of the same name (enabled or not):
   * what a caller adds without rebuilding the spec — `wireplay send`'s reconnect sets Last-Event-ID.
   */
  setHeaders?: { name: string; value: string }[];
  /**
   * Ends reading the response where it stands: the exchange resolves with what arrived
   * (`response.stopped`) and the connection is closed. Before the response head it fails with ABORTED.
   */
  stop?: AbortSignal;
  /** The exchange has its connection (new or reused), before the request is written. */
  onConnection?(info: { connectionId: string; local: Endpoint; remote: Endpoint; reused: boolean }): void;
  /** A new connection reconnects this one (an event stream's next attempt): recorded in the capture. */
  previousConnectionId?: string;
}

/** One exchange to carry out: the request, its spec's options, the send's options and its deadline. */
interface ExchangePlan {
  prepared: PreparedRequest;
  spec: RequestSpec;
  options: HttpSendOptions;
  /** performance.now() by which the response must be complete (Infinity: no limit). */
  deadline: number;
  /** Redirects will be followed: a redirect's body is not the answer. */
  canFollow: boolean;
  pool: HttpConnectionPool | undefined;
  key: string;
}

/** Sends a spec, follows redirects if asked; rejects with a SendError only when the exchange could not happen. */
export async function sendRequest(spec: RequestSpec, options: HttpSendOptions = {}): Promise<HttpSendResult> {
  const set = options.setHeaders;
  if (set?.length) {
    const names = new Set(set.map((h) => h.name.toLowerCase()));
    spec = { ...spec, headers: [...spec.headers.filter((h) => !names.has(h.name.toLowerCase())), ...set.map((h) => ({ name: h.name, value: h.value, enabled: true }))] };
  }
  const deadline = spec.options.timeoutMs > 0 ? performance.now() + spec.options.timeoutMs : Infinity;
  const redirects: ClientExchange[] = [];
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
): Promise<ClientExchange> {
  const pool = spec.options.keepAlive ? options.pool : undefined;
  const plan: ExchangePlan = { prepared, spec, options, deadline, canFollow, pool, key: HttpConnectionPool.key(prepared, spec.options.insecure) };
  const reused = pool?.acquire(plan.key);
  if (reused) {
    const readBefore = reused.bytesRead;
    try {
      return await exchange(plan, reused, true, performance.now());
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
    ...(options.previousConnectionId !== undefined ? { previousConnectionId: options.previousConnectionId } : {}),
  });
  const t0 = performance.now();
  try {
    await conn.connect(options.signal);
  } catch (err) {
    if (err instanceof SendError && err.code === 'TIMEOUT') throw new SendError('TIMEOUT', `${err.message} (timeout ${spec.options.timeoutMs} ms)`);
    throw err;
  }
  return exchange(plan, conn, false, t0);
}

/** One request written and its response read on `conn`; then the connection goes back to the pool or is closed. */
async function exchange(plan: ExchangePlan, conn: TcpConnection, reused: boolean, connectStart: number): Promise<ClientExchange> {
  const { prepared, spec, options } = plan;
  const isHead = prepared.method.toUpperCase() === 'HEAD';
  let timer: NodeJS.Timeout | undefined;
  let stream: BodyStreamReader | undefined;
  let streamRecords = 0;
  const deliver = (record: StreamRecord) => {
    streamRecords++;
    options.onRecord!(record);
  };
  const isRedirect = (head: ResponseHead, lines: { name: string; value: string }[]) =>
    plan.canFollow && REDIRECT_STATUSES.has(head.statusCode) && findHeader(lines, 'location') !== undefined;
  const reader = new ResponseReader({
    isHead,
    previewBytes: options.previewBytes ?? DEFAULT_PREVIEW_BYTES,
    bodyFile: options.bodyFile,
    isRedirect,
    parserLimits: options.parserLimits,
    onHead: (head) => {
      options.onHead?.(head);
      if (!options.onRecord || isHead || head.statusCode < 200 || head.statusCode === 101) return;
      const lines = head.headers.map((h) => ({ name: h.name, value: h.value }));
      if (isRedirect(head, lines)) return;
      const kind = streamKindOf(findHeader(lines, 'content-type'), head.chunked);
      if (!kind) return;
      stream = new BodyStreamReader(kind, deliver, { lastEventId: options.lastEventId ?? '' });
      // A stream lasts as long as the server likes: the time limit was for its head.
      clearTimeout(timer);
    },
    onBody: (chunk) => {
      options.onBody?.(chunk);
      stream?.push(chunk);
    },
    pause: () => conn.pause(),
    resume: () => conn.resume(),
  });
  options.onConnection?.({ connectionId: conn.connectionId, local: conn.local, remote: conn.remote, reused });
  const subs = new DisposableStore();
  subs.add(conn.on('data', (chunk) => reader.push(chunk)));
  const onEnd = () => reader.peerClosed(prepared.url.host);
  subs.add(conn.on('end', onEnd));
  subs.add(conn.on('close', onEnd));
  subs.add(
    conn.on('error', (err) => {
      if (err.code === 'CONNECTION_RESET' && reader.bytesRead === 0) reader.fail(new SendError('CONNECTION_CLOSED', err.message, { cause: err }));
      else reader.fail(err);
    }),
  );
  const remaining = plan.deadline - performance.now();
  if (Number.isFinite(remaining)) {
    timer = setTimeout(() => reader.fail(new SendError('TIMEOUT', `no complete response within ${spec.options.timeoutMs} ms`)), Math.max(1, remaining));
  }
  const onAbort = () => reader.fail(new SendError('ABORTED', 'the request was aborted'));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  subs.add({ dispose: () => options.signal?.removeEventListener('abort', onAbort) });
  const onStop = () => reader.stop();
  if (options.stop?.aborted) onStop();
  options.stop?.addEventListener('abort', onStop, { once: true });
  subs.add({ dispose: () => options.stop?.removeEventListener('abort', onStop) });

  const writeStart = performance.now();
  let writeDone = false;
  const writing = writeRequest(conn, prepared, () => reader.settled).then(() => {
    writeDone = true;
  });
  writing.catch((err) => {
    // A server may answer (413, 400) and close before reading the whole body: the response still counts.
    if (err instanceof SendError && err.code === 'BODY_FILE') reader.fail(err);
    else if (reader.bytesRead === 0 && !(err instanceof SendError && err.code === 'CONNECTION_CLOSED')) reader.fail(toSendError(err, 'write'));
  });

  try {
    await reader.done;
  } catch (err) {
    clearTimeout(timer);
    subs.dispose();
    conn.destroy(err instanceof SendError ? err.code.toLowerCase() : undefined);
    await reader.abandonFile();
    throw err;
  } finally {
    clearTimeout(timer);
    subs.dispose();
  }
  const end = performance.now();
  stream?.finish();
  // The server answered before taking the whole request (a 413, an early 400): the rest is not sent and
  // the connection cannot carry another request. A response read only in part cannot either.
  const partial = !writeDone || reader.stopped;
  if (reader.stopped) conn.destroy('stopped by the client');
  else if (partial) conn.destroy();
  await writing.catch(() => {});
  await reader.closeFile();
  const response = reader.result();
  if (stream) response.stream = { kind: stream.kind, records: streamRecords, lastEventId: stream.lastEventId };
  if (plan.pool && response.keepAlive && !partial && spec.options.keepAlive && !conn.peerEnded) plan.pool.release(plan.key, conn);
  else if (conn.state !== 'closed') {
    if (response.statusCode === 101) conn.destroy();
    else conn.close();
    await conn.closed();
  }
  const first = reader.firstByteAt < 0 ? end : reader.firstByteAt;
  return {
    request: prepared,
    response,
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
