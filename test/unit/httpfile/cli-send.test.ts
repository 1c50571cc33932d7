import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { sendHttpFileFromFlags, usesHttpFileRunner } from '../../../server-core/httpfile/cli-send.js';

const flags = (values: Record<string, string> = {}, switches: string[] = []) => ({ values: new Map(Object.entries(values)), switches: new Set(switches) });

test('plain one-request files keep the one-request path; anything more goes through the .http runner', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-runner-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const one = file('one.http', '# a comment\nPOST http://h/echo\nContent-Type: text/plain\n\nhi\n');
  assert.equal(usesHttpFileRunner(one, flags()), false);
  assert.equal(usesHttpFileRunner(one, flags({ name: 'x' })), true);
  assert.equal(usesHttpFileRunner(one, flags({ env: 'dev' })), true);
  assert.equal(usesHttpFileRunner(file('named.http', '# @name a\nGET http://h/\n'), flags()), false);
  assert.equal(usesHttpFileRunner(file('two.http', 'GET http://h/a\n###\nGET http://h/b\n'), flags()), true);
  assert.equal(usesHttpFileRunner(file('var.http', 'GET http://{{host}}/\n'), flags()), true);
  assert.equal(usesHttpFileRunner(file('filevar.http', '@h = x\nGET http://h/\n'), flags()), true);
  assert.equal(usesHttpFileRunner(file('ws.http', 'WEBSOCKET ws://h/\n'), flags()), true);
  assert.equal(usesHttpFileRunner(file('raw.rest', 'RAW tcp://h:1\nx\n'), flags()), true);
  assert.equal(usesHttpFileRunner(file('meta.http', '# @follow-redirects\nGET http://h/\n'), flags()), true);
  assert.equal(usesHttpFileRunner(file('req.txt', 'GET http://h/a\n###\nGET http://h/b\n'), flags()), false);
  assert.equal(usesHttpFileRunner(join(dir, 'absent.http'), flags()), false);
});

test('flags of the one-request path are refused with a hint (exit 2)', async () => {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (c: Buffer) => (text += c.toString()));
  const code = await sendHttpFileFromFlags('x.http', flags({}, ['follow']), { stdout: new PassThrough(), stderr });
  assert.equal(code, 2);
  assert.match(text, /# @follow-redirects/);
});
