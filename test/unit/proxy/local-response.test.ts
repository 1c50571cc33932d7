// The proxy's own responses: readable, framed, marked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpParseError } from '../../../server-core/http/parser-types.js';
import { localResponse, malformedRequestResponse, timeoutResponse, unreachableResponse } from '../../../server-core/proxy/local-response.js';

test('a local response is a complete HTTP/1.1 message with its length and marker', () => {
  const r = localResponse(503, 'rule', 'down\n', { close: false });
  assert.equal(r.bytes.toString(), 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\nX-Wireplay-Proxy: rule\r\n\r\ndown\n');
  const head = localResponse(200, 'rule', 'é\n', { close: true, headRequest: true });
  assert.equal(head.bytes.toString(), 'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\nX-Wireplay-Proxy: rule\r\nConnection: close\r\n\r\n', 'HEAD: the length of the body it would have had, no body');
});

test('errors name the target, the error and where', () => {
  assert.match(unreachableResponse('http://h:1', 'connect ECONNREFUSED', true, false).bytes.toString(), /502 Bad Gateway[\s\S]*cannot reach http:\/\/h:1: connect ECONNREFUSED\n$/);
  assert.match(timeoutResponse('http://h:1', 250, false, false).message, /did not accept the connection within 250 ms/);
  const m = malformedRequestResponse(new HttpParseError('BARE_LF', 'LF without CR', 400, 3), 3);
  assert.equal(m.status, 400);
  assert.ok(m.close);
  assert.match(m.message, /LF without CR \(BARE_LF, at byte 3 of the connection\)/);
});
