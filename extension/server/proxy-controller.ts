// Owns the recording proxy of a window (Wireplay: Start Proxy… / Stop Proxy):
// its life cycle, and the relay of what it records into the same places as the
// server's traffic. Both legs of every proxied connection go into the window's
// capture (the ServerController's `capture` emitter, so the capture store and
// the playground see them) and into the sidebar's TrafficModel; each exchange
// becomes a Recent Traffic row on its client leg, marked as proxied, with its
// upstream leg and timings. The exchange records are kept (bounded) so the
// row's commands (Edit and Resend, Save to .http, Copy as cURL) find the bytes.
// No vscode here: unit-tested with a real proxy and a real target.
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_PROXY_TIMEOUT_MS,
  Emitter,
  dropOldest,
  type Disposable,
  type ExchangeRequest,
  type ProxyExchange,
  type ProxyRule,
  type ProxyRuleRow,
  type ProxyState,
  type ProxyView,
  type TrafficRow,
  type WireplayProxy,
  type WireplayProxyOptions,
} from '../../server-core/index.js';
import type { ServerLog } from './server-api.js';
import type { ServerController } from './server-controller.js';

export interface ProxyStartOptions {
  /** The origin to forward to (http://host:port or https://host:port). */
  target: string;
  /** 0: a free port. */
  port: number;
  rewriteHost?: boolean;
  xForwarded?: boolean;
  insecure?: boolean;
  passMalformed?: boolean;
  /** ms; 0: no limit (the proxy's default, 30 s, when absent). */
  timeoutMs?: number;
  /** wireplay.proxy.rules as written: checked by the proxy. */
  rules?: readonly unknown[];
}

/** The wireplay.proxy.* keys applySettings() reads (rules go through setRules). */
export type ProxySettingKey = 'target' | 'port' | 'timeoutMs' | 'passMalformed' | 'rewriteHost' | 'xForwarded' | 'insecure';

/** What a settings change did to the running proxy. */
export type ProxySettingsResult =
  | { kind: 'not-running' }
  | { kind: 'unchanged' }
  /** Applied to the running proxy, no new listener: for requests from now on. */
  | { kind: 'applied'; changed: ProxySettingKey[] }
  /** A new port or target: the proxy was stopped (exchanges in flight finished) and started again with every setting. */
  | { kind: 'restarted'; changed: ProxySettingKey[]; result: ProxyStartResult };

export type ProxyStartResult =
  | { ok: true; url: string; target: string; warnings: readonly string[]; alreadyRunning?: boolean }
  | { ok: false; reason: 'invalid-target' | 'invalid-rules' | 'portInUse' | 'busy' | 'error'; message: string };

export type RulesResult = { ok: true; rules: readonly ProxyRule[] } | { ok: false; message: string };

/** An exchange a row stands for, with the origin it was forwarded to (the proxy may have been restarted since with another). */
export interface ProxiedRecord {
  exchange: ProxyExchange;
  origin: string;
}

export type ProxyFactory = (options: WireplayProxyOptions) => WireplayProxy;

/** Exchange records kept for the rows' commands (the traffic model keeps at most 5 000 rows). */
const MAX_RECORDS = 5000;

export class ProxyController implements Disposable {
  private proxy: WireplayProxy | undefined;
  private stateValue: ProxyState = 'stopped';
  private message: string | undefined;
  private readonly emitter = new Emitter<{ state: ProxyState }>((err) => this.log.error(`proxy state listener failed: ${String(err)}`));
  private readonly records = new Map<string, ProxiedRecord>();
  private links: Disposable[] = [];
  private disposed = false;

  constructor(
    private readonly server: Pick<ServerController, 'capture' | 'traffic' | 'store' | 'holdCapture'>,
    private readonly log: ServerLog,
    private readonly factory?: ProxyFactory,
  ) {}

  get state(): ProxyState {
    return this.stateValue;
  }

  onState(listener: (state: ProxyState) => void): Disposable {
    return this.emitter.on('state', listener);
  }

  view(): ProxyView {
    const a = this.proxy?.address;
    return {
      state: this.stateValue,
      ...(a && this.stateValue === 'running' ? { url: a.url } : {}),
      ...(this.proxy ? { target: this.proxy.target.origin } : {}),
      ...(this.message ? { message: this.message } : {}),
      ...(this.proxy && this.proxy.rules.length ? { rules: this.proxy.rules.map(ruleRow) } : {}),
    };
  }

