// The only changes the proxy ever makes to a forwarded request, and only when
// the user turns them on: the Host value replaced by the target's, and
// X-Forwarded-For / -Host / -Proto added. Pure: the head's bytes and its parsed
// spans in, the new bytes and the list of edits out (each edit says where, what
// went and what came), so the capture and the exchange record can say exactly
// which bytes differ between the two legs. Everything else stays as written.
import type { RequestHead } from '../http/parser-types.js';
import type { RewriteEdit } from './types.js';

export interface RewriteOptions {
  /** Replace the Host value by this (the target's host[:port]). */
  host?: string;
  /** Add X-Forwarded-* for this client address and scheme. */
  forwarded?: { for: string; proto: 'http' | 'https' };
}

export interface RewriteResult {
  bytes: Buffer;
  edits: RewriteEdit[];
}

/**
 * `bytes` holds the request from its first byte through the end of its head; `base` is the parser
 * offset of bytes[0] (head spans are parser offsets). Returns the bytes unchanged (the same buffer)
 * when no edit applies.
 */
export function rewriteRequestHead(bytes: Buffer, head: RequestHead, base: number, options: RewriteOptions): RewriteResult {
  const edits: RewriteEdit[] = [];
  const field = (name: string) => head.headers.find((h) => h.name.toLowerCase() === name);
  if (options.host !== undefined) {
    const host = field('host');
    if (host && host.value !== options.host) {
      edits.push({ kind: 'host', at: host.valueSpan.start - base, removed: host.value, inserted: options.host });
    }
  }
  if (options.forwarded) {
    // The empty line that ends the head: new fields go right before it, in this order.
    const end = head.headSpan.end - 2 - base;
    const xff = field('x-forwarded-for');
    if (xff) edits.push({ kind: 'x-forwarded-for', at: xff.valueSpan.end - base, removed: '', inserted: `${xff.value === '' ? '' : ', '}${options.forwarded.for}` });
    else edits.push({ kind: 'x-forwarded-for', at: end, removed: '', inserted: `X-Forwarded-For: ${options.forwarded.for}\r\n` });
    const host = field('host');
    if (!field('x-forwarded-host') && host) edits.push({ kind: 'x-forwarded-host', at: end, removed: '', inserted: `X-Forwarded-Host: ${host.value}\r\n` });
    if (!field('x-forwarded-proto')) edits.push({ kind: 'x-forwarded-proto', at: end, removed: '', inserted: `X-Forwarded-Proto: ${options.forwarded.proto}\r\n` });
  }
  if (edits.length === 0) return { bytes, edits };
  return { bytes: applyEdits(bytes, edits), edits };
}

/** Applies edits (positions in the original bytes; equal positions keep their order). */
export function applyEdits(bytes: Buffer, edits: readonly RewriteEdit[]): Buffer {
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  const parts: Buffer[] = [];
  let at = 0;
  for (const { e } of sorted) {
    parts.push(bytes.subarray(at, e.at), Buffer.from(e.inserted, 'latin1'));
    at = e.at + Buffer.byteLength(e.removed, 'latin1');
  }
  parts.push(bytes.subarray(at));
  return Buffer.concat(parts);
}
