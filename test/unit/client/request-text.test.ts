import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseRequestText, RequestTextError } from '../../../server-core/client/request-text.js';

test('request line, headers, blank line, body', () => {
  const spec = parseRequestText('# comment\n// another\n\nPOST https://h.test/a?b=1 HTTP/1.1\r\nContent-Type: text/plain\r\nX-A:  1 \r\n\r\nline 1\nline 2\n\n');
  assert.equal(spec.method, 'POST');
  assert.equal(spec.url, 'https://h.test/a?b=1');
  assert.deepEqual(spec.headers, [
    { name: 'Content-Type', value: 'text/plain', enabled: true },
    { name: 'X-A', value: '1', enabled: true },
  ]);
  assert.deepEqual(spec.body, { kind: 'text', text: 'line 1\nline 2' });
});

test('URL alone means GET; origin form takes the Host header; ### ends the request', () => {
  let spec = parseRequestText('http://h.test/\n');
  assert.equal(spec.method, 'GET');
  assert.deepEqual(spec.body, { kind: 'none' });
  spec = parseRequestText('DELETE /x\nHost: h.test:8080\n\n###\nGET http://other/\n');
  assert.equal(spec.url, 'http://h.test:8080/x');
  assert.deepEqual(spec.body, { kind: 'none' });
});

test('a body line `< path` streams a file relative to the request file', () => {
  const spec = parseRequestText('PUT http://h/\n\n< ./data.bin\n', { baseDir: '/base' });
  assert.deepEqual(spec.body, { kind: 'file', path: join('/base', 'data.bin') });
});

test('errors carry a code and a line', () => {
  const err = (text: string, code: string, line: number) =>
    assert.throws(() => parseRequestText(text), (e: unknown) => e instanceof RequestTextError && e.code === code && e.line === line);
  err('\n# nothing\n', 'NO_REQUEST', 3);
  err('GET http://h/ HTTP/1.1 extra\n', 'BAD_REQUEST_LINE', 1);
  err('GET http://h/\nno colon here\n', 'BAD_HEADER', 2);
  err('\nGET /x\n', 'NO_HOST', 2);
});
