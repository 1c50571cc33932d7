// The proxy facade: createWireplayProxy(options) → listen(), close(),
// setRules(), events, and the capture both legs of every connection go into.
// It owns the listening socket and the connections; everything about one
// connection lives in proxy-connection.ts. The extension's command and views
// wire to this object only.
import { createServer, type Server, type Socket } from 'node:net';
import { CaptureStore, DEFAULT_CAPTURE_MAX_BYTES } from '../capture/capture-store.js';
import type { CaptureEvents } from '../capture/types.js';
import { Emitter } from '../util/emitter.js';
import type { Disposable } from '../util/disposable.js';
import { CaptureQueue } from './capture-queue.js';
import { snapshotExchange, type Exchange } from './exchange.js';
import type { ProxyConnectionContext, ProxySettings } from './connection-context.js';
import { ProxyConnection } from './proxy-connection.js';
import { compileRules, type CompiledRule } from './rules.js';
import { parseProxyTarget, type ProxyTarget } from './target.js';
import type { ProxyAddress, ProxyConnectionStatus, ProxyEvents, ProxyExchange, ProxyRule, WireplayProxyOptions } from './types.js';

export const DEFAULT_PROXY_TIMEOUT_MS = 30_000;

/** Parser limits on both legs: wide, since the proxy observes and only refuses what it cannot frame. */
const PROXY_PARSER_LIMITS = {
  maxStartLineBytes: 64 * 1024,
  maxHeaderBytes: 256 * 1024,
  maxHeaderCount: 1000,
  maxBodyBytes: Number.MAX_SAFE_INTEGER,
  maxChunkExtensionBytes: 64 * 1024,
};

export interface WireplayProxy extends Disposable {
  readonly target: ProxyTarget;
  /** Exchange events and warnings. */
  readonly events: Emitter<ProxyEvents>;
  /** The raw capture events of both legs (what `capture` records). */
  readonly captureEvents: Emitter<CaptureEvents>;
  /** The store both legs go into; undefined with `capture: false`. */
  readonly capture: CaptureStore | undefined;
  /** Said once, at creation: an insecure TLS target, a non-loopback address. */
  readonly warnings: readonly string[];
  /** Set once listening. */
  readonly address: ProxyAddress | undefined;
  readonly rules: readonly ProxyRule[];
  listen(): Promise<ProxyAddress>;
  /** Stops accepting, lets exchanges in flight finish (closeTimeoutMs at most), closes every connection. */
  close(): Promise<void>;
  /** Replaces the rules; applies to requests whose head arrives from now on. Throws ProxyRuleError (and keeps the old rules) on a bad one. */
  setRules(rules: readonly ProxyRule[]): void;
  /**
   * Changes the settings that need no new listener, live, for what happens from now on: the head
   * rewrites and passMalformed for requests whose head arrives next, the timeout for the next wait,
   * the TLS check for target connections opened next. (A new target or port is a new proxy.)
   */
  updateSettings(settings: ProxyLiveSettings): void;
  /** The most recent finished exchanges (maxExchanges), oldest first, plus those in flight. */
  exchanges(): ProxyExchange[];
  /** The client connections open now, with which side backpressure holds. */
  connections(): ProxyConnectionStatus[];
}

/** What updateSettings() can change on a running proxy. */
export type ProxyLiveSettings = Partial<Pick<WireplayProxyOptions, 'timeoutMs' | 'passMalformed' | 'rewriteHost' | 'xForwarded' | 'insecure'>>;

export function createWireplayProxy(options: WireplayProxyOptions): WireplayProxy {
  return new ProxyServer(options, ++proxyCount);
}

/**
 * Proxies made in this process, for connection ids unique across proxies that share one capture
 * store (the store would rename a clashing id, and the upstream legs' links would then miss).
 */
let proxyCount = 0;

