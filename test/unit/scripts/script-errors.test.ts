// Errors mapped back into the `.http` file: positions from V8 stacks and
// SyntaxError carets, offsets applied, wrapper frames dropped, and the
// sentence that explains a missing Node.js / JetBrains / httpYac global.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanStack, firstScriptFrame, mapPosition, missingGlobalHint, syntaxErrorPosition, toScriptError } from '../../../server-core/scripts/script-errors.js';
import { SCRIPT_FILE } from '../../../server-core/scripts/sandbox-input.js';
import { applyGlobalChanges } from '../../../server-core/scripts/script-result.js';

const F = SCRIPT_FILE;
const placement = { source: 'let a = 1;\nnull.x;\nfoo();', filename: 'api.http', lineOffset: 10, columnOffset: 4 };

test('the first frame inside the script, skipping eval origins and the wrapper', () => {
  const stack = [
    "TypeError: x",
    '    at client.test (wireplay-prelude:120:9)',
    `    at eval (eval at <anonymous> (${F}:1:56), <anonymous>:3:1)`,
    `    at ${F}:9:1`,
    `    at f (${F}:2:6)`,
    `    at ${F}:3:1`,
  ].join('\n');
  assert.deepEqual(firstScriptFrame(stack, 3), { line: 2, column: 6 });
  assert.equal(firstScriptFrame('Error: x\n    at node:internal/x:1:1'), undefined);
});

test('SyntaxError positions come from the caret', () => {
  assert.deepEqual(syntaxErrorPosition(`${F}:2\n  foo(;\n      ^\n\nSyntaxError: Unexpected token ';'`), { line: 2, column: 7 });
  assert.equal(syntaxErrorPosition("SyntaxError: x\n    at new Script"), undefined);
});

test('positions map into the file: the offset columns count on the first line only', () => {
  assert.deepEqual(mapPosition({ line: 1, column: 3 }, placement), { line: 11, column: 7 });
  assert.deepEqual(mapPosition({ line: 2, column: 3 }, placement), { line: 12, column: 3 });
  assert.deepEqual(mapPosition({ line: 9, column: 1 }, placement), { line: 13, column: 7 }, 'past the end: the end of the script');
  assert.deepEqual(mapPosition({ line: 2, column: 3 }, { ...placement, lineOffset: 0, columnOffset: 0 }), { line: 2, column: 3 });
});

test('the stack keeps the user frames, under the file name, mapped', () => {
  const raw = { name: 'TypeError', message: "Cannot read properties of null (reading 'x')", stack: `TypeError: Cannot read properties of null (reading 'x')\n    at run (wireplay-prelude:1:1)\n    at ${F}:2:6\n    at ${F}:4:12` };
  assert.equal(cleanStack(raw, placement), "TypeError: Cannot read properties of null (reading 'x')\n    at api.http:12:6");
});

test('a runtime error becomes a ScriptError at its line', () => {
  const e = toScriptError({ name: 'TypeError', message: 'boom', stack: `TypeError: boom\n    at ${F}:2:6` }, placement);
  assert.deepEqual(e, { code: 'SCRIPT_ERROR', message: 'TypeError: boom', line: 12, column: 6, stack: 'TypeError: boom\n    at api.http:12:6' });
  const plain = toScriptError({ name: 'Error', message: 'plain', stack: '' }, placement);
  assert.equal(plain.message, 'plain');
  assert.equal(plain.line, undefined);
});

test('a syntax error that runs into the wrapper says the script is not closed', () => {
  const e = toScriptError({ name: 'SyntaxError', message: "Unexpected token '}'", stack: `${F}:4\n}).call(this)\n^\n\nSyntaxError: Unexpected token '}'`, syntax: true }, placement);
  assert.equal(e.code, 'SYNTAX_ERROR');
  assert.match(e.message, /at the end of the script: a bracket, brace, parenthesis, comment or string is not closed/);
  assert.deepEqual([e.line, e.column], [13, 7]);
});

test('missing globals are explained and reported as unsupported', () => {
  for (const name of ['require', 'process', 'fetch', 'Buffer', 'crypto', 'httpRegion', 'response']) assert.ok(missingGlobalHint(name), name);
  assert.equal(missingGlobalHint('myTypo'), undefined);
  assert.equal(missingGlobalHint('toString'), undefined, 'not an inherited property');
  const e = toScriptError({ name: 'ReferenceError', message: 'require is not defined', stack: `ReferenceError: require is not defined\n    at ${F}:1:1` }, placement);
  assert.equal(e.code, 'UNSUPPORTED');
  assert.match(e.message, /^ReferenceError: require is not defined: scripts run isolated, without Node\.js/);
  const typo = toScriptError({ name: 'ReferenceError', message: 'myTypo is not defined', stack: '' }, placement);
  assert.equal(typo.code, 'SCRIPT_ERROR');
});

test('global changes apply in order', () => {
  assert.deepEqual(
    applyGlobalChanges({ a: 1, b: 2 }, [
      { op: 'set', name: 'c', value: [3] },
      { op: 'clear', name: 'a' },
      { op: 'clearAll' },
      { op: 'set', name: 'd', value: null },
    ]),
    { d: null },
  );
});
