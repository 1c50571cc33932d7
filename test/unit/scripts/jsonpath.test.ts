// The JSONPath subset of `?? body $.…`: every supported form, definite paths
// yielding one value, the others the list of matches, and the unsupported
// forms refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJsonPath, JsonPathError, parseJsonPath } from '../../../server-core/scripts/jsonpath.js';

const doc = {
  id: 7,
  name: 'wire',
  'content-type': 'json',
  'odd key': true,
  items: [
    { id: 1, tags: ['a'] },
    { id: 2, tags: [] },
    { id: 3, tags: ['b', 'c'] },
  ],
  nested: { deep: { id: 9 } },
  empty: null,
};

const cases: Array<[path: string, expected: unknown]> = [
  ['$', doc],
  ['$.id', 7],
  ['$.name.length', 4],
  ['$.items.length', 3],
  ['$.content-type', 'json'],
  ["$['odd key']", true],
  ['$["odd key"]', true],
  ['$.items[0].id', 1],
  ['$.items[-1].id', 3],
  ['$.items[5]', undefined],
  ['$.missing', undefined],
  ['$.missing.deeper', undefined],
  ['$.empty', null],
  ['$.nested.deep.id', 9],
  ['$.items[*].id', [1, 2, 3]],
  ['$.items.*.id', [1, 2, 3]],
  ['$.items[0,2].id', [1, 3]],
  ["$['id','name']", [7, 'wire']],
  ['$.items[1:].id', [2, 3]],
  ['$.items[:2].id', [1, 2]],
  ['$.items[::2].id', [1, 3]],
  ['$.items[::-1].id', [3, 2, 1]],
  ['$..id', [7, 1, 2, 3, 9]],
  ['$..tags[0]', ['a', 'b']],
  ['$.nested..id', [9]],
  ['$.items[*].nothing', []],
];

for (const [path, expected] of cases) {
  test(`${path}`, () => {
    assert.deepEqual(evaluateJsonPath(doc, path), expected);
  });
}

test('definite paths are names and single indices only', () => {
  assert.equal(parseJsonPath('$.a[0]["b"]').definite, true);
  for (const p of ['$.a[*]', '$..a', '$.a[0,1]', '$.a[1:2]', '$.*']) assert.equal(parseJsonPath(p).definite, false, p);
});

test('a name does not read inherited properties', () => {
  assert.equal(evaluateJsonPath({}, '$.constructor'), undefined);
  assert.equal(evaluateJsonPath({ a: [] }, '$.a.push'), undefined);
});

const refused: Array<[path: string, message: RegExp]> = [
  ['$.items[?(@.id > 1)]', /Filter expressions \[\?\(…\)\] are not supported/],
  ['$.items[(@.length-1)]', /Script expressions \[\(…\)\] are not supported/],
  ['$.items.length()', /Functions such as length\(\) are not supported/],
  ['items[0]', /starts with \$/],
  ['$.items[0', /Missing "\]"|Expected "," or "\]"/],
  ["$['open", /Unterminated string/],
  ['$.items[::0]', /slice step of 0/],
  ['$ .x', /Unexpected " "/],
];
for (const [path, message] of refused) {
  test(`refused: ${path}`, () => {
    assert.throws(() => evaluateJsonPath(doc, path), (e: unknown) => e instanceof JsonPathError && e.code === 'UNSUPPORTED_JSONPATH' && message.test(e.message));
  });
}

test('the error names the path and the position', () => {
  assert.throws(() => parseJsonPath('$.a[?(@.b)]'), /JSONPath "\$\.a\[\?\(@\.b\)\]", position 5:/);
});
