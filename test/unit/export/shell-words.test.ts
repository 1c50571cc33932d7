import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { quoteShellBytes, quoteShellWord, ShellSyntaxError, splitShellWords } from '../../../server-core/export/shell-words.js';

const texts = (line: string) => splitShellWords(line).map((w) => w.text);

test('words: plain, single, double, $-quotes and backslashes', () => {
  assert.deepEqual(texts(`curl  -H 'X: a b'   "y \\"q\\" \\$HOME \\n" a\\ b`), ['curl', '-H', 'X: a b', 'y "q" $HOME \\n', 'a b']);
  assert.deepEqual(texts(`a'b'"c"d`), ['abcd']);
  assert.deepEqual(texts(`'' ""`), ['', '']);
  assert.deepEqual(texts(`$'a\\tb\\n\\x41\\101\\'\\\\\\u00e9'`), ['a\tb\nAA\'\\é']);
  const bytes = splitShellWords(`$'\\xff\\x00'`)[0];
  assert.equal(bytes.kind, 'word');
  if (bytes.kind === 'word') assert.deepEqual(bytes.bytes, Buffer.from([0xff, 0x00]));
});

test('backslash-newline continues the line (LF and CRLF), comments are skipped', () => {
  assert.deepEqual(texts('curl \\\n  -k \\\r\n  http://x # a comment\n'), ['curl', '-k', 'http://x']);
  assert.deepEqual(texts('"a\\\nb"'), ['ab']);
});

test('operators are their own words', () => {
  assert.deepEqual(
    splitShellWords('printf %s x | base64 -d|curl').map((w) => `${w.kind}:${w.text}`),
    ['word:printf', 'word:%s', 'word:x', 'op:|', 'word:base64', 'word:-d', 'op:|', 'word:curl'],
  );
  assert.deepEqual(texts(`'a|b' "c;d" e\\&f`), ['a|b', 'c;d', 'e&f']);
});

test('unterminated quotes are errors with an offset', () => {
  for (const [line, offset] of [[`a 'bc`, 2], [`a "bc`, 2], [`$'x`, 0]] as const) {
    assert.throws(() => splitShellWords(line), (e: unknown) => e instanceof ShellSyntaxError && e.code === 'UNTERMINATED_QUOTE' && e.offset === offset);
  }
  assert.throws(() => splitShellWords('a \\'), { code: 'TRAILING_BACKSLASH' });
});

test('quoting reads back as the same word, for any text and any bytes without NUL', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
      const text = s.replace(/\0/g, '');
      assert.deepEqual(texts(quoteShellWord(text)), [text]);
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 60 }), (arr) => {
      const bytes = Buffer.from(arr.filter((b) => b !== 0));
      const w = splitShellWords(quoteShellBytes(bytes));
      assert.equal(w.length, 1);
      assert.ok(w[0].kind === 'word' && w[0].bytes.equals(bytes));
    }),
  );
  assert.equal(quoteShellWord('http://h/a'), 'http://h/a');
  assert.equal(quoteShellWord("it's"), `'it'\\''s'`);
});
