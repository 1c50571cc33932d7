// Deferred HTTP field trees: with the capture store, a message's tree is not
// built live; it is built when `fields` is first read, by dissecting the
// message's bytes again from the store with the answers the live connection
// gave (its sequence and, for a response, the request's method): the same
// parser callbacks in the same order, so the same tree. The same replay gives
// a draft its tree so far when its bytes are about to leave the store (pin),
// and an error found in a deferred message its exact tree.
//
// The dissector is passed in (`make`) rather than imported: http-dissector.ts
// uses this module, and a replay is one more instance of it.
import type { DissectedMessage } from './dissection-types.js';
import type { Direction } from './types.js';
import type { Draft, HttpDirectionHost, HttpDissectorOptions, HttpMessage, StoredStream } from './http-dissection-types.js';
import { deferredFields } from './lazy-fields.js';
import { notKept } from './http-fields.js';

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
  for (const b of bytes) dissector.push(b, 0);
  if (end) dissector.end(0);
  return { emitted, draft: dissector.draftInProgress };
}

/**
 * The descriptor that makes a message's `fields` a getter building its tree from `stored` (cached there),
 * shared by every message of one direction (lazy-fields.ts).
 */
export function deferredTreeDescriptor(make: DissectorMaker, dir: Direction, stored: StoredStream, opts: HttpDissectorOptions): PropertyDescriptor {
  const { parserLimits, maxFieldsPerMessage, previewBytes, maxMessageBytes } = opts;
  const eager: HttpDissectorOptions = { keepPayload: false, previewBytes, maxMessageBytes, maxFieldsPerMessage, parserLimits };
  return deferredFields({
    build: (m: DissectedMessage) => {
      let tree = stored.cache.get(m);
      if (tree === undefined) {
        const bytes = stored.parts(dir, m.range.start, m.range.end);
        const again = bytes && replay(make, dir, m.range.start, bytes, eager, m.sequence, (m as HttpMessage).http?.requestMethod, true);
        tree = again?.emitted[0]?.fields ?? notKept(m.range);
        stored.cache.set(m, tree);
      }
      return tree;
    },
  });
}

/** The tree a deferred draft would have so far had it been built live, from the stored bytes up to `pos`. */
export function draftSoFar(make: DissectorMaker, dir: Direction, d: Draft, pos: number, opts: HttpDissectorOptions): Draft | undefined {
  const bytes = opts.deferred?.parts(dir, d.start, pos);
  return bytes && replay(make, dir, d.start, bytes, opts, d.sequence, d.requestMethod, false).draft;
}
