import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync, deflateRawSync, constants as zc } from 'node:zlib';
import { toHar, fromHar, harToRequestSpecs, type Har } from '../../../server-core/export/har.js';
import { CaptureStore, type CapturedConnection } from '../../../server-core/capture/capture-store.js';
import type { ConnectionOpened, Direction } from '../../../server-core/capture/types.js';

// ---- a small HAR 1.2 validator (required fields and their types, per the spec) ----

type Check = (v: unknown, path: string, errors: string[]) => void;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str: Check = (v, p, e) => void (typeof v !== 'string' && e.push(`${p}: string expected`));
const num: Check = (v, p, e) => void (typeof v !== 'number' || Number.isNaN(v) ? e.push(`${p}: number expected`) : undefined);
const bool: Check = (v, p, e) => void (typeof v !== 'boolean' && e.push(`${p}: boolean expected`));
const iso: Check = (v, p, e) => {
  if (typeof v !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v)) e.push(`${p}: ISO 8601 date expected`);
};
const arr = (item: Check): Check => (v, p, e) => {
  if (!Array.isArray(v)) return void e.push(`${p}: array expected`);
  v.forEach((x, i) => item(x, `${p}[${i}]`, e));
};
const obj = (required: Record<string, Check>, optional: Record<string, Check> = {}): Check => (v, p, e) => {
  if (!isObj(v)) return void e.push(`${p}: object expected`);
  for (const [k, c] of Object.entries(required)) {
    if (!(k in v)) e.push(`${p}.${k}: required`);
    else c(v[k], `${p}.${k}`, e);
  }
  for (const [k, c] of Object.entries(optional)) if (k in v && v[k] !== undefined) c(v[k], `${p}.${k}`, e);
};
const timing: Check = (v, p, e) => {
  num(v, p, e);
  if (typeof v === 'number' && v < 0 && v !== -1) e.push(`${p}: -1 or a non-negative number expected`);
};
const nonNeg: Check = (v, p, e) => {
  num(v, p, e);
  if (typeof v === 'number' && v < 0) e.push(`${p}: non-negative expected`);
};
const nameValue = obj({ name: str, value: str }, { comment: str });
const cookie = obj({ name: str, value: str }, { path: str, domain: str, expires: iso, httpOnly: bool, secure: bool, comment: str });
const HAR12: Check = obj({
  log: obj(
    {
      version: str,
      creator: obj({ name: str, version: str }, { comment: str }),
      entries: arr(
        obj(
          {
            startedDateTime: iso,
            time: nonNeg,
            request: obj(
              { method: str, url: str, httpVersion: str, cookies: arr(cookie), headers: arr(nameValue), queryString: arr(nameValue), headersSize: num, bodySize: num },
              { postData: obj({ mimeType: str, params: arr(obj({ name: str }, { value: str, fileName: str, contentType: str })), text: str }), comment: str },
            ),
            response: obj(
              {
                status: num,
                statusText: str,
                httpVersion: str,
                cookies: arr(cookie),
                headers: arr(nameValue),
                content: obj({ size: num, mimeType: str }, { compression: num, text: str, encoding: str, comment: str }),
                redirectURL: str,
                headersSize: num,
                bodySize: num,
              },
              { comment: str },
            ),
            cache: obj({}),
            timings: obj({ send: nonNeg, wait: nonNeg, receive: nonNeg }, { blocked: timing, dns: timing, connect: timing, ssl: timing, comment: str }),
          },
          { pageref: str, serverIPAddress: str, connection: str, comment: str },
        ),
      ),
    },
    { browser: obj({ name: str, version: str }), pages: arr(obj({ startedDateTime: iso, id: str, title: str, pageTimings: obj({}) })), comment: str },
  ),
});

