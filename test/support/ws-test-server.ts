// Hosts WebSocket routes for the ws tests on the real Wireplay server
// (createWireplayServer on 127.0.0.1 port 0), and hands out the server side of
// each accepted connection. `startBareWsTestServer` keeps the earlier stand-in
// (net.Server + the HTTP parser + handleUpgrade) for tests that must not depend
// on the server runtime.
import * as net from 'node:net';
import { HttpMessageParser } from '../../server-core/http/message-parser.js';
import type { RequestHead } from '../../server-core/http/parser-types.js';
import type { ServerRequest } from '../../server-core/http/handler-types.js';
import { createWireplayServer } from '../../server-core/server/wireplay-server.js';
import { handleUpgrade, isWebSocketUpgrade } from '../../server-core/ws/upgrade.js';
import type { WebSocketConnection } from '../../server-core/ws/connection.js';
import type { WebSocketRoute, WebSocketServerOptions } from '../../server-core/ws/types.js';

export interface WsTestServer {
  port: number;
  url(path: string): string;
  connections: Set<WebSocketConnection>;
  /** Resolves with the next connection opened after the call (call it before connecting). */
  nextConnection(): Promise<WebSocketConnection>;
  close(): Promise<void>;
}

function tracker() {
  const connections = new Set<WebSocketConnection>();
  const waiting: ((c: WebSocketConnection) => void)[] = [];
  const add = (conn: WebSocketConnection) => {
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    waiting.shift()?.(conn);
  };
  const nextConnection = () =>
    new Promise<WebSocketConnection>((resolve) => {
      waiting.push(resolve);
    });
  return { connections, add, nextConnection };
}

/** The routes, each wrapped so that the test sees every connection when it opens. */
export async function startWsTestServer(routes: Record<string, WebSocketRoute>, options: WebSocketServerOptions = {}): Promise<WsTestServer> {
  const t = tracker();
  const webSocketRoutes = Object.entries(routes).map(([path, route]) => ({
    path,
    route: {
      ...route,
      handler: {
        ...route.handler,
        onOpen: (peer: Parameters<NonNullable<WebSocketRoute['handler']['onOpen']>>[0], req: ServerRequest) => {
          t.add(peer as WebSocketConnection);
          route.handler.onOpen?.(peer, req);
        },
      },
    },
  }));
  // A plain handler instead of the router: only these WebSocket routes are mounted (not the demo ones).
  const server = createWireplayServer({
    host: '127.0.0.1',
    port: 0,
    handler: (_req, res) => {
      res.statusCode = 404;
      res.end('not found\n');
    },
    webSocketRoutes,
    webSocket: options,
  });
  const addr = await server.listen();
  return {
    port: addr.port,
    url: (path) => `ws://127.0.0.1:${addr.port}${path}`,
    connections: t.connections,
    nextConnection: t.nextConnection,
    close: async () => {
      for (const c of t.connections) c.terminate();
      await server.close();
    },
  };
}

function makeRequest(head: RequestHead, rawHead: Buffer, socket: net.Socket, id: string): ServerRequest {
  const q = head.target.indexOf('?');
  const ac = new AbortController();
  return {
    connectionId: id,
    index: 1,
    head,
    method: head.method,
    target: head.target,
    path: q === -1 ? head.target : head.target.slice(0, q),
    query: new URLSearchParams(q === -1 ? '' : head.target.slice(q + 1)),
    params: {},
    remote: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 },
    rawHead,
    header(name: string) {
      const l = name.toLowerCase();
      return head.headers.find((h) => h.name.toLowerCase() === l)?.value;
    },
    body: async () => Buffer.alloc(0),
    async *[Symbol.asyncIterator]() {},
    signal: ac.signal,
  };
}

export async function startBareWsTestServer(routes: Record<string, WebSocketRoute>, options: WebSocketServerOptions = {}): Promise<WsTestServer> {
  const sockets = new Set<net.Socket>();
  const t = tracker();
  let n = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const id = `t${++n}`;
    const parts: Buffer[] = [];
    let head: RequestHead | null = null;
    const onData = (chunk: Buffer) => {
      parts.push(chunk);
      parser.push(chunk);
    };
    const notFound = () => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    const parser = new HttpMessageParser('request', {
      onHead: (h) => {
        if (h.kind !== 'request') return;
        head = h;
        return isWebSocketUpgrade(h) ? 'upgrade' : undefined;
      },
      onMessageComplete: () => {
        if (head && !isWebSocketUpgrade(head)) notFound();
      },
      onUpgrade: (rest) => {
        socket.off('data', onData);
        const h = head!;
        const route = routes[h.target.split('?')[0]];
        if (!route) return notFound();
        const raw = Buffer.concat(parts).subarray(0, h.headSpan.end);
        const conn = handleUpgrade(makeRequest(h, raw, socket, id), socket, rest, route, options);
        if (conn) t.add(conn);
      },
      onError: (e) => {
        socket.end(`HTTP/1.1 ${e.status} Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      },
    });
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: (path) => `ws://127.0.0.1:${port}${path}`,
    connections: t.connections,
    nextConnection: t.nextConnection,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
