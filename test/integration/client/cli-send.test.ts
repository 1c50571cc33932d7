import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { freePort } from './helpers.js';

const root = join(import.meta.dirname, '../../..');
const cli = join(root, 'dist/cli.js');
let server: WireplayServer;
let hostPort = '';
let dir = '';

before(async () => {
  if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
  server = createWireplayServer();
  const a = await server.listen();
  hostPort = `127.0.0.1:${a.port}`;
  dir = mkdtempSync(join(tmpdir(), 'wireplay-cli-send-'));
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'send', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

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
  r = await new Promise((resolve) => {
    const child = execFile(process.execPath, [cli, 'send', '-'], { cwd: dir, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
    child.stdin!.end(`PUT http://${hostPort}/echo\n\nfrom stdin\n`);
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /"text": "from stdin"/);
});

test('exit 1 when the exchange cannot happen; exit 2 for bad usage', async () => {
  const port = await freePort();
  let r = await run(['--raw', 'x', '--to', `127.0.0.1:${port}`]);
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
});
