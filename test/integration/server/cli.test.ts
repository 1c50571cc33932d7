// The built CLI: `node dist/cli.js serve --port 0` prints exactly one line,
// serves requests, logs them on stderr, and exits 0 on SIGTERM / SIGINT.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';

const root = join(import.meta.dirname, '../../..');
const cli = join(root, 'dist/cli.js');

before(() => {
  if (!existsSync(cli)) {
    const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
    assert.equal(r.status, 0, 'build failed');
  }
});

interface Running {
  child: ChildProcess;
  line: string;
  stdout: () => string;
  stderr: () => string;
}

async function serve(t: { after(fn: () => unknown): void }, args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [cli, 'serve', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const line = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl));
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${err}`)));
  });
  return { child, line, stdout: () => out, stderr: () => err };
}

test('serve --port 0: one line on stdout, requests logged on stderr, SIGTERM exits 0', async (t) => {
  const s = await serve(t, ['--port', '0']);
  assert.match(s.line, /^Wireplay listening on http:\/\/127\.0\.0\.1:\d+$/);
  const url = s.line.slice('Wireplay listening on '.length);
  const r = await fetch(`${url}/status/202`);
  assert.equal(r.status, 202);
  await r.arrayBuffer();
  const exited = once(s.child, 'exit');
  s.child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);
  assert.equal(s.stdout(), s.line + '\n', 'exactly one line on stdout');
  assert.match(s.stderr(), /GET \/status\/202 → 202/);
});

test('serve --mode sequential --root DIR, SIGINT exits 0', async (t) => {
  const s = await serve(t, ['--mode', 'sequential', '--root', join(root, 'test'), '--port=0']);
  const url = s.line.slice('Wireplay listening on '.length);
  const r = await fetch(`${url}/`);
  assert.equal(r.status, 200);
  await r.arrayBuffer();
  const exited = once(s.child, 'exit');
  s.child.kill('SIGINT');
  assert.equal((await exited)[0], 0);
});

test('bad flags: usage on stderr, exit 2; --help on stdout, exit 0', () => {
  for (const args of [['serve', '--bogus'], ['serve', '--port', 'x'], ['serve', '--mode', 'parallel'], ['serve', '--port'], ['nosuchcommand']]) {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 2, `${args.join(' ')} → ${r.status}`);
    assert.match(r.stderr, /Usage: wireplay/);
    assert.equal(r.stdout, '');
  }
  const help = spawnSync(process.execPath, [cli, 'serve', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Usage: wireplay serve \[--host H\] \[--port P\] \[--root DIR\] \[--routes FILE\] \[--mode concurrent\|sequential\]/);
  const top = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  assert.equal(top.status, 0);
  assert.match(top.stdout, /serve/);
});
