// The opening handshake (RFC 6455 §4): key and accept computation, and the
// server-side validation of a client's request head. Pure functions; the
// upgrade module writes the answers.
import { createHash, randomBytes } from 'node:crypto';
import type { RequestHead } from '../http/parser-types.js';

export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptKey(key: string): string {
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

/** Every value of a header (all its lines), in order. */
export function headerValues(head: { headers: { name: string; value: string }[] }, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (const h of head.headers) if (h.name.length === lower.length && h.name.toLowerCase() === lower) out.push(h.value);
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

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function isToken(s: string): boolean {
  return TOKEN.test(s);
}

/** Whether the request asks to upgrade to WebSocket (whatever else is wrong with it). */
export function isWebSocketUpgrade(head: RequestHead): boolean {
  return tokenList(head, 'upgrade').some((t) => t === 'websocket' || t.startsWith('websocket/'));
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
  const bad = (message: string): HandshakeRefusal => ({ status: 400, message, headers: {} });
  if (head.method !== 'GET') return { status: 405, message: 'A WebSocket handshake must use GET', headers: { Allow: 'GET' } };
  if (head.versionMajor < 1 || (head.versionMajor === 1 && head.versionMinor < 1)) return bad('A WebSocket handshake needs HTTP/1.1');
  if (!tokenList(head, 'upgrade').includes('websocket')) return bad('Missing or invalid Upgrade header (expected websocket)');
  if (!tokenList(head, 'connection').includes('upgrade')) return bad('Missing or invalid Connection header (expected upgrade)');
  const versions = headerValues(head, 'sec-websocket-version');
  if (versions.length === 0) return { status: 400, message: 'Missing Sec-WebSocket-Version header', headers: { 'Sec-WebSocket-Version': '13' } };
  if (versions.length > 1 || versions[0] !== '13') {
    if (versions.length === 1 && /^\d{1,3}$/.test(versions[0])) {
      return { status: 426, message: `Unsupported WebSocket version ${versions[0]}; this server speaks 13`, headers: { 'Sec-WebSocket-Version': '13' } };
    }
    return { status: 400, message: 'Invalid Sec-WebSocket-Version header', headers: { 'Sec-WebSocket-Version': '13' } };
  }
  const keys = headerValues(head, 'sec-websocket-key');
  if (keys.length !== 1) return bad(keys.length === 0 ? 'Missing Sec-WebSocket-Key header' : 'More than one Sec-WebSocket-Key header');
  if (!isValidKey(keys[0])) return bad('Sec-WebSocket-Key must be the base64 encoding of 16 bytes');
  const protocols: string[] = [];
  for (const line of headerValues(head, 'sec-websocket-protocol')) {
    for (const p of line.split(',')) {
      const t = p.trim();
      if (!t) continue;
      if (!isToken(t) || protocols.includes(t)) return bad('Invalid Sec-WebSocket-Protocol header');
      protocols.push(t);
    }
  }
  const origins = headerValues(head, 'origin');
  const extLines = headerValues(head, 'sec-websocket-extensions');
  return {
    key: keys[0],
    protocols,
    origin: origins[0],
    extensions: extLines.length ? extLines.join(', ') : undefined,
  };
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

export function serializeAccept(key: string, protocol: string, extensions: string, extra: Record<string, string> = {}): Buffer {
  let head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n`;
  if (protocol) head += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  if (extensions) head += `Sec-WebSocket-Extensions: ${extensions}\r\n`;
  for (const [k, v] of Object.entries(extra)) {
    if (!isToken(k) || /[\r\n\0]/.test(v)) throw new TypeError(`invalid header ${k}`);
    head += `${k}: ${v}\r\n`;
  }
  return Buffer.from(head + '\r\n', 'latin1');
}
