// "Copy as cURL" for a row of Recent Traffic: the request as the capture holds
// it (the bytes the server received), read through the HAR export's dissection
// and written by the same toCurl() as "Copy Request as cURL" in .http files.
// The command says why when a request cannot be reproduced exactly (not in the
// capture any more, cut short, a body larger than the export keeps) instead of
// copying something else. No vscode here.
import type { CapturedConnection } from '../../server-core/capture/capture-store.js';

export type CurlResult = { ok: true; command: string } | { ok: false; reason: string };

/** The `index`-th request (1-based, the server's numbering) of a captured connection as a curl command. */
export async function capturedRequestAsCurl(conn: CapturedConnection, index: number): Promise<CurlResult> {
  const [{ toHar, harToRequestSpecs }, { toCurl }, { DEFAULT_REQUEST_OPTIONS }] = await Promise.all([
    import('../../server-core/export/har.js'),
    import('../../server-core/export/curl.js'),
    import('../../server-core/client/request-spec.js'),
  ]);
  const entries = toHar([conn], { dedupePeers: false }).log.entries;
  const entry = entries[index - 1];
  if (!entry) return { ok: false, reason: `request ${index} of ${conn.id} is no longer in the capture (the oldest bytes are dropped past wireplay.capture.maxBytes)` };
  if (entry.comment) return { ok: false, reason: `${entry.comment.toLowerCase()}, so curl could not send the same bytes` };
  const sent = entry.request.postData;
  const kept = sent ? Buffer.from(sent.text ?? '', sent._encoding === 'base64' ? 'base64' : 'utf8').length : 0;
  if (entry.request.bodySize > kept) return { ok: false, reason: `its body (${entry.request.bodySize} bytes) is larger than the capture keeps for an export` };
  // Every header exactly as received (Host and Content-Length included): nothing added, nothing left for curl to add.
  const options = { ...DEFAULT_REQUEST_OPTIONS, timeoutMs: 0, autoHeaders: { host: false, userAgent: false, accept: false, connection: false, contentLength: false } };
  const [spec] = harToRequestSpecs({ log: { ...toHar([]).log, entries: [entry] } }, { options });
  return { ok: true, command: toCurl(spec) };
}
