import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { digestAuthorization, parseDigestChallenge, readAuthorization } from '../../../server-core/httpfile/auth.js';

test('Basic user pass and Basic user:pass are encoded; an encoded value and other schemes are left alone', () => {
  const encoded = `Basic ${Buffer.from('user:pa ss').toString('base64')}`;
  assert.deepEqual(readAuthorization('Basic user pa ss'), { kind: 'basic', value: encoded });
  assert.deepEqual(readAuthorization('basic user:pa_ss'), { kind: 'basic', value: `Basic ${Buffer.from('user:pa_ss').toString('base64')}` });
  assert.equal(readAuthorization('Basic user:pa ss').kind, 'ambiguous', 'REST Client splits at the space, httpYac at the colon');
  assert.deepEqual(readAuthorization('Basic dXNlcjpwYXNz'), { kind: 'none' });
  assert.deepEqual(readAuthorization('Bearer abc'), { kind: 'none' });
  assert.equal(readAuthorization('Basic a:b:c').kind, 'ambiguous');
  assert.deepEqual(readAuthorization('Digest ada passwd'), { kind: 'digest', user: 'ada', password: 'passwd' });
});

test("the digest answer follows RFC 7616 (MD5, qop=auth) in REST Client's parameter layout", () => {
  const challenge = parseDigestChallenge('Digest realm="r", qop="auth,auth-int", nonce="n1", opaque="o1"')!;
  assert.deepEqual(challenge, { realm: 'r', qop: 'auth,auth-int', nonce: 'n1', opaque: 'o1' });
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');
  const value = digestAuthorization(challenge, { method: 'GET', uri: '/a?b=1', user: 'u', password: 'p' }, 'c0ffee');
  const response = md5(`${md5('u:r:p')}:n1:00000001:c0ffee:auth:${md5('GET:/a?b=1')}`);
  assert.equal(value, `Digest username="u", realm="r", nonce="n1", uri="/a?b=1", qop=auth, response="${response}", nc=00000001, cnonce="c0ffee", opaque="o1"`);
  assert.equal(parseDigestChallenge('Basic realm="x"'), undefined);
  const noQop = digestAuthorization({ realm: 'r', nonce: 'n', algorithm: 'MD5' }, { method: 'POST', uri: '/', user: 'u', password: 'p' });
  assert.equal(noQop, `Digest username="u", realm="r", nonce="n", uri="/", response="${md5(`${md5('u:r:p')}:n:${md5('POST:/')}`)}", algorithm=MD5`);
});
