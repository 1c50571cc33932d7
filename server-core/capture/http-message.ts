// The message a draft becomes (http-dissector.ts): its one-line summary, its
// tree (or the getter that builds it on demand), and the HTTP details the
// exports read. Used when a message ends — complete, cut or malformed — and,
// for an event stream, while it is still arriving (`open`).
import type { DissectedField } from './dissection-types.js';
import type { Direction } from './types.js';
import type { Draft, HttpMessage, HttpMessageDetail } from './http-dissection-types.js';
import { formatCount, previewPayload } from './format.js';
import { deferFields, type FieldTreeBuilder } from './lazy-fields.js';

export interface MessageParts {
  dir: Direction;
  end: number;
  tEnd: number;
  /** The "Event stream" field, when the response is one. */
  sse?: DissectedField;
  error?: { offset: number; message: string; code?: string };
  keepPayload: boolean;
  /** Builds the tree on demand, for a draft that was not built live. */
  deferredFields?: FieldTreeBuilder;
}

/** Values of the body and chunk fields, set once the sizes are known (the end, or a snapshot of an open stream). */
export function finishBodyFields(d: Draft): void {
  if (!d.eager) return;
  if (d.body) {
    const preview = Buffer.concat(d.bodyPreview);
    d.body.value = `${formatCount(d.bodySize)} B ${previewPayload(preview, d.bodySize)}`;
  }
  if (d.chunked) {
    d.chunked.value = `${formatCount(d.bodySize)} B in chunks`;
    for (const c of d.chunked.children ?? []) if (c.name === 'Chunk data') c.value = `${formatCount(c.range.end - c.range.start)} B`;
  }
}

/** `sseValue`: the "Event stream" field's value (e.g. '3 events'), when the response is one. */
export function messageSummary(d: Draft, dir: Direction, sseValue: string | undefined, malformed: boolean): string {
  const head = d.head;
  let summary: string;
  if (head?.kind === 'request') summary = `${head.method} ${head.target} HTTP/${head.versionMajor}.${head.versionMinor}`;
  else if (head?.kind === 'response') summary = `${head.statusCode}${head.reason ? ` ${head.reason}` : ''}`;
  else summary = dir === 'c2s' ? 'Malformed request' : 'Malformed response';
  if (head && d.bodySize > 0) summary += ` (${formatCount(d.bodySize)} B body)`;
  if (sseValue !== undefined) summary += ` · ${sseValue}`;
  if (malformed && head) summary += ' — malformed';
  return summary;
}

/** The HTTP details of a draft that has its head. */
export function messageDetail(d: Draft, complete: boolean, keepPayload: boolean): HttpMessageDetail | undefined {
  const head = d.head;
  if (!head) return undefined;
  const detail: HttpMessageDetail = {
    kind: head.kind,
    httpVersion: `HTTP/${head.versionMajor}.${head.versionMinor}`,
    headers: head.headers.map((h) => ({ name: h.name, value: h.value })),
    trailers: [],
    headSize: head.headSpan.end - head.headSpan.start,
    bodySize: d.bodySize,
    bodyRanges: d.bodyRanges,
    chunked: head.chunked,
    upgrade: head.upgrade,
    complete,
  };
  if (d.trailers) detail.trailers = d.trailers;
  if (head.kind === 'request') {
    detail.method = head.method;
    detail.target = head.target;
  } else {
    detail.statusCode = head.statusCode;
    detail.reason = head.reason;
    if (d.requestMethod !== undefined) detail.requestMethod = d.requestMethod;
  }
  if (keepPayload && !d.keepOverflow) detail.body = Buffer.concat(d.keptBody);
  return detail;
}

/** The message a draft ends as. */
export function buildHttpMessage(d: Draft, p: MessageParts): HttpMessage {
  if (d.eager && p.sse) d.fields.push(p.sse);
  if (d.eager && d.hiddenChunks > 0 && d.chunked) {
    d.chunked.children!.push({ name: 'More chunks', value: formatCount(d.hiddenChunks), explain: `${formatCount(d.hiddenChunks)} further chunks are not listed one by one`, range: { start: d.chunked.range.end, end: d.chunked.range.end } });
  }
  finishBodyFields(d);
  const summary = messageSummary(d, p.dir, p.sse?.value, p.error !== undefined);
  const kind = p.dir === 'c2s' ? 'http-request' : 'http-response';
  const base = { kind, protocol: 'http', dir: p.dir, range: { start: d.start, end: p.end }, tStart: d.tStart, tEnd: p.tEnd, summary } as const;
  // A draft that got no head (cut before its end) has no tree to defer.
  const msg: HttpMessage = d.eager || !p.deferredFields ? { ...base, fields: d.fields } : deferFields({ ...base }, p.deferredFields);
  if (d.sequence !== undefined) msg.sequence = d.sequence;
  if (p.error) msg.error = p.error;
  const detail = messageDetail(d, !p.error, p.keepPayload);
  if (detail) msg.http = detail;
  return msg;
}
