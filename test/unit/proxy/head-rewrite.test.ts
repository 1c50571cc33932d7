// Host and X-Forwarded-* rewrites: only the listed bytes change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpMessageParser } from '../../../server-core/http/message-parser.js';
import type { RequestHead } from '../../../server-core/http/parser-types.js';
import { applyEdits, rewriteRequestHead } from '../../../server-core/proxy/head-rewrite.js';

function head(text: string): { bytes: Buffer; head: RequestHead } {
  const bytes = Buffer.from(text, 'latin1');
  let h: RequestHead | undefined;
  new HttpMessageParser('request', { onHead: (x) => void (h = x as RequestHead), onMessageComplete() {}, onError: (e) => assert.fail(e.message) }).push(bytes);
  return { bytes, head: h! };
}

test('nothing asked, nothing changed: the same buffer comes back', () => {
  const h = head('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  const r = rewriteRequestHead(h.bytes, h.head, 0, {});
  assert.equal(r.bytes, h.bytes);
  assert.deepEqual(r.edits, []);
});

test('Host rewrite replaces the value only, keeping the field name as written', () => {
  const h = head('GET / HTTP/1.1\r\nhOsT:   my.app:80  \r\nAccept: */*\r\n\r\n');
  const r = rewriteRequestHead(h.bytes, h.head, 0, { host: '127.0.0.1:3000' });
  assert.equal(r.bytes.toString('latin1'), 'GET / HTTP/1.1\r\nhOsT:   127.0.0.1:3000  \r\nAccept: */*\r\n\r\n');
  assert.deepEqual(r.edits, [{ kind: 'host', at: 24, removed: 'my.app:80', inserted: '127.0.0.1:3000' }]);
  assert.equal(rewriteRequestHead(h.bytes, h.head, 0, { host: 'my.app:80' }).edits.length, 0, 'an equal value is no edit');
});

test('X-Forwarded-*: appended to an existing For, added before the empty line otherwise; offsets follow the base', () => {
  const prefix = 'POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n';
  const text = 'GET / HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n';
  const both = head(prefix + text);
  // Parse the second request alone as the proxy would: its spans are counted from the stream start.
  let second: RequestHead | undefined;
  const parser = new HttpMessageParser('request', { onHead: (x) => void (second = x as RequestHead), onMessageComplete() {}, onError: (e) => assert.fail(e.message) });
  parser.push(both.bytes);
  const bytes = Buffer.from(text, 'latin1');
  const r = rewriteRequestHead(bytes, second!, prefix.length, { forwarded: { for: '127.0.0.1', proto: 'http' } });
  assert.equal(
    r.bytes.toString('latin1'),
    'GET / HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-For: 1.2.3.4, 127.0.0.1\r\nX-Forwarded-Host: a.test\r\nX-Forwarded-Proto: http\r\n\r\n',
  );
  assert.ok(applyEdits(bytes, r.edits).equals(r.bytes));
  assert.deepEqual(r.edits.map((e) => [e.kind, e.at]), [['x-forwarded-for', 54], ['x-forwarded-host', 56], ['x-forwarded-proto', 56]]);
});
