// What the commands on a proxied Recent Traffic row (Edit and Resend, Save to
// .http, Copy as cURL) start from: the row, the proxy's record of the exchange,
// and the request's bytes from the capture (server-core/proxy/exchange-request.ts:
// the target's leg when it was forwarded). Each failure is a sentence the
// command shows; nothing is made up when the bytes are gone.
import type { ExchangeRequest, TrafficRow } from '../../server-core/index.js';
import type { ProxiedRecord } from '../server/proxy-controller.js';
import { itemRef } from './item-ref.js';
import type { Services } from './types.js';

export type ProxiedRequest = { ok: true; row: TrafficRow; record: ProxiedRecord; request: ExchangeRequest; what: string } | { ok: false; reason: string };

export async function proxiedRequest(s: Services, target: unknown): Promise<ProxiedRequest> {
  const trafficId = itemRef(target, 'trafficId').trafficId;
  const row = trafficId ? s.controller.traffic.trafficById(trafficId) : undefined;
  if (!row) return { ok: false, reason: 'that exchange is no longer listed (the capture was cleared)' };
  if (!row.proxy) return { ok: false, reason: `${row.method} ${row.target} did not go through the proxy` };
  if (row.kind !== 'http') return { ok: false, reason: 'a WebSocket session is not a request to resend; only HTTP requests can' };
  const record = s.proxy.record(row.id);
  if (!record) return { ok: false, reason: 'the proxy no longer keeps that exchange (it keeps the last 5 000)' };
  const { ReplayError } = await import('../../server-core/index.js');
  try {
    const request = await s.proxy.requestBytes(record);
    return { ok: true, row, record, request, what: `${row.method} ${row.target} (${row.id}, through the proxy)` };
  } catch (err) {
    if (err instanceof ReplayError) return { ok: false, reason: err.message };
    throw err;
  }
}
