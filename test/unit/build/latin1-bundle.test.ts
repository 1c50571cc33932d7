// scripts/latin1-bundle.mjs: a Node bundle's characters beyond U+00FF become
// \uXXXX escapes so V8 keeps its source one-byte. The escaped text must run as
// the original does — in comments, strings, templates, regular expressions,
// and in source kept as data (String.raw) that is evaluated later — and the
// built bundles, when present, must hold no such character.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error a plain .mjs build script without types
import { escapeWideChars, latin1Bundle } from '../../../scripts/latin1-bundle.mjs';

const root = join(import.meta.dirname, '../../..');
const escape = escapeWideChars as (s: string) => string;

const CASES: [string, string][] = [
  ['a comment', '// a → b — c\nreturn 1;'],
  ['a block comment', '/** x ≥ y … */ return "ok";'],
  ['a string', 'return "…, → and ≤ stay" + \'—\';'],
  ['a template', 'const n = 2; return `${n} ≥ 1 — ${"→"}`;'],
  ['a regular expression', 'return [/[.!?…]$/.test("done…"), /→/.test("a→b"), /^—+$/.test("——")];'],
  ['an astral character (two surrogates)', 'return "😀".length + ":" + "😀".codePointAt(0);'],
  ['source kept as data and evaluated later', 'const src = String.raw`return "(\\"x\\", …)";`; return new Function(src)();'],
  ['Latin-1 kept as it is', 'return "§ × é ÿ";'],
];

for (const [name, body] of CASES) {
  test(`escapeWideChars: ${name} runs the same`, () => {
    const escaped = escape(body);
    assert.equal(/[^\u0000-\u00ff]/.test(escaped), false, 'nothing beyond Latin-1 is left');
    assert.deepEqual(new Function(escaped)(), new Function(body)());
  });
}

test('escapeWideChars leaves Latin-1 text unchanged', () => {
  const text = 'plain ASCII, and Latin-1: § × é ÿ\n';
  assert.equal(escape(text), text);
});

test('latin1Bundle rewrites a file only when it holds wide characters', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-latin1-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const wide = join(dir, 'wide.js');
  writeFileSync(wide, '// a → b\nmodule.exports = "…";\n');
  assert.equal(latin1Bundle(wide), 2);
  assert.equal(readFileSync(wide, 'utf8'), '// a \\u2192 b\nmodule.exports = "\\u2026";\n');
  const plain = join(dir, 'plain.js');
  writeFileSync(plain, 'module.exports = "§";\n');
  assert.equal(latin1Bundle(plain), 0);
  assert.equal(readFileSync(plain, 'utf8'), 'module.exports = "§";\n');
});

test('the built Node bundles hold nothing beyond Latin-1 (when built)', (t) => {
  const bundles = ['dist/cli.js', 'dist/extension.js', 'dist/routes-worker.js'].filter((f) => existsSync(join(root, f)));
  if (bundles.length === 0) return t.skip('no dist/ (run node scripts/build.mjs)');
  for (const f of bundles) {
    const m = /[^\u0000-\u00ff]/.exec(readFileSync(join(root, f), 'utf8'));
    assert.equal(m, null, `${f} holds ${m && JSON.stringify(m[0])} at ${m?.index}: its source would be a two-byte string`);
  }
});
