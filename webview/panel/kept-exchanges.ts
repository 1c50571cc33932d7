// HTTP results across a reload. The host sends the exchanges it kept with a
// capture snapshot (mergeExchanges). A VS Code window reload also restarts the
// host, which forgets every capture, so the panel state keeps the selected
// connection's results too (small: bodies cut), and restores them when the host
// no longer knows that connection.
import type { ConnectionInfo, HttpExchangeView, HttpRequestSpec } from '../../server-core/protocol/playground.js';
import type { ConnCapture, HttpExchange } from './conn-capture.js';
import type { Store } from './store.js';

/** Characters of base64 body kept per exchange in the panel state (a multiple of 4: whole bytes). */
export const KEPT_BODY_CHARS = 16 * 1024;
/** Exchanges kept in the panel state (the newest). */
export const KEPT_EXCHANGES = 5;

export interface KeptConnection {
  info: ConnectionInfo;
  http: HttpExchangeView[];
}

/** Adds the host's exchanges a connection lacks and fills in results it has not seen. True if anything changed. */
export function mergeExchanges(c: ConnCapture, views: HttpExchangeView[]): boolean {
  let changed = false;
  for (const v of views) {
    const x = c.http.find((h) => h.reqId === v.reqId);
    if (!x) {
      c.http.push(fromView(v));
      changed = true;
    } else if (!x.response && !x.error && (v.response || v.error)) {
      x.response = v.response;
      x.timing = v.timing;
      x.error = v.error;
      if (v.failure) x.failure = v.failure;
      x.spec ??= v.spec;
      changed = true;
    }
  }
  if (changed) c.version++;
  return changed;
}

function fromView(v: HttpExchangeView): HttpExchange {
  const x: HttpExchange = { reqId: v.reqId, spec: v.spec, tSent: 0 };
  if (v.response) x.response = v.response;
  if (v.timing) x.timing = v.timing;
  if (v.error) x.error = v.error;
  if (v.failure) x.failure = v.failure;
  return x;
}

function slimSpec(spec: HttpRequestSpec): HttpRequestSpec {
  // Only the method and URL are shown again; a body could be large.
  return { method: spec.method, url: spec.url, headers: [], body: { kind: spec.body.kind } };
}

/** What the panel state keeps of a connection, or undefined when it has no finished HTTP exchange. */
export function keepConnection(c: ConnCapture | undefined): KeptConnection | undefined {
  if (!c) return undefined;
  const done = c.http.filter((x) => x.spec && (x.response || x.error)).slice(-KEPT_EXCHANGES);
  if (!done.length) return undefined;
  return {
    info: c.info,
    http: done.map((x) => {
      const v: HttpExchangeView = { reqId: x.reqId, spec: slimSpec(x.spec!) };
      if (x.response) {
        const cut = x.response.body.length > KEPT_BODY_CHARS;
        v.response = { ...x.response, body: cut ? x.response.body.slice(0, KEPT_BODY_CHARS) : x.response.body, bodyTruncated: x.response.bodyTruncated || cut };
      }
      if (x.timing) v.timing = x.timing;
      if (x.error) v.error = x.error;
      if (x.failure) v.failure = x.failure;
      return v;
    }),
  };
}

/** What a restored connection's label ends with (the network list shows it as a note). */
export const RESTORED_SUFFIX = ' (restored after a reload)';

/** Puts a kept connection back in the store, labelled as restored; the host has no bytes for it. */
export function restoreConnection(store: Store, kept: KeptConnection): ConnCapture {
  const suffix = RESTORED_SUFFIX;
  const label = kept.info.label.endsWith(suffix) ? kept.info.label : `${kept.info.label}${suffix}`;
  const c = store.open({ ...kept.info, label });
  mergeExchanges(c, kept.http);
  store.changed(c.info.connectionId);
  return c;
}

/** A kept connection from saved state, if it has the expected shape (saved state may come from an older version). */
export function isKeptConnection(v: unknown): v is KeptConnection {
  const k = v as KeptConnection | undefined;
  return !!k && typeof k === 'object' && typeof k.info?.connectionId === 'string' && Array.isArray(k.http);
}
