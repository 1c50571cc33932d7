// `wireplay send`, all of it in one place: the built CLI as a process (`node
// dist/cli.js send …`) and sendHttpFile in-process, against Wireplay's own
// server on port 0 (and a server that holds a WebSocket message back).
//   1. one request from a FILE (any name, or stdin), --hex, --har, --pcap, --follow, --output
//   2. --raw bytes
//   3. .http files with several requests, references, environments, WebSocket and RAW blocks
//   4. every file through the .http parser: continuation lines, scripts refused, exit 2 at FILE:LINE:COL
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { sendHttpFile, type HttpFileSendOptions } from '../../../server-core/httpfile/cli-send.js';
import type { WebSocketPeer } from '../../../server-core/ws/types.js';
import { freePort } from '../client/helpers.js';

const root = join(import.meta.dirname, '../../..');
const cli = join(root, 'dist/cli.js');
let server: WireplayServer;
let port = 0;
let hostPort = '';
let dir = '';
/** /ws/hold says "first" on open and "second" only when the test says so. */
const holding = new Set<WebSocketPeer>();
let peerArrived: (() => void) | undefined;

before(async () => {
  if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'wireplay-cli-send-'));
  server = createWireplayServer({
    host: '127.0.0.1',
    port: 0,
    root: dir,
    webSocketRoutes: [
      {
        path: '/ws/hold',
        route: {
          handler: {
            onOpen: (peer) => {
              holding.add(peer);
              peer.send('first');
              peerArrived?.();
            },
            onClose: (peer) => void holding.delete(peer),
          },
        },
      },
    ],
  });
  ({ port } = await server.listen());
  hostPort = `127.0.0.1:${port}`;
  writeFileSync(join(dir, 'http-client.env.json'), JSON.stringify({ $shared: { greeting: 'hi' }, local: { base: `http://${hostPort}`, host: hostPort }, other: { base: 'http://127.0.0.1:9' } }));
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
  writeFileSync(
    join(dir, 'process.http'),
    [
      '@base = http://{{host}}',
      '',
      '### first',
      'POST {{base}}/echo',
      'Content-Type: application/json',
      '',
      '{"n": 42}',
      '',
      '### second',
      'GET {{base}}/status/404?n={{first.response.body.$.body.length}}',
      '',
      '### chat',
      'WEBSOCKET ws://{{host}}/ws/echo',
      '',
      'hello',
      '=== wait-for-server',
      '',
      '### raw',
      'RAW tcp://{{host}}',
      'GET / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: -1\\r\\n\\r\\n',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'hold.http'), ['### hold', 'WEBSOCKET ws://{{host}}/ws/hold', '', '=== wait-for-server', '=== wait-for-server', ''].join('\n'));
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [cli, 'send', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    if (stdin !== undefined) child.stdin!.end(stdin);
    else child.stdin!.end();
  });
}

