// What the script engine is handed about a request and its response, built
// from the `.http` runner's own values: the request as written (for
// pre-request scripts, `{{variables}}` replaced as far as they are known so
// far, and the raw text for JetBrains' `getRaw()`), the request as sent, and
// the response as received (bytes, headers in wire order, timings) — and,
// the other way, the edits an httpYac script made to `request`, applied to
// what is sent.
import type { HttpSendResult } from '../client/http-sender.js';
import type { RequestSpec } from '../client/request-spec.js';
import type { HeaderPair, JsonValue, ScriptRequestInput, ScriptResponseInput, ScriptResult } from '../scripts/index.js';
import type { ResolvedRequest } from './resolve-block.js';
import type { BodyPart, Diagnostic, RequestBlock } from './types.js';
import { substitute, type VariableContext } from './variables.js';

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
        return { method: block.method.toUpperCase() === 'GRAPHQL' ? 'POST' : block.method.toUpperCase() === 'SSE' ? 'GET' : block.method.toUpperCase(), url: block.url, headers: block.headers.map((h): HeaderPair => [h.name, h.value]), body };
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

/** `{{name}}` replaced where it resolves; dynamic variables (`{{$uuid}}`) and unknown names left as written. */
export function partialSubstitute(text: string, ctx: VariableContext): string {
  return text.replace(/\{\{\s*([^}$][^}]*?)\s*\}\}/g, (whole) => {
    const s = substitute(whole, ctx);
    return s.unresolved.length ? whole : s.text;
  });
}

/**
 * httpYac scripts may edit `request` before it is sent. What they changed (against what they were
 * shown) is applied to the resolved request: the method, the URL, the headers they set or removed,
 * the body. Only HTTP requests can be edited; anything else is refused at the script's line.
 */
export function applyRequestChanges(request: ResolvedRequest, shown: { method: string; url: string; headers: [string, string][]; body?: string }, changes: NonNullable<ScriptResult['requestChanges']>, block: RequestBlock): Diagnostic | undefined {
  if (request.kind !== 'http') {
    const line = block.scripts.find((s) => s.phase === 'before')?.range.startLine ?? block.requestLine;
    return { line, column: 0, endLine: line, endColumn: Number.MAX_SAFE_INTEGER, message: `a script edited \`request\`, which only HTTP requests support (this is a ${block.kind} block)`, severity: 'error', code: 'script' };
  }
  const spec: RequestSpec = request.spec;
  if (changes.method !== shown.method) spec.method = changes.method;
  if (changes.url !== shown.url) spec.url = changes.url;
  const byName = (list: [string, string][]) => {
    const m = new Map<string, string[]>();
    for (const [n, v] of list) m.set(n.toLowerCase(), [...(m.get(n.toLowerCase()) ?? []), v]);
    return m;
  };
  const before = byName(shown.headers);
  const after = byName(changes.headers);
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    if (JSON.stringify(before.get(name)) === JSON.stringify(after.get(name))) continue;
    spec.headers = spec.headers.filter((h) => h.name.toLowerCase() !== name);
    for (const [n, v] of changes.headers) if (n.toLowerCase() === name) spec.headers.push({ name: n, value: v, enabled: true });
  }
  if (changes.body !== undefined && changes.body !== shown.body) spec.body = { kind: 'text', text: changes.body };
  return undefined;
}
