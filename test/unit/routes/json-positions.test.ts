import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseJsonWithPositions, JsonSyntaxError, locationAt, PositionedJsonParser } from '../../../server-core/routes/json-positions.js';

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

test('fed in pieces cut anywhere, the parser gives what it gives for the whole text (values, positions, errors)', () => {
  const parse = (pieces: string[]) => {
    const p = new PositionedJsonParser();
    try {
      for (const piece of pieces) p.write(piece);
      const r = p.end();
      return JSON.stringify([r.value, [...r.positions]]);
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      return err.message;
    }
  };
  const cut = (text: string, cuts: number[]) => {
    const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
    return [...at, text.length].map((end, i) => text.slice(i === 0 ? 0 : at[i - 1], end));
  };
  fc.assert(
    fc.property(fc.jsonValue(), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (value, cuts, pretty) => {
      const text = `\ufeff/* a */ ${JSON.stringify(value, null, pretty ? 2 : 0)} // end\n`;
      const whole = parse([text]);
      assert.equal(parse(cut(text, cuts)), whole);
      assert.deepEqual(parseJsonWithPositions(text).value, JSON.parse(JSON.stringify(value)));
    }),
    { numRuns: 300, seed: 1213 },
  );
  const alphabet = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'u', '0', '1', '-', '.', 'e', 't', 'r', 'n', 'l', '/', '*', '\n', ' ', "'", '\u0001');
  fc.assert(
    fc.property(fc.string({ unit: alphabet, maxLength: 30 }), fc.array(fc.nat(), { maxLength: 5 }), (text, cuts) => {
      assert.equal(parse(cut(text, cuts)), parse([text]), JSON.stringify(text));
    }),
    { numRuns: 5000, seed: 1213 },
  );
});

test('deep nesting is refused with a message, not a stack overflow; positions stop at the chosen depth', () => {
  assert.throws(() => parseJsonWithPositions('['.repeat(100_000)), /nested more than 1000 levels deep at line 1, column 1001/);
  const { positions } = parseJsonWithPositions('{ "routes": [ { "body": { "deep": [1] } } ] }', { positionDepth: 3 });
  assert.ok(positions.get('/routes/0/body'));
  assert.equal(positions.get('/routes/0/body/deep'), undefined);
  assert.equal(positions.get('/nope'), undefined);
});
