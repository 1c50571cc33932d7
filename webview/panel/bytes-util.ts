// Byte helpers for the playground UI: base64 both ways, hex, text with escapes.
// Pure functions on Uint8Array (no Buffer in the browser).

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;
B64_INDEX['-'.charCodeAt(0)] = 62;
B64_INDEX['_'.charCodeAt(0)] = 63;

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64[n >> 18] + B64[(n >> 12) & 63] + '==';
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + '=';
  }
  return out;
}

/** Accepts standard and URL-safe alphabets, ignores whitespace; throws on other characters. */
export function fromBase64(text: string): Uint8Array {
  // The platform's decoder is several times faster on the pages of a big capture; it refuses the
  // URL-safe alphabet and bad characters, which the careful decoder below handles or names.
  if (typeof atob === 'function') {
    try {
      const bin = atob(text);
      const out = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
      return out;
    } catch {
      /* fall through */
    }
  }
  const clean = text.replace(/[\s=]+/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c] : -1;
    if (v < 0) throw new Error(`invalid base64 character '${clean[i]}' at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/** '48 65 6c', '48656c', '0x48,0x65' → bytes. Throws on an odd digit count or a stray character. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/0x/gi, '').replace(/[\s,:]+/g, '');
  if (/[^0-9a-f]/i.test(clean)) throw new Error('hex may only contain 0-9, a-f, spaces, commas and colons');
  if (clean.length % 2) throw new Error('hex needs an even number of digits');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array, sep = ' '): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (i ? sep : '') + HEX2[bytes[i]];
  return out;
}

export const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Text with escapes → bytes: \r \n \t \0 \\ \xNN; every other character is UTF-8.
 * An unknown escape or a bad \x throws with the offset.
 */
export function fromEscapedText(text: string): Uint8Array {
  const out: number[] = [];
  const enc = new TextEncoder();
  let plain = '';
  const flush = () => {
    if (plain) {
      for (const b of enc.encode(plain)) out.push(b);
      plain = '';
    }
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '\\') {
      plain += ch;
      continue;
    }
    const next = text[i + 1];
    flush();
    switch (next) {
      case 'r': out.push(13); i++; break;
      case 'n': out.push(10); i++; break;
      case 't': out.push(9); i++; break;
      case '0': out.push(0); i++; break;
      case '\\': out.push(92); i++; break;
      case 'x': {
        const hex = text.substr(i + 2, 2);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`bad \\x escape at ${i}`);
        out.push(parseInt(hex, 16));
        i += 3;
        break;
      }
      default:
        throw new Error(`unknown escape \\${next ?? ''} at ${i}`);
    }
  }
  flush();
  return Uint8Array.from(out);
}

/** Bytes → text with escapes, the inverse of fromEscapedText for display (CRLF kept as a line break after \r\n). */
export function toEscapedText(bytes: Uint8Array, breakLines = true): string {
  let out = '';
  const dec = new TextDecoder('utf-8', { fatal: false });
  let run: number[] = [];
  const flush = () => {
    if (run.length) {
      out += dec.decode(Uint8Array.from(run));
      run = [];
    }
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 13) { flush(); out += '\\r'; continue; }
    if (b === 10) { flush(); out += breakLines ? '\\n\n' : '\\n'; continue; }
    if (b === 9) { flush(); out += '\\t'; continue; }
    if (b === 92) { flush(); out += '\\\\'; continue; }
    if (b < 32 || b === 127) { flush(); out += '\\x' + HEX2[b]; continue; }
    run.push(b);
  }
  flush();
  return out;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}
