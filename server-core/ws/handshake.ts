// The opening handshake (RFC 6455 §4): key and accept computation, and the
// server-side validation of a client's request head. Pure functions; the
// upgrade module writes the answers.
import * as crypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import type { RequestHead } from '../http/parser-types.js';

export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** crypto.hash (Node 20.12+, 21.7+): a one-shot digest without a Hash object per call; createHash where it is missing. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64') => string }).hash;

export function acceptKey(key: string): string {
  // Every upgrade computes one: the one-shot form allocates no Hash stream object.
  if (oneShotHash !== undefined) return oneShotHash('sha1', key + WS_GUID, 'base64');
  return createHash('sha1').update(key + WS_GUID).digest('base64');
}

/** A fresh Sec-WebSocket-Key: base64 of 16 random bytes. */
export function generateKey(): string {
  return randomBytes(16).toString('base64');
}

/** base64 of exactly 16 bytes: 22 characters then '=='. */
export function isValidKey(key: string): boolean {
  return /^[A-Za-z0-9+/]{21}[AQgw]==$/.test(key);
}

// Header look-ups run on every upgrade: they compare names and find tokens in
// place, without lower-cased copies, split arrays or iterators (what a burst
// of upgrades allocates is what the young generation has to absorb). Their
// answers are those of the plain definitions (tokenList below), which the
// tests check them against.

