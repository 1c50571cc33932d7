import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedDecoder } from '../../../server-core/http/chunked-decoder.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function run(input: string, split: number[] = [], limits = { maxBodyBytes: 1 << 20, maxChunkExtensionBytes: 64 }): { log: string[]; pos: number } {
  const log: string[] = [];
  let body = '';
  const d = new ChunkedDecoder(
    {
      onChunkHeader: (c) => {
        if (body) log.push(`body ${body}`);
        body = '';
        log.push(`chunk ${c.size} ${JSON.stringify(c.extensions)} ${c.span.start}..${c.span.end} size=${c.sizeSpan.start}..${c.sizeSpan.end}`);
      },
      onBody: (data) => {
        body += data.toString('latin1');
      },
    },
    (code, _m, offset, status) => log.push(`error ${code} ${status} @${offset}`),
    limits,
  );
  const bytes = b(input);
  d.begin(100);
  let base = 100;
  let pos = 0;
  const cuts = [...split, bytes.length];
  let prev = 0;
  for (const cut of cuts) {
    const piece = bytes.subarray(prev, cut);
    pos = d.decode(piece, 0, base) + prev;
    base += piece.length;
    prev = cut;
    if (d.done || d.failed) break;
  }
  if (d.done) log.push(`done @${d.end}`);
  return { log, pos };
}

test('decodes chunks up to the last-chunk line and stops there', () => {
  const { log, pos } = run('3;a=b\r\nabc\r\n0\r\nTrailer: x\r\n\r\n');
  assert.deepEqual(log, ['chunk 3 ";a=b" 100..107 size=100..101', 'body abc', 'chunk 0 "" 112..115 size=112..113', 'done @115']);
  assert.equal(pos, 15, 'the trailer section is left to the caller');
});

test('the same events whatever the split', () => {
  const input = '1a;ext="quoted value"\r\n' + 'x'.repeat(26) + '\r\n0\r\n';
  const whole = run(input).log;
  for (let i = 1; i < input.length; i++) assert.deepEqual(run(input, [i]).log, whole, `split at ${i}`);
});

test('errors carry codes, statuses and absolute offsets', () => {
  assert.deepEqual(run('z\r\n').log, ['error INVALID_CHUNK_SIZE 400 @100']);
  assert.deepEqual(run('5\n').log, ['error BARE_LF 400 @101']);
  assert.deepEqual(run('5\rx').log, ['error BARE_CR 400 @101']);
  assert.deepEqual(run('1\r\nxy').log, ['chunk 1 "" 100..103 size=100..101', 'error INVALID_CHUNK_DATA_END 400 @104']);
  assert.deepEqual(run('1;aaaaaaaa\r\n', [], { maxBodyBytes: 100, maxChunkExtensionBytes: 4 }).log, ['error CHUNK_EXTENSION_TOO_LARGE 413 @105']);
  assert.deepEqual(run('5\r\nhello\r\n6\r\n', [], { maxBodyBytes: 10, maxChunkExtensionBytes: 4 }).log, ['chunk 5 "" 100..103 size=100..101', 'error BODY_TOO_LARGE 413 @110']);
});
