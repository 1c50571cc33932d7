// The HTTP results the controller keeps for a reloaded UI: replaced by reqId,
// bounded by connections, exchanges per connection and body characters, the
// connection used longest ago dropped first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetainedExchanges, retainedSpec } from '../../../server-core/playground/retained-exchanges.js';
import type { HttpExchangeView, HttpRequestSpec } from '../../../server-core/protocol/playground.js';

const spec: HttpRequestSpec = { method: 'GET', url: 'http://127.0.0.1:1/', headers: [], body: { kind: 'none' } };

function ex(reqId: string, bodyChars = 0): HttpExchangeView {
  return {
    reqId,
    spec,
    response: { statusCode: 200, reason: 'OK', httpVersion: '1.1', headers: [], body: 'A'.repeat(bodyChars), bodyBytes: bodyChars, bodyTruncated: false, wireBytes: bodyChars },
    timing: { total: 1 },
  };
}

test('an exchange recorded again under its reqId replaces the first; others are appended in order', () => {
  const r = new RetainedExchanges();
  r.record('c1', { reqId: 'a', spec, error: 'pending' });
  r.record('c1', ex('a', 8));
  r.record('c1', ex('b', 4));
  assert.deepEqual(r.get('c1')!.map((x) => [x.reqId, x.response?.statusCode]), [['a', 200], ['b', 200]]);
  assert.equal(r.keptChars, 12);
  assert.equal(r.get('nope'), undefined);
  r.clear();
  assert.equal(r.size, 0);
  assert.equal(r.keptChars, 0);
});

test('maxConnections: the connection recorded longest ago goes first', () => {
  const r = new RetainedExchanges({ maxConnections: 2 });
  r.record('c1', ex('a'));
  r.record('c2', ex('b'));
  r.record('c1', ex('c'));
  r.record('c3', ex('d'));
  assert.equal(r.get('c2'), undefined, 'c2 was used longest ago');
  assert.deepEqual(r.get('c1')!.map((x) => x.reqId), ['a', 'c']);
  assert.ok(r.get('c3'));
});

test('maxPerConnection keeps the newest exchanges of a connection', () => {
  const r = new RetainedExchanges({ maxPerConnection: 2 });
  for (const id of ['a', 'b', 'c']) r.record('c1', ex(id, 10));
  assert.deepEqual(r.get('c1')!.map((x) => x.reqId), ['b', 'c']);
  assert.equal(r.keptChars, 20);
});

test('maxChars bounds the bodies kept; the newest connection stays even alone over the bound', () => {
  const r = new RetainedExchanges({ maxChars: 100 });
  r.record('c1', ex('a', 60));
  r.record('c2', ex('b', 30));
  assert.equal(r.size, 2);
  r.record('c3', ex('c', 50));
  assert.equal(r.get('c1'), undefined);
  assert.deepEqual([r.get('c2')?.length, r.get('c3')?.length], [1, 1]);
  assert.equal(r.keptChars, 80);
  r.record('c4', ex('d', 500));
  assert.equal(r.size, 1);
  assert.equal(r.keptChars, 500);
  // Request body text counts as well.
  const s = new RetainedExchanges({ maxChars: 10 });
  s.record('c1', { reqId: 'x', spec: { ...spec, body: { kind: 'text', text: 'x'.repeat(8) } } });
  s.record('c2', { reqId: 'y', spec: { ...spec, body: { kind: 'text', text: 'y'.repeat(8) } } });
  assert.equal(s.get('c1'), undefined);
});

test('a file body is kept by name only', () => {
  const kept = retainedSpec({ ...spec, method: 'PUT', body: { kind: 'file', fileName: 'a.bin', fileBase64: 'AAAA' } });
  assert.deepEqual(kept.body, { kind: 'file', fileName: 'a.bin' });
  assert.equal(retainedSpec(spec), spec);
});
