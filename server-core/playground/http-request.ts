// The composer's HTTP request (HttpRequestSpec, server-core/protocol/playground.ts) → the
// sender's RequestSpec, and the preview the composer shows: the exact bytes and
// every header the sender adds by itself. Content-Type for a JSON or form body
// is one of those automatic headers: shown, switchable off, replaced by a row
// of the user's own.
import { createRequestSpec, prepareRequest, type AutoHeaderName, type RequestSpec, type SpecBody } from '../client/request-spec.js';
import type { BodyKind, HeaderRow, HttpRequestSpec } from '../protocol/playground.js';

/** Auto rows the UI may switch off, by lower-case header name → the sender's toggle. */
const AUTO_NAMES: Record<string, AutoHeaderName> = {
  host: 'host',
  'user-agent': 'userAgent',
  accept: 'accept',
  connection: 'connection',
  'content-length': 'contentLength',
};

/** The Content-Type a body kind implies when the user did not write one. */
const IMPLIED_CONTENT_TYPE: Partial<Record<BodyKind, string>> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
};

/** Largest preview sent back to the UI, bytes (the head is always whole below this). */
export const PREVIEW_LIMIT = 64 * 1024;

interface Translation {
  spec: RequestSpec;
  /** True when the Content-Type header in `spec` was added here, not written by the user. */
  autoContentType: boolean;
}

function translate(ui: HttpRequestSpec): Translation {
  const autoHeaders: Partial<Record<AutoHeaderName, boolean>> = {};
  const headers: { name: string; value: string; enabled: boolean }[] = [];
  let contentTypeOff = false;
  for (const h of ui.headers) {
    if (h.auto) {
      // An auto row only ever says "leave this one out"; an enabled one is the default.
      if (h.enabled) continue;
      const lower = h.name.trim().toLowerCase();
      if (lower === 'content-type') contentTypeOff = true;
      else if (AUTO_NAMES[lower]) autoHeaders[AUTO_NAMES[lower]] = false;
    } else headers.push({ name: h.name, value: h.value, enabled: h.enabled && h.name.trim() !== '' });
  }
  const userType = headers.some((h) => h.enabled && h.name.trim().toLowerCase() === 'content-type');
  const implied = IMPLIED_CONTENT_TYPE[ui.body.kind];
  const autoContentType = implied !== undefined && !userType && !contentTypeOff;
  if (autoContentType) headers.push({ name: 'Content-Type', value: implied, enabled: true });
  let body: SpecBody;
  switch (ui.body.kind) {
    case 'none':
      body = { kind: 'none' };
      break;
    case 'text':
    case 'json':
      body = { kind: 'text', text: ui.body.text ?? '' };
      break;
    case 'form':
      body = { kind: 'text', text: new URLSearchParams((ui.body.form ?? []).filter((f) => f.name !== '').map((f) => [f.name, f.value])).toString() };
      break;
    case 'file':
      body = { kind: 'base64', data: ui.body.fileBase64 ?? '' };
      break;
  }
  const spec = createRequestSpec({
    method: ui.method,
    url: ui.url,
    headers,
    body,
    options: { followRedirects: ui.followRedirects ?? false, timeoutMs: ui.timeoutMs ?? 30_000, autoHeaders },
  });
  return { spec, autoContentType };
}

/** The UI's request → the sender's RequestSpec (auto headers switched off by name; JSON and form bodies typed unless that is switched off or overridden). */
export function toRequestSpec(ui: HttpRequestSpec): RequestSpec {
  return translate(ui).spec;
}

export interface RequestPreview {
  /** The exact bytes, cut at PREVIEW_LIMIT. */
  bytes: Buffer;
  /** The headers the sender adds by itself, in wire order. */
  autoHeaders: HeaderRow[];
}

/** What the composer shows before sending. Throws RequestSpecError for a request that cannot be built. */
export function previewRequest(ui: HttpRequestSpec): RequestPreview {
  const { spec, autoContentType } = translate(ui);
  const prepared = prepareRequest(spec);
  const autoHeaders: HeaderRow[] = prepared.headers
    // The implied Content-Type is the only one in the request when it was added (a user's enabled one suppresses it).
    .filter((h) => h.auto || (autoContentType && h.name.toLowerCase() === 'content-type'))
    .map((h) => ({ name: h.name, value: h.value, enabled: true, auto: true }));
  const bytes = prepared.bytes.length > PREVIEW_LIMIT ? prepared.bytes.subarray(0, PREVIEW_LIMIT) : prepared.bytes;
  return { bytes, autoHeaders };
}
