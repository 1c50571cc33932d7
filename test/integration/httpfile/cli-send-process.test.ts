// `node dist/cli.js send FILE.http …` as a process, against a server on port 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import type { WebSocketPeer } from '../../../server-core/ws/types.js';

const root = join(import.meta.dirname, '../../..');
const cli = join(root, 'dist/cli.js');
let server: WireplayServer;
let port = 0;
let dir = '';
/** /ws/hold says "first" on open and "second" only when the test says so. */
const holding = new Set<WebSocketPeer>();
let peerArrived: (() => void) | undefined;

before(async () => {
  if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
  server = createWireplayServer({
    host: '127.0.0.1',
    port: 0,
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
  dir = mkdtempSync(join(tmpdir(), 'wireplay-cli-http-'));
  writeFileSync(join(dir, 'http-client.env.json'), JSON.stringify({ local: { host: `127.0.0.1:${port}` } }));
  writeFileSync(
    join(dir, 'requests.http'),
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

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'send', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

test('send FILE.http --env runs every block in order: HTTP, WebSocket and RAW; a 404 still exits 0', async () => {
  const r = await run(['requests.http', '--env', 'local', '--har', 'all.har']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.stdout.split('\n').filter((l) => l.startsWith('### ')).map((l) => l.split(' — ')[0]),
    ['### first', '### second', '### chat', '### raw'],
  );
  assert.match(r.stdout, /HTTP\/1\.1 200 OK\n/);
  assert.match(r.stdout, /HTTP\/1\.1 404 Not Found\n/);
  assert.match(r.stdout, /> hello\n< hello\n/);
  assert.match(r.stdout, /HTTP\/1\.1 400 Bad Request\\r\\n/);
  assert.match(r.stderr, /> GET \/status\/404\?n=9 HTTP\/1\.1/);
  const har = JSON.parse(readFileSync(join(dir, 'all.har'), 'utf8')) as { log: { entries: unknown[] } };
  assert.ok(har.log.entries.length >= 2);
});

test('send FILE.http --name runs one request after the one it references', async () => {
  const r = await run(['requests.http', '--env', 'local', '--name', 'second']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    r.stdout.split('\n').filter((l) => l.startsWith('### ')).map((l) => l.split(' — ')[0]),
    ['### first', '### second'],
  );
});

test('exit 1 when a request cannot be sent, 2 for an unknown name or environment', async () => {
  let r = await run(['requests.http', '--name', 'first']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /"host" is not defined/);
  r = await run(['requests.http', '--env', 'local', '--name', 'nope']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no request named "nope"/);
  r = await run(['requests.http', '--env', 'prod']);
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
