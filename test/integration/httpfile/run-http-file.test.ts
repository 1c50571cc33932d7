// Runs .http files against Wireplay's own server over real sockets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { HttpFileSession } from '../../../server-core/httpfile/run-http-file.js';

let server: WireplayServer;
let port: number;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wireplay-httpfile-'));
  server = createWireplayServer({ host: '127.0.0.1', port: 0, root: dir });
  ({ port } = await server.listen());
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('references resolve against earlier responses, and a referenced request is sent first when needed', async () => {
  const text = [
    '@base = http://127.0.0.1:{{port}}',
    '',
    '# @name login',
    'POST {{base}}/echo',
    'Content-Type: application/json',
    '',
    '{"token": "t-{{suffix}}"}',
    '',
    '###',
    '# @name me',
    'GET {{base}}/echo?who=me',
    'Authorization: Bearer {{login.response.body.$.body.text}}',
  ].join('\n');
  const session = new HttpFileSession(text, { baseDir: dir, environment: { port: String(port), suffix: '42' } });
  // Run only the second block: it references "login", which is sent first.
  const outcome = await session.run(session.parsed.blocks[1]);
  assert.equal(outcome.kind, 'http', outcome.kind === 'failed' ? outcome.message : '');
  assert.ok(session.exchanges.has('login'));
  const echoed = JSON.parse(outcome.kind === 'http' ? outcome.result.response.body.toString() : '{}');
  const auth = (echoed.headers as [string, string][] | { name: string; value: string }[]).map((h) => (Array.isArray(h) ? h : [h.name, h.value]));
  assert.ok(
    auth.some(([n, v]) => n.toLowerCase() === 'authorization' && v === 'Bearer {"token": "t-42"}'),
    JSON.stringify(echoed.headers),
  );
});

test('a RAW block sends malformed bytes and gets the server\'s 400', async () => {
  const session = new HttpFileSession(`RAW tcp://127.0.0.1:${port}\nGET / HTTP/1.1\\nHost: x\\n\\n`, { baseDir: dir, environment: {} });
  const [outcome] = await session.runAll();
  assert.equal(outcome.kind, 'raw');
  assert.match(outcome.kind === 'raw' ? outcome.result.received.toString('latin1') : '', /^HTTP\/1\.1 400 /);
});

test('>> writes the response body to a file; an unresolved variable fails without sending', async () => {
  const session = new HttpFileSession(
    `GET http://127.0.0.1:${port}/bytes/300\n\n>>! ./out.bin\n###\nGET http://127.0.0.1:${port}/echo\nX: {{missing}}\n`,
    { baseDir: dir, environment: {} },
  );
  const [saved, failed] = await session.runAll();
  assert.equal(saved.kind, 'http');
  assert.equal(readFileSync(join(dir, 'out.bin')).length, 300);
  assert.equal(existsSync(join(dir, 'out.bin.part')), false);
  assert.equal(failed.kind, 'failed');
  assert.match(failed.kind === 'failed' ? failed.message : '', /line 6: "missing" is not defined/);
});

test('a request to a closed port fails with a message, not an exception', async () => {
  const probe = createWireplayServer({ port: 0 });
  const { port: closed } = await probe.listen();
  await probe.close();
  writeFileSync(join(dir, 'x.http'), '');
  const session = new HttpFileSession(`GET http://127.0.0.1:${closed}/`, { baseDir: dir, environment: {}, timeoutMs: 5000 });
  const [outcome] = await session.runAll();
  assert.equal(outcome.kind, 'failed');
  assert.match(outcome.kind === 'failed' ? outcome.message : '', /refused|ECONNREFUSED/i);
});

test('two runs of one file in flight at once: each gets its own outcomes and options; named results are shared', async () => {
  const text = [
    '# @name a',
    'GET http://127.0.0.1:{{port}}/delay/300?run=a',
    '',
    '###',
    '# @name b',
    'GET http://127.0.0.1:{{port}}/delay/300?run=b&env={{which}}',
  ].join('\n');
  const session = new HttpFileSession(text, { baseDir: dir, environment: { port: String(port), which: 'session' } });
  const seenA: string[] = [];
  const seenB: string[] = [];
  const target = (o: Awaited<ReturnType<HttpFileSession['run']>>) => (o.kind === 'http' ? o.result.request.head.toString('latin1').split(' ')[1] : o.kind);
  const runA = session.run(session.parsed.blocks[0], { onOutcome: (o) => seenA.push(target(o)) });
  const runB = session.run(session.parsed.blocks[1], { onOutcome: (o) => seenB.push(target(o)), environment: { port: String(port), which: 'mine' } });
  // An edit while both are in flight does not change what they send.
  session.update('GET http://127.0.0.1:9/nothing-here');
  const [a, b] = await Promise.all([runA, runB]);
  assert.deepEqual(seenA, ['/delay/300?run=a']);
  assert.deepEqual(seenB, ['/delay/300?run=b&env=mine']);
  assert.ok(a.kind === 'http' && a.result.response.statusCode === 200);
  assert.ok(b.kind === 'http' && b.result.response.statusCode === 200);
  assert.deepEqual([...session.exchanges.keys()].sort(), ['a', 'b']);
});
