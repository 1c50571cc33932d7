// Checks and script-set names found in the parser's model without running anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHttpFile } from '../../../server-core/httpfile/parse-http-file.js';
import { discoverChecks, scriptSetNames } from '../../../server-core/httpfile/test-discovery.js';
import { lintHttpFile } from '../../../server-core/httpfile/lint.js';

const text = [
  '< {% client.test("not here", () => {}) %}',
  'GET http://h/a',
  '',
  '?? status == 200',
  '?? header content-type includes json',
  '?? nonsense',
  '> {%',
  '  client.test("named \\"quoted\\"", () => {});',
  "  client.test('second', () => {}); client.test(`third`, () => {});",
  '  client.test(`computed ${1}`, () => {});',
  '  client.global.set("token", response.body.token);',
  '%}',
  '{{',
  "  test('yac', () => {});",
  '  test.status(200);',
  '  exports.next = 1; $global.shared = 2;',
  '}}',
].join('\n');

test('the checks of a request: client.test and test() names with their lines, each ?? line with httpYac\'s name', () => {
  const [block] = parseHttpFile(text).blocks;
  assert.deepEqual(
    discoverChecks(block).map((c) => [c.kind, c.name, c.line]),
    [
      ['assertion', 'status == 200', 3],
      ['assertion', 'content-type includes json', 4],
      ['assertion', 'nonsense', 5],
      ['test', 'named "quoted"', 7],
      ['test', 'second', 8],
      ['test', 'third', 8],
      ['test', 'yac', 13],
    ],
  );
});

test('the names scripts set count as defined in the editor; a name nobody sets is still marked', async () => {
  const file = parseHttpFile(text);
  assert.deepEqual([...scriptSetNames(file)].sort(), ['next', 'shared', 'token']);
  const { diagnostics } = await lintHttpFile(
    'GET http://h/\n\n> {% client.global.set("token", "t") %}\n\n###\nGET http://{{token}}/x?n={{next}}\n',
    { environment: {}, exchanges: new Map(), processEnv: {}, dotenv: {} },
    '.',
  );
  assert.deepEqual(diagnostics.map((d) => [d.line, d.message.replace(/ is not defined.*/, '')]), [[5, '"next"']]);
});
