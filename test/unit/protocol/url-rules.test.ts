// What the playground refuses to send, and why, in words: the composer shows
// these as the user types and the host checks them again before sending.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostProblem, httpUrlProblem, portProblem, wsUrlProblem } from '../../../server-core/protocol/url-rules.js';

test('HTTP URLs: sent as written, or refused with the reason', () => {
  for (const ok of ['http://127.0.0.1:8123/echo?via=keyboard', 'https://example.com', 'localhost:8080/x', '127.0.0.1/', '//h/x', '  http://a/  ', 'http://[::1]:80/']) {
    assert.equal(httpUrlProblem(ok), undefined, ok);
  }
  const cases: [string, RegExp][] = [
    ['htp:/bad url here', /^Use http:\/\/ or https:\/\/, not htp:$/],
    ['ftp://x/', /not ftp:/],
    ['http:/x', /two slashes/],
    ['http://a/b c', /cannot contain a space \(at character 11\): write it as %20/],
    ['http://a/\tb', /white space/],
    ['', /^Enter a URL/],
    ['http://:80/', /^Not a valid URL/],
    ['http://a:99999/', /^Not a valid URL/],
  ];
  for (const [url, why] of cases) assert.match(httpUrlProblem(url) ?? '(accepted)', why, url);
});

test('WebSocket URLs need ws:// or wss://', () => {
  assert.equal(wsUrlProblem('ws://127.0.0.1:1/ws/echo'), undefined);
  assert.equal(wsUrlProblem('wss://h/'), undefined);
  assert.match(wsUrlProblem('http://h/')!, /Use ws:\/\/ or wss:\/\/, not http:/);
  assert.match(wsUrlProblem('h/x')!, /Start the URL with ws:\/\//);
});

test('raw hosts and ports', () => {
  assert.equal(hostProblem('127.0.0.1'), undefined);
  assert.equal(hostProblem('example.com'), undefined);
  assert.match(hostProblem('')!, /Enter a host/);
  assert.match(hostProblem('h:80')!, /no spaces, slashes or ports|name or an address/);
  assert.equal(portProblem('8080'), undefined);
  for (const bad of ['0', '65536', 'x', '', '-1', '80.5']) assert.match(portProblem(bad)!, /1 to 65535/, bad);
});
