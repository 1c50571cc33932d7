// Small text helpers shared by the dissectors, the hexdump and the transcript.
import { isUtf8 } from 'node:buffer';

/** Shows bytes as text with escapes: printable ASCII as is, \r \n \t, \\, and \xNN for the rest. */
export function escapeBytes(bytes: Uint8Array, max = Infinity): string {
  let out = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) out += escapeByte(bytes[i]);
  if (bytes.length > n) out += '…';
  return out;
}

export function escapeByte(b: number): string {
  if (b === 0x0d) return '\\r';
  if (b === 0x0a) return '\\n';
  if (b === 0x09) return '\\t';
  if (b === 0x5c) return '\\\\';
  if (b >= 0x20 && b < 0x7f) return String.fromCharCode(b);
  return `\\x${b.toString(16).padStart(2, '0')}`;
}

/** A short quoted preview of a payload: UTF-8 text when it decodes, hex otherwise. */
export function previewPayload(bytes: Uint8Array, total: number, maxChars = 48): string {
  if (total === 0) return '""';
  const text = decodeUtf8(bytes);
  const truncated = bytes.length < total;
  if (text !== undefined) {
    let s = '';
    let count = 0;
    for (const ch of text) {
      if (count++ >= maxChars) {
        s += '…';
        return `"${s}"`;
      }
      const c = ch.codePointAt(0)!;
      s += c < 0x20 || c === 0x7f ? escapeByte(c) : ch === '"' ? '\\"' : ch;
    }
    return `"${s}${truncated ? '…' : ''}"`;
  }
  const n = Math.min(bytes.length, Math.floor(maxChars / 3));
  let hex = '';
  for (let i = 0; i < n; i++) hex += (i ? ' ' : '') + bytes[i].toString(16).padStart(2, '0');
  return `${hex}${bytes.length > n || truncated ? ' …' : ''}`;
}

const decoder = new TextDecoder('utf-8');

/**
 * UTF-8 text, or undefined when the bytes are not valid UTF-8. A sequence cut at the end counts as valid.
 * Validated with isUtf8 before decoding, never by catching a fatal TextDecoder: the thrown error (built
 * with its stack) cost more than the rest of a small WebSocket frame's dissection, and the masked-payload
 * preview of every client frame is usually not text.
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  if (isUtf8(bytes)) return decoder.decode(bytes);
  // A multi-byte character cut by a preview limit: retry without the last 1–3 bytes.
  for (let cut = 1; cut <= 3 && cut < bytes.length; cut++) {
    const part = bytes.subarray(0, bytes.length - cut);
    if (isUtf8(part)) return decoder.decode(part);
  }
  return undefined;
}

/** 1234567 → '1 234 567'. */
export function formatCount(n: number): string {
  // Whole counts (nearly every call: byte counts, on every drop of the capture's ring) without the regex.
  if (Number.isSafeInteger(n) && n >= 0) {
    const digits = String(n);
    if (digits.length <= 3) return digits;
    let out = digits.slice(0, digits.length % 3 || 3);
    for (let i = out.length; i < digits.length; i += 3) out += ' ' + digits.slice(i, i + 3);
    return out;
  }
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}
