// Who may use `wireplay ui` (server-core/cli/ui/access.ts): only its own Host,
// only under its token, only GET and HEAD; the WebSocket's origins are the
// page's own. (The browser suite checks the same through real requests.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UiAccess, sameToken } from '../../../../server-core/cli/ui/access.js';

test('the page and its files are served under the token to our own Host only', () => {
  const a = new UiAccess();
  assert.ok(a.token.length >= 32, 'a long random token');
  assert.notEqual(a.token, new UiAccess().token);
  assert.deepEqual(a.check('127.0.0.1:4000', `/${a.token}/`, 'GET'), { ok: false, status: 403, text: 'Forbidden: wrong Host.\n' }, 'nothing before listening');
  a.listening(4000);
  assert.deepEqual(a.check('127.0.0.1:4000', `/${a.token}/`, 'GET'), { ok: true, rest: '' });
  assert.deepEqual(a.check('LOCALHOST:4000', `/${a.token}/codicons/codicon.css`, 'HEAD'), { ok: true, rest: 'codicons/codicon.css' });
  assert.deepEqual(a.origins, ['http://127.0.0.1:4000', 'http://localhost:4000']);
  assert.equal(a.webSocketPath, `/${a.token}/ws`);
});

test('a wrong Host, a missing or wrong token, or another method is refused', () => {
  const a = new UiAccess();
  a.listening(4000);
  const wrong = a.token.slice(0, -1) + (a.token.endsWith('x') ? 'y' : 'x');
  const refused = (host: string | undefined, path: string, method = 'GET') => {
    const d = a.check(host, path, method);
    return d.ok ? 200 : d.status;
  };
  assert.equal(refused('evil.example:4000', `/${a.token}/`), 403);
  assert.equal(refused(undefined, `/${a.token}/`), 403);
  assert.equal(refused('127.0.0.1:4001', `/${a.token}/`), 403);
  for (const path of ['/', '/panel.js', `/${wrong}/`, `/${a.token}`, `/x/${a.token}/`]) assert.equal(refused('127.0.0.1:4000', path), 403, path);
  assert.equal(refused('127.0.0.1:4000', `/${a.token}/`, 'POST'), 405);
});

test('tokens compare in full', () => {
  assert.equal(sameToken('abc', 'abc'), true);
  assert.equal(sameToken('abd', 'abc'), false);
  assert.equal(sameToken('ab', 'abc'), false);
  assert.equal(sameToken('', 'abc'), false);
});

test('a path under the token that does not decode (a lone %) is a bad request, not a server error', () => {
  const a = new UiAccess();
  a.listening(4000);
  for (const bad of ['%', '%zz', 'a%e0%a4%a']) {
    const d = a.check('127.0.0.1:4000', `/${a.token}/${bad}`, 'GET');
    assert.equal(d.ok ? 200 : d.status, 400, bad);
  }
  assert.deepEqual(a.check('127.0.0.1:4000', `/${a.token}/a%20b`, 'GET'), { ok: true, rest: 'a b' });
});

test('the Host values accepted are public, for the WebSocket route to check on its upgrade', () => {
  const a = new UiAccess();
  assert.deepEqual(a.hosts, []);
  a.listening(4000);
  assert.deepEqual(a.hosts, ['127.0.0.1:4000', 'localhost:4000']);
});
