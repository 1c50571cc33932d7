import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { HttpMessageParser } from '../../../server-core/http/message-parser.js';
import type { RequestHead } from '../../../server-core/http/parser-types.js';
import { acceptKey, isValidKey, validateHandshake, isRefusal, serializeRefusal, serializeAccept, isWebSocketUpgrade, hasToken, headerValues, tokenList } from '../../../server-core/ws/handshake.js';
import { handleUpgrade } from '../../../server-core/ws/upgrade.js';
import type { ServerRequest } from '../../../server-core/http/handler-types.js';
import type { Socket } from 'node:net';
import { FakeSocket } from '../../support/ws-fake-socket.js';

function head(text: string): RequestHead {
  let h: RequestHead | null = null;
  const p = new HttpMessageParser('request', {
    onHead: (x) => {
      h = x as RequestHead;
      return 'upgrade';
    },
    onMessageComplete: () => {},
    onError: (e) => {
      throw e;
    },
  });
  p.push(Buffer.from(text.replace(/\n/g, '\r\n') + '\r\n'));
  assert.ok(h);
  return h;
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const good = (extra = '', method = 'GET', version = '1.1') =>
  `${method} /chat HTTP/${version}\nHost: server.example.com\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: ${KEY}\nSec-WebSocket-Version: 13\n${extra}`;

test('Sec-WebSocket-Accept of the RFC 6455 §1.3 example', () => {
  assert.equal(acceptKey(KEY), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('a key must be the base64 of exactly 16 bytes', () => {
  assert.ok(isValidKey(KEY));
  assert.ok(!isValidKey('dGhlIHNhbXBsZSBub25jZQ='));
  assert.ok(!isValidKey('dGhlIHNhbXBsZSBub25jZR=='), 'non-zero padding bits');
  assert.ok(!isValidKey('dGhlIHNhbXBsZSBub25jZXh4'));
  assert.ok(!isValidKey(''));
});

test('accepts a valid handshake with token lists in any case', () => {
  const v = validateHandshake(head(good('Sec-WebSocket-Protocol: chat, superchat\nOrigin: http://example.com\n').replace('Upgrade: websocket', 'Upgrade: WebSocket').replace('Connection: Upgrade', 'Connection: keep-alive, UPGRADE')));
  assert.ok(!isRefusal(v));
  assert.deepEqual(v.protocols, ['chat', 'superchat']);
  assert.equal(v.origin, 'http://example.com');
});

const refusals: [string, string, number][] = [
  ['POST', good('', 'POST'), 405],
  ['HTTP/1.0', good('', 'GET', '1.0'), 400],
  ['no Upgrade', good().replace('Upgrade: websocket\n', ''), 400],
  ['Upgrade: h2c', good().replace('Upgrade: websocket', 'Upgrade: h2c'), 400],
  ['no Connection: upgrade', good().replace('Connection: Upgrade', 'Connection: keep-alive'), 400],
  ['no key', good().replace(`Sec-WebSocket-Key: ${KEY}\n`, ''), 400],
  ['short key', good().replace(KEY, 'AAAA'), 400],
  ['two keys', good(`Sec-WebSocket-Key: ${KEY}\n`), 400],
  ['no version', good().replace('Sec-WebSocket-Version: 13\n', ''), 400],
  ['version 8', good().replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8'), 426],
  ['version 14', good().replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 14'), 426],
  ['version garbage', good().replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: x13'), 400],
  ['bad subprotocol', good('Sec-WebSocket-Protocol: a b\n'), 400],
];
for (const [name, req, status] of refusals) {
  test(`refuses ${name} with ${status}`, () => {
    const v = validateHandshake(head(req));
    assert.ok(isRefusal(v), 'accepted');
    assert.equal(v.status, status);
    const bytes = serializeRefusal(v).toString('latin1');
    assert.match(bytes, new RegExp(`^HTTP/1.1 ${status} `));
    assert.match(bytes, /\r\nConnection: close\r\n/);
    if (status === 426) assert.match(bytes, /\r\nSec-WebSocket-Version: 13\r\n/);
    if (status === 405) assert.match(bytes, /\r\nAllow: GET\r\n/);
  });
}

test('isWebSocketUpgrade looks at the Upgrade header only, so a POST upgrade still reaches handleUpgrade (405)', () => {
  assert.ok(isWebSocketUpgrade(head(good('', 'POST'))));
  assert.ok(!isWebSocketUpgrade(head('GET / HTTP/1.1\nHost: x\nUpgrade: h2c\nConnection: upgrade\n')));
});

test('the 101 carries the accept key, the subprotocol and the extensions, and rejects header injection', () => {
  const r = serializeAccept(KEY, 'chat', 'permessage-deflate', { 'X-Demo': '1' }).toString('latin1');
  assert.equal(r, `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\nSec-WebSocket-Extensions: permessage-deflate\r\nX-Demo: 1\r\n\r\n`);
  assert.throws(() => serializeAccept(KEY, '', '', { 'X-A': 'a\r\nSet-Cookie: x' }), TypeError);
});

test('the 101 without extra headers is the bare handshake answer, byte for byte', () => {
  assert.equal(
    serializeAccept(KEY, '', '').toString('latin1'),
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
  );
  assert.equal(serializeAccept(KEY, '', '', {}).toString('latin1'), serializeAccept(KEY, '', '').toString('latin1'));
});

test('acceptKey (one-shot digest) equals base64(SHA-1(key + GUID)) for any key', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      const key = Buffer.from(bytes).toString('base64');
      assert.equal(acceptKey(key), createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64'));
    }),
  );
});

function request(text: string): ServerRequest {
  const h = head(text);
  return { connectionId: 'c1', head: h, method: h.method } as unknown as ServerRequest;
}

function upgradeWith(text: string, route: Parameters<typeof handleUpgrade>[3], options?: Parameters<typeof handleUpgrade>[4]) {
  const sock = new FakeSocket('server');
  const conn = handleUpgrade(request(text), sock as unknown as Socket, Buffer.alloc(0), route, options);
  return { conn, sock, out: Buffer.concat(sock.written).toString('latin1') };
}

test('handleUpgrade: Origin outside the allow-list → 403 and the socket ends', () => {
  const { conn, sock, out } = upgradeWith(good('Origin: http://evil.example\n'), { handler: {}, origins: ['http://good.example'] });
  assert.equal(conn, null);
  assert.match(out, /^HTTP\/1.1 403 Forbidden\r\n/);
  assert.ok(sock.ended);
  const missing = upgradeWith(good(), { handler: {}, origins: ['http://good.example'] });
  assert.match(missing.out, /^HTTP\/1.1 403 /);
  const ok = upgradeWith(good('Origin: http://good.example\n'), { handler: {}, origins: ['http://good.example'] });
  assert.match(ok.out, /^HTTP\/1.1 101 /);
  ok.conn?.terminate();
});

test('handleUpgrade: subprotocol chosen by the endpoint\'s preference, extensions negotiated, onOpen called', async () => {
  let opened = 0;
  const { conn, out } = upgradeWith(good('Sec-WebSocket-Protocol: b, a\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\n'), {
    handler: { onOpen: () => opened++ },
    protocols: ['a', 'b'],
  });
  assert.ok(conn);
  assert.equal(conn.protocol, 'a');
  assert.equal(conn.extensions, 'permessage-deflate');
  assert.equal(conn.readyState, 'open');
  assert.match(out, /\r\nSec-WebSocket-Protocol: a\r\n/);
  assert.match(out, /\r\nSec-WebSocket-Extensions: permessage-deflate\r\n/);
  await new Promise((r) => process.nextTick(r));
  assert.equal(opened, 1);
  conn.terminate();
});

test('handleUpgrade: a malformed Sec-WebSocket-Extensions → 400; compression switched off → no extension', () => {
  assert.match(upgradeWith(good('Sec-WebSocket-Extensions: permessage-deflate; =x\n'), { handler: {} }).out, /^HTTP\/1.1 400 /);
  const off = upgradeWith(good('Sec-WebSocket-Extensions: permessage-deflate\n'), { handler: {} }, { perMessageDeflate: false });
  assert.equal(off.conn?.extensions, '');
  assert.doesNotMatch(off.out, /Sec-WebSocket-Extensions/);
  off.conn?.terminate();
});

test('hasToken and headerValues answer as the plain definitions (lower-cased copies, split, trim) for any header names and values', () => {
  // Names in any case (and a Kelvin sign, which lower-cases to k); values of tokens, commas, white space
  // (NBSP and an em space included), Latin-1 letters, and characters beyond Latin-1.
  const name = fc.constantFrom('upgrade', 'Upgrade', 'UPGRADE', 'connection', 'CONNECTION', 'Connection', 'upgradE', 'x-upgrade', 'upgrad', '\u212Aeep', 'Keep');
  const piece = fc.constantFrom('websocket', 'WebSocket', 'WEBSOCKET', 'websocket/13', 'WebSocket/', 'websockets', 'h2c', 'upgrade', 'Upgrade', 'keep-alive', 'webs\u00f6cket', 'websoc\u212Aet', '', ' ', '\t', '\u00a0', '\u000b', '\u2003', ',', ', ', ' ,', '/', 'É', 'keep', 'KEEP');
  const header = fc.record({ name, value: fc.array(piece, { maxLength: 8 }).map((p) => p.join('')) });
  fc.assert(
    fc.property(fc.array(header, { maxLength: 5 }), fc.constantFrom('upgrade', 'connection', 'keep'), fc.constantFrom('websocket', 'upgrade', 'keep-alive', 'keep'), fc.boolean(), (headers, n, token, versioned) => {
      const head = { headers };
      const plain = tokenList(head, n).some((t) => t === token || (versioned && t.startsWith(token + '/')));
      assert.equal(hasToken(head, n, token, versioned), plain);
      assert.deepEqual(headerValues(head, n), headers.filter((h) => h.name.toLowerCase() === n).map((h) => h.value));
    }),
    { numRuns: 3000 },
  );
});

/** validateHandshake as first written: one look-up per header through headerValues and tokenList. */
function plainValidate(head: RequestHead): unknown {
  const bad = (message: string) => ({ status: 400, message, headers: {} });
  if (head.method !== 'GET') return { status: 405, message: 'A WebSocket handshake must use GET', headers: { Allow: 'GET' } };
  if (head.versionMajor < 1 || (head.versionMajor === 1 && head.versionMinor < 1)) return bad('A WebSocket handshake needs HTTP/1.1');
  if (!tokenList(head, 'upgrade').includes('websocket')) return bad('Missing or invalid Upgrade header (expected websocket)');
  if (!tokenList(head, 'connection').includes('upgrade')) return bad('Missing or invalid Connection header (expected upgrade)');
  const versions = headerValues(head, 'sec-websocket-version');
  if (versions.length === 0) return { status: 400, message: 'Missing Sec-WebSocket-Version header', headers: { 'Sec-WebSocket-Version': '13' } };
  if (versions.length > 1 || versions[0] !== '13') {
    if (versions.length === 1 && /^\d{1,3}$/.test(versions[0])) return { status: 426, message: `Unsupported WebSocket version ${versions[0]}; this server speaks 13`, headers: { 'Sec-WebSocket-Version': '13' } };
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
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(t) || protocols.includes(t)) return bad('Invalid Sec-WebSocket-Protocol header');
      protocols.push(t);
    }
  }
  const extLines = headerValues(head, 'sec-websocket-extensions');
  return { key: keys[0], protocols, origin: headerValues(head, 'origin')[0], extensions: extLines.length ? extLines.join(', ') : undefined };
}

test('validateHandshake (one pass over the lines) answers as one look-up per header would, for any mix of lines', () => {
  const line = fc.oneof(
    fc.record({ name: fc.constantFrom('Upgrade', 'upgrade'), value: fc.constantFrom('websocket', 'WebSocket, h2c', 'h2c') }),
    fc.record({ name: fc.constantFrom('Connection', 'connection'), value: fc.constantFrom('Upgrade', 'keep-alive, upgrade', 'close') }),
    fc.record({ name: fc.constantFrom('Sec-WebSocket-Version', 'sec-websocket-version', 'SEC-WEBSOCKET-VERSION'), value: fc.constantFrom('13', '8', '13, 8', 'x') }),
    fc.record({ name: fc.constantFrom('Sec-WebSocket-Key', 'sec-websocket-key'), value: fc.constantFrom('dGhlIHNhbXBsZSBub25jZQ==', 'bad', 'AAAAAAAAAAAAAAAAAAAAAA==') }),
    fc.record({ name: fc.constantFrom('Sec-WebSocket-Protocol', 'sec-websocket-protocol'), value: fc.constantFrom('chat', 'chat, superchat', ' a ,, b', 'chat, chat', 'bad token', '') }),
    fc.record({ name: fc.constantFrom('Origin', 'origin', 'ORIGIN'), value: fc.constantFrom('http://a.example', 'null', '') }),
    fc.record({ name: fc.constantFrom('Sec-WebSocket-Extensions', 'sec-websocket-extensions'), value: fc.constantFrom('permessage-deflate', 'x; y=1', '') }),
    fc.record({ name: fc.constantFrom('Host', 'X-Other', 'Sec-WebSocket-Keys', 'Origins', '\u212Aey'), value: fc.constantFrom('v', '13') }),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 6 }), fc.array(line, { maxLength: 6 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 4, maxLength: 4 }), fc.constantFrom('GET', 'GET', 'POST'), (before, after, keep, method) => {
      // Mostly a valid handshake (each of its lines kept 9 times in 10) between random lines, so the later checks are reached.
      const valid = [
        { name: 'Upgrade', value: 'websocket' },
        { name: 'Connection', value: 'Upgrade' },
        { name: 'Sec-WebSocket-Version', value: '13' },
        { name: 'Sec-WebSocket-Key', value: 'dGhlIHNhbXBsZSBub25jZQ==' },
      ].filter((_, i) => keep[i] > 0);
      const headers = [...before, ...valid, ...after];
      const head = { method, target: '/', versionMajor: 1, versionMinor: 1, headers } as unknown as RequestHead;
      assert.deepEqual(validateHandshake(head), plainValidate(head));
    }),
    { numRuns: 3000 },
  );
});
