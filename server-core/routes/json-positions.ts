// A JSON parser that knows where things are: a syntax error carries its line and
// column, and the position of each value (down to a chosen depth) is recorded by
// JSON Pointer so the schema checks can point at the offending entry. Accepts `//`
// and `/* */` comments (as VS Code's JSON with comments does); everything else is
// strict JSON, duplicate keys included.
//
// It is incremental and linear: `write()` takes the text in pieces as they are read
// from disk (a token may straddle two pieces), the line and column are counted as the
// text goes by, and nesting is an explicit stack rather than recursion. So a routes
// file is parsed as it streams in, one bounded piece per turn of the event loop, and
// a document nested 100 000 levels deep is refused with a message instead of
// overflowing the call stack.

import { PositionTable, type PositionNode, type SourceLocation } from './source-locations.js';

export { lineIndex, locationAt, pointerEscape, PositionTable, type PositionNode, type SourceLocation } from './source-locations.js';

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  readonly code = 'JSON_SYNTAX';
  constructor(
    /** The message without its position. */
    readonly reason: string,
    readonly location: SourceLocation,
  ) {
    super(`${reason} at line ${location.line}, column ${location.column}`);
  }
}

export interface PositionedJson {
  value: unknown;
  /** JSON Pointer (`/routes/2/status`) → where the value starts. */
  positions: PositionTable;
}

export interface JsonPositionsOptions {
  /**
   * Record the positions of values at most this many levels below the root (the root
   * is level 0). Default: every value. A routes file needs 4 (`/routes/2/headers/Name`);
   * the contents of a large `body` then cost no memory for positions.
   */
  positionDepth?: number;
  /** Refuse a document nested deeper than this. Default 1000. */
  maxDepth?: number;
}

/** Parses a whole text at once. */
export function parseJsonWithPositions(text: string, options: JsonPositionsOptions = {}): PositionedJson {
  const parser = new PositionedJsonParser(options);
  parser.write(text);
  return parser.end();
}

const enum Expect {
  /** A value (the root, after ':' in an object, after '[' or ',' in an array). */
  Value,
  /** After '[': a value or ']'. */
  ValueOrArrayEnd,
  /** After ',' in an array: a value; ']' is a trailing comma. */
  ValueAfterComma,
  /** After '{': a key or '}'. */
  KeyOrObjectEnd,
  /** After ',' in an object: a key; '}' is a trailing comma. */
  Key,
  Colon,
  /** After a value in an object or array: ',' or the closing bracket. */
  CommaOrEnd,
  /** After the root value: only white space and comments. */
  Done,
}

interface ObjectFrame {
  kind: 'object';
  /** A plain object; "__proto__" is defined as an own key, never through the setter. */
  value: Record<string, unknown>;
  /** Its position and its members' (undefined below the position depth). */
  node: PositionNode | undefined;
  key: string;
}

interface ArrayFrame {
  kind: 'array';
  value: unknown[];
  node: PositionNode | undefined;
}

type Frame = ObjectFrame | ArrayFrame;

/** A string being read, possibly across pieces. */
interface OpenString {
  /** The text read so far, when the string straddles pieces or has escapes. */
  parts: string[] | undefined;
  /** Absolute offset of the opening quote (a string never spans lines: its line is the current one). */
  start: number;
  isKey: boolean;
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const;
/** Longer numbers are refused rather than buffered without end. */
const MAX_NUMBER_LENGTH = 400;

export class PositionedJsonParser {
  private rootNode: PositionNode | undefined;
  private readonly lineStarts = [0];
  private readonly positionDepth: number;
  private readonly maxDepth: number;
  private readonly stack: Frame[] = [];
  private expect = Expect.Value;
  private root: unknown = undefined;

  /** The unread text: a carried-over partial token plus the latest piece. */
  private buf = '';
  /** Absolute offset of buf[0]. */
  private bufStart = 0;
  private line = 1;
  /** Absolute offset of the first character of the current line. */
  private lineStart = 0;
  private str: OpenString | undefined;
  /** Inside a comment that started in an earlier piece. */
  private comment: { block: boolean; start: SourceLocation; star: boolean } | undefined;
  private started = false;
  private ended = false;

  constructor(options: JsonPositionsOptions = {}) {
    this.positionDepth = options.positionDepth ?? Infinity;
    this.maxDepth = options.maxDepth ?? 1000;
  }

  /** Characters consumed so far. */
  get offset(): number {
    return this.bufStart;
  }

