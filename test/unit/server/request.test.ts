// The ServerRequest implementation without sockets: target splitting, body streaming, abort.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest } from '../../../server-core/server/request.js';
import type { RequestHead, RequestTargetForm } from '../../../server-core/http/parser-types.js';

const span = { start: 0, end: 0 };
function head(target: string, form: RequestTargetForm = 'origin', contentLength: number | null = null): RequestHead {
  return {
    kind: 'request', method: 'GET', target, targetForm: form, methodSpan: span, targetSpan: span, expectContinue: false,
    versionMajor: 1, versionMinor: 1, headers: [{ name: 'Host', value: 'x', lineSpan: span, nameSpan: span, valueSpan: span }],
    contentLength, chunked: false, keepAlive: true, upgrade: false, headSpan: span, startLineSpan: span, versionSpan: span,
  };
}
const owner = { bodyWanted() {}, bodyConsumed() {} };
const make = (h: RequestHead, max = 1e6) => new HttpRequest('c1', 1, h, Buffer.alloc(0), { address: '127.0.0.1', port: 1 }, owner, max);

test('path and query for each target form', () => {
  const cases: [string, RequestTargetForm, string, string][] = [
    ['/a/b%20c?x=1&y=2', 'origin', '/a/b%20c', 'x=1&y=2'],
    ['/plain', 'origin', '/plain', ''],
    ['http://example.com/p/q?z=3', 'absolute', '/p/q', 'z=3'],
    ['http://example.com', 'absolute', '/', ''],
    ['http://example.com?k=v', 'absolute', '/', 'k=v'],
    ['example.com:443', 'authority', '', ''],
    ['*', 'asterisk', '*', ''],
  ];
  for (const [target, form, path, query] of cases) {
    const r = make(head(target, form));
    assert.equal(r.path, path, target);
    assert.equal(r.query.toString(), query, target);
    // The query read first (it is parsed only when read): the same answers.
    const q = make(head(target, form));
    assert.equal(q.query.toString(), query, target);
    assert.equal(q.path, path, target);
  }
  assert.equal(make(head('/')).header('HOST'), 'x');
});

test('body(): chunks pushed before and after the read are joined', async () => {
  const r = make(head('/', 'origin', 10));
  r.pushBody(Buffer.from('hello'));
  const p = r.body();
  r.pushBody(Buffer.from('world'));
  r.endBody();
  assert.equal((await p).toString(), 'helloworld');
  assert.equal(await r.body(), await p, 'the same promise twice');
});

test('body() over the limit rejects with 413', async () => {
  const r = make(head('/', 'origin', 10), 4);
  r.pushBody(Buffer.from('hello'));
  r.endBody();
  await assert.rejects(r.body(), { status: 413, code: 'BODY_TOO_LARGE' });
});

test('abort: the signal fires (also when read after the fact) and an unfinished body rejects', async () => {
  const r = make(head('/', 'origin', 10));
  const iter = r[Symbol.asyncIterator]();
  const pending = iter.next();
  r.abort(new Error('gone'));
  await assert.rejects(pending, /gone/);
  assert.equal(r.signal.aborted, true);
  const r2 = make(head('/'));
  const s = r2.signal;
  r2.abort(new Error('x'));
  assert.equal(s.aborted, true);
});

test('a request without a body is complete at once', async () => {
  const r = make(head('/'));
  assert.equal((await r.body()).length, 0);
});
