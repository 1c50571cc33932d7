// The `wireplay.*` settings as one typed, validated object. No vscode here: the
// adapter in settings.ts hands in a getter, so this is unit-tested with plain maps.
import type { ConcurrencyMode, ServerLimits } from '../../server-core/index.js';
import type { RoutesLimits } from '../server/server-api.js';

export interface WireplaySettings {
  host: string;
  port: number;
  mode: ConcurrencyMode;
  /** As written in the settings; '' means the first workspace folder. */
  staticRoot: string;
  routesFile: string;
  /** wireplay.routes.*: the routes file's size cap and the time its code has to answer; unset keys keep server-core's defaults. */
  routesLimits: RoutesLimits;
  autoStart: boolean;
  captureMaxBytes: number;
  limits: Partial<ServerLimits>;
  wsMaxMessageBytes: number;
  environments: Record<string, Record<string, string>>;
  /** wireplay.proxy.*: read by Wireplay: Start Proxy… when it starts, and applied to the running proxy when they change (SettingsWatcher). */
  proxy: ProxySettings;
}

export interface ProxySettings {
  /** The origin Start Proxy… offers (http://host:port or https://host:port); '' asks with no default. */
  target: string;
  /** The port the proxy listens on, on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Accept any TLS certificate of an https:// target (a local self-signed one); the proxy warns. */
  insecure: boolean;
  /** Forward a malformed request as it is (and tunnel the rest of its connection) instead of answering 400. */
  passMalformed: boolean;
  /** ms the target has to connect and start answering; then 504. 0: no limit. */
  timeoutMs: number;
  rewriteHost: boolean;
  xForwarded: boolean;
  /** wireplay.proxy.rules as written: the proxy checks them (ProxyRuleError names the rule and the field). */
  rules: unknown[];
}

export const DEFAULT_HOST = '127.0.0.1';
const MIB = 1024 * 1024;

/** Setting key (after `wireplay.`) → limit name in server-core's ServerLimits. */
export const LIMIT_KEYS = {
  'limits.maxHeaderBytes': 'maxHeaderBytes',
  'limits.maxHeaderCount': 'maxHeaderCount',
  'limits.maxBodyBytes': 'maxBodyBytes',
  'limits.headersTimeout': 'headersTimeout',
  'limits.requestTimeout': 'requestTimeout',
  'limits.keepAliveTimeout': 'keepAliveTimeout',
  'limits.maxConnections': 'maxConnections',
} as const satisfies Record<string, keyof ServerLimits>;

/** Setting key (after `wireplay.`) → routes limit name. */
export const ROUTES_LIMIT_KEYS = {
  'routes.maxFileBytes': 'maxFileBytes',
  'routes.handlerTimeoutMs': 'handlerTimeoutMs',
} as const satisfies Record<string, keyof RoutesLimits>;

/** Settings that a running server picks up at once; every other one needs a restart. */
export const LIVE_KEYS = ['mode', 'autoStart', 'environments'] as const;

/** Applies at the next Clear Capture (the capture is a ring of that size; resizing means starting it afresh). */
export const CLEAR_KEYS = ['capture.maxBytes'] as const;

/** Keys that take effect at the next (re)start of the server. */
export const RESTART_KEYS = [
  'host',
  'port',
  'staticRoot',
  'routesFile',
  ...Object.keys(ROUTES_LIMIT_KEYS),
  'limits',
  'limits.maxWebSocketMessageBytes',
  ...Object.keys(LIMIT_KEYS),
] as const;

export type Getter = (key: string) => unknown;

function positive(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}

function str(v: unknown, fallback: string): string {
  return typeof v === 'string' ? v.trim() : fallback;
}

export function readSettings(get: Getter): WireplaySettings {
  const port = get('port');
  const proxyPort = get('proxy.port');
  const proxyTimeout = get('proxy.timeoutMs');
  const proxyRules = get('proxy.rules');
  const mode = get('mode');
  const limits: Partial<ServerLimits> = {};
  for (const [key, name] of Object.entries(LIMIT_KEYS)) {
    const v = get(key);
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) limits[name] = v;
  }
  const routesLimits: RoutesLimits = {};
  for (const [key, name] of Object.entries(ROUTES_LIMIT_KEYS)) {
    const v = get(key);
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) routesLimits[name] = Math.floor(v);
  }
  const envs = get('environments');
  const environments: Record<string, Record<string, string>> = {};
  if (envs && typeof envs === 'object' && !Array.isArray(envs)) {
    for (const [name, vars] of Object.entries(envs as Record<string, unknown>)) {
      if (!vars || typeof vars !== 'object' || Array.isArray(vars)) continue;
      environments[name] = Object.fromEntries(Object.entries(vars as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    }
  }
  return {
    host: str(get('host'), DEFAULT_HOST) || DEFAULT_HOST,
    port: typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 0,
    mode: mode === 'sequential' ? 'sequential' : 'concurrent',
    staticRoot: str(get('staticRoot'), ''),
    routesFile: str(get('routesFile'), ''),
    routesLimits,
    autoStart: get('autoStart') === true,
    captureMaxBytes: positive(get('capture.maxBytes'), 64 * MIB),
    limits,
    wsMaxMessageBytes: positive(get('limits.maxWebSocketMessageBytes'), 64 * MIB),
    environments,
    proxy: {
      target: str(get('proxy.target'), ''),
      port: typeof proxyPort === 'number' && Number.isInteger(proxyPort) && proxyPort >= 0 && proxyPort <= 65535 ? proxyPort : 0,
      insecure: get('proxy.insecure') === true,
      passMalformed: get('proxy.passMalformed') === true,
      timeoutMs: typeof proxyTimeout === 'number' && Number.isInteger(proxyTimeout) && proxyTimeout >= 0 ? proxyTimeout : 30_000,
      rewriteHost: get('proxy.rewriteHost') === true,
      xForwarded: get('proxy.xForwarded') === true,
      rules: Array.isArray(proxyRules) ? proxyRules : [],
    },
  };
}

/** True for the loopback addresses that need no warning. */
export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Which changed keys (after `wireplay.`) need a restart of a running server. */
export function needsRestart(changed: (key: string) => boolean): string[] {
  return RESTART_KEYS.filter((k) => k !== 'limits' && changed(k));
}
