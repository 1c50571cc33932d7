import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SendError, toSendError } from '../../../server-core/client/transport.js';

function errno(code: string, message = code): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

test('socket and DNS errors map to stable SendError codes', () => {
  const cases: [unknown, string][] = [
    [errno('ENOTFOUND'), 'DNS_FAILED'],
    [errno('EAI_AGAIN'), 'DNS_FAILED'],
    [errno('ECONNREFUSED'), 'CONNECTION_REFUSED'],
    [errno('ECONNRESET'), 'CONNECTION_RESET'],
    [errno('EPIPE'), 'CONNECTION_RESET'],
    [errno('ETIMEDOUT'), 'TIMEOUT'],
    [errno('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'TLS_FAILED'],
    [errno('ERR_TLS_CERT_ALTNAME_INVALID'), 'TLS_FAILED'],
    [errno('ERR_SSL_WRONG_VERSION_NUMBER'), 'TLS_FAILED'],
    [errno('EHOSTUNREACH'), 'CONNECTION_FAILED'],
    ['a string', 'CONNECTION_FAILED'],
  ];
  for (const [err, code] of cases) {
    const e = toSendError(err, 'connect to h:1');
    assert.equal(e.code, code, String(err));
    assert.match(e.message, /^connect to h:1: /);
    assert.equal(e.cause, err);
  }
  const own = new SendError('TIMEOUT', 'x');
  assert.equal(toSendError(own, 'y'), own);
});
