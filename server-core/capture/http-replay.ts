// Deferred HTTP field trees: with the capture store, a message's tree is not
// built live; it is built when `fields` is first read, by dissecting the
// message's bytes again from the store with the answers the live connection
// gave (its sequence and, for a response, the request's method): the same
// parser callbacks in the same order, so the same tree. The same replay gives
// a draft its tree so far when its bytes are about to leave the store (pin),
// and an error found in a deferred message its exact tree.
//
// A body that is one run of bytes (Content-Length, or read until the close)
// shows only its size and its first bytes in the tree, so a complete message's
// replay stops after its head and the preview, and the body field is finished
// from the sizes the live dissection recorded: building the tree of a 1 MiB
// response (when its first bytes leave the store, or when a view reads it)
// reads a few hundred bytes, not the megabyte. When such a message's first
// bytes leave the store, it keeps a copy of those few hundred bytes (keep) and
// its tree stays on demand: nothing is built just to drop bytes. Chunked
// bodies (a field per chunk), event streams and malformed messages are
// replayed whole, and built before their bytes go.
//
// The dissector is passed in (`make`) rather than imported: http-dissector.ts
// uses this module, and a replay is one more instance of it.
import type { DissectedField, DissectedMessage } from './dissection-types.js';
import type { Direction } from './types.js';
import type { Draft, HttpDirectionHost, HttpDissectorOptions, HttpMessage, StoredStream } from './http-dissection-types.js';
import { deferredFields, type FieldTreeBuilder } from './lazy-fields.js';
import { notKept } from './http-fields.js';
import { finishBodyFields } from './http-message.js';
import { isEventStreamContentType } from '../sse/media-type.js';

/** Bytes fed to replays, counted (test/unit/capture/lazy-fields.test.ts). Only ever increases. */
export const replayStats = { bytes: 0 };

/** What a replay needs of a direction dissector. */
export interface ReplayableDissector {
  push(bytes: Buffer, t: number): void;
  end(t: number): void;
  /** The message still in progress after the bytes, if any. */
  readonly draftInProgress: Draft | undefined;
}

export type DissectorMaker = (dir: Direction, start: number, host: HttpDirectionHost, opts: HttpDissectorOptions) => ReplayableDissector;

/** Dissects one message's bytes again, on its own, with the answers the live connection gave. */
export function replay(
  make: DissectorMaker,
  dir: Direction,
  start: number,
  bytes: Buffer[],
  opts: HttpDissectorOptions,
  sequence: number | undefined,
  requestMethod: string | undefined,
  end: boolean,
): { emitted: HttpMessage[]; draft: Draft | undefined } {
  const emitted: HttpMessage[] = [];
  const seq = sequence ?? 0;
  const host: HttpDirectionHost = {
    requestHead: () => seq,
    responseHead: () => (requestMethod === undefined ? { sequence: seq } : { sequence: seq, method: requestMethod }),
    emit: (m) => emitted.push(m),
    upgraded: () => undefined,
    failed: () => undefined,
  };
  // On its own: no deferral, and no early emission of an open stream (the first message emitted is the one).
  const dissector = make(dir, start, host, { ...opts, deferred: undefined, openStreams: false });
  for (const b of bytes) {
    replayStats.bytes += b.length;
    dissector.push(b, 0);
  }
  if (end) dissector.end(0);
  return { emitted, draft: dissector.draftInProgress };
}

/**
 * What builds a message's tree from `stored` (cached there) when its `fields` is read, shared by every
 * message of one direction (lazy-fields.ts).
 */
