// Byte classes of RFC 9110 / RFC 9112 as 256-entry lookup tables, used by the
// HTTP parser's byte loops (no regular expression ever runs over the input).

export const HT = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SP = 0x20;
export const COLON = 0x3a;
export const SEMICOLON = 0x3b;

function table(pred: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = pred(c) ? 1 : 0;
  return t;
}

const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
export const TCHAR = table((c) => isAlpha(c) || isDigit(c) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c)));

/** Bytes allowed inside a field value: HTAB, SP, VCHAR, obs-text. Everything else (NUL, CR, LF, other CTLs, DEL) is refused. */
export const FIELD_VALUE = table((c) => c === HT || (c >= 0x20 && c !== 0x7f));

/** qdtext (RFC 9110 §5.6.4): HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text — a quoted-string's bytes but `"` and `\`. */
export const QDTEXT = table((c) => c === HT || c === SP || c === 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80);

/** Bytes allowed in a request-target: visible ASCII (RFC 3986 characters and the ones browsers send unescaped). */
export const TARGET_CHAR = table((c) => c > 0x20 && c < 0x7f);

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
export const SCHEME_CHAR = table((c) => isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e);

/** Hex digit value, or -1. */
export const HEX_VALUE: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 0x30; c <= 0x39; c++) t[c] = c - 0x30;
  for (let c = 0x41; c <= 0x46; c++) t[c] = c - 0x41 + 10;
  for (let c = 0x61; c <= 0x66; c++) t[c] = c - 0x61 + 10;
  return t;
})();

interface Latin1Buffer {
  latin1Slice(start: number, end: number): string;
}

/** Decodes bytes one char per byte (Node's fast internal latin1 slice). */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as Latin1Buffer).latin1Slice(start, end);
}

/** Case-insensitive comparison of buf[start, start + lower.length) with an all-lowercase ASCII token. */
export function equalsLower(buf: Buffer, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) if ((buf[start + i] | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** Splits a comma-separated list value into trimmed, lowercased, non-empty elements. */
export function listTokens(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i === value.length || value.charCodeAt(i) === 0x2c) {
      let s = start;
      let e = i;
      while (s < e && (value.charCodeAt(s) === SP || value.charCodeAt(s) === HT)) s++;
      while (e > s && (value.charCodeAt(e - 1) === SP || value.charCodeAt(e - 1) === HT)) e--;
      if (e > s) out.push(value.slice(s, e).toLowerCase());
      start = i + 1;
    }
  }
  return out;
}
