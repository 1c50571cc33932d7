// A POSIX-shell word splitter for pasted command lines (curl commands), and
// the quoting that goes the other way. Words are bytes: `$'\xff'` is one byte,
// not a character. Handles 'single', "double" (\" \\ \$ \` and \newline),
// $'ANSI-C' quotes, backslash escapes and backslash-newline continuations
// (LF or CRLF). Unquoted | ; & < > are operators and come back as their own words.

export type ShellWord = { kind: 'word'; bytes: Buffer; text: string } | { kind: 'op'; text: string };

export class ShellSyntaxError extends Error {
  override readonly name = 'ShellSyntaxError';
  constructor(
    readonly code: 'UNTERMINATED_QUOTE' | 'TRAILING_BACKSLASH',
    message: string,
    /** 0-based offset into the command line. */
    readonly offset: number,
  ) {
    super(message);
  }
}

const ANSI_SIMPLE: Record<string, number> = {
  n: 0x0a, t: 0x09, r: 0x0d, '\\': 0x5c, "'": 0x27, '"': 0x22, '?': 0x3f,
  a: 0x07, b: 0x08, e: 0x1b, E: 0x1b, f: 0x0c, v: 0x0b,
};

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

export function splitShellWords(line: string): ShellWord[] {
  const words: ShellWord[] = [];
  let cur: number[] | null = null;
  const push = (s: string) => {
    cur ??= [];
    for (const b of Buffer.from(s, 'utf8')) cur.push(b);
  };
  const end = () => {
    if (cur) {
      const bytes = Buffer.from(cur);
      words.push({ kind: 'word', bytes, text: bytes.toString('utf8') });
    }
    cur = null;
  };
  let i = 0;
  const n = line.length;
  while (i < n) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      end();
      i++;
    } else if (c === '\\') {
      if (line[i + 1] === '\n') i += 2;
      else if (line[i + 1] === '\r' && line[i + 2] === '\n') i += 3;
      else if (i + 1 >= n) throw new ShellSyntaxError('TRAILING_BACKSLASH', 'the command ends with a backslash', i);
      else {
        const cp = line.codePointAt(i + 1)!;
        push(String.fromCodePoint(cp));
        i += 1 + (cp > 0xffff ? 2 : 1);
      }
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError('UNTERMINATED_QUOTE', "a single quote is never closed", i);
      push(line.slice(i + 1, close));
      cur ??= [];
      i = close + 1;
    } else if (c === '"') {
      cur ??= [];
      let j = i + 1;
      for (;;) {
        if (j >= n) throw new ShellSyntaxError('UNTERMINATED_QUOTE', 'a double quote is never closed', i);
        const d = line[j];
        if (d === '"') break;
        if (d === '\\' && j + 1 < n && '"\\$`\n'.includes(line[j + 1])) {
          if (line[j + 1] !== '\n') push(line[j + 1]);
          j += 2;
        } else if (d === '\\' && line[j + 1] === '\r' && line[j + 2] === '\n') {
          j += 3;
        } else {
          push(d);
          j++;
        }
      }
      i = j + 1;
    } else if (c === '$' && line[i + 1] === "'") {
      cur ??= [];
      let j = i + 2;
      for (;;) {
        if (j >= n) throw new ShellSyntaxError('UNTERMINATED_QUOTE', "a $'…' quote is never closed", i);
        const d = line[j];
        if (d === "'") break;
        if (d !== '\\') {
          const cp = line.codePointAt(j)!;
          push(String.fromCodePoint(cp));
          j += cp > 0xffff ? 2 : 1;
          continue;
        }
        const e = line[j + 1];
        if (e === undefined) throw new ShellSyntaxError('UNTERMINATED_QUOTE', "a $'…' quote is never closed", i);
        if (e in ANSI_SIMPLE) {
          cur.push(ANSI_SIMPLE[e]);
          j += 2;
        } else if (e === 'x') {
          let k = j + 2;
          let hex = '';
          while (hex.length < 2 && isHex(line[k])) hex += line[k++];
          if (hex) cur.push(parseInt(hex, 16));
          else push('\\x');
          j = k;
        } else if (e === 'u' || e === 'U') {
          const max = e === 'u' ? 4 : 8;
          let k = j + 2;
          let hex = '';
          while (hex.length < max && isHex(line[k])) hex += line[k++];
          if (hex) push(String.fromCodePoint(parseInt(hex, 16)));
          else push('\\' + e);
          j = k;
        } else if (e >= '0' && e <= '7') {
          let k = j + 1;
          let oct = '';
          while (oct.length < 3 && line[k] >= '0' && line[k] <= '7') oct += line[k++];
          cur.push(parseInt(oct, 8) & 0xff);
          j = k;
        } else {
          push('\\' + e);
          j += 2;
        }
      }
      i = j + 1;
    } else if ('|;&<>'.includes(c)) {
      end();
      let op = c;
      if ((c === '|' || c === '&' || c === '>' || c === '<') && line[i + 1] === c) op += c;
      words.push({ kind: 'op', text: op });
      i += op.length;
    } else if (c === '#' && cur === null) {
      const nl = line.indexOf('\n', i);
      i = nl < 0 ? n : nl;
    } else {
      const cp = line.codePointAt(i)!;
      push(String.fromCodePoint(cp));
      i += cp > 0xffff ? 2 : 1;
    }
  }
  end();
  return words;
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One shell word that a POSIX shell reads back as exactly `text` (single quotes unless it is plainly safe). */
export function quoteShellWord(text: string): string {
  if (text.length > 0 && SAFE.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Bytes as one shell word. Printable UTF-8 goes in single quotes; bytes a
 * terminal would mangle (controls other than LF/TAB, invalid UTF-8) use bash's
 * $'…' with \xNN. NUL cannot travel in an argument: callers check for it first.
 */
export function quoteShellBytes(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  const clean = Buffer.from(text, 'utf8').equals(bytes) && !/[\x00-\x08\x0b-\x1f\x7f]/.test(text);
  if (clean) return quoteShellWord(text);
  let s = "$'";
  for (const b of bytes) {
    if (b === 0x27) s += "\\'";
    else if (b === 0x5c) s += '\\\\';
    else if (b === 0x0a) s += '\\n';
    else if (b === 0x0d) s += '\\r';
    else if (b === 0x09) s += '\\t';
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\x' + b.toString(16).padStart(2, '0');
  }
  return s + "'";
}
