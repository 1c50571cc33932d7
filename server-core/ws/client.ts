// The WebSocket client on net/tls: from a ws:// or wss:// URL it sends the
// opening handshake (a fresh key, a permessage-deflate offer, subprotocols,
// extra headers), reads the response with the HTTP parser in response mode,
// verifies Sec-WebSocket-Accept and the negotiated extension, and hands the
// socket to a WebSocketConnection in the client role (every frame masked with
// a fresh random key). A refused handshake rejects with the status, headers
// and body the server answered, never hangs (handshakeTimeout).
import * as net from 'node:net';
import * as tls from 'node:tls';
import { HttpMessageParser } from '../http/message-parser.js';
import type { HeaderField, ResponseHead } from '../http/parser-types.js';
import { WebSocketConnection } from './connection.js';
import { acceptKey, generateKey, hasToken, headerValues, isToken } from './handshake.js';
import { acceptClient, clientOffer, formatParams, type DeflateParams } from './permessage-deflate.js';
import type { WebSocketConnectionOptions, WebSocketHandler } from './types.js';

export interface WebSocketClientOptions extends WebSocketConnectionOptions {
  /** Extra request headers (Origin, Authorization, cookies, …). */
  headers?: Record<string, string>;
  /** Offered subprotocols (Sec-WebSocket-Protocol), in order of preference. */
  protocols?: readonly string[];
  /** Give up on connect + handshake after this many ms. Default 10 000. */
  handshakeTimeout?: number;
  /** Largest refusal body kept for the error, bytes. Default 64 KiB. */
  maxRefusalBody?: number;
  /** TLS options for wss:// (ca, rejectUnauthorized, servername, …). */
  tls?: tls.ConnectionOptions;
  /** An id for the connection. Default: a counter. */
  id?: string;
  /** Wired before any frame is read, like a server route's handler. */
  handler?: WebSocketHandler;
  /** Called with the socket as soon as it exists (to tap the bytes for a capture). */
  onSocket?(socket: net.Socket): void;
}

export type HandshakeErrorCode =
  | 'WS_BAD_URL'
  | 'WS_CONNECT_FAILED'
  | 'WS_HANDSHAKE_TIMEOUT'
  | 'WS_HANDSHAKE_REFUSED'
  | 'WS_BAD_RESPONSE'
  | 'WS_BAD_ACCEPT'
  | 'WS_BAD_PROTOCOL'
  | 'WS_BAD_EXTENSIONS';

export class WebSocketHandshakeError extends Error {
  override readonly name = 'WebSocketHandshakeError';
  constructor(
    readonly code: HandshakeErrorCode,
    message: string,
    /** The response, when one arrived. */
    readonly response?: { statusCode: number; reason: string; headers: HeaderField[]; body: Buffer; head: ResponseHead },
  ) {
    super(message);
  }
  get status(): number | undefined {
    return this.response?.statusCode;
  }
}

export interface ClientHandshake {
  url: string;
  /** The request exactly as sent. */
  requestBytes: Buffer;
  /** The response head exactly as received. */
  responseBytes: Buffer;
  response: ResponseHead;
  deflate: DeflateParams | null;
}

export interface WebSocketClient {
  connection: WebSocketConnection;
  handshake: ClientHandshake;
}

let nextId = 1;

