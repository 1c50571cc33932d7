// A small JSON parser that knows where things are: a syntax error carries its
// line and column, and every value's position is recorded by JSON Pointer so the
// schema checks can point at the offending entry. Accepts `//` and `/* */`
// comments (as VS Code's JSON with comments does); everything else is strict JSON.

export interface SourceLocation {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  offset: number;
}

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
  positions: Map<string, SourceLocation>;
}

export function locationAt(text: string, offset: number): SourceLocation {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1, offset };
}

function pointerEscape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function parseJsonWithPositions(text: string): PositionedJson {
  const positions = new Map<string, SourceLocation>();
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(message, locationAt(text, at));
  };

  const describe = (at: number): string => (at >= text.length ? 'end of file' : `'${text[at]}'`);

  const skip = (): void => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
      else if (c === '/' && text[i + 1] === '/') {
        while (i < text.length && text[i] !== '\n') i++;
      } else if (c === '/' && text[i + 1] === '*') {
        const start = i;
        const end = text.indexOf('*/', i + 2);
        if (end < 0) fail('unterminated comment', start);
        i = end + 2;
      } else return;
    }
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in map) {
          out += map[e];
          i += 2;
        } else if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape', i);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else fail('invalid escape in string', i);
        continue;
      }
      if (c.charCodeAt(0) < 0x20) fail(c === '\n' ? 'unterminated string (a newline inside quotes)' : 'control character in string', i);
      out += c;
      i++;
    }
  };

  const parseValue = (pointer: string): unknown => {
    skip();
    positions.set(pointer, locationAt(text, i));
    const c = text[i];
    if (c === '{') return parseObject(pointer);
    if (c === '[') return parseArray(pointer);
    if (c === '"') return parseString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) return fail('invalid number');
      i += m[0].length;
      return Number(m[0]);
    }
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    if (c === "'") return fail("strings need double quotes, not single quotes");
    return fail(`unexpected ${describe(i)}, expected a value`);
  };

  const parseObject = (pointer: string): Record<string, unknown> => {
    const out: Record<string, unknown> = Object.create(null);
    i++;
    skip();
    if (text[i] === '}') {
      i++;
      return { ...out };
    }
    for (;;) {
      skip();
      if (text[i] !== '"') {
        if (text[i] === '}') fail('trailing comma before }');
        fail(`unexpected ${describe(i)}, expected a property name in double quotes`);
      }
      const keyAt = i;
      const key = parseString();
      if (Object.prototype.hasOwnProperty.call(out, key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
      skip();
      if (text[i] !== ':') fail(`unexpected ${describe(i)}, expected ':'`);
      i++;
      out[key] = parseValue(`${pointer}/${pointerEscape(key)}`);
      skip();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return { ...out };
      }
      fail(`unexpected ${describe(i)}, expected ',' or '}'`);
    }
  };

  const parseArray = (pointer: string): unknown[] => {
    const out: unknown[] = [];
    i++;
    skip();
    if (text[i] === ']') {
      i++;
      return out;
    }
    for (;;) {
      skip();
      if (text[i] === ']') fail('trailing comma before ]');
      out.push(parseValue(`${pointer}/${out.length}`));
      skip();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return out;
      }
      fail(`unexpected ${describe(i)}, expected ',' or ']'`);
    }
  };

  const value = parseValue('');
  skip();
  if (i < text.length) fail(`unexpected ${describe(i)} after the end of the document`);
  return { value, positions };
}
