// A request the parser refuses: answered 400 by the proxy (and shown as such),
// or, with passMalformed, forwarded byte for byte so the target's own parser
// can be tested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allClosed, assertAppMatches, assertLegsMirror, bytesOf, downstreams, finished, rawClient, startFixture, until, upstreamsOf } from './helpers.js';

const BAD = 'GET /hello HTTP/1.1\r\nHost: app\r\nBad Header: x\r\n\r\n';

test('by default the proxy answers 400 naming the error; nothing reaches the target', async (t) => {
  const f = await startFixture(t);
  const c = await rawClient(t, f.port);
  c.socket.write(BAD);
  await c.closed;
  const text = c.received().toString('latin1');
  assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(text, /X-Wireplay-Proxy: malformed-request\r\nConnection: close\r\n/);
  assert.match(text, /whitespace between field name and colon \(WHITESPACE_BEFORE_COLON, at byte 35 of the connection\)/);
  await until(f.store, () => allClosed(f.store), 'the connection to close');
  const d = downstreams(f.store)[0];
  assert.equal(bytesOf(f.store, d.id, 'c2s').toString('latin1'), BAD, 'the refused bytes are in the capture');
  assert.equal(upstreamsOf(f.store, d.id).length, 0);
  assert.equal(f.app.connections.length, 0);
  const [e] = finished(f.proxy);
  assert.deepEqual([e.method, e.target, e.status, e.source, e.answer], ['GET', '/hello', 400, 'proxy', 'malformed-request']);
});

test('a malformed request after a good one on the same connection: the first is answered by the target, then the 400', async (t) => {
  const f = await startFixture(t);
  const c = await rawClient(t, f.port);
  c.socket.write('GET /hello HTTP/1.1\r\nHost: app\r\n\r\n' + 'POST /echo HTTP/1.1\r\nHost: app\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab');
  await c.closed;
  const text = c.received().toString('latin1');
  assert.ok(text.indexOf('hello through the proxy') < text.indexOf('HTTP/1.1 400 Bad Request'), 'in request order');
  assert.match(text, /CONFLICTING_CONTENT_LENGTH/);
  await until(f.store, () => allClosed(f.store), 'the connections to close');
  assert.deepEqual(finished(f.proxy).map((e) => [e.status, e.source]), [[200, 'upstream'], [400, 'proxy']]);
});

test('passMalformed: the bytes go to the target as they are, and its own answer comes back', async (t) => {
  const f = await startFixture(t, { passMalformed: true });
  const c = await rawClient(t, f.port);
  c.socket.write(BAD);
  await c.closed;
  const text = c.received().toString('latin1');
  assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/, "node:http's own 400");
  assert.doesNotMatch(text, /X-Wireplay-Proxy/);
  await until(f.store, () => allClosed(f.store), 'the connections to close');
  assertLegsMirror(f.store);
  assertAppMatches(f.store, f.app);
  assert.equal(Buffer.concat(f.app.connections[0].received).toString('latin1'), BAD);
  const [e] = finished(f.proxy);
  assert.equal(e.source, 'upstream');
  assert.match(e.passedMalformed ?? '', /^WHITESPACE_BEFORE_COLON/);
});
