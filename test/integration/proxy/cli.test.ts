// The built CLI: `node dist/cli.js proxy --to URL` prints exactly one line
// (`Wireplay proxy on http://HOST:PORT → URL`), logs each exchange on stderr,
// exits 0 on SIGINT and 2 on bad usage; --har and --pcap write both legs when it closes.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

interface RunningProxy {
  child: ChildProcess;
  line: string;
  url: string;
  target: string;
  output(): { out: string; err: string };
  /** Resolves when stderr has matched `re` (the child exiting first fails it). */
  stderrMatches(re: RegExp): Promise<void>;
}

async function startCliProxy(t: { after(fn: () => unknown): void }, args: string[]): Promise<RunningProxy> {
  const child = spawn(process.execPath, [cli, 'proxy', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
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
  return {
    child,
    line,
    url: m[1],
    target: m[2],
    output: () => ({ out, err }),
    stderrMatches: (re) =>
      new Promise<void>((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`exited ${code} before stderr matched ${re}: ${err}`));
        const check = () => {
          if (!re.test(err)) return void child.stderr!.once('data', check);
          child.off('exit', onExit);
          resolve();
        };
        child.once('exit', onExit);
        check();
      }),
  };
}

test('proxy --to URL: the contract line, an exchange logged, SIGINT exits 0', async (t) => {
  const app = await startProxyTestApp();
  t.after(() => app.close());
  const proxy = await startCliProxy(t, ['--to', app.origin, '--listen', '127.0.0.1:0', '--capture-limit', '8MiB']);
  assert.equal(proxy.target, app.origin);
  const r = await curl([`${proxy.url}/hello`]);
  assert.equal(r.stdout, 'hello through the proxy\n');
  await proxy.stderrMatches(/GET \/hello → 200 · upstream [\d.]+ ms · proxy [\d.]+ ms\n/);
  const exited = once(proxy.child, 'exit');
  proxy.child.kill('SIGINT');
  const [code] = await exited;
  assert.equal(code, 0);
  assert.equal(proxy.output().out, proxy.line + '\n', 'exactly one line on stdout');
  assert.doesNotMatch(proxy.output().err, /wrote/, 'nothing written without --har or --pcap');
});

test('--har and --pcap: both legs written when the proxy closes, readable by tshark', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-proxy-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const app = await startProxyTestApp();
  t.after(() => app.close());
  const har = join(dir, 'proxy.har');
  const pcap = join(dir, 'proxy.pcap');
  const proxy = await startCliProxy(t, ['--to', app.origin, '--har', har, '--pcap', pcap]);
  const r = await curl([`${proxy.url}/hello`]);
  assert.equal(r.stdout, 'hello through the proxy\n');
  await proxy.stderrMatches(/GET \/hello → 200/);
  assert.equal(existsSync(har), false, 'written on exit, not before');
  const exited = once(proxy.child, 'exit');
  proxy.child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, proxy.output().err);
  // Two connections: curl ↔ proxy and proxy ↔ app.
  assert.match(proxy.output().err, new RegExp(`wrote 2 connections as HAR to ${har.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
  assert.match(proxy.output().err, /wrote 2 connections as pcap to /);
  const entries = (JSON.parse(readFileSync(har, 'utf8')) as { log: { entries: { request: { url: string }; response: { status: number } }[] } }).log.entries;
  assert.ok(entries.length >= 1, 'the exchange is in the HAR');
  for (const e of entries) {
    assert.match(e.request.url, /\/hello$/);
    assert.equal(e.response.status, 200);
  }
  const uris = await new Promise<string>((resolve, reject) =>
    execFile('tshark', ['-r', pcap, '-d', `tcp.port==${new URL(proxy.url).port},http`, '-d', `tcp.port==${new URL(app.origin).port},http`, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri'], (err, stdout, stderr) =>
      err ? reject(new Error(`tshark failed: ${stderr || err.message}`)) : resolve(stdout),
    ),
  );
  assert.deepEqual(uris.trim().split('\n'), ['/hello', '/hello'], 'the request on both legs');
});

test('--har into a folder that does not exist is refused at start (exit 2), not after the capture', () => {
  const r = spawnSync(process.execPath, [cli, 'proxy', '--to', 'http://127.0.0.1:1', '--har', join(tmpdir(), 'no-such-folder-wireplay', 'x.har')], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^wireplay proxy: --har: cannot write into the folder of /);
});

test('bad usage exits 2 with the usage on stderr', () => {
  for (const args of [[], ['--to', 'ftp://x'], ['--to', 'http://127.0.0.1:1', '--listen', 'nope'], ['--to', 'http://127.0.0.1:1', '--bogus'], ['--to', 'http://127.0.0.1:1/api'], ['--to', 'http://127.0.0.1:1', '--timeout', 'soon']]) {
    const r = spawnSync(process.execPath, [cli, 'proxy', ...args], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^wireplay proxy: .+\n\nUsage: wireplay proxy --to URL/, args.join(' '));
  }
});