/** sendHttpFile in-process, its stdout and stderr collected. */
async function inProcess(options: Partial<HttpFileSendOptions> & { file?: string }) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await sendHttpFile({ file: join(dir, 'requests.http'), timeoutMs: 10_000, processEnv: {}, ...options }, { stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

const headings = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('### '));

// ---------------------------------------------------------------- 1. one request from a FILE

test('send FILE prints the response; an HTTP error status still exits 0', async () => {
  writeFileSync(join(dir, 'post.http'), `# a comment\nPOST http://${hostPort}/echo HTTP/1.1\nContent-Type: text/plain\nX-Test: cli\n\nhello from a file\n`);
  let r = await run(['post.http']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.1 200 OK\n/);
  assert.match(r.stdout, /hello from a file/);
  assert.match(r.stderr, /^> POST \/echo HTTP\/1\.1\n> Host: 127\.0\.0\.1:\d+\n/);
  assert.match(r.stderr, /> X-Test: cli\n/);
  assert.match(r.stderr, /\* dns [\d.]+ ms, connect [\d.]+ ms, tls [\d.]+ ms, first byte [\d.]+ ms, download [\d.]+ ms, total [\d.]+ ms/);
  writeFileSync(join(dir, 'status.http'), `GET /status/503\nHost: ${hostPort}\n`);
  r = await run(['status.http']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.1 503 /);
});

test('send FILE --hex --har: the HAR holds the exchange', async () => {
  writeFileSync(join(dir, 'get.http'), `GET http://${hostPort}/headers\n`);
  const r = await run(['get.http', '--har', 'get.har', '--hex']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /GET \/headers HTTP\/1\.1/);
  const har = JSON.parse(readFileSync(join(dir, 'get.har'), 'utf8'));
  assert.equal(har.log.entries.length, 1);
  assert.equal(har.log.entries[0].request.method, 'GET');
  assert.equal(har.log.entries[0].response.status, 200);
});

test('send --follow --output; a request from stdin', async () => {
  writeFileSync(join(dir, 'redirect.http'), `GET http://${hostPort}/redirect/2\n`);
  let r = await run(['redirect.http', '--follow', '--output', 'body.json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([...r.stdout.matchAll(/^HTTP\/1\.1 (\d+)/gm)].map((m) => m[1]), ['302', '302', '200']);
  assert.match(r.stderr, /\* body written to body\.json/);
  assert.equal(JSON.parse(readFileSync(join(dir, 'body.json'), 'utf8')).path, '/echo');
  r = await run(['-'], `PUT http://${hostPort}/echo\n\nfrom stdin\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /"text": "from stdin"/);
});

test('exit 1 when the exchange cannot happen; exit 2 for bad usage', async () => {
  const closed = await freePort();
  let r = await run(['--raw', 'x', '--to', `127.0.0.1:${closed}`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /CONNECTION_REFUSED/);
  writeFileSync(join(dir, 'slow.http'), `GET http://${hostPort}/delay/3000\n`);
  r = await run(['slow.http', '--timeout', '200']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /TIMEOUT/);
  r = await run(['--raw', 'bad \\q', '--to', hostPort]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown escape \\q .*column 5/);
  r = await run(['--raw', 'x']);
  assert.equal(r.code, 2);
  r = await run(['missing.http']);
  assert.equal(r.code, 2);
  r = await run(['get.http', '--nope']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^wireplay send: unknown option --nope\n/);
});

// ---------------------------------------------------------------- 2. --raw

test('send --raw: a malformed request gets 400 and exits 0; --hex, --har and --pcap', async () => {
  let r = await run(['--raw', 'GET / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: -1\\r\\n\\r\\n', '--to', hostPort]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.1 400 /);
  assert.match(r.stderr, /^> GET \/ HTTP\/1\.1\\r\\n\n/);
  assert.match(r.stderr, /ended: peer-closed/);
  r = await run(['--raw', 'GET /status/204 HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n', '--to', hostPort, '--hex', '--har', 'out.har', '--pcap', 'out.pcap']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /c2s 00000000  47 45 54 20/);
  assert.match(r.stdout, /s2c 00000000  48 54 54 50/);
  const har = JSON.parse(readFileSync(join(dir, 'out.har'), 'utf8'));
  assert.equal(har.log.version, '1.2');
  const pcap = readFileSync(join(dir, 'out.pcap'));
  assert.equal(pcap.readUInt32LE(0), 0xa1b2c3d4);
});

// ---------------------------------------------------------------- 3. .http files with several requests

test('every request runs in order: HTTP (an error status is no failure), RAW and WebSocket', async () => {
  const r = await inProcess({ env: 'local' });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(headings(r.stdout), [
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
  const r = await inProcess({ env: 'local', name: 'me' });
  assert.equal(r.code, 0, r.stderr);
  const h = headings(r.stdout);
  assert.equal(h.length, 2);
  assert.match(h[0], /^### login/);
  assert.match(h[1], /^### me/);
});

test('a request that cannot be sent makes the exit status 1; the others still run', async () => {
  const r = await inProcess({ env: 'other', name: 'login' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /requests\.http:2: not sent: /);
  const noEnv = await inProcess({ name: 'missing' });
  assert.equal(noEnv.code, 1);
  assert.match(noEnv.stderr, /"base" is not defined/);
});

test('unknown names, environments and files are usage errors (2)', async () => {
  const name = await inProcess({ env: 'local', name: 'nope' });
  assert.equal(name.code, 2);
  assert.match(name.stderr, /no request named "nope".*there are: login, me, missing, raw, socket/);
  const env = await inProcess({ env: 'prod' });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /no environment "prod".*there are: local, other/);
  const file = await inProcess({ file: join(dir, 'absent.http') });
  assert.equal(file.code, 2);
});

test('send FILE.http --env runs every block in order: HTTP, WebSocket and RAW; a 404 still exits 0', async () => {
  const r = await run(['process.http', '--env', 'local', '--har', 'all.har']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(headings(r.stdout).map((l) => l.split(' — ')[0]), ['### first', '### second', '### chat', '### raw']);
  assert.match(r.stdout, /HTTP\/1\.1 200 OK\n/);
  assert.match(r.stdout, /HTTP\/1\.1 404 Not Found\n/);
  assert.match(r.stdout, /> hello\n< hello\n/);
  assert.match(r.stdout, /HTTP\/1\.1 400 Bad Request\\r\\n/);
  assert.match(r.stderr, /> GET \/status\/404\?n=9 HTTP\/1\.1/);
  const har = JSON.parse(readFileSync(join(dir, 'all.har'), 'utf8')) as { log: { entries: unknown[] } };
  assert.ok(har.log.entries.length >= 2);
});

test('send FILE.http --name runs one request after the one it references', async () => {
  const r = await run(['process.http', '--env', 'local', '--name', 'second']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(headings(r.stdout).map((l) => l.split(' — ')[0]), ['### first', '### second']);
});

test('exit 1 when a request cannot be sent, 2 for an unknown name or environment', async () => {
  let r = await run(['process.http', '--name', 'first']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /"host" is not defined/);
  r = await run(['process.http', '--env', 'local', '--name', 'nope']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no request named "nope"/);
  r = await run(['process.http', '--env', 'prod']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no environment "prod"/);
});

test('WebSocket messages are printed as they arrive, before the block ends', async (t) => {
  const child = spawn(process.execPath, [cli, 'send', 'hold.http', '--env', 'local', '--timeout', '120000'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill());
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // The server holds its second message back: the first must be on stdout while the process still waits for it.
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      if (stdout.includes('< first\n')) resolve();
    });
    child.once('exit', () => reject(new Error(`exited before printing the first message: ${stdout}${stderr}`)));
  });
  assert.equal(child.exitCode, null, 'still running: the second wait is not over');
  assert.match(stdout, /^### hold — WEBSOCKET ws:\/\/\{\{host\}\}\/ws\/hold\n< first\n$/);
  if (holding.size === 0) await new Promise<void>((resolve) => (peerArrived = resolve));
  for (const peer of holding) peer.send('second');
  assert.equal(await exited, 0, stderr);
  assert.equal(stdout, '### hold — WEBSOCKET ws://{{host}}/ws/hold\n< first\n< second\n\n');
  assert.match(stderr, /\* 0 sent, 2 received/);
  assert.match(stderr, /\* closed 1000/);
});

// ---------------------------------------------------------------- 4. one parser for every file

test('a one-request file goes through the .http parser: continuation lines, <@ files, <> lines; --follow and --output work on it', async () => {
  writeFileSync(join(dir, 'body.txt'), 'from {{greeting}}');
  writeFileSync(
    join(dir, 'one.http'),
    [`POST http://${hostPort}/echo`, '    ?a=1', '    &b=2', 'Content-Type: text/plain', '', '<@ ./body.txt', '', '<> previous.200.json', ''].join('\n'),
  );
  const r = await run(['one.http', '--output', 'one.json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(headings(r.stdout).length, 0, 'a single unnamed request prints no heading');
  assert.match(r.stderr, /^> POST \/echo\?a=1&b=2 HTTP\/1\.1/);
  const echoed = JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8')) as { body: { text: string } };
  assert.equal(echoed.body.text, 'from hi', '<@ substituted the $shared variable; <> sent nothing');
});

test('a refused feature: exit 2, the error at FILE:LINE:COL, the other requests still sent (scripts run); --output wants one request', async () => {
  writeFileSync(
    join(dir, 'scripts.http'),
    [
      `### ok`, `GET http://${hostPort}/echo?n=1`, '',
      '### handler', `GET http://${hostPort}/echo?n=2`, '', '> {% client.log("status", response.status) %}', '',
      '### aad', `GET http://${hostPort}/echo`, 'Authorization: {{$aadToken}}', '',
      '### typescript', `GET http://${hostPort}/echo?n=3`, '', '> ./check.ts', '',
    ].join('\n'),
  );
  const r = await run(['scripts.http']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /scripts\.http:11:16: error: `\$aadToken` \(REST Client's Azure AD token\) is not supported/);
  assert.match(r.stderr, /scripts\.http:16:1: error: The response handler `> \.\/check\.ts` is TypeScript, which is not supported/);
  assert.match(r.stderr, /> GET \/echo\?n=1 HTTP\/1\.1/);
  // The handler runs: its log line comes with the exchange.
  assert.match(r.stderr, /> GET \/echo\?n=2 HTTP\/1\.1[\s\S]*\* log: status 200/);
  assert.doesNotMatch(r.stderr, /> GET \/echo\?n=3/);
  const output = await run(['scripts.http', '--output', 'x.json']);
  assert.equal(output.code, 2);
  assert.match(output.stderr, /--output takes the body of one HTTP request.*choose one with --name/);
});

test('a script that fails: its error at FILE:LINE:COL, exit 1; a pre-request script that fails stops its request', async () => {
  writeFileSync(
    join(dir, 'failing-scripts.http'),
    [
      '### after', `GET http://${hostPort}/echo?n=1`, '', '> {%', '  response.body.nothing.here;', '%}', '',
      '### before', '< {% throw new Error("no token") %}', `GET http://${hostPort}/echo?n=2`, '',
    ].join('\n'),
  );
  const r = await run(['failing-scripts.http']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /failing-scripts\.http:5:\d+: error: The response handler \(`> \{% %\}`\): TypeError: Cannot read properties of undefined \(reading 'here'\)/);
  assert.match(r.stderr, /failing-scripts\.http:9:\d+: error: The pre-request script \(`< \{% %\}`\): (Error: )?no token/);
  assert.match(r.stderr, /> GET \/echo\?n=1 HTTP\/1\.1/);
  assert.doesNotMatch(r.stderr, /> GET \/echo\?n=2/);
});

test('# @prompt: --var answers it; without a terminal the request is refused with a hint (exit 2)', async () => {
  writeFileSync(join(dir, 'prompt.http'), ['# @prompt token Your token', `GET http://${hostPort}/echo?t={{token}}`, ''].join('\n'));
  const given = await run(['prompt.http', '--var', 'token=abc']);
  assert.equal(given.code, 0, given.stderr);
  assert.match(given.stderr, /> GET \/echo\?t=abc HTTP\/1\.1/);
  const ci = await run(['prompt.http']);
  assert.equal(ci.code, 2);
  assert.match(ci.stderr, /prompt\.http:1:1: error: "token" is prompted for \(# @prompt\) and there is no one to ask: pass --var token=VALUE/);
});

test('--dialect picks the tool where they disagree; auto warns at the line', async () => {
  writeFileSync(join(dir, 'repeat.http'), [`GET http://${hostPort}/echo`, 'X-A: 1', 'X-A: 2', ''].join('\n'));
  const auto = await run(['repeat.http']);
  assert.equal(auto.code, 0, auto.stderr);
  assert.match(auto.stderr, /repeat\.http:3:1: warning: X-A is written twice: REST Client sends one X-A line/);
  assert.match(auto.stderr, /> X-A: 1\n> X-A: 2\n/);
  const rc = await run(['repeat.http', '--dialect', 'rest-client']);
  assert.equal(rc.code, 0, rc.stderr);
  assert.match(rc.stderr, /> X-A: 1,2\n/);
  assert.doesNotMatch(rc.stderr, /warning/);
  const bad = await run(['repeat.http', '--dialect', 'postman']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--dialect must be one of auto, rest-client, httpyac, jetbrains/);
});
