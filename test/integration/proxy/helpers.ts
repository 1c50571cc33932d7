// Shared by the proxy integration tests: the test app behind a proxy (both
// closed after the test), event-driven waits on the capture store with a
// deadline, and the byte comparisons between the two legs and the app.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { CaptureStore, ConnectionSummary } from '../../../server-core/capture/capture-store.js';
import { createWireplayProxy, type WireplayProxy } from '../../../server-core/proxy/wireplay-proxy.js';
import type { ProxyExchange, WireplayProxyOptions } from '../../../server-core/proxy/types.js';
import { startProxyTestApp, type ProxyTestApp } from '../../support/proxy-test-app.js';

export interface TestContextLike {
  after(fn: () => unknown): void;
}

export interface ProxyFixture {
  app: ProxyTestApp;
  proxy: WireplayProxy;
  store: CaptureStore;
  url: string;
  port: number;
}

export async function startFixture(t: TestContextLike, options: Partial<WireplayProxyOptions> = {}): Promise<ProxyFixture> {
  const app = await startProxyTestApp();
  const proxy = createWireplayProxy({ target: app.origin, ...options });
  t.after(async () => {
    proxy.dispose();
    await proxy.close();
    await app.close();
  });
  const address = await proxy.listen();
  return { app, proxy, store: proxy.capture!, url: address.url, port: address.port };
}

/** A proxy in front of any origin (a scripted server, a closed port). */
export async function startProxy(t: TestContextLike, options: WireplayProxyOptions): Promise<{ proxy: WireplayProxy; store: CaptureStore; url: string; port: number }> {
  const proxy = createWireplayProxy(options);
  t.after(async () => {
    proxy.dispose();
    await proxy.close();
  });
  const a = await proxy.listen();
  return { proxy, store: proxy.capture!, url: a.url, port: a.port };
}

/**
 * Resolves once `check` holds, re-checked on every capture-store and proxy event; fails with
 * `what` after `ms` (a bound, never a pace: the wait ends at the event).
 */
export function until(store: CaptureStore | undefined, check: () => boolean, what: string, ms = 10_000, proxy?: WireplayProxy): Promise<void> {
  return new Promise((resolve, reject) => {
    const subs: { dispose(): void }[] = [];
    const finish = (err?: Error) => {
      clearTimeout(timer);
      clearInterval(safety);
      for (const s of subs) s.dispose();
      if (err) reject(err);
      else resolve();
    };
    const test = () => {
      try {
        if (check()) finish();
      } catch (err) {
        finish(err as Error);
      }
    };
    const timer = setTimeout(() => finish(new Error(`timed out waiting for ${what}`)), ms);
    // Some conditions change outside the store (a client's own socket): re-check on a slow beat too.
    const safety = setInterval(test, 25);
    if (store) for (const e of ['open', 'close', 'chunk', 'switch', 'message'] as const) subs.push(store.events.on(e, test));
    if (proxy) for (const e of ['exchangeStart', 'exchangeEnd'] as const) subs.push(proxy.events.on(e, test));
    test();
  });
}

export function allClosed(store: CaptureStore): boolean {
  const list = store.listConnections();
  return list.length > 0 && list.every((c) => c.closed !== undefined);
}

export function bytesOf(store: CaptureStore, id: string, dir: 'c2s' | 's2c'): Buffer {
  const parts: Buffer[] = [];
  for (const e of store.chunks(id)) {
    assert.equal(e.kind, 'data', `${id} lost bytes to the capture cap`);
    if (e.kind === 'data' && e.dir === dir) parts.push(e.bytes);
  }
  return Buffer.concat(parts);
}

export function downstreams(store: CaptureStore): ConnectionSummary[] {
  return store.listConnections().filter((c) => c.info.role === 'proxy-downstream');
}

export function upstreamsOf(store: CaptureStore, downstreamId: string): ConnectionSummary[] {
  return store.listConnections().filter((c) => c.info.role === 'proxy-upstream' && c.info.linkedConnectionId === downstreamId);
}

/**
 * Byte for byte, for every proxied connection: what the client sent is what the target got, and
 * what the target sent is what the client got (the target's legs of one client connection in turn).
 */
