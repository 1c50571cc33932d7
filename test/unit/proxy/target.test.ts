// The proxy's target: an origin, checked once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProxyTarget, ProxyTargetError } from '../../../server-core/proxy/target.js';

test('origins: default ports, SNI only for names, IPv6 literals', () => {
  assert.deepEqual(parseProxyTarget('http://127.0.0.1:3000'), { origin: 'http://127.0.0.1:3000', tls: false, host: '127.0.0.1', port: 3000, servername: undefined, hostHeader: '127.0.0.1:3000' });
  assert.deepEqual(parseProxyTarget('https://localhost/'), { origin: 'https://localhost', tls: true, host: 'localhost', port: 443, servername: 'localhost', hostHeader: 'localhost' });
  const v6 = parseProxyTarget('http://[::1]:8080');
  assert.equal(v6.host, '::1');
  assert.equal(v6.hostHeader, '[::1]:8080');
});

test('refused: not a URL, another scheme, a path, credentials', () => {
  for (const [text, message] of [
    ['localhost:3000', /must be http:\/\/ or https:\/\//],
    ['nope', /must be a URL/],
    ['ws://127.0.0.1:1', /not ws:\/\//],
    ['http://127.0.0.1:1/api', /must be an origin/],
    ['http://127.0.0.1:1/?a', /must be an origin/],
    ['http://u:p@127.0.0.1:1', /credentials/],
  ] as const) {
    assert.throws(() => parseProxyTarget(text), (e: Error) => e instanceof ProxyTargetError && message.test(e.message), text);
  }
});
