// describeFailure: Node's error codes (as the sender wraps them) → a kind and
// plain words naming the host and port. The errors are built as the sender
// builds them: a SendError with the Node error as its cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailure } from '../../../server-core/client/failure.js';
import { SendError, toSendError } from '../../../server-core/client/transport.js';

function errno(code: string, message = `${code} message`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

const local = { host: '127.0.0.1', port: 1 };

test('a refused connection: the host and port, and "connection refused"', () => {
  const d = describeFailure(toSendError(errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'connect to 127.0.0.1:1'), local);
  assert.equal(d.kind, 'refused');
  assert.equal(d.title, 'Could not connect to 127.0.0.1:1: connection refused');
  assert.equal(d.code, 'ECONNREFUSED');
  assert.doesNotMatch(d.title, /ECONNREFUSED/);
});

test('DNS: no such name, and a name server that does not answer', () => {
  const target = { host: 'nowhere.invalid', port: 80 };
  const missing = describeFailure(toSendError(errno('ENOTFOUND', 'getaddrinfo ENOTFOUND nowhere.invalid'), 'DNS lookup of nowhere.invalid'), target);
  assert.equal(missing.kind, 'dns');
  assert.equal(missing.title, 'Could not find the host nowhere.invalid: no such name (DNS lookup failed)');
  assert.equal(missing.code, 'ENOTFOUND');
  const again = describeFailure(toSendError(errno('EAI_AGAIN'), 'DNS lookup of x'), { host: 'x', port: 80 });
  assert.equal(again.kind, 'dns');
  assert.match(again.title, /name server did not answer/);
});

test('TLS: each certificate problem in words, an unknown one with its message', () => {
  const target = { host: 'localhost', port: 8443, tls: true };
  const cases: [string, RegExp][] = [
    ['DEPTH_ZERO_SELF_SIGNED_CERT', /^TLS handshake with localhost:8443 failed: the server’s certificate is self-signed$/],
    ['CERT_HAS_EXPIRED', /has expired$/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', /is for another name$/],
    ['SELF_SIGNED_CERT_IN_CHAIN', /ends in a self-signed certificate$/],
    ['ERR_SSL_WRONG_VERSION_NUMBER', /did not answer in TLS$/],
  ];
  for (const [code, title] of cases) {
    const d = describeFailure(toSendError(errno(code, 'self-signed certificate'), 'TLS handshake with localhost'), target);
    assert.equal(d.kind, 'tls', code);
    assert.match(d.title, title, code);
    assert.equal(d.code, code);
  }
  const other = describeFailure(new SendError('TLS_FAILED', 'TLS handshake with localhost: bad record mac'), target);
  assert.equal(other.title, 'TLS handshake with localhost:8443 failed: bad record mac');
});

test('timeouts: while connecting, and while waiting for the response, with the limit', () => {
  const t = { host: '10.0.0.1', port: 81, timeoutMs: 500 };
  assert.equal(describeFailure(new SendError('TIMEOUT', 'no connection within 500 ms'), t).title, 'Could not connect to 10.0.0.1:81 within 500 ms: timed out');
  const waiting = describeFailure(new SendError('TIMEOUT', 'no complete response within 500 ms'), { ...t, phase: 'response' });
  assert.equal(waiting.kind, 'timeout');
  assert.equal(waiting.title, 'No response from 10.0.0.1:81 within 500 ms: timed out');
  assert.equal(describeFailure(toSendError(errno('ETIMEDOUT'), 'connect'), { host: 'h', port: 1 }).title, 'Could not connect to h:1: timed out');
});

test('reset, closed early, unreachable, invalid response, cancelled, and anything else', () => {
  const t = { host: 'h', port: 2, phase: 'response' as const };
  assert.equal(describeFailure(toSendError(errno('ECONNRESET'), 'read'), t).kind, 'reset');
  assert.equal(describeFailure(new SendError('CONNECTION_CLOSED', 'closed'), t).title, 'h:2 closed the connection before a complete response');
  assert.equal(describeFailure(toSendError(errno('EHOSTUNREACH'), 'connect'), t).title, 'Could not connect to h:2: no route to the host');
  assert.equal(describeFailure(new SendError('INVALID_RESPONSE', 'response: bad status line'), t).title, 'The answer from h:2 is not valid HTTP: bad status line');
  assert.equal(describeFailure(new SendError('ABORTED', 'aborted'), t).kind, 'aborted');
  const other = describeFailure(new Error('something odd'), t);
  assert.deepEqual([other.kind, other.title], ['other', 'Could not send to h:2: something odd']);
  assert.equal(describeFailure(toSendError(errno('ECONNREFUSED'), 'x'), { host: '::1', port: 9 }).title, 'Could not connect to [::1]:9: connection refused');
});