class ProxyServer implements WireplayProxy {
  readonly target: ProxyTarget;
  readonly events = new Emitter<ProxyEvents>();
  readonly captureEvents = new Emitter<CaptureEvents>();
  readonly capture: CaptureStore | undefined;
  readonly warnings: string[] = [];
  address: ProxyAddress | undefined;
  private ruleList: readonly ProxyRule[] = [];
  private compiled: readonly CompiledRule[] = [];
  private readonly server: Server;
  private readonly live = new Set<ProxyConnection>();
  private readonly finished: ProxyExchange[] = [];
  private readonly inFlight = new Map<number, Exchange>();
  private readonly ownsCapture: boolean;
  private readonly captureLink: Disposable | undefined;
  /** The legs' capture events, delivered after the bytes went on (capture-queue.ts). */
  private readonly captureQueue: CaptureQueue;
  private nextConnection = 1;
  private nextUpstream = 1;
  private nextExchange = 1;
  private closing: Promise<void> | undefined;
  private readonly context: ProxyConnectionContext;
  private readonly host: string;
  private readonly port: number;
  private readonly maxExchanges: number;
  private readonly closeTimeoutMs: number;

  constructor(
    options: WireplayProxyOptions,
    private readonly instance: number,
  ) {
    this.target = parseProxyTarget(options.target);
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    this.maxExchanges = options.maxExchanges ?? 1000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    const timeoutMs = options.timeoutMs ?? DEFAULT_PROXY_TIMEOUT_MS;
    if (!(Number.isInteger(timeoutMs) && timeoutMs >= 0)) throw new RangeError(`timeoutMs must be a whole number of milliseconds ≥ 0, got ${timeoutMs}`);
    if (!(Number.isInteger(this.port) && this.port >= 0 && this.port <= 65535)) throw new RangeError(`port must be 0–65535, got ${this.port}`);
    this.setRules(options.rules ?? []);
    const insecure = options.insecure === true;
    if (insecure && this.target.tls) {
      this.warnings.push(`TLS certificate checks are off for ${this.target.origin}: any certificate is accepted (use this only for a local server you trust)`);
    }
    if (!['127.0.0.1', '::1', 'localhost'].includes(this.host)) {
      this.warnings.push(`listening on ${this.host}, not loopback: anyone who can reach this address can use the proxy and reach ${this.target.origin} through it`);
    }
    if (options.capture === false) {
      this.ownsCapture = false;
    } else if (options.capture instanceof CaptureStore) {
      this.capture = options.capture;
      this.ownsCapture = false;
    } else {
      this.capture = new CaptureStore({ maxBytes: options.captureMaxBytes ?? DEFAULT_CAPTURE_MAX_BYTES });
      this.ownsCapture = true;
    }
    this.captureLink = this.capture?.attach(this.captureEvents);
    this.captureQueue = new CaptureQueue(this.captureEvents);
    const settings: ProxySettings = {
      target: this.target,
      timeoutMs,
      passMalformed: options.passMalformed === true,
      rewriteHost: options.rewriteHost === true,
      xForwarded: options.xForwarded === true,
      insecure,
      parserLimits: { ...PROXY_PARSER_LIMITS, ...options.parserLimits },
    };
    this.context = {
      settings,
      capture: this.captureQueue,
      rules: () => this.compiled,
      nextExchangeId: () => this.nextExchange++,
      nextUpstreamId: () => `proxy${this.instance}-up-${this.nextUpstream++}`,
      exchangeStarted: (ex) => {
        this.inFlight.set(ex.record.id, ex);
        if (this.events.hasListeners('exchangeStart')) {
          // Taken now, heard after the bytes read so far are in the capture.
          const snapshot = snapshotExchange(ex.record);
          this.captureQueue.defer(() => this.events.emit('exchangeStart', snapshot));
        }
      },
      exchangeEnded: (ex) => this.exchangeEnded(ex),
      closed: (conn) => this.connectionClosed(conn),
    };
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => this.events.emit('warning', `the proxy's listener failed: ${err.message}`));
    for (const w of this.warnings) queueMicrotask(() => this.events.emit('warning', w));
  }

  get rules(): readonly ProxyRule[] {
    return this.ruleList;
  }

  setRules(rules: readonly ProxyRule[]): void {
    const compiled = compileRules(rules);
    this.ruleList = rules.map((r) => ({ ...r, ...(r.respond ? { respond: { ...r.respond } } : {}) }));
    this.compiled = compiled;
  }

  updateSettings(next: ProxyLiveSettings): void {
    const settings = this.context.settings;
    if (next.timeoutMs !== undefined) {
      if (!(Number.isInteger(next.timeoutMs) && next.timeoutMs >= 0)) throw new RangeError(`timeoutMs must be a whole number of milliseconds ≥ 0, got ${next.timeoutMs}`);
      settings.timeoutMs = next.timeoutMs;
    }
    if (next.passMalformed !== undefined) settings.passMalformed = next.passMalformed;
    if (next.rewriteHost !== undefined) settings.rewriteHost = next.rewriteHost;
    if (next.xForwarded !== undefined) settings.xForwarded = next.xForwarded;
    if (next.insecure !== undefined && next.insecure !== settings.insecure) {
      settings.insecure = next.insecure;
      if (next.insecure && this.target.tls) this.events.emit('warning', `TLS certificate checks are off for ${this.target.origin}: any certificate is accepted (use this only for a local server you trust)`);
    }
  }

  listen(): Promise<ProxyAddress> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.host, port: this.port, exclusive: true }, () => {
        this.server.removeListener('error', onError);
        const a = this.server.address();
        if (a === null || typeof a === 'string') return reject(new Error('the proxy has no TCP address'));
        const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
        this.address = { host: a.address, port: a.port, url: `http://${host}:${a.port}` };
        resolve(this.address);
      });
    });
  }

  exchanges(): ProxyExchange[] {
    this.captureQueue.flush();
    return [...this.finished.slice(-this.maxExchanges).map(snapshotExchange), ...[...this.inFlight.values()].map((ex) => snapshotExchange(ex.record))];
  }

  connections(): ProxyConnectionStatus[] {
    return [...this.live].map((c) => c.status());
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      let listenerClosed = !this.server.listening;
      const done = () => {
        if (!listenerClosed || this.live.size > 0) return;
        clearTimeout(hard);
        resolve();
      };
      this.allClosed = done;
      const hard = setTimeout(() => {
        for (const c of this.live) c.destroy('proxy closed');
      }, this.closeTimeoutMs);
      if (this.server.listening) {
        this.server.close(() => {
          listenerClosed = true;
          done();
        });
      }
      for (const c of this.live) c.shutdown();
      done();
    }).then(() => {
      this.captureQueue.flush();
      this.captureLink?.dispose();
      if (this.ownsCapture) this.capture?.dispose();
    });
    return this.closing;
  }

  dispose(): void {
    void this.close();
    for (const c of this.live) c.destroy('proxy disposed');
    this.captureQueue.flush();
  }

  private allClosed: (() => void) | undefined;

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    socket.on('error', () => {});
    const conn = new ProxyConnection(socket, `proxy${this.instance}-${this.nextConnection++}`, this.context);
    this.live.add(conn);
  }

  private connectionClosed(conn: ProxyConnection): void {
    this.live.delete(conn);
    if (this.closing && this.live.size === 0) this.allClosed?.();
  }

  private exchangeEnded(ex: Exchange): void {
    this.inFlight.delete(ex.record.id);
    // A finished record is not changed again: kept as is, copied when read.
    this.finished.push(ex.record);
    // Trimmed in batches (exchanges() shows the last maxExchanges): no shift per exchange.
    if (this.finished.length >= 2 * this.maxExchanges) this.finished.splice(0, this.finished.length - this.maxExchanges);
    if (this.events.hasListeners('exchangeEnd')) {
      // Heard after its bytes are in the capture, and after they went on (capture-queue.ts).
      const snapshot = snapshotExchange(ex.record);
      this.captureQueue.defer(() => this.events.emit('exchangeEnd', snapshot));
    }
  }
}
