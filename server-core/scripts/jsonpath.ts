// A small JSONPath for `?? body $.…` assertions: the root `$`, member names
// (`.name`, `['name']`, `["na me"]`), array indices (`[0]`, `[-1]` from the
// end), wildcards (`.*`, `[*]`), unions (`[0,2]`, `['a','b']`), slices
// (`[1:3]`, `[::2]`) and recursive descent (`..name`, `..*`, `..[0]`).
// `length` on an array or a string is its length, as in JavaScript.
// Filters (`[?(@.x)]`) and script expressions (`[(@.length-1)]`) are not
// supported: parsing one throws JsonPathError naming it, never a silent miss.
//
// A definite path (names and single indices only) yields its one value, or
// undefined when nothing is there; any other path yields the array of every
// match (possibly empty).

export class JsonPathError extends Error {
  readonly code = 'UNSUPPORTED_JSONPATH';
}

type Selector =
  | { kind: 'name'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'slice'; start?: number; end?: number; step: number };

interface Segment {
  /** `..`: apply the selectors to the node and every descendant. */
  descendant: boolean;
  selectors: Selector[];
}

export interface ParsedJsonPath {
  segments: Segment[];
  /** Only single names and indices, no descent: the result is one value. */
  definite: boolean;
}

const NAME = /^[A-Za-z_$\u00C0-\uFFFF][\w$\u00C0-\uFFFF-]*/;

export function parseJsonPath(path: string): ParsedJsonPath {
  const text = path.trim();
  if (!text.startsWith('$')) throw new JsonPathError(`A JSONPath starts with $ (got "${path}").`);
  const segments: Segment[] = [];
  let i = 1;
  const fail = (what: string, at = i): never => {
    throw new JsonPathError(`JSONPath "${text}", position ${at + 1}: ${what}.`);
  };
  while (i < text.length) {
    let descendant = false;
    if (text.startsWith('..', i)) {
      descendant = true;
      i += 2;
    } else if (text[i] === '.') {
      i += 1;
    } else if (text[i] !== '[') {
      fail(`Unexpected "${text[i]}"`);
    }
    if (text[i] === '[') {
      const { selectors, next } = parseBracket(text, i, fail);
      segments.push({ descendant, selectors });
      i = next;
      continue;
    }
    if (text[i] === '*') {
      segments.push({ descendant, selectors: [{ kind: 'wildcard' }] });
      i += 1;
      continue;
    }
    const name = NAME.exec(text.slice(i))?.[0];
    if (!name) fail('Expected a member name');
    i += name!.length;
    if (text[i] === '(') fail(`Functions such as ${name}() are not supported`);
    segments.push({ descendant, selectors: [{ kind: 'name', name: name! }] });
  }
  const definite = segments.every((s) => !s.descendant && s.selectors.length === 1 && (s.selectors[0]!.kind === 'name' || s.selectors[0]!.kind === 'index'));
  return { segments, definite };
}

function parseBracket(text: string, open: number, fail: (what: string, at: number) => never): { selectors: Selector[]; next: number } {
  let i = open + 1;
  const selectors: Selector[] = [];
  const skipSpaces = () => {
    while (text[i] === ' ') i++;
  };
  for (;;) {
    skipSpaces();
    const c = text[i];
    if (c === undefined) fail('Missing "]"', i);
    if (c === '?') fail('Filter expressions [?(…)] are not supported; use a path without a filter, or `?? js` with JavaScript', i);
    if (c === '(') fail('Script expressions [(…)] are not supported; use `?? js` with JavaScript', i);
    if (c === '*') {
      selectors.push({ kind: 'wildcard' });
      i++;
    } else if (c === "'" || c === '"') {
      let value = '';
      i++;
      while (text[i] !== c) {
        if (text[i] === undefined) fail('Unterminated string', i);
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      i++;
      selectors.push({ kind: 'name', name: value });
    } else {
      const m = /^(-?\d*)\s*(?::\s*(-?\d*)\s*(?::\s*(-?\d*))?)?/.exec(text.slice(i));
      const whole = m?.[0] ?? '';
      if (!m || whole.trim() === '') fail(`Unexpected "${c}" inside [ ]`, i);
      i += whole.length;
      if (whole.includes(':')) {
        const num = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));
        const step = num(m![3]) ?? 1;
        if (step === 0) fail('A slice step of 0', i);
        selectors.push({ kind: 'slice', start: num(m![1]), end: num(m![2]), step });
      } else {
        selectors.push({ kind: 'index', index: Number(m![1]) });
      }
    }
    skipSpaces();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === ']') return { selectors, next: i + 1 };
    fail('Expected "," or "]"', i);
  }
}

function children(node: unknown): unknown[] {
  if (Array.isArray(node)) return node;
  if (node !== null && typeof node === 'object') return Object.values(node);
  return [];
}

function descendants(node: unknown, out: unknown[]): unknown[] {
  out.push(node);
  for (const child of children(node)) descendants(child, out);
  return out;
}

function select(node: unknown, selector: Selector, out: unknown[]): void {
  switch (selector.kind) {
    case 'wildcard':
      out.push(...children(node));
      return;
    case 'name':
      if ((Array.isArray(node) || typeof node === 'string') && selector.name === 'length') out.push(node.length);
      else if (node !== null && typeof node === 'object' && !Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, selector.name)) {
        out.push((node as Record<string, unknown>)[selector.name]);
      }
      return;
    case 'index': {
      if (!Array.isArray(node)) return;
      const at = selector.index < 0 ? node.length + selector.index : selector.index;
      if (at >= 0 && at < node.length) out.push(node[at]);
      return;
    }
    case 'slice': {
      if (!Array.isArray(node)) return;
      const len = node.length;
      const norm = (n: number) => (n < 0 ? Math.max(len + n, 0) : Math.min(n, len));
      if (selector.step > 0) {
        const start = norm(selector.start ?? 0);
        const end = norm(selector.end ?? len);
        for (let k = start; k < end; k += selector.step) out.push(node[k]);
      } else {
        const start = selector.start === undefined ? len - 1 : Math.min(norm(selector.start), len - 1);
        const end = selector.end === undefined ? -1 : norm(selector.end);
        for (let k = start; k > end; k += selector.step) out.push(node[k]);
      }
      return;
    }
  }
}

/** Every match of a parsed path, in document order. */
export function queryJsonPath(root: unknown, parsed: ParsedJsonPath): unknown[] {
  let nodes: unknown[] = [root];
  for (const segment of parsed.segments) {
    const sources = segment.descendant ? nodes.flatMap((n) => descendants(n, [])) : nodes;
    const next: unknown[] = [];
    for (const node of sources) for (const selector of segment.selectors) select(node, selector, next);
    nodes = next;
  }
  return nodes;
}

/** The value at a definite path (undefined when absent), or the array of matches of any other path. */
export function evaluateJsonPath(root: unknown, path: string): unknown {
  const parsed = parseJsonPath(path);
  const matches = queryJsonPath(root, parsed);
  return parsed.definite ? matches[0] : matches;
}