  /**
   * Replaces the running proxy's rules (wireplay.proxy.rules changed): they apply to requests whose head
   * arrives from now on. A refused set (ProxyRuleError names the rule and the field) leaves the old one.
   */
  setRules(rules: readonly unknown[]): RulesResult {
    const proxy = this.proxy;
    if (!proxy || this.stateValue !== 'running') return { ok: false, message: 'the proxy is not running' };
    try {
      proxy.setRules(rules as ProxyRule[]);
    } catch (err) {
      return { ok: false, message: message(err) };
    }
    this.log.info(`proxy rules: ${proxy.rules.map((r) => `${r.id}${r.enabled === false ? ' (off)' : ''}`).join(', ') || 'none'}`);
    // The same state, announced again: the Server view lists the rules, and redraws on state events.
    this.setState('running');
    return { ok: true, rules: proxy.rules };
  }

  /** Turns one rule of the running proxy on or off, for this session (the setting is left as it is); its new state, or undefined when there is no such rule. */
  toggleRule(id: string, enabled?: boolean): boolean | undefined {
    const proxy = this.proxy;
    if (!proxy || this.stateValue !== 'running') return undefined;
    const rule = proxy.rules.find((r) => r.id === id);
    if (!rule) return undefined;
    const on = enabled ?? rule.enabled === false;
    const result = this.setRules(proxy.rules.map((r) => (r.id === id ? { ...r, enabled: on } : r)));
    return result.ok ? on : undefined;
  }

  async start(options: ProxyStartOptions): Promise<ProxyStartResult> {
    if (this.disposed) return { ok: false, reason: 'error', message: 'Wireplay is shutting down.' };
    if (this.stateValue === 'running' && this.proxy?.address) {
      return { ok: true, url: this.proxy.address.url, target: this.proxy.target.origin, warnings: this.proxy.warnings, alreadyRunning: true };
    }
    if (this.stateValue === 'starting' || this.stateValue === 'stopping' || this.startCalled) {
      return { ok: false, reason: 'busy', message: `The proxy is ${this.stateValue === 'stopping' ? 'stopping' : 'starting'}; try again in a moment.` };
    }
    // Set before the first await: a second Start Proxy in the meantime is told so, not a second proxy.
    this.startCalled = true;
    try {
      return await this.startNow(options);
    } finally {
      this.startCalled = false;
    }
  }

  private startCalled = false;
  /** The options of the running proxy (what applySettings compares with). */
  private startedWith: ProxyStartOptions | undefined;

  /**
   * wireplay.proxy.* changed (`keys`, as the configuration event says) while the proxy may run. A new
   * port, or a new non-empty target other than the running one, restarts it on the new listener (the
   * session's rules kept); the other settings apply to the running proxy at once. An emptied target
   * keeps the running one (Start Proxy… asked for it).
   */
  async applySettings(next: ProxyStartOptions, keys: ReadonlySet<ProxySettingKey>): Promise<ProxySettingsResult> {
    const proxy = this.proxy;
    const was = this.startedWith;
    if (!proxy || !was || this.stateValue !== 'running') return { kind: 'not-running' };
    const restartFor: ProxySettingKey[] = [];
    if (keys.has('port') && next.port !== was.port) restartFor.push('port');
    if (keys.has('target') && next.target !== '' && next.target !== was.target) restartFor.push('target');
    const live = (['timeoutMs', 'passMalformed', 'rewriteHost', 'xForwarded', 'insecure'] as const).filter((k) => keys.has(k) && liveValue(next, k) !== liveValue(was, k));
    if (restartFor.length > 0) {
      const options: ProxyStartOptions = { ...next, target: restartFor.includes('target') ? next.target : was.target, rules: proxy.rules };
      this.log.info(`proxy: ${restartFor.map((k) => `wireplay.proxy.${k}`).join(', ')} changed: restarting`);
      await this.stop();
      const result = await this.start(options);
      return { kind: 'restarted', changed: [...restartFor, ...live], result };
    }
    if (live.length === 0) return { kind: 'unchanged' };
    const update: Record<string, number | boolean> = {};
    for (const k of live) update[k] = liveValue(next, k);
    try {
      proxy.updateSettings(update);
    } catch (err) {
      this.log.error(`proxy settings not applied: ${message(err)}`);
      return { kind: 'unchanged' };
    }
    this.startedWith = { ...was, ...update };
    this.log.info(`proxy: ${live.map((k) => `wireplay.proxy.${k}`).join(', ')} applied`);
    this.message = proxy.warnings[0];
    this.setState('running');
    return { kind: 'applied', changed: live };
  }

