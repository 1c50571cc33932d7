// What the script engine is handed about a request and its response, built
// from the `.http` runner's own values: the request as written (for
// pre-request scripts, `{{variables}}` replaced as far as they are known so
// far, and the raw text for JetBrains' `getRaw()`), the request as sent, and
// the response as received (bytes, headers in wire order, timings).
import type { HttpSendResult } from '../client/http-sender.js';
import type { HeaderPair, JsonValue, ScriptRequestInput, ScriptResponseInput } from '../scripts/index.js';
import type { ResolvedRequest } from './resolve-block.js';
import type { BodyPart, RequestBlock } from './types.js';

/** Replaces the `{{names}}` it can in a text of the file; leaves the others as written. */
export type PartialSubstitute = (text: string) => string;

function bodyText(parts: readonly BodyPart[]): string {
  return parts.map((p) => (p.kind === 'text' ? p.text : `<${p.processVariables ? '@' : ''}${p.encoding ?? ''} ${p.path}`)).join('\n');
}

/** The request a pre-request script sees: as it will be sent with the variables known so far. */
export function requestBeforeSending(block: RequestBlock, substitute: PartialSubstitute): ScriptRequestInput {
  const raw = (() => {
    switch (block.kind) {
      case 'http': {
        const body = block.graphql ? `${bodyText(block.graphql.query)}\n\n${bodyText(block.graphql.variables)}`.trim() : bodyText(block.body);
        return { method: block.method.toUpperCase() === 'GRAPHQL' ? 'POST' : block.method.toUpperCase(), url: block.url, headers: block.headers.map((h): HeaderPair => [h.name, h.value]), body };
      }
      case 'websocket':
        return { method: 'GET', url: block.url, headers: block.headers.map((h): HeaderPair => [h.name, h.value]), body: '' };
      case 'raw':
        return { method: 'RAW', url: block.url, headers: [] as HeaderPair[], body: block.payload };
    }
  })();
  const input: ScriptRequestInput = {
    method: raw.method,
    url: substitute(raw.url),
    headers: raw.headers.map(([n, v]): HeaderPair => [substitute(n), substitute(v)]),
    raw: { url: raw.url, headers: raw.headers, ...(raw.body ? { body: raw.body } : {}) },
  };
  if (raw.body) input.body = substitute(raw.body);
  return input;
}

/** The request as it went out (the last hop when redirects were followed). */
export function requestAsSent(result: HttpSendResult, raw?: ScriptRequestInput['raw']): ScriptRequestInput {
  const r = result.request;
  const input: ScriptRequestInput = { method: r.method, url: r.url.toString(), headers: r.headers.map((h): HeaderPair => [h.name, h.value]) };
  if (r.body.kind === 'bytes' && r.body.bytes.length) input.body = r.body.bytes.toString('utf8');
  if (raw) input.raw = raw;
  return input;
}

/** A resolved WebSocket request as the handler's `request` sees it. */
export function webSocketRequest(request: Extract<ResolvedRequest, { kind: 'websocket' }>, raw?: ScriptRequestInput['raw']): ScriptRequestInput {
  const headers = request.headers.map((h): HeaderPair => [h.name, h.value]);
  if (request.protocols.length) headers.push(['Sec-WebSocket-Protocol', request.protocols.join(', ')]);
  return { method: 'GET', url: request.url, headers, ...(raw ? { raw } : {}) };
}

/** The response as received, for handlers and `??` lines. */
export function responseFromHttp(result: HttpSendResult): ScriptResponseInput {
  const r = result.response;
  const t = result.timings;
  return {
    status: r.statusCode,
    statusText: r.reason,
    httpVersion: r.httpVersion,
    headers: r.headers.map((h): HeaderPair => [h.name, h.value]),
    body: r.decodedBody ?? r.body,
    durationMs: t.total,
    timings: { total: t.total, firstByte: t.firstByte, download: t.download, tcp: t.connect, tls: t.tls },
  };
}

/**
 * Content types whose body is a stream of lines for JetBrains' `response.body.onEachLine`: Server-Sent
 * Events and the line-delimited JSON types. Any other body is handed whole (`response.body` parsed).
 */
export function isLineStream(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return ['text/event-stream', 'application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/stream+json', 'application/json-seq'].includes(type);
}

/** A value a script set, as the text that `{{name}}` becomes: strings as they are, anything else as JSON. */
export function variableText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function asTextRecord(values: Readonly<Record<string, JsonValue>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) out[k] = variableText(v);
  return out;
}
