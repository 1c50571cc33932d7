// The exported curl command, run by the real curl, puts the same request bytes
// on the wire as Wireplay's sender: both are captured by a raw TCP listener.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequestSpec, type RequestSpecInit } from '../../../server-core/client/request-spec.js';
import { sendRequest } from '../../../server-core/client/http-sender.js';
import { parseCurl, toCurl } from '../../../server-core/export/curl.js';
import { recordingListener, type RecordingListener } from '../client/helpers.js';

let listener: RecordingListener;
let dir = '';
before(async () => {
  listener = await recordingListener();
  dir = mkdtempSync(join(tmpdir(), 'wireplay-curl-wire-'));
});
after(async () => {
  await listener.close();
  rmSync(dir, { recursive: true, force: true });
});

function runShell(command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('/bin/bash', ['-c', command], { timeout: 30_000 }, (err, _stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()));
  });
}

const cases: [string, (base: string) => RequestSpecInit][] = [
  ['a GET with headers and a query', (b) => ({ url: `${b}/path/a?x=1&y=two`, headers: [{ name: 'X-Test', value: "it's \"quoted\"" }, { name: 'Accept-Language', value: 'fr' }] })],
  ['a POST with a text body and a content type', (b) => ({ method: 'POST', url: `${b}/items`, headers: [{ name: 'Content-Type', value: 'application/json' }], body: { kind: 'text', text: '{"name":"é","n":1}\n' } })],
  ['a PUT with control bytes and no content type', (b) => ({ method: 'PUT', url: `${b}/bin`, body: { kind: 'base64', data: Buffer.from([1, 2, 0x1b, 0xff, 0x0d, 0x0a, 0x27]).toString('base64') } })],
  ['a POST with NUL bytes (printf | base64 -d)', (b) => ({ method: 'POST', url: `${b}/nul`, body: { kind: 'base64', data: Buffer.from([0, 0, 1, 0]).toString('base64') } })],
  ['a body over the Expect threshold', (b) => ({ method: 'POST', url: `${b}/big`, headers: [{ name: 'Content-Type', value: 'text/plain' }], body: { kind: 'text', text: 'z'.repeat(5000) } })],
  ['HEAD', (b) => ({ method: 'HEAD', url: `${b}/h` })],
  ['DELETE without auto headers', (b) => ({ method: 'DELETE', url: `${b}/d`, options: { autoHeaders: { userAgent: false, accept: false, connection: false } } })],
  ['keep-alive (no Connection header) and an empty PATCH', (b) => ({ method: 'PATCH', url: `${b}/p`, options: { keepAlive: true } })],
  ['a header with an empty value', (b) => ({ url: `${b}/e`, headers: [{ name: 'X-Empty', value: '' }] })],
];

for (const [name, make] of cases) {
  test(`curl and the sender put the same bytes on the wire: ${name}`, async () => {
    const spec = createRequestSpec(make(`http://127.0.0.1:${listener.port}`));
    const command = toCurl(spec) + ' -s -o /dev/null';
    const ours = listener.nextRequest();
    await sendRequest(spec);
    const theirs = listener.nextRequest();
    await runShell(command);
    const [a, b] = [await ours, await theirs];
    assert.equal(b.toString('latin1'), a.toString('latin1'), command);
    // And the command reads back into a spec that sends the same bytes again.
    const again = listener.nextRequest();
    await sendRequest(parseCurl(toCurl(spec)));
    assert.deepEqual(await again, a);
  });
}

test('curl and the sender agree on a streamed file body', async () => {
  const file = join(dir, 'body.bin');
  writeFileSync(file, Buffer.from('line one\nline two\r\n\x00end'));
  const spec = createRequestSpec({ method: 'POST', url: `http://127.0.0.1:${listener.port}/file`, body: { kind: 'file', path: file } });
  const ours = listener.nextRequest();
  await sendRequest(spec);
  const theirs = listener.nextRequest();
  await runShell(toCurl(spec) + ' -s -o /dev/null');
  assert.equal((await theirs).toString('latin1'), (await ours).toString('latin1'));
});
