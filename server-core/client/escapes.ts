// Text ↔ bytes for raw mode: the user writes exact bytes as text with escapes
// (`\r \n \t \\ \0 \xNN`) or as hex. Pure functions; errors carry a stable code
// and the 1-based line and column of the offending character.

export type BytesSyntaxErrorCode = 'UNKNOWN_ESCAPE' | 'BAD_HEX_ESCAPE' | 'TRAILING_BACKSLASH' | 'BAD_HEX_DIGIT' | 'ODD_HEX_DIGITS';

export class BytesSyntaxError extends Error {
  override readonly name = 'BytesSyntaxError';
  constructor(
    readonly code: BytesSyntaxErrorCode,
    message: string,
    /** 1-based line of the offending character. */
    readonly line: number,
    /** 1-based column (in UTF-16 code units) of the offending character on its line. */
    readonly column: number,
    /** 0-based offset into the text. */
    readonly offset: number,
  ) {
    super(`${message} at line ${line}, column ${column}`);
  }
}

function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function fail(code: BytesSyntaxErrorCode, message: string, text: string, offset: number): never {
  const { line, column } = position(text, offset);
  throw new BytesSyntaxError(code, message, line, column, offset);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

const SIMPLE_ESCAPES: Record<string, number> = { r: 0x0d, n: 0x0a, t: 0x09, '\\': 0x5c, '0': 0x00 };

/**
 * Text with escapes → bytes. Recognised: `\r` `\n` `\t` `\\` `\0` `\xNN` (two hex digits).
 * Everything else is taken literally as UTF-8, including real line breaks (a line
 * break typed in the text is one LF byte: write `\r\n` for CRLF).
 */
export function parseEscapedBytes(text: string): Buffer {
  const out: number[] = [];
  let literalStart = 0;
  const flushLiteral = (end: number) => {
    if (end > literalStart) for (const b of Buffer.from(text.slice(literalStart, end), 'utf8')) out.push(b);
  };
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 0x5c) continue;
    flushLiteral(i);
    if (i + 1 >= text.length) fail('TRAILING_BACKSLASH', 'a backslash ends the text (write \\\\ for a backslash)', text, i);
    const e = text[i + 1];
    if (e === 'x') {
      const hi = i + 2 < text.length ? hexValue(text.charCodeAt(i + 2)) : -1;
      const lo = i + 3 < text.length ? hexValue(text.charCodeAt(i + 3)) : -1;
      if (hi < 0 || lo < 0) fail('BAD_HEX_ESCAPE', '\\x must be followed by two hex digits', text, i);
      out.push(hi * 16 + lo);
      i += 3;
    } else if (e in SIMPLE_ESCAPES) {
      out.push(SIMPLE_ESCAPES[e]);
      i += 1;
    } else {
      fail('UNKNOWN_ESCAPE', `unknown escape \\${e} (known: \\r \\n \\t \\\\ \\0 \\xNN)`, text, i);
    }
    literalStart = i + 1;
  }
  flushLiteral(text.length);
  return Buffer.from(out);
}

/** Hex → bytes. Whitespace (spaces, tabs, newlines) may separate digits anywhere; an optional `0x` before a group is allowed. */
export function parseHexBytes(text: string): Buffer {
  const out: number[] = [];
  let pending = -1;
  let pendingOffset = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c === 0x30 && pending < 0 && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
      i += 1;
      continue;
    }
    const v = hexValue(c);
    if (v < 0) fail('BAD_HEX_DIGIT', `'${text[i]}' is not a hex digit`, text, i);
    if (pending < 0) {
      pending = v;
      pendingOffset = i;
    } else {
      out.push(pending * 16 + v);
      pending = -1;
    }
  }
  if (pending >= 0) fail('ODD_HEX_DIGITS', 'odd number of hex digits: the last byte has one digit', text, pendingOffset);
  return Buffer.from(out);
}

/**
 * Bytes → text with escapes, the inverse of parseEscapedBytes: printable ASCII as is,
 * `\r \n \t \\ \0` by name, everything else as `\xNN`. With `keepLineBreaks`, a real
 * line break follows each `\n` so the text stays readable (parse it back with the
 * breaks removed, or use the default).
 */
export function formatEscapedBytes(bytes: Uint8Array, options: { keepLineBreaks?: boolean } = {}): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x5c) s += '\\\\';
    else if (b === 0x0d) s += '\\r';
    else if (b === 0x0a) s += options.keepLineBreaks ? '\\n\n' : '\\n';
    else if (b === 0x09) s += '\\t';
    else if (b === 0x00) s += '\\0';
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\x' + b.toString(16).padStart(2, '0');
  }
  return s;
}