  private async startNow(options: ProxyStartOptions): Promise<ProxyStartResult> {
    const core = await import('../../server-core/index.js');
    let proxy: WireplayProxy;
    try {
      proxy = (this.factory ?? core.createWireplayProxy)({
        target: options.target,
        host: '127.0.0.1',
        port: options.port,
        // Recorded into the window's capture through the relay below, not a store of its own.
        capture: false,
        rewriteHost: options.rewriteHost === true,
        xForwarded: options.xForwarded === true,
        insecure: options.insecure === true,
        passMalformed: options.passMalformed === true,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        rules: (options.rules ?? []) as ProxyRule[],
      });
    } catch (err) {
      if (err instanceof core.ProxyTargetError) return { ok: false, reason: 'invalid-target', message: err.message };
      if (err instanceof core.ProxyRuleError) return { ok: false, reason: 'invalid-rules', message: `wireplay.proxy.rules: ${err.message}` };
      return this.failed(`could not create the proxy: ${message(err)}`);
    }
    this.message = undefined;
    this.proxy = proxy;
    this.setState('starting');
    const hold = await this.server.holdCapture();
    this.links = [hold, ...this.relay(proxy)];
    try {
      const address = await proxy.listen();
      if (this.disposed) throw new Error('Wireplay is shutting down.');
      this.message = proxy.warnings[0];
      for (const w of proxy.warnings) this.log.warn(`proxy: ${w}`);
      this.log.info(`Wireplay proxy on ${address.url} → ${proxy.target.origin}`);
      this.startedWith = { ...options };
      this.setState('running');
      return { ok: true, url: address.url, target: proxy.target.origin, warnings: proxy.warnings };
    } catch (err) {
      this.unlink();
      this.proxy = undefined;
      await proxy.close().catch(() => undefined);
      const code = (err as NodeJS.ErrnoException)?.code;
      if (code === 'EADDRINUSE') {
        const msg = `Port ${options.port} on 127.0.0.1 is already in use (wireplay.proxy.port); the proxy did not start.`;
        this.failed(msg);
        return { ok: false, reason: 'portInUse', message: msg };
      }
      return this.failed(`the proxy could not listen on 127.0.0.1:${options.port}: ${message(err)}`);
    }
  }

  /** Closes the proxy gracefully (exchanges in flight finish, 5 s at most); false when none was running. */
  async stop(): Promise<boolean> {
    const proxy = this.proxy;
    if (!proxy || this.stateValue !== 'running') return false;
    const url = proxy.address?.url;
    this.setState('stopping');
    try {
      await proxy.close();
    } catch (err) {
      this.log.error(`error while closing the proxy: ${message(err)}`);
    } finally {
      this.unlink();
      this.proxy = undefined;
      this.startedWith = undefined;
      this.message = undefined;
      // Whatever the proxy did not report closed (it was destroyed) is closed now.
      this.server.traffic.closeAll((row) => row.role !== undefined);
      this.log.info(`proxy stopped (was ${url ?? '?'} → ${proxy.target.origin})`);
      this.setState('stopped');
    }
    return true;
  }

  /** The proxied exchange a traffic row (`connectionId#index`) stands for, while it is kept. */
  record(trafficId: string): ProxiedRecord | undefined {
    return this.records.get(trafficId);
  }

  /** The bytes a replay of that exchange starts from (exchange-request.ts); throws ReplayError when they are gone. */
  async requestBytes(record: ProxiedRecord): Promise<ExchangeRequest> {
    const { exchangeRequestBytes } = await import('../../server-core/index.js');
    return exchangeRequestBytes(record.exchange, (id) => this.server.store?.connection(id)?.entries);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.stop();
    if (this.proxy) {
      // Still starting: close what there is.
      this.unlink();
      this.proxy.dispose();
      this.proxy = undefined;
    }
    this.emitter.clear();
  }

