// Where things are in a text: 1-based lines and columns from offsets, and the
// positions of JSON values by JSON Pointer (kept as a tree beside the document).
// Used by the JSON parser (json-positions.ts) and to place problems in a
// wireplay.routes.mjs.

export interface SourceLocation {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  offset: number;
}

/**
 * Where a value starts, with the positions of its members (down to the position depth).
 * A tree beside the document rather than a map of pointers: recording a position costs
 * an array push or a map entry under a key the parser already holds.
 */
export interface PositionNode {
  offset: number;
  /** Members of an array by index, of an object by key. */
  children?: PositionNode[] | Map<string, PositionNode>;
}

/** Where values start, by JSON Pointer. Offsets are kept; a location is worked out when asked for. */
export class PositionTable {
  constructor(
    private readonly root: PositionNode | undefined,
    /** Offset of the first character of each line. */
    private readonly lineStarts: number[],
  ) {}

  get(pointer: string): SourceLocation | undefined {
    let node = this.root;
    if (pointer !== '') {
      for (const raw of pointer.slice(1).split('/')) {
        const c = node?.children;
        const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
        node = c === undefined ? undefined : Array.isArray(c) ? (/^\d+$/.test(key) ? c[Number(key)] : undefined) : c.get(key);
      }
    }
    return node && this.locate(node.offset);
  }

  /** Every recorded position, parents before their members. */
  *[Symbol.iterator](): IterableIterator<[string, SourceLocation]> {
    function* walk(node: PositionNode, pointer: string): IterableIterator<[string, number]> {
      yield [pointer, node.offset];
      const c = node.children;
      if (Array.isArray(c)) for (let i = 0; i < c.length; i++) yield* walk(c[i], `${pointer}/${i}`);
      else if (c) for (const [k, n] of c) yield* walk(n, `${pointer}/${pointerEscape(k)}`);
    }
    if (this.root) for (const [p, offset] of walk(this.root, '')) yield [p, this.locate(offset)];
  }

  locate(offset: number): SourceLocation {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1, offset };
  }
}

/** The location of an offset, counting lines from the start (one pass over the text). */
export function locationAt(text: string, offset: number): SourceLocation {
  return lineIndex(text)(offset);
}

/** Indexes the line starts of a text once; the returned function locates any offset in O(log lines). */
export function lineIndex(text: string): (offset: number) => SourceLocation {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const table = new PositionTable(undefined, starts);
  return (offset) => table.locate(offset);
}

export function pointerEscape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
