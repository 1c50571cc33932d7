// What every connection of one proxy shares with it: the settings taken from
// the options once, the capture emitter, the live rules, the id counters and
// the exchange and connection callbacks.
import type { HttpParserLimits } from '../http/parser-types.js';
import type { CaptureSink } from './capture-queue.js';
import type { Exchange } from './exchange.js';
import type { ProxyConnection } from './proxy-connection.js';
import type { CompiledRule } from './rules.js';
import type { ProxyTarget } from './target.js';

export interface ProxySettings {
  target: ProxyTarget;
  timeoutMs: number;
  passMalformed: boolean;
  rewriteHost: boolean;
  xForwarded: boolean;
  insecure: boolean;
  parserLimits: Partial<HttpParserLimits>;
}

/** What every connection shares with its proxy. */
export interface ProxyConnectionContext {
  readonly settings: ProxySettings;
  /** Where the legs' capture events go (a CaptureQueue in front of the proxy's captureEvents). */
  readonly capture: CaptureSink;
  rules(): readonly CompiledRule[];
  nextExchangeId(): number;
  nextUpstreamId(): string;
  exchangeStarted(ex: Exchange): void;
  exchangeEnded(ex: Exchange): void;
  closed(conn: ProxyConnection): void;
}