/** The handshake request for a URL (exported for tests and the playground's preview). */
export function buildHandshakeRequest(url: URL, key: string, options: WebSocketClientOptions): Buffer {
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  const defaultPort = secure ? 443 : 80;
  const host = url.port && Number(url.port) !== defaultPort ? `${url.hostname}:${url.port}` : url.hostname;
  const lines = [
    `GET ${url.pathname || '/'}${url.search} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (options.protocols?.length) {
    for (const p of options.protocols) if (!isToken(p)) throw new WebSocketHandshakeError('WS_BAD_URL', `invalid subprotocol ${JSON.stringify(p)}`);
    lines.push(`Sec-WebSocket-Protocol: ${options.protocols.join(', ')}`);
  }
  const offer = clientOffer(options.perMessageDeflate ?? true);
  if (offer) lines.push(`Sec-WebSocket-Extensions: ${offer}`);
  for (const [k, v] of Object.entries(options.headers ?? {})) {
    if (!isToken(k) || /[\r\n\0]/.test(v)) throw new WebSocketHandshakeError('WS_BAD_URL', `invalid header ${k}`);
    lines.push(`${k}: ${v}`);
  }
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
}

/** Opens a WebSocket connection to a ws:// or wss:// URL. */
export function connectWebSocket(address: string | URL, options: WebSocketClientOptions = {}): Promise<WebSocketClient> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      return reject(new WebSocketHandshakeError('WS_BAD_URL', `not a URL: ${String(address)}`));
    }
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) {
      return reject(new WebSocketHandshakeError('WS_BAD_URL', `a WebSocket URL starts with ws:// or wss://, not ${url.protocol}//`));
    }
    if (url.hash) return reject(new WebSocketHandshakeError('WS_BAD_URL', 'a WebSocket URL has no fragment'));
    const secure = url.protocol === 'wss:' || url.protocol === 'https:';
    const port = Number(url.port) || (secure ? 443 : 80);
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const key = generateKey();
    let request: Buffer;
    try {
      request = buildHandshakeRequest(url, key, options);
    } catch (err) {
      return reject(err);
    }

    const socket: net.Socket = secure
      ? tls.connect({ host: hostname, port, servername: net.isIP(hostname) ? undefined : hostname, ALPNProtocols: ['http/1.1'], ...options.tls })
      : net.connect({ host: hostname, port });
    options.onSocket?.(socket);
    socket.setNoDelay(true);

    let settled = false;
    const headParts: Buffer[] = [];
    let head: ResponseHead | null = null;
    let refusal = false;
    const body: Buffer[] = [];
    let bodyLength = 0;
    const maxBody = options.maxRefusalBody ?? 64 * 1024;

    const timer = setTimeout(() => fail(new WebSocketHandshakeError('WS_HANDSHAKE_TIMEOUT', `no handshake response within ${options.handshakeTimeout ?? 10_000} ms`)), options.handshakeTimeout ?? 10_000);

    const cleanup = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      socket.off('close', onClose);
    };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      reject(err);
    };
    const refused = () => {
      const h = head!;
      const data = Buffer.concat(body, bodyLength);
      fail(
        new WebSocketHandshakeError('WS_HANDSHAKE_REFUSED', `the server answered ${h.statusCode} ${h.reason} instead of 101`, {
          statusCode: h.statusCode,
          reason: h.reason,
          headers: h.headers,
          body: data,
          head: h,
        }),
      );
    };

    const parser = new HttpMessageParser('response', {
      onHead: (h) => {
        if (h.kind !== 'response') return;
        if (h.statusCode >= 100 && h.statusCode < 200 && h.statusCode !== 101) return; // interim: wait for the next
        head = h;
        if (h.statusCode === 101) return 'upgrade';
        refusal = true;
        return;
      },
      onBody: (data) => {
        if (bodyLength >= maxBody) return;
        const keep = data.subarray(0, maxBody - bodyLength);
        body.push(Buffer.from(keep));
        bodyLength += keep.length;
      },
      onMessageComplete: () => {
        if (refusal) refused();
      },
      onUpgrade: (rest) => {
        upgraded(rest);
      },
      onError: (e) => {
        if (refusal && head) return refused();
        fail(new WebSocketHandshakeError('WS_BAD_RESPONSE', `invalid handshake response: ${e.message}`));
      },
    });

    const onData = (chunk: Buffer) => {
      if (!head) headParts.push(chunk);
      parser.push(chunk);
    };
    const onError = (err: Error) => fail(new WebSocketHandshakeError('WS_CONNECT_FAILED', err.message));
    const onEnd = () => {
      parser.finish();
      if (refusal && head) return refused();
      fail(new WebSocketHandshakeError('WS_BAD_RESPONSE', 'the server closed the connection during the handshake'));
    };
    const onClose = () => fail(new WebSocketHandshakeError('WS_CONNECT_FAILED', 'the connection closed during the handshake'));

    const upgraded = (rest: Buffer) => {
      const h = head!;
      const responseBytes = Buffer.concat(headParts).subarray(0, h.headSpan.end);
      if (!hasToken(h, 'upgrade', 'websocket')) return fail(new WebSocketHandshakeError('WS_BAD_RESPONSE', 'the 101 lacks Upgrade: websocket'));
      if (!hasToken(h, 'connection', 'upgrade')) return fail(new WebSocketHandshakeError('WS_BAD_RESPONSE', 'the 101 lacks Connection: upgrade'));
      const accepts = headerValues(h, 'sec-websocket-accept');
      if (accepts.length !== 1 || accepts[0] !== acceptKey(key)) {
        return fail(new WebSocketHandshakeError('WS_BAD_ACCEPT', `Sec-WebSocket-Accept is ${JSON.stringify(accepts.join(', '))}, expected ${acceptKey(key)}`));
      }
      const protocols = headerValues(h, 'sec-websocket-protocol');
      let protocol = '';
      if (protocols.length > 0) {
        if (protocols.length > 1 || !options.protocols?.includes(protocols[0])) {
          return fail(new WebSocketHandshakeError('WS_BAD_PROTOCOL', `the server chose a subprotocol we did not offer: ${protocols.join(', ')}`));
        }
        protocol = protocols[0];
      }
      let deflate: DeflateParams | null;
      try {
        const ext = headerValues(h, 'sec-websocket-extensions');
        deflate = acceptClient(ext.length ? ext.join(', ') : undefined, options.perMessageDeflate ?? true);
      } catch (err) {
        return fail(new WebSocketHandshakeError('WS_BAD_EXTENSIONS', (err as Error).message));
      }
      settled = true;
      cleanup();
      const connection = new WebSocketConnection(socket, {
        role: 'client',
        id: options.id ?? `ws-client-${nextId++}`,
        protocol,
        extensions: deflate ? formatParams(deflate) : '',
        deflate,
        options,
        handler: options.handler,
      });
      // Open now; read frames only after the caller's continuation has run (and subscribed).
      connection.start(rest, () => options.handler?.onOpen?.(connection, undefined as never), 'immediate');
      resolve({ connection, handshake: { url: url.href, requestBytes: request, responseBytes, response: h, deflate } });
    };

    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
    socket.on('close', onClose);
    socket.write(request);
  });
}
