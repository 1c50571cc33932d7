// The TCP listener: accepts sockets, tracks every connection, refuses the ones
// over maxConnections with a 503, runs the timeout sweep, and closes gracefully
// (stop accepting, let in-flight responses finish, close idle keep-alive
// sockets, destroy what is left after closeTimeout).
import { createServer, type Server, type Socket } from 'node:net';
import { HttpConnection, refusalResponse, type ConnectionContext, type ListedConnection } from './connection.js';
import type { ServerLimits } from './limits.js';
import type { Endpoint } from '../capture/types.js';

export const DEFAULT_HOST = '127.0.0.1';

export interface ListenerOptions {
  limits: ServerLimits;
  /** Builds the shared context for a new connection. */
  context: Omit<ConnectionContext, 'onClosed' | 'onUpgraded'>;
  /** A socket was refused (max connections). */
  onRefused?(remote: string): void;
  /** A connection was accepted. */
  onOpened?(conn: HttpConnection): void;
  /** A connection closed (an HttpConnection, or the record of an upgraded one). */
  onClosed?(conn: ListedConnection): void;
  /** The listener's own socket failed after listen() (EMFILE, …). */
  onError?(err: Error): void;
}

export class HttpListener {
  private readonly server: Server;
  /** Every open connection: HttpConnections, and upgraded ones as their small records. */
  readonly connections = new Set<ListedConnection>();
  private readonly refused = new Set<Socket>();
  private nextId = 1;
  private sweep: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private address: { host: string; port: number } | undefined;
  /** One context object shared by every connection. */
  private readonly context: ConnectionContext;

  constructor(private readonly options: ListenerOptions) {
    this.context = {
      ...options.context,
      onClosed: (c) => {
        this.connections.delete(c);
        options.onClosed?.(c);
        if (this.closing && this.connections.size === 0) this.onAllClosed?.();
      },
      onUpgraded: (from, to) => {
        this.connections.delete(from);
        this.connections.add(to);
      },
    };
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => options.onError?.(err));
  }

  get listening(): boolean {
    return this.server.listening;
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port, exclusive: true }, () => {
        this.server.removeListener('error', onError);
        const addr = this.server.address();
        if (addr === null || typeof addr === 'string') {
          reject(new Error('the server has no TCP address'));
          return;
        }
        this.address = { host: addr.address, port: addr.port };
        this.context.boundLocal = boundLocal(addr.address, addr.port);
        this.startSweep();
        resolve(this.address);
      });
    });
  }

  private startSweep(): void {
    const l = this.options.limits;
    const shortest = Math.min(l.headersTimeout, l.requestTimeout, l.keepAliveTimeout);
    const every = Math.max(5, Math.min(1000, Math.floor(shortest / 4)));
    this.sweep = setInterval(() => {
      const now = performance.now();
      for (const c of this.connections) c.checkTimeouts(now);
    }, every);
    this.sweep.unref();
  }

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.options.limits.maxConnections) {
      this.refuse(socket);
      return;
    }
    const id = `srv-${this.nextId++}`;
    const conn = new HttpConnection(id, socket, this.context);
    this.connections.add(conn);
    this.options.onOpened?.(conn);
  }

  /** Over maxConnections: a 503 that closes, and the socket is gone within a second whatever the peer does. */
  private refuse(socket: Socket): void {
    this.refused.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.refused.delete(socket));
    socket.on('data', () => {}); // read and discard what the client sends
    socket.end(refusalResponse(503, `too many connections (max ${this.options.limits.maxConnections})`));
    setTimeout(() => socket.destroy(), 1000).unref();
    this.options.onRefused?.(`${socket.remoteAddress}:${socket.remotePort}`);
  }

  private onAllClosed: (() => void) | undefined;

  /**
   * Graceful close: no new connections; each connection ends once its
   * in-flight responses are written (idle ones at once); after closeTimeout
   * the rest are destroyed. Resolves when every socket is closed.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      let serverClosed = !this.server.listening;
      let connsClosed = this.connections.size === 0;
      const done = () => {
        if (!serverClosed || !connsClosed) return;
        clearTimeout(hard);
        if (this.sweep) clearInterval(this.sweep);
        resolve();
      };
      const hard = setTimeout(() => {
        for (const c of this.connections) c.destroy('server closed');
        for (const s of this.refused) s.destroy();
      }, this.options.limits.closeTimeout);
      this.onAllClosed = () => {
        connsClosed = true;
        done();
      };
      if (this.server.listening) {
        this.server.close(() => {
          serverClosed = true;
          done();
        });
      }
      for (const c of [...this.connections]) c.shutdown();
      done();
    });
    return this.closing;
  }

  /** Destroys every socket now. */
  destroyAll(): void {
    for (const c of this.connections) c.destroy('server destroyed');
    for (const s of this.refused) s.destroy();
  }
}

/**
 * The local endpoint of every socket a listener bound to `address` accepts, or undefined when it varies:
 * a wildcard (0.0.0.0, ::) takes connections on any of the host's addresses, and an IPv6 address with a
 * zone (fe80::…%eth0) is left to the socket to tell. Frozen: one object shared by every connection.
 */
export function boundLocal(address: string, port: number): Endpoint | undefined {
  if (address === '0.0.0.0' || address === '::' || address === '' || address.includes('%') || /^fe[89ab]/i.test(address)) return undefined;
  return Object.freeze({ address, port });
}

