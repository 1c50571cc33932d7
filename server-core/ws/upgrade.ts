// The server's entry point for WebSocket: the HTTP server hands over a request
// whose head asks for an upgrade, with its socket and the bytes read after the
// head. handleUpgrade validates the handshake and answers it itself — a 101
// and a live WebSocketConnection, or a plain HTTP refusal (400, 403, 405, 426)
// after which the socket ends and null is returned.
//
// The caller must have removed its own 'data' listeners and timeouts from the
// socket before calling; from here on the connection owns it. `tap` (the
// server's upgraded connection) hears every byte read and written from the
// 101 on, refusals included.
import type { Socket } from 'node:net';
import type { ServerRequest } from '../http/handler-types.js';
import type { RequestHead } from '../http/parser-types.js';
import { WebSocketConnection } from './connection.js';
import { isRefusal, isWebSocketUpgrade as isUpgradeHead, serializeAccept, serializeRefusal, validateHandshake, type HandshakeRefusal } from './handshake.js';
import { negotiateServer } from './permessage-deflate.js';
import type { WebSocketRoute, WebSocketServerOptions } from './types.js';
import type { WireTap } from '../util/wire-tap.js';

export type { WebSocketServerOptions } from './types.js';
export { WebSocketConnection } from './connection.js';

export function isWebSocketUpgrade(head: RequestHead): boolean {
  return isUpgradeHead(head);
}

function refuse(socket: Socket, r: HandshakeRefusal, tap: WireTap | undefined): null {
  if (!socket.destroyed) {
    const bytes = serializeRefusal(r);
    tap?.wrote(bytes);
    socket.end(bytes);
    // A peer that never reads must not hold the socket.
    const t = setTimeout(() => socket.destroy(), 5000);
    t.unref?.();
    socket.once('close', () => clearTimeout(t));
  }
  return null;
}

export function handleUpgrade(
  req: ServerRequest,
  socket: Socket,
  rest: Buffer,
  route: WebSocketRoute,
  options: WebSocketServerOptions = {},
  tap?: WireTap,
): WebSocketConnection | null {
  const v = validateHandshake(req.head);
  if (isRefusal(v)) return refuse(socket, v, tap);
  if (route.hosts) {
    const host = (req.header('host') ?? '').toLowerCase();
    if (!route.hosts.includes(host)) return refuse(socket, { status: 403, message: `Host ${host || '(none)'} is not allowed`, headers: {} }, tap);
  }
  if (route.origins && !(v.origin !== undefined && route.origins.includes(v.origin))) {
    return refuse(socket, { status: 403, message: `Origin ${v.origin ?? '(none)'} is not allowed`, headers: {} }, tap);
  }
  let negotiated;
  try {
    negotiated = negotiateServer(v.extensions, options.perMessageDeflate ?? true);
  } catch {
    return refuse(socket, { status: 400, message: 'Invalid Sec-WebSocket-Extensions header', headers: {} }, tap);
  }
  // The endpoint's preference order decides among the offered subprotocols.
  const protocol = route.protocols?.find((p) => v.protocols.includes(p)) ?? '';
  let response: Buffer;
  try {
    response = serializeAccept(v.key, protocol, negotiated?.response ?? '', options.headers);
  } catch (err) {
    return refuse(socket, { status: 400, message: (err as Error).message, headers: {} }, tap);
  }
  socket.setTimeout(0);
  socket.setNoDelay(true);
  tap?.wrote(response);
  socket.write(response);
  const conn = new WebSocketConnection(socket, {
    role: 'server',
    id: options.id ?? req.connectionId,
    protocol,
    extensions: negotiated?.response ?? '',
    deflate: negotiated?.params ?? null,
    options,
    handler: route.handler,
    tap,
  });
  // Open now; onOpen and the first frames come on the next tick, so the caller can subscribe (capture 'switch') first.
  conn.start(rest, () => {
    try {
      route.handler.onOpen?.(conn, req);
    } catch (err) {
      conn.callbackFailed('onOpen', err); // 1011, and the route's onError hears of it
    }
  });
  return conn;
}