export function deferredTreeDescriptor(make: DissectorMaker, dir: Direction, stored: StoredStream, opts: HttpDissectorOptions): FieldTreeBuilder {
  const { parserLimits, maxFieldsPerMessage, previewBytes, maxMessageBytes } = opts;
  const eager: HttpDissectorOptions = { keepPayload: false, previewBytes, maxMessageBytes, maxFieldsPerMessage, parserLimits };
  const fromStore = (start: number, end: number) => stored.parts(dir, start, end);
  return deferredFields({
    build: (m: DissectedMessage) => {
      let tree = stored.cache.get(m);
      if (tree === undefined) {
        const kept = (m as KeptHead)[KEPT_HEAD];
        tree = headAndPreviewTree(make, dir, kept ? () => [kept] : fromStore, eager, m as HttpMessage);
        if (tree === undefined && kept === undefined) {
          const bytes = stored.parts(dir, m.range.start, m.range.end);
          const again = bytes && replay(make, dir, m.range.start, bytes, eager, m.sequence, (m as HttpMessage).http?.requestMethod, true);
          tree = again?.emitted[0]?.fields;
        }
        tree ??= notKept(m.range);
        stored.cache.set(m, tree);
      }
      return tree;
    },
    keep: (m: DissectedMessage) => {
      if ((m as KeptHead)[KEPT_HEAD] !== undefined) return true;
      const body = previewedBody(m as HttpMessage, previewBytes);
      const parts = body && stored.parts(dir, m.range.start, body.start + previewBytes);
      if (!parts) return false;
      // An exact copy (not a slice of Node's pool): a few hundred bytes per partly dropped message, at most one per direction.
      let n = 0;
      for (const b of parts) n += b.length;
      const head = Buffer.allocUnsafeSlow(n);
      n = 0;
      for (const b of parts) n += b.copy(head, n);
      Object.defineProperty(m, KEPT_HEAD, { value: head, writable: false, enumerable: false, configurable: true });
      return true;
    },
  });
}

/** The head and body preview of a message whose first bytes left the store (builder.keep). */
const KEPT_HEAD: unique symbol = Symbol('wireplay.keptHead');
type KeptHead = DissectedMessage & { [KEPT_HEAD]?: Buffer };

/** The body of a complete message whose tree needs only its head and first previewBytes, if it is one. */
function previewedBody(m: HttpMessage, previewBytes: number): { start: number; end: number } | undefined {
  const http = m.http;
  if (http === undefined || !http.complete || http.chunked || http.upgrade || m.error !== undefined || http.bodyRanges.length !== 1) return undefined;
  if (http.bodySize <= previewBytes) return undefined;
  if (http.kind === 'response' && isEventStreamContentType(http.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value)) return undefined;
  const body = http.bodyRanges[0];
  if (body.end - body.start !== http.bodySize || body.end !== m.range.end) return undefined;
  return body;
}

/** The tree a deferred draft would have so far had it been built live, from the stored bytes up to `pos`. */
export function draftSoFar(make: DissectorMaker, dir: Direction, d: Draft, pos: number, opts: HttpDissectorOptions): Draft | undefined {
  // A body in one run past its preview: the head and the preview are replayed, the body field grown to where the body is.
  const body = d.head && !d.head.chunked && !d.head.upgrade && d.sse === undefined && d.bodyRanges.length === 1 && d.bodySize > opts.previewBytes ? d.bodyRanges[0] : undefined;
  if (body !== undefined) {
    const bytes = opts.deferred?.parts(dir, d.start, body.start + opts.previewBytes);
    const r = bytes && replay(make, dir, d.start, bytes, opts, d.sequence, d.requestMethod, false).draft;
    if (r?.body !== undefined && r.body.range.start === body.start && r.bodySize === opts.previewBytes) {
      r.body.range.end = body.end;
      return r;
    }
  }
  const bytes = opts.deferred?.parts(dir, d.start, pos);
  return bytes && replay(make, dir, d.start, bytes, opts, d.sequence, d.requestMethod, false).draft;
}

/**
 * The tree of a complete message whose body is one run of bytes longer than the preview, from its head and
 * the preview's bytes only (the rest of the body adds nothing to the tree but its size); undefined when the
 * message needs a whole replay (chunked, an event stream, malformed, a body within the preview).
 */
function headAndPreviewTree(
  make: DissectorMaker,
  dir: Direction,
  parts: (start: number, end: number) => Buffer[] | undefined,
  opts: HttpDissectorOptions,
  m: HttpMessage,
): DissectedField[] | undefined {
  const body = previewedBody(m, opts.previewBytes);
  const bytes = body && parts(m.range.start, body.start + opts.previewBytes);
  if (!body || !bytes) return undefined;
  const again = replay(make, dir, m.range.start, bytes, opts, m.sequence, m.http!.requestMethod, false);
  const d = again.draft;
  if (!d || again.emitted.length > 0 || d.body === undefined || d.body.range.start !== body.start || d.bodySize !== opts.previewBytes) return undefined;
  // What the rest of the body would have done to the draft: grown the body field to its end.
  d.body.range.end = body.end;
  d.bodySize = m.http!.bodySize;
  finishBodyFields(d);
  return d.fields;
}