  write(chunk: string): void {
    if (this.ended) throw new Error('write after end');
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) {
        // A byte order mark counts as a column (as the editor shows it) but is not JSON.
        this.bufStart = 1;
        chunk = chunk.slice(1);
      }
    }
    this.buf = this.buf.length ? this.buf + chunk : chunk;
    this.run(false);
  }

  end(): PositionedJson {
    this.ended = true;
    this.run(true);
    return { value: this.root, positions: new PositionTable(this.rootNode, this.lineStarts) };
  }

  private newLine(start: number): void {
    this.line++;
    this.lineStart = start;
    this.lineStarts.push(start);
  }

  private loc(abs: number): SourceLocation {
    return { line: this.line, column: abs - this.lineStart + 1, offset: abs };
  }

  private fail(message: string, at: number | SourceLocation): never {
    throw new JsonSyntaxError(message, typeof at === 'number' ? this.loc(at) : at);
  }

  private describe(i: number): string {
    return i >= this.buf.length ? 'end of file' : `'${this.buf[i]}'`;
  }

  /** Consumes as much of buf as possible; keeps an unfinished token for the next piece. */
  private run(final: boolean): void {
    const text = this.buf;
    let i = 0;
    const n = text.length;
    const base = this.bufStart;
    // Keep the unconsumed tail (from `from`) for the next write and stop.
    const carry = (from: number): void => {
      this.buf = text.slice(from);
      this.bufStart = base + from;
    };

    if (this.str) {
      i = this.readString(text, i, final);
      if (i < 0) return carry(-i - 1);
    }
    if (this.comment) {
      i = this.readComment(text, i, final);
      if (i < 0) return carry(n);
    }

    while (true) {
      // White space and comments.
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 32 || c === 9 || c === 13) i++;
        else if (c === 10) {
          i++;
          this.newLine(base + i);
        } else if (c === 47 /* / */) {
          if (i + 1 >= n) {
            if (!final) return carry(i);
            break;
          }
          const d = text.charCodeAt(i + 1);
          if (d !== 47 && d !== 42) break;
          this.comment = { block: d === 42, start: this.loc(base + i), star: false };
          i = this.readComment(text, i + 2, final);
          if (i < 0) return carry(n);
        } else break;
      }
      if (i >= n && !final) return carry(n);

      const c = i < n ? text[i] : undefined;
      const e = this.expect;
      if (e === Expect.Done) {
        if (c === undefined) {
          this.buf = '';
          this.bufStart = base + n;
          return;
        }
        this.fail(`unexpected ${this.describe(i)} after the end of the document`, base + i);
      } else if (e === Expect.KeyOrObjectEnd || e === Expect.Key) {
        if (c === '"') {
          this.str = { parts: undefined, start: base + i, isKey: true };
          const next = this.readString(text, i + 1, final);
          if (next < 0) return carry(-next - 1);
          i = next;
        } else if (c === '}') {
          if (e === Expect.Key) this.fail('trailing comma before }', base + i);
          i++;
          this.close();
        } else this.fail(`unexpected ${this.describe(i)}, expected a property name in double quotes`, base + i);
      } else if (e === Expect.Colon) {
        if (c !== ':') this.fail(`unexpected ${this.describe(i)}, expected ':'`, base + i);
        i++;
        this.expect = Expect.Value;
      } else if (e === Expect.CommaOrEnd) {
        const inObject = this.stack[this.stack.length - 1].kind === 'object';
        const end = inObject ? '}' : ']';
        if (c === ',') {
          i++;
          this.expect = inObject ? Expect.Key : Expect.ValueAfterComma;
        } else if (c === end) {
          i++;
          this.close();
        } else this.fail(`unexpected ${this.describe(i)}, expected ',' or '${end}'`, base + i);
      } else if (c === ']' && (e === Expect.ValueOrArrayEnd || e === Expect.ValueAfterComma)) {
        if (e === Expect.ValueAfterComma) this.fail('trailing comma before ]', base + i);
        i++;
        this.close();
      } else {
        const next = this.readValue(text, i, final);
        if (next < 0) return carry(-next - 1);
        i = next;
      }
    }
  }

  /** Records where the value about to start is; its node, or undefined below the position depth. */
  private record(offset: number): PositionNode | undefined {
    const depth = this.stack.length;
    if (depth > this.positionDepth) return undefined;
    const node: PositionNode = { offset };
    if (depth === 0) return (this.rootNode = node);
    const top = this.stack[depth - 1];
    if (top.node === undefined) return undefined;
    if (top.kind === 'array') ((top.node.children ??= []) as PositionNode[])[top.value.length] = node;
    else ((top.node.children ??= new Map()) as Map<string, PositionNode>).set(top.key, node);
    return node;
  }

  /** Reads one value at text[i]; returns the index after it, or -(start+1) when it needs more text. */
  private readValue(text: string, i: number, final: boolean): number {
    const abs = this.bufStart + i;
    const c = text[i];
    const node = c === undefined ? undefined : this.record(abs);
    if (c === '{' || c === '[') {
      if (this.stack.length >= this.maxDepth) this.fail(`nested more than ${this.maxDepth} levels deep`, abs);
      if (c === '{') {
        this.stack.push({ kind: 'object', value: {}, node, key: '' });
        this.expect = Expect.KeyOrObjectEnd;
      } else {
        this.stack.push({ kind: 'array', value: [], node });
        this.expect = Expect.ValueOrArrayEnd;
      }
      return i + 1;
    }
    if (c === '"') {
      this.str = { parts: undefined, start: abs, isKey: false };
      return this.readString(text, i + 1, final);
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const end = scanNumber(text, i, final);
      if (end < 0) {
        if (text.length - i > MAX_NUMBER_LENGTH) this.fail('number too long', abs);
        return -(i + 1);
      }
      if (end === i) this.fail('invalid number', abs);
      if (end - i > MAX_NUMBER_LENGTH) this.fail('number too long', abs);
      this.value(Number(text.slice(i, end)));
      return end;
    }
    for (const [word, value] of LITERALS) {
      if (text.startsWith(word, i)) {
        this.value(value);
        return i + word.length;
      }
      if (!final && text.length - i < word.length && word.startsWith(text.slice(i))) return -(i + 1);
    }
    if (c === "'") this.fail('strings need double quotes, not single quotes', abs);
    this.fail(`unexpected ${this.describe(i)}, expected a value`, abs);
  }

  /**
   * Continues the open string from text[i]. Returns the index after the closing quote,
   * or -(carry+1) when the piece ended first (carry: where to resume, before a split escape).
   */
  private readString(text: string, i: number, final: boolean): number {
    const s = this.str!;
    const n = text.length;
    let from = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34 /* " */) {
        const last = text.slice(from, i);
        this.str = undefined;
        this.stringDone(s.parts ? s.parts.join('') + last : last, s);
        return i + 1;
      }
      if (c === 92 /* \ */) {
        (s.parts ??= []).push(text.slice(from, i));
        const e = text[i + 1];
        if (e === undefined) {
          if (!final) return -(i + 1);
          this.fail('invalid escape in string', this.bufStart + i);
        }
        if (e in ESCAPES) {
          s.parts.push(ESCAPES[e]);
          i += 2;
        } else if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (hex.length < 4 && !final && /^[0-9a-fA-F]*$/.test(hex)) return -(i + 1);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape', this.bufStart + i);
          s.parts.push(String.fromCharCode(parseInt(hex, 16)));
          i += 6;
        } else this.fail('invalid escape in string', this.bufStart + i);
        from = i;
        continue;
      }
      if (c < 0x20) this.fail(c === 10 ? 'unterminated string (a newline inside quotes)' : 'control character in string', this.bufStart + i);
      i++;
    }
    (s.parts ??= []).push(text.slice(from, n));
    if (final) this.fail('unterminated string', s.start);
    return -(n + 1);
  }

  /** Continues the open comment from text[i]; the index after it, or -1 when the piece ended first. */
  private readComment(text: string, i: number, final: boolean): number {
    const comment = this.comment!;
    const n = text.length;
    if (!comment.block) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) {
        if (final) {
          this.comment = undefined;
          return n;
        }
        return -1;
      }
      this.comment = undefined;
      return nl; // the newline itself is counted by the white-space loop
    }
    // `star`: the previous character was '*', so "*/" may straddle two pieces.
    for (let j = i; j < n; j++) {
      const c = text.charCodeAt(j);
      if (comment.star && c === 47) {
        this.comment = undefined;
        return j + 1;
      }
      comment.star = c === 42;
      if (c === 10) this.newLine(this.bufStart + j + 1);
    }
    if (final) this.fail('unterminated comment', comment.start);
    return -1;
  }

  private stringDone(text: string, s: OpenString): void {
    if (!s.isKey) {
      this.value(text);
      return;
    }
    const top = this.stack[this.stack.length - 1] as ObjectFrame;
    if (Object.prototype.hasOwnProperty.call(top.value, text)) this.fail(`duplicate key ${JSON.stringify(text)}`, s.start);
    top.key = text;
    this.expect = Expect.Colon;
  }

  /** A complete value: into its container, or the root. */
  private value(v: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      this.root = v;
      this.expect = Expect.Done;
    } else {
      if (top.kind === 'array') top.value.push(v);
      else if (top.key === '__proto__') Object.defineProperty(top.value, top.key, { value: v, writable: true, enumerable: true, configurable: true });
      else top.value[top.key] = v;
      this.expect = Expect.CommaOrEnd;
    }
  }

  private close(): void {
    this.value(this.stack.pop()!.value);
  }
}

/**
 * The end of the longest JSON number at text[i] (as `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`):
 * i itself when none starts there, -1 when the text ends where more could follow (not final).
 */
function scanNumber(text: string, i: number, final: boolean): number {
  const n = text.length;
  const digit = (k: number) => k < n && text.charCodeAt(k) >= 48 && text.charCodeAt(k) <= 57;
  const more = (k: number) => k >= n && !final;
  let j = i;
  if (text[j] === '-') j++;
  if (more(j)) return -1;
  if (!digit(j)) return i;
  if (text[j] === '0') j++;
  else while (digit(j)) j++;
  if (more(j) || (text[j] === '.' && more(j + 1))) return -1;
  if (text[j] === '.' && digit(j + 1)) {
    j += 2;
    while (digit(j)) j++;
    if (more(j)) return -1;
  }
  if (text[j] === 'e' || text[j] === 'E') {
    let k = j + 1;
    if (text[k] === '+' || text[k] === '-') k++;
    if (more(k)) return -1;
    if (digit(k)) {
      j = k + 1;
      while (digit(j)) j++;
      if (more(j)) return -1;
    }
  }
  return j;
}
