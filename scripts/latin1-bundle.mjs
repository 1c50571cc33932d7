// Keeps a Node bundle's text within Latin-1, so that V8 holds its source as a
// one-byte string. Node reads a CommonJS file as UTF-8 and V8 keeps the source
// of every script for as long as the process runs (lazy compilation,
// Function.prototype.toString); a single character beyond U+00FF — an em dash
// or an arrow in a comment esbuild kept, an ellipsis in a message — makes the
// whole string two-byte: 2 MiB instead of 1 MiB for dist/cli.js. That string is
// born in the young generation (new large-object space) and promoted by the
// first scavenge, which V8 counts as survival and answers by growing the young
// generation — memory the process then carries (BENCHMARKS.md, "Idle
// connection memory: the bundle's source").
//
// Each such character becomes its \uXXXX escape. In a comment that changes
// nothing; in a string, template or regular-expression literal the escape means
// the same character; in source text kept as data (String.raw preludes that are
// evaluated later as JavaScript) the escape sits in a string literal and again
// means the same. Only the raw text differs, and a source map's columns after
// such a character on its line (a handful of lines in a bundle).
import { readFileSync, writeFileSync } from 'node:fs';

const WIDE = /[^\u0000-\u00ff]/g;

/** `text` with every character beyond U+00FF written as its \uXXXX escape (surrogates one by one). */
export function escapeWideChars(text) {
  return text.replace(WIDE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Rewrites a built file in place when it holds characters beyond Latin-1; returns how many were escaped. */
export function latin1Bundle(file) {
  const text = readFileSync(file, 'utf8');
  const count = (text.match(WIDE) ?? []).length;
  if (count > 0) writeFileSync(file, escapeWideChars(text));
  return count;
}