function validate(har: unknown): string[] {
  const errors: string[] = [];
  HAR12(har, 'har', errors);
  if (isObj(har) && isObj(har.log) && Array.isArray(har.log.entries)) {
    for (const [i, e] of (har.log.entries as Har['log']['entries']).entries()) {
      if (!isObj(e) || !isObj(e.timings)) continue;
      const t = e.timings;
      const sum = [t.blocked, t.dns, t.connect, t.send, t.wait, t.receive].filter((x): x is number => typeof x === 'number' && x > 0).reduce((a, b) => a + b, 0);
      if (Math.abs(sum - e.time) > 0.01) errors.push(`entries[${i}].time ${e.time} is not the sum of its timings ${sum}`);
      if (e._webSocketMessages) {
        for (const m of e._webSocketMessages) {
          if (m.type !== 'send' && m.type !== 'receive') errors.push(`entries[${i}]._webSocketMessages: bad type`);
          if (typeof m.time !== 'number' || typeof m.opcode !== 'number' || typeof m.data !== 'string') errors.push(`entries[${i}]._webSocketMessages: bad message`);
        }
      }
    }
  }
  return errors;
}

test('the validator catches what HAR 1.2 requires', () => {
  assert.ok(validate({ log: { version: '1.2', creator: { name: 'x', version: '1' }, entries: [{}] } }).length > 5);
  assert.deepEqual(validate({ log: { version: '1.2', creator: { name: 'x', version: '1' }, entries: [] } }), []);
});

// ---- captures ----

const WALL = Date.UTC(2026, 0, 2, 3, 4, 5);

