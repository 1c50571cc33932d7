// Runs every case of test/corpus/http/*.md whole, split at every position, and byte by byte;
// all must give the expected event log. A failure is named file.md:line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCorpus } from './corpus-reader.js';
import { parseChunks, splitVariants } from './parser-harness.js';

const dir = join(import.meta.dirname, '../../corpus/http');
const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();

test('the corpus has every topic', () => {
  for (const topic of ['request-line', 'headers', 'content-length', 'chunked', 'pipelining', 'invalid', 'smuggling', 'response', 'limits', 'upgrade']) {
    assert.ok(files.includes(`${topic}.md`), `missing test/corpus/http/${topic}.md`);
  }
});

for (const file of files) {
  for (const c of readCorpus(join(dir, file), file)) {
    test(`${c.file}:${c.line} ${c.name}`, () => {
      const where = `${c.file}:${c.line}`;
      const whole = parseChunks([c.input], c.options);
      assert.deepEqual(whole, c.expected, `${where} (whole input; expected log at ${c.file}:${c.logLine})`);
      for (const v of splitVariants(c.input)) {
        assert.deepEqual(parseChunks(v.chunks, c.options), c.expected, `${where} (${v.name})`);
      }
    });
  }
}
