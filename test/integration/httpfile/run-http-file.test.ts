// Runs .http files against Wireplay's own server over real sockets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { HttpFileSession, type BlockOutcome } from '../../../server-core/httpfile/run-http-file.js';
import { DIGEST, Recorder } from './corpus-recorder.js';

let server: WireplayServer;
let port: number;
let dir: string;
/** Keeps every request's bytes; answers JSON, and HTTP Digest on /digest/*. */
const recorder = new Recorder();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wireplay-httpfile-'));
  server = createWireplayServer({ host: '127.0.0.1', port: 0, root: dir });
  ({ port } = await server.listen());
  await recorder.listen();
});

after(async () => {
  await server.close();
  await recorder.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A session on the recorder; the targets it received are returned with the outcomes. */
async function record(text: string, options: Partial<ConstructorParameters<typeof HttpFileSession>[1]> = {}, name?: string) {
  const session = new HttpFileSession(text, { baseDir: dir, environment: { rec: `127.0.0.1:${recorder.port}` }, timeoutMs: 10_000, ...options });
  recorder.take();
  const outcomes: BlockOutcome[] = [];
  const blocks = name === undefined ? session.parsed.blocks : session.parsed.blocks.filter((b) => b.name === name);
  for (const b of blocks) await session.run(b, { onOutcome: (o) => outcomes.push(o) });
  return { session, outcomes, targets: recorder.take().map((r) => `${r.method} ${r.target}`) };
}

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

test('# @ref sends its request once; # @forceRef sends it again; a # @ref to nothing is refused', async () => {
  const text = [
    '### login', 'POST http://{{rec}}/login', '',
    '### ref', '# @ref login', 'GET http://{{rec}}/ref?id={{login.id}}', '',
    '### force', '# @forceRef login', 'GET http://{{rec}}/force', '',
    '### nothing', '# @ref ghost', 'GET http://{{rec}}/never', '',
  ].join('\n');
  const { targets, outcomes } = await record(text);
  assert.deepEqual(targets, ['POST /login', 'GET /ref?id=42', 'POST /login', 'GET /force']);
  const refused = outcomes.find((o) => o.kind === 'failed');
  assert.ok(refused?.kind === 'failed' && refused.refused);
  assert.match(refused.message, /there is no request named "ghost" in this file or the files it imports \(named requests: force, login, nothing, ref\)/);
});

test('# @import brings in the named requests and the variables of another file', async () => {
  writeFileSync(join(dir, 'shared.http'), '@greeting = hi\n\n###\n### auth\nPOST http://{{rec}}/auth\n');
  writeFileSync(join(dir, 'main.http'), '');
  const { targets } = await record('# @import ./shared.http\n\n### me\nGET http://{{rec}}/me?t={{auth.token}}&g={{greeting}}\n', { filePath: join(dir, 'main.http') }, 'me');
  assert.deepEqual(targets, ['POST /auth', 'GET /me?t=abc-123&g=hi']);
});

test('# @disabled skips a request on purpose; a request that depends on it fails and says why', async () => {
  const { targets, outcomes } = await record('### off\n# @disabled\nGET http://{{rec}}/off\n\n### on\nGET http://{{rec}}/on?x={{off.id}}\n');
  assert.deepEqual(targets, []);
  assert.deepEqual(outcomes.map((o) => o.kind), ['skipped', 'skipped', 'failed']);
  assert.match(outcomes[2].kind === 'failed' ? outcomes[2].message : '', /the referenced request "off" is disabled/);
});

test('# @loop for N and for x of [...] send once per pass; each pass has its own name', async () => {
  const { targets, session } = await record('### n\n# @loop for 2\nGET http://{{rec}}/n?i={{$index}}\n\n### each\n# @loop for c of ["a", {"b": 1}]\nGET http://{{rec}}/each?c={{%c}}\n');
  assert.deepEqual(targets, ['GET /n?i=0', 'GET /n?i=1', 'GET /each?c=a', 'GET /each?c=%7B%22b%22%3A1%7D']);
  assert.deepEqual([...session.exchanges.keys()].sort(), ['each', 'each0', 'each1', 'n', 'n0', 'n1']);
});

test('# @prompt asks once per send; --var answers it; no answer refuses the request', async () => {
  const asked: string[] = [];
  const text = '# @prompt user Who are you\n# @prompt password\nGET http://{{rec}}/p?u={{user}}&p={{password}}\n';
  const { targets } = await record(text, {
    prompt: async (p) => {
      asked.push(`${p.name}:${p.description ?? ''}:${p.password}`);
      return p.name === 'user' ? 'ada' : 'pw';
    },
  });
  assert.deepEqual(asked, ['user:Who are you:false', 'password::true']);
  assert.deepEqual(targets, ['GET /p?u=ada&p=pw']);
  const viaVar = await record(text, { cliVariables: { user: 'grace', password: 'x' } });
  assert.deepEqual(viaVar.targets, ['GET /p?u=grace&p=x']);
  const none = await record(text);
  assert.deepEqual(none.targets, []);
  assert.ok(none.outcomes[0].kind === 'failed' && none.outcomes[0].refused);
  assert.match(none.outcomes[0].kind === 'failed' ? none.outcomes[0].message : '', /pass --var user=VALUE/);
});

test('Digest: the 401 challenge is answered; both exchanges are in the outcome and on the wire', async () => {
  const { outcomes } = await record(`GET http://{{rec}}/digest/x?q=1\nAuthorization: Digest ${DIGEST.user} ${DIGEST.password}\n`);
  const [o] = outcomes;
  assert.ok(o.kind === 'http', o.kind === 'failed' ? o.message : o.kind);
  assert.equal(o.result.response.statusCode, 200);
  assert.equal(o.result.redirects.length, 1);
  assert.equal(o.result.redirects[0].response.statusCode, 401);
  assert.doesNotMatch(o.result.redirects[0].request.head.toString('latin1'), /Authorization/i);
  assert.match(o.result.request.head.toString('latin1'), /\r\nAuthorization: Digest username="ada", realm="corpus", nonce="[^"]+", uri="\/digest\/x\?q=1", qop=auth, /);
});
