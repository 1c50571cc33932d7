import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHttpFile } from '../../../server-core/httpfile/parse-http-file.js';
import { scratchTemplate } from '../../../server-core/httpfile/scratch-template.js';

test('a new scratch file parses cleanly into one block of each kind', () => {
  const file = parseHttpFile(scratchTemplate({ host: '127.0.0.1', port: 8080 }));
  assert.deepEqual(file.diagnostics, []);
  assert.deepEqual(
    file.blocks.map((b) => b.kind),
    ['http', 'http', 'http', 'websocket', 'raw'],
  );
  assert.deepEqual(
    file.fileVariables.map((v) => [v.name, v.value]),
    [
      ['host', '127.0.0.1:8080'],
      ['base', 'http://{{host}}'],
    ],
  );
  assert.equal(file.blocks[0].name, 'echo');
});

test('an IPv6 host is bracketed', () => {
  assert.match(scratchTemplate({ host: '::1', port: 9 }), /^@host = \[::1\]:9$/m);
});
