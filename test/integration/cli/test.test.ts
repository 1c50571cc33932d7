// `wireplay test` as a process (`node dist/cli.js test …`, built by
// scripts/build.mjs) against Wireplay's own server on port 0: the two samples
// in examples/ with their exit codes and counts, the JUnit file read back by
// junit2json, folders, --filter, --bail, client.global across files, and the
// exit 2 cases (bad usage, a parse error, a refused feature).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, type TestSuites } from 'junit2json';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';

const root = join(import.meta.dirname, '../../..');
const cli = join(root, 'dist/cli.js');
let server: WireplayServer;
let hostPort = '';
let dir = '';

before(async () => {
  if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'wireplay-cli-test-'));
  server = createWireplayServer({ host: '127.0.0.1', port: 0 });
  hostPort = `127.0.0.1:${(await server.listen()).port}`;
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'test', ...args], { cwd, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    }).stdin!.end();
  });
}

const lastLine = (text: string) => text.trimEnd().split('\n').pop();

test('examples/api-tests.http passes against the built-in routes: exit 0, one ✓ line per test, "14 passed, 0 failed"', async () => {
  const r = await run(['examples/api-tests.http', '--var', `host=${hostPort}`]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.equal(lastLine(r.stdout), '14 passed, 0 failed');
  assert.doesNotMatch(r.stdout, /✗/);
  const marks = r.stdout.split('\n').filter((l) => /^\s+✓ /.test(l));
  assert.equal(marks.length, 14);
  for (const l of marks) assert.match(l, /\((\d+\.\d|\d+) ms\)$/, `a duration on ${l}`);
  assert.match(r.stdout, /^examples\/api-tests\.http$/m);
  assert.match(r.stdout, /^ {4}✓ status == 200 \(/m);
  assert.match(r.stdout, /^ {4}✓ three chunks, in order \(/m);
  assert.match(r.stdout, /^ {4}✓ the echo \(/m);
});

test('examples/api-tests-failing.http fails as written: exit 1, "2 passed, 4 failed", the details at their lines; its JUnit file reads back', async () => {
  const junit = join(dir, 'failing.xml');
  const r = await run(['examples/api-tests-failing.http', '--var', `host=${hostPort}`, '--junit', junit]);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.equal(lastLine(r.stdout), '2 passed, 4 failed');
  assert.match(r.stdout, /✗ status == 200 \([^)]*\)\n\s+status \(404\) == 200\n\s+expected: 200\n\s+actual: {3}404\n\s+at examples\/api-tests-failing\.http:9\n/);
  assert.match(r.stdout, /✗ \$\.method == PUT .*\n\s+\$\.method \(POST\) == PUT/);
  assert.match(r.stdout, /✗ the name is grace .*\n\s+the name is ada\n\s+at examples\/api-tests-failing\.http:22/);
  assert.match(r.stdout, /✗ script error .*\n\s+The response handler \(`> \{% %\}`\): TypeError: Cannot read properties of undefined \(reading 'here'\)\n\s+at examples\/api-tests-failing\.http:30/);
  assert.match(r.stdout, /^ {2}✓ No check: passes when the exchange happens — GET http:\/\/\{\{host\}\}\/echo → 200 OK \(/m);

  const report = (await parse(readFileSync(junit, 'utf8'))) as TestSuites;
  assert.deepEqual([report.tests, report.failures, report.errors], [6, 3, 1]);
  assert.equal(report.testsuite?.length, 1);
  const [suite] = report.testsuite!;
  assert.equal(suite.name, 'examples/api-tests-failing.http');
  assert.deepEqual(suite.testcase!.map((c) => [c.name, c.failure ? 'failure' : c.error ? 'error' : 'passed']), [
    ['status == 200', 'failure'],
    ['content-type includes text', 'passed'],
    ['$.method == PUT', 'failure'],
    ['the name is grace', 'failure'],
    ['script error', 'error'],
    ['No check: passes when the exchange happens — GET http://{{host}}/echo', 'passed'],
  ]);
  const status = suite.testcase![0];
  assert.equal(status.classname, 'A status that is not the expected one — GET http://{{host}}/status/404');
  assert.equal(status.failure![0].message, 'status (404) == 200');
  assert.match(status['system-out']![0], /> GET \/status\/404 HTTP\/1\.1[\s\S]*HTTP\/1\.1 404 Not Found/);
  assert.ok(suite.testcase!.every((c) => typeof c.time === 'number'), 'every testcase has a time');
});

test('a folder runs every .http file below it in order; client.global set in one file is read by the next; --filter and --bail narrow the run', async () => {
  const folder = join(dir, 'suite');
  mkdirSync(join(folder, 'nested'), { recursive: true });
  writeFileSync(join(folder, 'a-login.http'), `### login\nGET http://${hostPort}/echo?token=t-1\n\n> {% client.global.set("token", response.body.query.token) %}\n`);
  writeFileSync(join(folder, 'nested', 'b-use.http'), `### use\nGET http://${hostPort}/echo?t={{token}}\n\n?? body $.query.t == t-1\n\n### broken\nGET http://${hostPort}/status/500\n\n?? status == 200\n\n### last\nGET http://${hostPort}/echo\n`);
  writeFileSync(join(folder, 'notes.txt'), 'not a test');
  const all = await run(['suite'], dir);
  assert.equal(all.code, 1, all.stdout);
  assert.equal(lastLine(all.stdout), '3 passed, 1 failed');
  assert.ok(all.stdout.indexOf('suite/a-login.http') < all.stdout.indexOf('suite/nested/b-use.http'));
  assert.match(all.stdout, /✓ \$\.query\.t == t-1/);

  const filtered = await run(['suite', '--filter', 'USE'], dir);
  assert.equal(filtered.code, 1, filtered.stdout);
  assert.equal(lastLine(filtered.stdout), '0 passed, 1 failed', 'without the login file the global is not set');
  assert.match(filtered.stdout, /"token" is not defined/);

  const bail = await run(['suite/nested/b-use.http', '--var', 'token=t-1', '--bail'], dir);
  assert.equal(bail.code, 1);
  assert.match(bail.stdout, /stopped at the first failure \(--bail\)\n1 passed, 1 failed\n$/);
  assert.doesNotMatch(bail.stdout, /last/);
});

test('exit 2: bad usage, a missing path, a parse error, a refused feature; --help', async () => {
  const usage = await run(['--frobnicate']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /unknown option --frobnicate/);
  const missing = await run(['no-such-file.http']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no-such-file\.http: no such file or folder/);
  writeFileSync(join(dir, 'broken.http'), `GET http://${hostPort}/echo\n\n> {% client.log(1)\n`);
  const broken = await run(['broken.http'], dir);
  assert.equal(broken.code, 2, broken.stdout);
  assert.match(broken.stdout, /✗ broken\.http:3: This \{% script is never closed with %\}/);
  writeFileSync(join(dir, 'refused.http'), `GET http://${hostPort}/echo\nAuthorization: {{$aadToken}}\n`);
  const refused = await run(['refused.http'], dir);
  assert.equal(refused.code, 2);
  assert.match(refused.stdout, /`\$aadToken` \(REST Client's Azure AD token\) is not supported/);
  assert.equal(lastLine(refused.stdout), '0 passed, 1 failed');
  const nothing = await run(['examples', '--filter', 'no request is named like this'], root);
  assert.equal(nothing.code, 2);
  assert.match(nothing.stderr, /no request matches --filter/);
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: wireplay test \[FILES or FOLDERS…\]/);
});
