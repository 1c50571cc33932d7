// Field trees on demand. Live dissection in the capture store keeps what the
// live views read (range, times, summary, sequence, the HTTP head's details)
// and leaves a message's `fields` — the annotated tree of the hex and parsed
// views, the CLI's --hex — to be built the first time someone reads it, from
// the bytes the store still holds. Building and keeping a tree for every
// message was about a fifth of the server's CPU with capture on, and much of
// its garbage was theirs (BENCHMARKS.md, "As users run it").
//
// To a reader nothing changes: `fields` is an own, enumerable property (a
// getter), so spreading, JSON and structured clones see the tree. Assigning
// `fields` turns it back into a plain value. Trees built on demand are not
// kept on the message; a small cache shared by the store serves a view that
// reads the same messages again. One getter serves every message, so they all
// keep one hidden class (see deferFields).
import type { DissectedField, DissectedMessage } from './dissection-types.js';

/** Builds a deferred message's tree; the dissector that deferred it provides one per connection. */
export interface FieldTreeBuilder {
  build(m: DissectedMessage): DissectedField[];
  /**
   * The message's first bytes are about to leave the store: keep the few bytes building its tree will need
   * (a head and a body preview), so it is still built on demand; false when the tree must be built now.
   */
  keep?(m: DissectedMessage): boolean;
}

/**
 * HTTP field trees built, live or on demand: the hook that tells an eager dissection from a lazy one
 * (test/unit/capture/lazy-fields.test.ts). Only ever increases.
 */
export const fieldTreeStats = { built: 0 };

/** Trees recently built on demand, most recent last (a Map keeps insertion order). */
export class FieldTreeCache {
  private readonly trees = new Map<DissectedMessage, DissectedField[]>();

  constructor(readonly size = 64) {}

  get(m: DissectedMessage): DissectedField[] | undefined {
    const t = this.trees.get(m);
    if (t !== undefined) {
      this.trees.delete(m);
      this.trees.set(m, t);
    }
    return t;
  }

  set(m: DissectedMessage, tree: DissectedField[]): void {
    this.trees.set(m, tree);
    if (this.trees.size > this.size) this.trees.delete(this.trees.keys().next().value!);
  }

  delete(m: DissectedMessage): void {
    this.trees.delete(m);
  }

  clear(): void {
    this.trees.clear();
  }
}

/**
 * The one getter and setter of every deferred `fields`, shared by all messages: the builder is found on the
 * message (a non-enumerable symbol property, unseen by spreads, JSON and structured clones). A getter per
 * builder made V8 turn nearly every message into a slow dictionary-mode object (an accessor other than the
 * one its hidden-class transition had): slower to build, bigger to keep and to collect
 * (BENCHMARKS.md, proxy).
 */
const BUILDER: unique symbol = Symbol('wireplay.fieldTreeBuilder');

type Deferred = DissectedMessage & { [BUILDER]?: FieldTreeBuilder };

function getFields(this: Deferred): DissectedField[] {
  return this[BUILDER]!.build(this);
}

function setFields(this: DissectedMessage, fields: DissectedField[]): void {
  Object.defineProperty(this, 'fields', { value: fields, writable: true, enumerable: true, configurable: true });
}

const FIELDS_GETTER: PropertyDescriptor = Object.freeze({ get: getFields, set: setFields, enumerable: true, configurable: true });

/** What makes a message's `fields` a getter asking `builder` for the tree (one per connection's direction). */
export function deferredFields(builder: FieldTreeBuilder): FieldTreeBuilder {
  return builder;
}

/** Makes `m.fields` a getter that asks `builder` for the tree (builder from deferredFields). */
export function deferFields<M extends object>(m: M, builder: FieldTreeBuilder): M & { fields: DissectedField[] } {
  Object.defineProperty(m, BUILDER, { value: builder, writable: false, enumerable: false, configurable: true });
  Object.defineProperty(m, 'fields', FIELDS_GETTER);
  return m as M & { fields: DissectedField[] };
}

export function isDeferred(m: DissectedMessage): boolean {
  return Object.getOwnPropertyDescriptor(m, 'fields')?.get === getFields;
}

/**
 * The message's first bytes are about to leave the store: its builder keeps what the tree needs, or the tree
 * is built now and kept on the message. Nothing is built just to drop bytes when the builder can keep them.
 */
export function pinFields(m: DissectedMessage): void {
  if (!isDeferred(m)) return;
  if ((m as Deferred)[BUILDER]!.keep?.(m)) return;
  m.fields = m.fields;
}