  private relay(proxy: WireplayProxy): Disposable[] {
    const { capture, traffic } = this.server;
    const ev = proxy.captureEvents;
    const perConnection = new Map<string, number>();
    const ids = new Map<number, string>();
    const origin = proxy.target.origin;
    const row = (x: ProxyExchange): TrafficRow => {
      let id = ids.get(x.id);
      if (id === undefined) {
        const n = (perConnection.get(x.downstreamId) ?? 0) + 1;
        perConnection.set(x.downstreamId, n);
        id = `${x.downstreamId}#${n}`;
        ids.set(x.id, id);
      }
      this.keep(id, { exchange: x, origin });
      return proxiedTrafficRow(x, id, origin);
    };
    return [
      ev.on('open', (e) => {
        traffic.opened(e);
        capture.emit('open', e);
      }),
      ev.on('chunk', (e) => (traffic.chunk(e), capture.emit('chunk', e))),
      ev.on('switch', (e) => (traffic.switched(e), capture.emit('switch', e))),
      ev.on('close', (e) => {
        // Its exchanges are numbered already (ids); a closed client leg gets no new one.
        perConnection.delete(e.connectionId);
        traffic.closed(e);
        capture.emit('close', e);
      }),
      proxy.events.on('exchangeStart', (x) => traffic.proxied(row(x))),
      proxy.events.on('exchangeEnd', (x) => {
        traffic.proxied(row(x));
        ids.delete(x.id);
        const t = x.timings;
        const upstream = t.upstreamFirstByte !== undefined && t.forwarded !== undefined ? ` · upstream ${(t.upstreamFirstByte - t.forwarded).toFixed(1)} ms` : '';
        this.log.info(`proxy: ${x.method} ${x.target} → ${x.status ?? x.outcome ?? '?'}${x.answer ? ` (${x.answer})` : ''}${upstream}`);
      }),
      proxy.events.on('warning', (w) => this.log.warn(`proxy: ${w}`)),
    ];
  }

  private keep(id: string, record: ProxiedRecord): void {
    this.records.delete(id);
    this.records.set(id, record);
    dropOldest(this.records, MAX_RECORDS);
  }

  private unlink(): void {
    for (const d of this.links) d.dispose();
    this.links = [];
  }

  private failed(msg: string): ProxyStartResult {
    this.message = msg;
    this.log.error(msg);
    this.setState('failed');
    return { ok: false, reason: 'error', message: msg };
  }

  private setState(state: ProxyState): void {
    this.stateValue = state;
    this.emitter.emit('state', state);
  }
}

/** A live setting as the proxy takes it: absent is the proxy's default. */
function liveValue(o: ProxyStartOptions, key: 'timeoutMs' | 'passMalformed' | 'rewriteHost' | 'xForwarded' | 'insecure'): number | boolean {
  if (key === 'timeoutMs') return o.timeoutMs ?? DEFAULT_PROXY_TIMEOUT_MS;
  return o[key] === true;
}

/**
 * The Recent Traffic row of a proxied exchange (its client ↔ proxy leg), as the server's rows:
 * `durationMs` from the request's first byte to the response's first byte to the client.
 */
export function proxiedTrafficRow(x: ProxyExchange, id: string, origin: string, nowWall = Date.now(), nowMono = performance.now()): TrafficRow {
  const t = x.timings;
  const upstreamMs = t.upstreamFirstByte !== undefined && t.forwarded !== undefined ? t.upstreamFirstByte - t.forwarded : undefined;
  const proxyMs =
    upstreamMs !== undefined && t.requestHeadIn !== undefined && t.toClientFirstByte !== undefined ? t.forwarded! - t.requestHeadIn + (t.toClientFirstByte - t.upstreamFirstByte!) : undefined;
  return {
    id,
    connectionId: x.downstreamId,
    kind: 'http',
    method: x.method || '(malformed)',
    target: x.target,
    ...(x.status !== undefined ? { status: x.status } : {}),
    startedAt: nowWall - (nowMono - t.requestFirstByte),
    ...(t.toClientFirstByte !== undefined ? { durationMs: t.toClientFirstByte - t.requestFirstByte } : {}),
    done: x.outcome !== undefined,
    proxy: {
      origin,
      // Set by the proxy once its leg to the target connected (absent for a target that could not be reached).
      ...(x.upstreamId !== undefined ? { upstreamId: x.upstreamId } : {}),
      ...(x.answer !== undefined ? { answer: x.answer } : {}),
      ...(x.error !== undefined ? { error: x.error } : {}),
      ...(x.outcome !== undefined ? { outcome: x.outcome } : {}),
      ...(upstreamMs !== undefined ? { upstreamMs } : {}),
      ...(proxyMs !== undefined ? { proxyMs } : {}),
    },
  };
}

/** What the Server view says of a rule: where it applies, then what it does. */
export function ruleRow(rule: ProxyRule): ProxyRuleRow {
  const effects = [
    rule.respond ? `→ ${rule.respond.status}` : undefined,
    rule.latencyMs !== undefined ? `+${rule.latencyMs} ms` : undefined,
    rule.bytesPerSecond !== undefined ? `${rule.bytesPerSecond} B/s` : undefined,
    rule.dropAfterBytes !== undefined ? `drop after ${rule.dropAfterBytes} B` : undefined,
  ].filter(Boolean);
  return { id: rule.id, enabled: rule.enabled !== false, summary: `${rule.method ? `${rule.method} ` : ''}${rule.path}${effects.length ? ` ${effects.join(' · ')}` : ''}` };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
