// Path traversal against /files/*: every trick, through curl --path-as-is and raw
// sockets. The assertion that matters: no byte from outside the root arrives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { Router } from '../../../server-core/router/router.js';
import { registerDemoRoutes } from '../../../server-core/routes/demo-routes.js';
import { serveHandler, sendRaw, type TestServer } from '../../support/handler-server.js';
import { makeStaticFixture, type StaticFixture } from '../../support/static-fixture.js';

let fx: StaticFixture;
let server: TestServer;

before(async () => {
  fx = makeStaticFixture(64 * 1024);
  const router = new Router();
  registerDemoRoutes(router, { root: fx.root });
  server = await serveHandler(router.handle);
});

after(async () => {
  await server?.close();
  fx?.cleanup();
});

// Paths after /files/. Each must be refused: 403 or 404 (400 when the HTTP parser itself refuses the target).
const ATTACKS: string[] = [
  '../outside/secret.txt',
  '../../outside/secret.txt',
  'sub/../../outside/secret.txt',
  './../outside/secret.txt',
  '%2e%2e/outside/secret.txt',
  '%2E%2E/outside/secret.txt',
  '.%2e/outside/secret.txt',
  '%2e./outside/secret.txt',
  'sub/%2e%2e/%2e%2e/outside/secret.txt',
  '..%2foutside%2fsecret.txt',
  '..%2Foutside/secret.txt',
  '%2e%2e%2foutside%2fsecret.txt',
  '%2e%2e%2f%2e%2e%2foutside%2fsecret.txt',
  '..%5coutside%5csecret.txt',
  '%2e%2e%5coutside%5csecret.txt',
  '..\\outside\\secret.txt',
  'sub\\..\\..\\outside\\secret.txt',
  'hello.txt%00',
  'hello.txt%00.png',
  '..%00/outside/secret.txt',
  '%00../outside/secret.txt',
  '%c0%ae%c0%ae/outside/secret.txt',
  '%c0%ae%c0%ae%c0%afoutside%c0%afsecret.txt',
  '%c0%2e%c0%2e/outside/secret.txt',
  '%e0%80%ae%e0%80%ae/outside/secret.txt',
  '%f0%80%80%ae%f0%80%80%ae/outside/secret.txt',
  '%252e%252e/outside/secret.txt',
  '%252e%252e%252foutside%252fsecret.txt',
  '..%252foutside%252fsecret.txt',
  '%25%32%65%25%32%65/outside/secret.txt',
  '....//outside/secret.txt',
  '..;/outside/secret.txt',
  '.../outside/secret.txt',
  '..%u2216outside%u2216secret.txt',
  'link-out.txt',
  'dir-out/secret.txt',
  'dir-out/',
  'dir-out',
  '%2fetc%2fpasswd',
  '/etc/passwd',
  '//etc/passwd',
  '../../../../../../../../../../etc/passwd',
  '%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '.env',
  '%2eenv',
  '.hidden/x.txt',
  'sub/../.env',
];

const REFUSED = new Set([400, 403, 404]);

function assertNothingLeaked(label: string, bytes: Buffer): void {
  const text = bytes.toString('latin1');
  assert.ok(!text.includes(fx.secret), `${label}: the secret from outside the root arrived`);
  assert.ok(!text.includes('root:x:0:0'), `${label}: /etc/passwd arrived`);
}

function statusOf(bytes: Buffer): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(bytes.toString('latin1'));
  return m ? Number(m[1]) : -1;
}

function curl(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--path-as-is', '-i', '--max-time', '10', ...args], { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && stdout.length === 0) reject(new Error(`curl failed: ${stderr.toString()}`));
      else resolve(stdout);
    });
  });
}

test('control: the same server serves files inside the root', async () => {
  const ok = await curl([`${server.url}/files/hello.txt`]);
  assert.equal(statusOf(ok), 200);
  assert.ok(ok.toString().endsWith('Hello, Wireplay!\n'));
  const inside = await curl([`${server.url}/files/link-in.txt`]);
  assert.equal(statusOf(inside), 200, 'a symlink that stays inside the root is served');
  // The secret is there to be stolen: a plain read proves the fixture.
  assert.ok(fx.secret.startsWith('TOP-SECRET-'));
});

test('curl --path-as-is: every traversal trick is refused and nothing leaks', async () => {
  for (const attack of ATTACKS) {
    const out = await curl([`${server.url}/files/${attack}`]);
    assertNothingLeaked(attack, out);
    assert.ok(REFUSED.has(statusOf(out)), `${attack}: status ${statusOf(out)}`);
  }
});

test('raw sockets: every traversal trick is refused and nothing leaks', async () => {
  for (const attack of ATTACKS) {
    for (const prefix of ['/files/', '/files/sub/']) {
      const target = prefix + attack;
      const out = await sendRaw(server.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      assertNothingLeaked(target, out);
      assert.ok(REFUSED.has(statusOf(out)), `${target}: status ${statusOf(out)}`);
    }
  }
});

test('raw sockets: traversal outside /files/ and through absolute-form targets', async () => {
  for (const target of [
    '/../outside/secret.txt',
    '/files/../../outside/secret.txt',
    '/%2e%2e/%2e%2e/outside/secret.txt',
    `http://127.0.0.1:${server.port}/files/../outside/secret.txt`,
    `http://127.0.0.1:${server.port}/files/%2e%2e/outside/secret.txt`,
  ]) {
    const out = await sendRaw(server.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assertNothingLeaked(target, out);
    assert.notEqual(statusOf(out), 200, target);
  }
});

test('the precise answers: .. and encoded separators 403, symlinks out 403, bad encodings and dot-files 404', async () => {
  const expect: Array<[string, number]> = [
    ['../outside/secret.txt', 403],
    ['%2e%2e/outside/secret.txt', 403],
    ['..%2foutside%2fsecret.txt', 403],
    ['..%5coutside%5csecret.txt', 403],
    ['hello.txt%00', 403],
    ['link-out.txt', 403],
    ['dir-out/secret.txt', 403],
    ['%c0%ae%c0%ae/outside/secret.txt', 404],
    ['%252e%252e/outside/secret.txt', 404],
    ['.env', 404],
  ];
  for (const [attack, status] of expect) {
    const out = await sendRaw(server.port, `GET /files/${attack} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(out), status, attack);
  }
});

test('a directory whose index.html points out is listed, the index never served', async () => {
  const out = await curl([`${server.url}/files/trap/`]);
  assertNothingLeaked('trap/', out);
  assert.equal(statusOf(out), 200);
  assert.match(out.toString(), /Index of \/files\/trap\//);
  const direct = await curl([`${server.url}/files/trap/index.html`]);
  assertNothingLeaked('trap/index.html', direct);
  assert.equal(statusOf(direct), 403);
});
