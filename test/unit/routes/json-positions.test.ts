import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonWithPositions, JsonSyntaxError, locationAt } from '../../../server-core/routes/json-positions.js';

test('the position-aware JSON parser agrees with JSON.parse on valid documents', () => {
  const docs = ['{"a":[1,2.5,-3e2,true,false,null,"\\u00e9\\n\\"x\\""],"b":{}}', '[]', '"s"', '0', ' {"__proto__": {"x": 1}} '];
  for (const d of docs) assert.deepEqual(parseJsonWithPositions(d).value, JSON.parse(d), d);
  const parsed = parseJsonWithPositions(' {"__proto__": {"x": 1}} ').value as Record<string, unknown>;
  assert.equal(({} as Record<string, unknown>).x, undefined, 'no prototype pollution');
  assert.ok(Object.prototype.hasOwnProperty.call(parsed, '__proto__'));
  const { positions } = parseJsonWithPositions('{\n  "a": [\n    1,\n    {"b": 2}\n  ]\n}');
  assert.deepEqual(positions.get('/a/1/b'), { line: 4, column: 11, offset: 28 });
  assert.throws(() => parseJsonWithPositions('[1,]'), JsonSyntaxError);
});

test('syntax errors carry the reason and the 1-based line and column', () => {
  try {
    parseJsonWithPositions('{\n  "a": tru\n}');
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof JsonSyntaxError);
    assert.equal(err.code, 'JSON_SYNTAX');
    assert.equal(err.reason, "unexpected 't', expected a value");
    assert.deepEqual([err.location.line, err.location.column], [2, 8]);
    assert.match(err.message, /at line 2, column 8$/);
  }
  assert.deepEqual(locationAt('ab\ncd', 4), { line: 2, column: 2, offset: 4 });
});

test('comments are skipped; a byte order mark is ignored', () => {
  assert.deepEqual(parseJsonWithPositions('\ufeff// a\n{ /* b */ "x": 1 // c\n}').value, { x: 1 });
});
