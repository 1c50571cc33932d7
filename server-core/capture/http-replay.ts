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
// reads a few hundred bytes, not the megabyte. Chunked bodies (a field per
// chunk), event streams and malformed messages are replayed whole.
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
  return deferredFields({
    build: (m: DissectedMessage) => {
      let tree = stored.cache.get(m);
      if (tree === undefined) {
        tree = headAndPreviewTree(make, dir, stored, eager, m as HttpMessage);
        if (tree === undefined) {
          const bytes = stored.parts(dir, m.range.start, m.range.end);
          const again = bytes && replay(make, dir, m.range.start, bytes, eager, m.sequence, (m as HttpMessage).http?.requestMethod, true);
          tree = again?.emitted[0]?.fields ?? notKept(m.range);
        }
        stored.cache.set(m, tree);
      }
      return tree;
    },
  });
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
function headAndPreviewTree(make: DissectorMaker, dir: Direction, stored: StoredStream, opts: HttpDissectorOptions, m: HttpMessage): DissectedField[] | undefined {
  const http = m.http;
  if (http === undefined || !http.complete || http.chunked || http.upgrade || m.error !== undefined || http.bodyRanges.length !== 1) return undefined;
  if (http.bodySize <= opts.previewBytes) return undefined;
  if (http.kind === 'response' && isEventStreamContentType(http.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value)) return undefined;
  const body = http.bodyRanges[0];
  if (body.end - body.start !== http.bodySize || body.end !== m.range.end) return undefined;
  const bytes = stored.parts(dir, m.range.start, body.start + opts.previewBytes);
  const again = bytes && replay(make, dir, m.range.start, bytes, opts, m.sequence, http.requestMethod, false);
  const d = again?.draft;
  if (!d || again.emitted.length > 0 || d.body === undefined || d.body.range.start !== body.start || d.bodySize !== opts.previewBytes) return undefined;
  // What the rest of the body would have done to the draft: grown the body field to its end.
  d.body.range.end = body.end;
  d.bodySize = http.bodySize;
  finishBodyFields(d);
  return d.fields;
}
