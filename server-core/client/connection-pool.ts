// Keep-alive client connections by origin (scheme, host, port, TLS
// verification). The pool knows nothing of requests or responses: it holds
// open idle TcpConnections, closes them after an idle timeout, and drops one
// that the peer closes or that receives bytes nobody asked for. The HTTP
// sender uses it; a reverse proxy's upstream leg can use the same one.
import { DisposableStore, type Disposable } from '../util/disposable.js';
import type { PreparedRequest } from './request-spec.js';
import type { TcpConnection } from './tcp-connection.js';

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
  onClose: DisposableStore;
}

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
    entry.onClose.add(conn.on('close', () => remove()));
    // Bytes on an idle connection answer nothing we asked: the connection is unusable.
    entry.onClose.add(
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
