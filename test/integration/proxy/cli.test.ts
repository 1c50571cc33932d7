// The built CLI: `node dist/cli.js proxy --to URL` prints exactly one line
// (`Wireplay proxy on http://HOST:PORT → URL`), logs each exchange on stderr,
// exits 0 on SIGINT and 2 on bad usage.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { startProxyTestApp } from '../../support/proxy-test-app.js';
import { curl } from './helpers.js';

const root = join(import.meta.dirname, '../../..');
const cli = join(root, 'dist/cli.js');

before(() => {
  if (!existsSync(cli)) {
    const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
    assert.equal(r.status, 0, 'build failed');
  }
});

test('proxy --to URL: the contract line, an exchange logged, SIGINT exits 0', async (t) => {
  const app = await startProxyTestApp();
  t.after(() => app.close());
  const child = spawn(process.execPath, [cli, 'proxy', '--to', app.origin, '--listen', '127.0.0.1:0', '--capture-limit', '8MiB'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  const m = /^Wireplay proxy on (http:\/\/127\.0\.0\.1:\d+) → (.+)$/.exec(line);
  assert.ok(m, line);
  assert.equal(m[2], app.origin);
  const r = await curl([`${m[1]}/hello`]);
  assert.equal(r.stdout, 'hello through the proxy\n');
  await new Promise<void>((resolve) => {
    const check = () => (/GET \/hello → 200 · upstream [\d.]+ ms · proxy [\d.]+ ms\n/.test(err) ? resolve() : child.stderr!.once('data', check));
    check();
  });
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const [code] = await exited;
  assert.equal(code, 0);
  assert.equal(out, line + '\n', 'exactly one line on stdout');
});

test('bad usage exits 2 with the usage on stderr', () => {
  for (const args of [[], ['--to', 'ftp://x'], ['--to', 'http://127.0.0.1:1', '--listen', 'nope'], ['--to', 'http://127.0.0.1:1', '--bogus'], ['--to', 'http://127.0.0.1:1/api'], ['--to', 'http://127.0.0.1:1', '--timeout', 'soon']]) {
    const r = spawnSync(process.execPath, [cli, 'proxy', ...args], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^wireplay proxy: .+\n\nUsage: wireplay proxy --to URL/, args.join(' '));
  }
});