export function assertLegsMirror(store: CaptureStore): void {
  const downs = downstreams(store);
  assert.ok(downs.length > 0, 'no proxied connection in the capture');
  for (const d of downs) {
    const ups = upstreamsOf(store, d.id);
    const upC2s = Buffer.concat(ups.map((u) => bytesOf(store, u.id, 'c2s')));
    const upS2c = Buffer.concat(ups.map((u) => bytesOf(store, u.id, 's2c')));
    assert.ok(bytesOf(store, d.id, 'c2s').equals(upC2s), `${d.id}: the client's bytes differ from what the target got`);
    assert.ok(bytesOf(store, d.id, 's2c').equals(upS2c), `${d.id}: the target's bytes differ from what the client got`);
  }
}

/** The app's own record of each upstream leg's socket equals the capture of that leg. */
export function assertAppMatches(store: CaptureStore, app: ProxyTestApp): void {
  for (const u of store.listConnections().filter((c) => c.info.role === 'proxy-upstream')) {
    const conn = app.connection(u.info.local.port);
    assert.ok(conn, `the app saw no connection from port ${u.info.local.port}`);
    assert.ok(Buffer.concat(conn.received).equals(bytesOf(store, u.id, 'c2s')), `${u.id}: the app received other bytes than the proxy sent`);
    assert.ok(Buffer.concat(conn.sent).equals(bytesOf(store, u.id, 's2c')), `${u.id}: the app sent other bytes than the proxy received`);
  }
}

export function curl(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', ...args], { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 1) : 0 });
    });
  });
}

/** A raw TCP client that keeps everything it receives. */
export interface RawClient {
  socket: Socket;
  received(): Buffer;
  /** Resolves when the received bytes satisfy `check` (fails on close first, or after ms). */
  waitFor(check: (bytes: Buffer) => boolean, what: string, ms?: number): Promise<Buffer>;
  closed: Promise<void>;
}

export async function rawClient(t: TestContextLike, port: number, allowHalfOpen = false): Promise<RawClient> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen });
  t.after(() => socket.destroy());
  socket.on('error', () => {});
  const parts: Buffer[] = [];
  const listeners = new Set<() => void>();
  let ended = false;
  socket.on('data', (b: Buffer) => {
    parts.push(b);
    for (const l of [...listeners]) l();
  });
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      ended = true;
      for (const l of [...listeners]) l();
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const received = () => Buffer.concat(parts);
  return {
    socket,
    received,
    closed,
    waitFor(check, what, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const test = () => {
          const all = received();
          if (check(all)) done(undefined, all);
          else if (ended) done(new Error(`connection closed before ${what}; got ${JSON.stringify(all.toString('latin1').slice(0, 300))}`));
        };
        const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}; got ${JSON.stringify(received().toString('latin1').slice(0, 300))}`)), ms);
        const done = (err?: Error, all?: Buffer) => {
          clearTimeout(timer);
          listeners.delete(test);
          if (err) reject(err);
          else resolve(all!);
        };
        listeners.add(test);
        test();
      });
    },
  };
}

/** Counts complete "HTTP/1.1 ..." responses with a Content-Length in `bytes` (enough for the scripted cases). */
export function countResponses(bytes: Buffer): number {
  const text = bytes.toString('latin1');
  let n = 0;
  let at = 0;
  for (;;) {
    const head = text.indexOf('\r\n\r\n', at);
    if (head < 0 || !text.startsWith('HTTP/1.1 ', at)) return n;
    const m = /\r\ncontent-length: *(\d+)/i.exec(text.slice(at, head));
    const status = Number(text.slice(at + 9, at + 12));
    const len = m ? Number(m[1]) : 0;
    const end = head + 4 + len;
    if (end > text.length) return n;
    if (status >= 200) n++;
    at = end;
  }
}

/** A TCP server that answers each connection with a script of its own (a target that misbehaves on purpose). */
export async function scriptedServer(t: TestContextLike, onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number; origin: string }> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.once('close', () => sockets.delete(s));
    onConnection(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  return { server, port, origin: `http://127.0.0.1:${port}` };
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function exchangesDone(proxy: WireplayProxy, n: number): () => boolean {
  return () => proxy.exchanges().filter((e) => e.outcome !== undefined).length >= n;
}

export function finished(proxy: WireplayProxy): ProxyExchange[] {
  return proxy.exchanges().filter((e) => e.outcome !== undefined);
}