function capture(chunks: [Direction, number, string | Buffer][], over: Partial<ConnectionOpened> = {}, closeAt = 100): CapturedConnection {
  const store = new CaptureStore({ dissect: false });
  store.open({
    connectionId: 'c1',
    side: 'client',
    protocol: 'http',
    tls: false,
    local: { address: '127.0.0.1', port: 50000 },
    remote: { address: '127.0.0.1', port: 8080 },
    t: 0,
    wallTime: WALL,
    ...over,
  });
  for (const [dir, t, data] of chunks) store.chunk(over.connectionId ?? 'c1', dir, t, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  store.close({ connectionId: over.connectionId ?? 'c1', t: closeAt });
  return store.connection(over.connectionId ?? 'c1')!;
}

test('HTTP exchanges: url, query, headers, cookies, postData, timings, sizes, decoded content', () => {
  const json = JSON.stringify({ ok: true, list: [1, 2, 3] });
  const gz = gzipSync(json);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
  const reqHead = 'POST /form?a=1&b=x%20y HTTP/1.1\r\nHost: example.test:8080\r\nCookie: sid=abc; theme=dark\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\n';
  const resHead = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nSet-Cookie: sid=def; Path=/; HttpOnly\r\nContent-Length: ${gz.length}\r\n\r\n`;
  const conn = capture([
    ['c2s', 10, reqHead],
    ['c2s', 11, 'name=Ann&x=1'.padEnd(13, '&')],
    ['s2c', 15, Buffer.concat([Buffer.from(resHead), gz])],
    ['c2s', 20, 'GET /img HTTP/1.1\r\nHost: example.test:8080\r\n\r\n'],
    ['s2c', 22, 'HTTP/1.1 302 Found\r\nLocation: /other\r\nTransfer-Encoding: chunked\r\nContent-Type: image/png\r\n\r\n'],
    ['s2c', 23, Buffer.concat([Buffer.from('c\r\n'), png, Buffer.from('\r\n0\r\n\r\n')])],
    ['c2s', 30, 'GET /never HTTP/1.1\r\nHost: example.test:8080\r\n\r\n'],
  ]);
  const har = toHar([conn], { creatorVersion: '9.9.9' });
  assert.deepEqual(validate(har), []);
  assert.equal(har.log.version, '1.2');
  assert.deepEqual(har.log.creator, { name: 'Wireplay', version: '9.9.9' });
  const [post, img, never] = har.log.entries;
  assert.equal(post.startedDateTime, new Date(WALL + 10).toISOString());
  assert.equal(post.request.method, 'POST');
  assert.equal(post.request.url, 'http://example.test:8080/form?a=1&b=x%20y');
  assert.deepEqual(post.request.queryString, [{ name: 'a', value: '1' }, { name: 'b', value: 'x y' }]);
  assert.deepEqual(post.request.cookies, [{ name: 'sid', value: 'abc' }, { name: 'theme', value: 'dark' }]);
  assert.equal(post.request.headers.length, 4);
  assert.equal(post.request.headersSize, Buffer.byteLength(reqHead));
  assert.equal(post.request.bodySize, 13);
  assert.equal(post.request.postData?.mimeType, 'application/x-www-form-urlencoded');
  assert.equal(post.request.postData?.text, 'name=Ann&x=1&');
  assert.deepEqual(post.request.postData?.params, [{ name: 'name', value: 'Ann' }, { name: 'x', value: '1' }]);
  assert.equal(post.response.status, 200);
  assert.equal(post.response.statusText, 'OK');
  assert.equal(post.response.content.text, json);
  assert.equal(post.response.content.size, json.length);
  assert.equal(post.response.content.compression, json.length - gz.length);
  assert.equal(post.response.bodySize, gz.length);
  assert.deepEqual(post.response.cookies, [{ name: 'sid', value: 'def', path: '/', httpOnly: true }]);
  assert.deepEqual(post.timings, { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 1, wait: 4, receive: 0 });
  assert.equal(post.time, 5);
  assert.equal(post.connection, 'c1');
  assert.equal(post.serverIPAddress, '127.0.0.1');

  assert.equal(img.response.status, 302);
  assert.equal(img.response.redirectURL, 'http://example.test:8080/other');
  assert.equal(img.response.content.encoding, 'base64');
  assert.deepEqual(Buffer.from(img.response.content.text!, 'base64'), png);
  assert.equal(img.response.content.mimeType, 'image/png');
  assert.equal(img.timings.receive, 1);

  assert.equal(never.response.status, 0);
  assert.match(never.response._error!, /No response/);
});

test('a WebSocket connection: the upgrade entry carries _resourceType and _webSocketMessages as Chrome writes them', () => {
  const key = Buffer.from([1, 2, 3, 4]);
  const mask = (b: Buffer) => Buffer.from(b.map((x, i) => x ^ key[i & 3]));
  const text = Buffer.from('hi there');
  const deflate = (s: string) => {
    const d = deflateRawSync(Buffer.from(s), { finishFlush: zc.Z_SYNC_FLUSH });
    return d.subarray(0, d.length - 4);
  };
  const compressed = deflate('compressed reply');
  const conn = capture(
    [
      ['c2s', 1, 'GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n'],
      ['s2c', 2, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n\r\n'],
      ['c2s', 3, Buffer.concat([Buffer.from([0x81, 0x80 | text.length]), key, mask(text)])],
      ['c2s', 4, Buffer.concat([Buffer.from([0x82, 0x83]), key, mask(Buffer.from([0, 0xff, 7]))])],
      ['c2s', 4.5, Buffer.concat([Buffer.from([0x89, 0x80]), key])],
      ['s2c', 5, Buffer.concat([Buffer.from([0xc1, compressed.length]), compressed])],
      ['s2c', 6, Buffer.from([0x01, 0x02, 0x61, 0x62])],
      ['s2c', 7, Buffer.from([0x80, 0x01, 0x63])],
      ['s2c', 8, Buffer.from([0x88, 0x02, 0x03, 0xe8])],
    ],
    { side: 'server', local: { address: '127.0.0.1', port: 8080 }, remote: { address: '127.0.0.1', port: 50000 } },
  );
  const har = toHar([conn]);
  assert.deepEqual(validate(har), []);
  const [e] = har.log.entries;
  assert.equal(e.request.url, 'ws://h/ws');
  assert.equal(e.response.status, 101);
  assert.equal(e._resourceType, 'websocket');
  assert.deepEqual(
    e._webSocketMessages!.map((m) => [m.type, m.opcode, m.data, m.time]),
    [
      ['send', 1, 'hi there', (WALL + 3) / 1000],
      ['send', 2, Buffer.from([0, 0xff, 7]).toString('base64'), (WALL + 4) / 1000],
      ['receive', 1, 'compressed reply', (WALL + 5) / 1000],
      ['receive', 1, 'abc', (WALL + 7) / 1000],
    ],
  );
});

test('both ends ours: the server-side duplicate is left out', () => {
  const req = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';
  const res = 'HTTP/1.1 204 No Content\r\n\r\n';
  const client = { ...capture([['c2s', 1, req], ['s2c', 2, res]]), peerConnectionId: 's1' };
  const server = { ...capture([['c2s', 1, req], ['s2c', 2, res]], { connectionId: 's1', side: 'server' }), peerConnectionId: 'c1' };
  assert.equal(toHar([client, server]).log.entries.length, 1);
  assert.equal(toHar([client, server], { dedupePeers: false }).log.entries.length, 2);
});

test('both ends ours: the client entry carries the server pipeline record as _stages and _route (docs/pipeline.md)', () => {
  const req = 'GET /users/7 HTTP/1.1\r\nHost: a\r\n\r\n';
  const res = 'HTTP/1.1 204 No Content\r\n\r\n';
  const stages = { accepted: 0, firstByte: 0.1, headParsed: 0.2, bodyParsed: 0.2, routed: 0.3, handlerStart: 0.3, firstResponseByte: 0.5, lastResponseByte: 0.5 };
  const route = { pattern: '/users/:id', method: 'GET', layer: 'user' as const, file: '/w/wireplay.routes.json', line: 4, kind: 'fixed' as const, params: { id: '7' } };
  const client = { ...capture([['c2s', 1, req], ['s2c', 2, res]]), peerConnectionId: 's1' };
  const server = {
    ...capture([['c2s', 1, req], ['s2c', 2, res]], { connectionId: 's1', side: 'server' }),
    peerConnectionId: 'c1',
    pipelines: [{ connectionId: 's1', index: 1, t: 2, method: 'GET', target: '/users/7', status: 204, stages, route }],
  };
  const [entry] = toHar([client, server]).log.entries;
  assert.equal(entry.connection, client.id);
  assert.deepEqual(entry._stages, stages);
  assert.deepEqual(entry._route, route);
  assert.deepEqual(validate(toHar([client, server])), []);
  // Without the server's end, nothing is made up.
  assert.equal(toHar([client]).log.entries[0]._stages, undefined);
});

test('HAR import reads requests back (ours and browser-style), bodies and WebSocket sends included', () => {
  const bin = Buffer.from([0, 1, 2, 0xfe]);
  const conn = capture([
    ['c2s', 1, `PUT /bin HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n`],
    ['c2s', 2, bin],
    ['s2c', 3, 'HTTP/1.1 204 No Content\r\n\r\n'],
  ]);
  const har = toHar([conn]);
  const back = fromHar(JSON.stringify(har));
  assert.equal(back.length, 1);
  assert.equal(back[0].method, 'PUT');
  assert.equal(back[0].url, 'http://a/bin');
  assert.deepEqual(back[0].body, bin);
  assert.deepEqual(back[0].headers[0], { name: 'Host', value: 'a' });

  const browser = {
    log: {
      version: '1.2',
      creator: { name: 'WebInspector', version: '537.36' },
      entries: [
        {
          startedDateTime: '2026-01-02T03:04:05.000Z',
          request: { method: 'GET', url: 'wss://x.test/s', headers: [{ name: ':authority', value: 'x.test' }, { name: 'Origin', value: 'https://x.test' }], postData: undefined },
          _webSocketMessages: [
            { type: 'send', time: 1, opcode: 1, data: 'hello' },
            { type: 'receive', time: 2, opcode: 1, data: 'hello' },
            { type: 'send', time: 3, opcode: 2, data: 'AAE=' },
          ],
        },
      ],
    },
  };
  const [ws] = fromHar(browser as unknown as Har);
  assert.deepEqual(ws.webSocketSends, [{ opcode: 1, data: Buffer.from('hello') }, { opcode: 2, data: Buffer.from([0, 1]) }]);
  const specs = harToRequestSpecs(browser as unknown as Har, {
    options: { followRedirects: false, maxRedirects: 0, keepAlive: false, timeoutMs: 1000, insecure: false, autoHeaders: { host: true, userAgent: false, accept: false, connection: false, contentLength: true } },
  });
  assert.deepEqual(specs[0].headers, [{ name: 'Origin', value: 'https://x.test', enabled: true }]);
  assert.deepEqual(specs[0].body, { kind: 'none' });
  assert.throws(() => fromHar('{"nope":1}'), /Not a HAR file/);
});
