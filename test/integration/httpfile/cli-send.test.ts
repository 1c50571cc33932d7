// sendHttpFile (the `.http` side of `wireplay send`) against Wireplay's own server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { sendHttpFile, type HttpFileSendOptions } from '../../../server-core/httpfile/cli-send.js';

let server: WireplayServer;
let port: number;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wireplay-cli-send-'));
  server = createWireplayServer({ host: '127.0.0.1', port: 0, root: dir });
  ({ port } = await server.listen());
  writeFileSync(join(dir, 'http-client.env.json'), JSON.stringify({ $shared: { greeting: 'hi' }, local: { base: `http://127.0.0.1:${port}` }, other: { base: 'http://127.0.0.1:9' } }));
  writeFileSync(join(dir, 'http-client.private.env.json'), JSON.stringify({ local: { secret: 's3cret' } }));
  writeFileSync(join(dir, '.env'), 'FROM_DOTENV=dotted\n');
  writeFileSync(
    join(dir, 'requests.http'),
    [
      '# @name login',
      'POST {{base}}/echo',
      'Content-Type: application/json',
      '',
      '{"token": "{{secret}}"}',
      '',
      '### me',
      'GET {{base}}/echo?who={{login.response.body.$.body.text}}',
      'X-Dot: {{$dotenv FROM_DOTENV}}',
      '',
      '### missing',
      'GET {{base}}/no/such/route',
      '',
      '### raw',
      `RAW tcp://127.0.0.1:${port}`,
      'GET / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: -1\\r\\n\\r\\n',
      '',
      '### socket',
      `WEBSOCKET ws://127.0.0.1:${port}/ws/echo`,
      '',
      '{{greeting}} there',
      '=== wait-for-server',
      '',
    ].join('\n'),
  );
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(options: Partial<HttpFileSendOptions> & { file?: string }) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await sendHttpFile({ file: join(dir, 'requests.http'), timeoutMs: 10_000, processEnv: {}, ...options }, { stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

test('every request runs in order: HTTP (an error status is no failure), RAW and WebSocket', async () => {
  const r = await run({ env: 'local' });
  assert.equal(r.code, 0, r.stderr);
  const headings = r.stdout.split('\n').filter((l) => l.startsWith('### '));
  assert.deepEqual(headings, [
    '### login — POST {{base}}/echo',
    '### me — GET {{base}}/echo?who={{login.response.body.$.body.text}}',
    '### missing — GET {{base}}/no/such/route',
    `### raw — RAW tcp://127.0.0.1:${port}`,
    `### socket — WEBSOCKET ws://127.0.0.1:${port}/ws/echo`,
  ]);
  assert.match(r.stdout, /HTTP\/1\.1 200 OK\n/);
  assert.match(r.stdout, /"text": "\{\\"token\\": \\"s3cret\\"\}"/);
  assert.match(r.stdout, /HTTP\/1\.1 404 Not Found\n/);
  // RAW: the bytes received, escaped.
  assert.match(r.stdout, /HTTP\/1\.1 400 Bad Request\\r\\n/);
  assert.match(r.stdout, /> hi there\n< hi there\n/);
  // What was sent goes to stderr.
  assert.match(r.stderr, /> GET \/echo\?who=.*s3cret/);
  assert.match(r.stderr, /> X-Dot: dotted/);
  assert.match(r.stderr, /\* closed 1000/);
});

test('--name runs one request, sending the request it references first', async () => {
  const r = await run({ env: 'local', name: 'me' });
  assert.equal(r.code, 0, r.stderr);
  const headings = r.stdout.split('\n').filter((l) => l.startsWith('### '));
  assert.equal(headings.length, 2);
  assert.match(headings[0], /^### login/);
  assert.match(headings[1], /^### me/);
});

test('a request that cannot be sent makes the exit status 1; the others still run', async () => {
  const r = await run({ env: 'other', name: 'login' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /requests\.http:2: not sent: /);
  const noEnv = await run({ name: 'missing' });
  assert.equal(noEnv.code, 1);
  assert.match(noEnv.stderr, /"base" is not defined/);
});

test('unknown names, environments and files are usage errors (2)', async () => {
  const name = await run({ env: 'local', name: 'nope' });
  assert.equal(name.code, 2);
  assert.match(name.stderr, /no request named "nope".*there are: login, me, missing, raw, socket/);
  const env = await run({ env: 'prod' });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /no environment "prod".*there are: local, other/);
  const file = await run({ file: join(dir, 'absent.http') });
  assert.equal(file.code, 2);
});
