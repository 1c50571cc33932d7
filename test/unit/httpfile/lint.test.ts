import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintHttpFile } from '../../../server-core/httpfile/lint.js';

const ctx = { environment: { host: 'localhost:9' }, exchanges: new Map(), processEnv: {}, dotenv: {} };

test('parser errors and unresolved variables come out together, at their lines', async () => {
  const text = ['GET http://{{host}}/a', 'X-Token: {{token}}', '', '###', 'WHAT is this', ''].join('\n');
  const { diagnostics } = await lintHttpFile(text, ctx, '.');
  assert.deepEqual(
    diagnostics.map((d) => [d.line, d.column, d.severity, d.message.slice(0, 24)]).sort(),
    [
      [1, 9, 'error', '"token" is not defined i'],
      [4, 0, 'error', 'Expected a request line '],
    ],
  );
});

test('a reference to a named request of the same file is fine before it is sent; an unknown name is not', async () => {
  const text = ['# @name login', 'POST http://{{host}}/login', '', '###', 'GET http://{{host}}/me', 'Authorization: {{login.response.body.$.token}}', 'X-Other: {{nobody.response.headers.X}}', ''].join('\n');
  const { diagnostics } = await lintHttpFile(text, ctx, '.');
  assert.deepEqual(
    diagnostics.map((d) => [d.line, d.message]),
    [[6, 'no request named "nobody" has been sent yet; send it first']],
  );
});
