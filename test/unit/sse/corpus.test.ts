// Runs every case of test/corpus/sse/*.md whole, split at every position, and
// byte by byte: each must give the expected event log (and range log, when the
// case has one). The reference interpreter must agree with the expected event
// log too. A failure is named file.md:line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCorpus, type SseCorpusCase } from './corpus-reader.js';
import { parseChunks, splitVariants } from './sse-log.js';
import { interpret } from './reference-interpreter.js';

const dir = join(import.meta.dirname, '../../corpus/sse');
const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
const TOPICS = ['line-endings', 'fields', 'data', 'id-retry', 'comments', 'bom', 'utf8', 'dispatch', 'ranges', 'limits'];

const all: SseCorpusCase[] = files.flatMap((f) => readCorpus(join(dir, f), f));

test('the corpus has every topic and at least 60 cases', () => {
  for (const topic of TOPICS) assert.ok(files.includes(`${topic}.md`), `missing test/corpus/sse/${topic}.md`);
  assert.ok(all.length >= 60, `only ${all.length} cases`);
});

for (const c of all) {
  test(`${c.file}:${c.line} ${c.name}`, () => {
    const where = `${c.file}:${c.line}`;
    const whole = parseChunks([c.input], c.options);
    assert.deepEqual(whole.events, c.events, `${where} (whole input; expected log at ${c.file}:${c.eventsLine})`);
    if (c.ranges) assert.deepEqual(whole.ranges, c.ranges, `${where} (whole input; expected ranges at ${c.file}:${c.rangesLine})`);
    const limited = c.options.maxLineBytes !== undefined || c.options.maxEventBytes !== undefined || c.options.finish === false;
    if (!limited) {
      assert.deepEqual(interpret(c.input, c.options.lastEventId), c.events, `${where} (reference interpreter disagrees with ${c.file}:${c.eventsLine})`);
    }
    for (const v of splitVariants(c.input)) {
      const got = parseChunks(v.chunks, c.options);
      assert.deepEqual(got.events, c.events, `${where} (${v.name})`);
      if (c.ranges) assert.deepEqual(got.ranges, c.ranges, `${where} (${v.name}, ranges)`);
      else assert.deepEqual(got.ranges, whole.ranges, `${where} (${v.name}: ranges differ from the whole input's)`);
    }
  });
}