/** Whether `name` equals `lower` (given in lower case) ignoring case, as name.toLowerCase() === lower. */
function isName(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === lower.charCodeAt(i)) continue;
    if (c > 0x7f) return name.toLowerCase() === lower; // Unicode case mapping: the plain way
    if (c < 0x41 || c > 0x5a || (c | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Every value of a header (all its lines), in order. */
export function headerValues(head: { headers: { name: string; value: string }[] }, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  const headers = head.headers;
  for (let i = 0; i < headers.length; i++) if (isName(headers[i].name, lower)) out.push(headers[i].value);
  return out;
}

/** The comma-separated tokens of every line of a header, lower-cased, empty elements dropped. */
export function tokenList(head: { headers: { name: string; value: string }[] }, name: string): string[] {
  const out: string[] = [];
  for (const v of headerValues(head, name)) {
    for (const t of v.split(',')) {
      const s = t.trim().toLowerCase();
      if (s) out.push(s);
    }
  }
  return out;
}

/** White space String.prototype.trim() removes, within Latin-1 (header values are decoded as Latin-1). */
function isTrimmed(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0;
}

const WIDE = /[^\u0000-\u00ff]/;

/**
 * Whether tokenList(head, name) holds `token` (lower case, ASCII) — or, with
 * `versioned`, an element that starts with `token/` — found in place.
 */
export function hasToken(head: { headers: { name: string; value: string }[] }, name: string, token: string, versioned = false): boolean {
  const headers = head.headers;
  for (let i = 0; i < headers.length; i++) {
    if (!isName(headers[i].name, name)) continue;
    const v = headers[i].value;
    if (WIDE.test(v)) {
      // Beyond Latin-1, trim() and toLowerCase() know more than this scan: ask them.
      const hit = v.split(',').some((t) => {
        const e = t.trim().toLowerCase();
        return e === token || (versioned && e.startsWith(token + '/'));
      });
      if (hit) return true;
      continue;
    }
    let start = 0;
    while (start <= v.length) {
      let end = v.indexOf(',', start);
      if (end === -1) end = v.length;
      if (elementIs(v, start, end, token, versioned)) return true;
      start = end + 1;
    }
  }
  return false;
}

/** Whether v[s, e), trimmed and lower-cased, is token (or starts with token/ when versioned). Latin-1 only. */
function elementIs(v: string, s: number, e: number, token: string, versioned: boolean): boolean {
  while (s < e && isTrimmed(v.charCodeAt(s))) s++;
  while (e > s && isTrimmed(v.charCodeAt(e - 1))) e--;
  const n = token.length;
  if (e - s !== n && !(versioned && e - s > n && v.charCodeAt(s + n) === 0x2f)) return false;
  for (let j = 0; j < n; j++) {
    const c = v.charCodeAt(s + j);
    // Latin-1 letters other than A-Z lower-case to non-ASCII: only A-Z can match an ASCII token byte.
    if (c !== token.charCodeAt(j) && (c < 0x41 || c > 0x5a || (c | 0x20) !== token.charCodeAt(j))) return false;
  }
  return true;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

/** Whether the request asks to upgrade to WebSocket (whatever else is wrong with it). */
export function isWebSocketUpgrade(head: RequestHead): boolean {
  return hasToken(head, 'upgrade', 'websocket', true);
}

export interface HandshakeRefusal {
  status: 400 | 403 | 405 | 426;
  message: string;
  headers: Record<string, string>;
}

export interface ValidHandshake {
  key: string;
  /** Offered subprotocols, in the client's order. */
  protocols: string[];
  origin: string | undefined;
  /** The raw Sec-WebSocket-Extensions lines joined with ', ', undefined when absent. */
  extensions: string | undefined;
}

/**
 * Checks a client's opening handshake. Returns the facts the server needs,
 * or the refusal to send: 405 for a method other than GET, 426 (with
 * Sec-WebSocket-Version: 13) for another protocol version, 400 for anything
 * else malformed. The Origin allow-list (403) is checked by the caller.
 */
export function validateHandshake(head: RequestHead): ValidHandshake | HandshakeRefusal {
  if (head.method !== 'GET') return { status: 405, message: 'A WebSocket handshake must use GET', headers: { Allow: 'GET' } };
  if (head.versionMajor < 1 || (head.versionMajor === 1 && head.versionMinor < 1)) return bad('A WebSocket handshake needs HTTP/1.1');
  if (!hasToken(head, 'upgrade', 'websocket')) return bad('Missing or invalid Upgrade header (expected websocket)');
  if (!hasToken(head, 'connection', 'upgrade')) return bad('Missing or invalid Connection header (expected upgrade)');
  // One pass over the header lines for the five that matter (count and first value of each).
  let versions = 0;
  let version = '';
  let keys = 0;
  let key = '';
  let origin: string | undefined;
  let extensions: string | undefined;
  let protocolLines: string[] | null = null;
  const headers = head.headers;
  for (let i = 0; i < headers.length; i++) {
    const { name, value } = headers[i];
    switch (name.length) {
      case 21:
        if (isName(name, 'sec-websocket-version') && versions++ === 0) version = value;
        break;
      case 17:
        if (isName(name, 'sec-websocket-key') && keys++ === 0) key = value;
        break;
      case 22:
        if (isName(name, 'sec-websocket-protocol')) (protocolLines ??= []).push(value);
        break;
      case 6:
        if (origin === undefined && isName(name, 'origin')) origin = value;
        break;
      case 24:
        if (isName(name, 'sec-websocket-extensions')) extensions = extensions === undefined ? value : `${extensions}, ${value}`;
        break;
    }
  }
  if (versions === 0) return { status: 400, message: 'Missing Sec-WebSocket-Version header', headers: { 'Sec-WebSocket-Version': '13' } };
  if (versions > 1 || version !== '13') {
    if (versions === 1 && /^\d{1,3}$/.test(version)) {
      return { status: 426, message: `Unsupported WebSocket version ${version}; this server speaks 13`, headers: { 'Sec-WebSocket-Version': '13' } };
    }
    return { status: 400, message: 'Invalid Sec-WebSocket-Version header', headers: { 'Sec-WebSocket-Version': '13' } };
  }
  if (keys !== 1) return bad(keys === 0 ? 'Missing Sec-WebSocket-Key header' : 'More than one Sec-WebSocket-Key header');
  if (!isValidKey(key)) return bad('Sec-WebSocket-Key must be the base64 encoding of 16 bytes');
  const protocols: string[] = [];
  if (protocolLines !== null) {
    for (let i = 0; i < protocolLines.length; i++) {
      const parts = protocolLines[i].split(',');
      for (let j = 0; j < parts.length; j++) {
        const t = parts[j].trim();
        if (!t) continue;
        if (!isToken(t) || protocols.includes(t)) return bad('Invalid Sec-WebSocket-Protocol header');
        protocols.push(t);
      }
    }
  }
  return { key, protocols, origin, extensions };
}

function bad(message: string): HandshakeRefusal {
  return { status: 400, message, headers: {} };
}

export function isRefusal(v: ValidHandshake | HandshakeRefusal): v is HandshakeRefusal {
  return 'status' in v;
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 405: 'Method Not Allowed', 426: 'Upgrade Required' };

/** A plain HTTP refusal that closes the connection. */
export function serializeRefusal(r: HandshakeRefusal): Buffer {
  const body = Buffer.from(r.message + '\n', 'utf8');
  let head = `HTTP/1.1 ${r.status} ${REASONS[r.status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n`;
  for (const [k, v] of Object.entries(r.headers)) head += `${k}: ${v}\r\n`;
  head += `Date: ${new Date().toUTCString()}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

export function serializeAccept(key: string, protocol: string, extensions: string, extra?: Record<string, string>): Buffer {
  let head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n`;
  if (protocol) head += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  if (extensions) head += `Sec-WebSocket-Extensions: ${extensions}\r\n`;
  if (extra !== undefined) {
    for (const [k, v] of Object.entries(extra)) {
      if (!isToken(k) || /[\r\n\0]/.test(v)) throw new TypeError(`invalid header ${k}`);
      head += `${k}: ${v}\r\n`;
    }
  }
  return Buffer.from(head + '\r\n', 'latin1');
}
