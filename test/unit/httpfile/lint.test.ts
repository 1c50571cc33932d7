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
    [[6, 'there is no request named "nobody" in this file or the files it imports (named requests: login)']],
  );
});

test('prompted and loop values count as defined; a # @ref to nothing and unsupported features are marked, scripts are not', async () => {
  const text = [
    '# @prompt user', 'GET http://{{host}}/p?u={{user}}', '',
    '###', '# @loop for 2', 'GET http://{{host}}/l?i={{$index}}', '',
    '###', '# @ref nobody', 'GET http://{{host}}/r', '',
    '###', 'GET http://{{host}}/s', '', '> {% client.log(1) %}', '',
    '###', 'GET http://{{host}}/a', 'Authorization: Bearer {{$aadToken}}', '',
  ].join('\n');
  const { diagnostics } = await lintHttpFile(text, ctx, '.');
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error').map((d) => [d.line, d.code]),
    [
      [8, 'reference'],
      [18, 'unsupported'],
    ],
  );
});
