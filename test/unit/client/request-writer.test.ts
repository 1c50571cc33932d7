// The request writer on a recording sink: the prepared bytes exactly, a file
// body streamed after the head, and a stop between file chunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRequest } from '../../../server-core/client/request-writer.js';
import { createRequestSpec, prepareRequest } from '../../../server-core/client/request-spec.js';

const sink = () => {
  const sent: Buffer[] = [];
  return { sent, send: async (b: Buffer) => void sent.push(Buffer.from(b)) };
};

test('an in-memory body goes out with its head in one write, byte for byte as prepared', async () => {
  const prepared = prepareRequest(createRequestSpec({ method: 'POST', url: 'http://127.0.0.1:1/x', body: { kind: 'text', text: 'hi' } }));
  const s = sink();
  await writeRequest(s, prepared);
  assert.equal(s.sent.length, 1);
  assert.deepEqual(s.sent[0], prepared.bytes);
});

test('a file body streams after the head; a file gone by then fails BODY_FILE', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-writer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'body.bin');
  writeFileSync(path, 'file body');
  const prepared = prepareRequest(createRequestSpec({ method: 'PUT', url: 'http://127.0.0.1:1/x', body: { kind: 'file', path } }));
  const s = sink();
  await writeRequest(s, prepared);
  assert.deepEqual(s.sent[0], prepared.head);
  assert.equal(Buffer.concat(s.sent.slice(1)).toString(), 'file body');

  // Gone between preparing and sending.
  const gone = join(dir, 'gone.bin');
  writeFileSync(gone, 'x');
  const missing = prepareRequest(createRequestSpec({ method: 'PUT', url: 'http://127.0.0.1:1/x', body: { kind: 'file', path: gone } }));
  rmSync(gone);
  await assert.rejects(writeRequest(sink(), missing), { code: 'BODY_FILE' });
});
