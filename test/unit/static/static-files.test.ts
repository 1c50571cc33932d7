import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Router } from '../../../server-core/router/router.js';
import { checkRequestPath, createStaticHandler, etagMatches, parseRange, weakETag, escapeHtml } from '../../../server-core/static/static-files.js';
import { makeStaticFixture } from '../../support/static-fixture.js';
import { fakeRequest, fakeResponse } from '../../support/fake-http.js';

test('parseRange: single ranges, suffixes, open ends, clamping', () => {
  assert.deepEqual(parseRange('bytes=0-4', 10), { type: 'range', start: 0, end: 4 });
  assert.deepEqual(parseRange('bytes=5-', 10), { type: 'range', start: 5, end: 9 });
  assert.deepEqual(parseRange('bytes=-3', 10), { type: 'range', start: 7, end: 9 });
  assert.deepEqual(parseRange('bytes=-30', 10), { type: 'range', start: 0, end: 9 });
  assert.deepEqual(parseRange('bytes=8-100', 10), { type: 'range', start: 8, end: 9 });
  assert.deepEqual(parseRange('Bytes = 1 - 2', 10), { type: 'range', start: 1, end: 2 });
});

test('parseRange: unsatisfiable, multiple and ignored ranges', () => {
  for (const h of ['bytes=10-', 'bytes=10-20', 'bytes=-0']) assert.deepEqual(parseRange(h, 10), { type: 'unsatisfiable' }, h);
  assert.deepEqual(parseRange('bytes=0-', 0), { type: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=-5', 0), { type: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=0-1,3-4', 10), { type: 'multiple' });
  for (const h of ['bytes=5-2', 'bytes=-', 'bytes=a-b', 'items=0-1', '', 'bytes=1.5-2']) assert.deepEqual(parseRange(h, 10), { type: 'none' }, h);
});

test('ETags: weak, from size and mtime; If-None-Match compares weakly', () => {
  const tag = weakETag({ size: 255, mtimeMs: 4096.7 });
  assert.equal(tag, 'W/"ff-1000"');
  assert.ok(etagMatches(tag, tag));
  assert.ok(etagMatches('"ff-1000"', tag));
  assert.ok(etagMatches('W/"x" , W/"ff-1000"', tag));
  assert.ok(etagMatches('*', tag));
  assert.ok(!etagMatches('W/"ff-1001"', tag));
});

test('checkRequestPath refuses every traversal shape before the file system is touched', () => {
  const refused: Array<[string, string | undefined, number]> = [
    ['/files/..%2f', undefined, 403],
    ['/files/%2F', undefined, 403],
    ['/files/%5c', undefined, 403],
    ['/files/%00', undefined, 403],
    ['/files/a\\b', undefined, 403],
    ['/files/x', '../secret', 403],
    ['/files/x', 'a/../../secret', 403],
    ['/files/x', './a', 403],
    ['/files/x', 'a\0b', 403],
    ['/files/x', 'a\\..\\b', 403],
    ['/files/%c0%ae', undefined, 404],
    ['/files/x', '.env', 404],
    ['/files/x', 'a/.git/config', 404],
  ];
  for (const [raw, rel, status] of refused) {
    const r = checkRequestPath(raw, rel);
    assert.equal(r.ok, false, `${raw} ${rel}`);
    assert.equal(!r.ok && r.status, status, `${raw} ${rel}`);
  }
  assert.deepEqual(checkRequestPath('/files/a//b/', 'a//b/'), { ok: true, segments: ['a', 'b'] });
  assert.deepEqual(checkRequestPath('/files/.env', '.env', 'allow'), { ok: true, segments: ['.env'] });
  assert.deepEqual(checkRequestPath('/a%20b/c', undefined), { ok: true, segments: ['a b', 'c'] });
});

test('escapeHtml escapes the five characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('property: no path built from traversal pieces ever yields a byte from outside the root', async (t) => {
  const fx = makeStaticFixture(1024);
  t.after(() => fx.cleanup());
  const router = new Router().get('/files/*', createStaticHandler({ root: fx.root }), { kind: 'static' });
  const pieces = ['..', '.', '%2e%2e', '%2E%2e', '.%2e', '%2f', '%2F', '%5c', '\\', '%00', '%c0%ae', '%c0%af', '%e0%80%ae', '%252e', '%25', '/', '//', 'sub', 'hello.txt', 'link-out.txt', 'dir-out', 'secret.txt', 'outside', 'trap', 'index.html', '.env'];
  let served = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 }), fc.boolean(), async (parts, slashes) => {
      const rest = parts.join(slashes ? '/' : '');
      const res = fakeResponse();
      await router.handle(fakeRequest('/files/' + rest), res);
      if (res.statusCode === 200) served++;
      assert.ok(!res.text.includes(fx.secret), `/files/${rest} leaked the secret`);
    }),
    { numRuns: 400 },
  );
  assert.ok(served > 0, 'some generated paths were legitimately served');
});
