// The proxy's public entry: the facade, its types, and the pure helpers the
// UI will wire (rules, replay of captured requests).
export { createWireplayProxy, DEFAULT_PROXY_TIMEOUT_MS, type WireplayProxy, type ProxyLiveSettings } from './wireplay-proxy.js';
export { compileRules, matchRule, pathOfTarget, ProxyRuleError } from './rules.js';
export { parseProxyTarget, ProxyTargetError, type ProxyTarget } from './target.js';
export type * from './types.js';
export { capturedRequestBytes, curlFromBytes, parseCapturedRequest, ReplayError, requestSpecFromBytes } from './replay.js';
export { httpBlockFromBytes, type HttpBlockText } from './http-block.js';
export { applyEdits } from './head-rewrite.js';
export { exchangeRequestBytes, type ExchangeRequest } from './exchange-request.js';
