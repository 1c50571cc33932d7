// The request log of the real `wireplay serve` process (dist/cli.js): one line per
// request, `--log json` (one JSON object per line), `--quiet` (warnings and errors
// only), and the stdout line unchanged in every format.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { exchange, parseResponses } from './helpers.js';
import { waitFor } from '../../support/wait.js';

const root = join(import.meta.dirname, '../../..');
const cli = join(root, 'dist/cli.js');
const LISTENING = /^Wireplay listening on http:\/\/127\.0\.0\.1:(\d+)$/;

before(() => {
  if (!existsSync(cli)) {
    const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
    assert.equal(r.status, 0, 'build failed');
  }
});

interface Serving {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

async function serve(t: { after(fn: () => unknown): void }, args: string[]): Promise<Serving> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
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
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${err}`)));
  });
  const m = LISTENING.exec(line);
  assert.ok(m, `the listening line is unchanged: ${JSON.stringify(line)}`);
  return {
    child,
    port: Number(m[1]),
    stdout: () => out,
    stderr: () => err,
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      return (await exited)[0] as number | null;
    },
  };
}

const pipelined = (n: number) => Array.from({ length: n }, (_, i) => `GET /echo?n=${i} HTTP/1.1\r\nHost: x\r\n${i === n - 1 ? 'Connection: close\r\n' : ''}\r\n`).join('');
const lines = (text: string) => text.split('\n').filter((l) => l !== '');

test('text (default): exactly one line per request, in the format the CLI always printed', async (t) => {
  const s = await serve(t, []);
  const r = await exchange(s.port, pipelined(40));
  assert.equal(parseResponses(r.data).length, 40);
  await waitFor(() => lines(s.stderr()).length >= 40, '40 request lines');
  assert.equal(await s.stop(), 0);
  const logged = lines(s.stderr());
  const requests = logged.filter((l) => / GET \/echo\?n=\d+ → 200 \(\d+ B, \d+\.\d ms\)( \/echo \[code\])?$/.test(l));
  assert.equal(requests.length, 40, logged.join('\n'));
  assert.deepEqual(requests.map((l) => Number(/n=(\d+)/.exec(l)![1])), Array.from({ length: 40 }, (_, i) => i), 'in order');
  assert.deepEqual(logged.filter((l) => !requests.includes(l)), ['SIGTERM: closing']);
  assert.equal(s.stdout(), `Wireplay listening on http://127.0.0.1:${s.port}\n`);
});

test('--log json: every stderr line is one JSON object; one request event per request; warnings too', async (t) => {
  const s = await serve(t, ['--log', 'json']);
  const r = await exchange(s.port, pipelined(25));
  assert.equal(parseResponses(r.data).length, 25);
  const bad = await exchange(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n');
  assert.match(bad.data.toString('latin1'), /^HTTP\/1\.1 400 /);
  await waitFor(() => lines(s.stderr()).length >= 26, 'the request lines and the warning');
  assert.equal(await s.stop(), 0);
  const objects = lines(s.stderr()).map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      assert.fail(`not a JSON line: ${l}`);
    }
  });
  const requests = objects.filter((o) => o.event === 'request');
  assert.equal(requests.length, 25);
  for (const [i, o] of requests.entries()) {
    assert.equal(o.level, 'info');
    assert.equal(o.method, 'GET');
    assert.equal(o.target, `/echo?n=${i}`);
    assert.equal(o.status, 200);
    assert.equal(o.index, i + 1);
    assert.equal(typeof o.connectionId, 'string');
    assert.ok(typeof o.bytes === 'number' && o.bytes > 0);
    assert.equal(typeof o.durationMs, 'number');
    assert.match(String(o.remote), /^127\.0\.0\.1:\d+$/);
    assert.ok(!Number.isNaN(Date.parse(String(o.time))));
  }
  const others = objects.filter((o) => o.event !== 'request');
  assert.ok(others.some((o) => o.level === 'warn' && /400/.test(String(o.message))), JSON.stringify(others));
  assert.ok(others.some((o) => o.level === 'info' && o.message === 'SIGTERM: closing'));
  assert.equal(s.stdout(), `Wireplay listening on http://127.0.0.1:${s.port}\n`);
});

test('--quiet: no request lines, but refused bytes are still reported', async (t) => {
  const s = await serve(t, ['--quiet']);
  const r = await exchange(s.port, pipelined(30));
  assert.equal(parseResponses(r.data).length, 30);
  const bad = await exchange(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n');
  assert.match(bad.data.toString('latin1'), /^HTTP\/1\.1 (400|501) /);
  // The log keeps its order: once the warning is out, any request line would be out too.
  await waitFor(() => /warn: /.test(s.stderr()), 'the warning for the refused request');
  assert.equal(await s.stop(), 0);
  assert.deepEqual(lines(s.stderr()).filter((l) => !l.startsWith('warn: ')), [], 'nothing but warnings');
  assert.equal(s.stdout(), `Wireplay listening on http://127.0.0.1:${s.port}\n`);
});

test('--log with an unknown format: usage on stderr, exit 2', () => {
  const r = spawnSync(process.execPath, [cli, 'serve', '--log', 'xml'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--log must be text or json, got xml/);
  assert.match(r.stderr, /Usage: wireplay serve .*\[--log text\|json\] \[--quiet\]/);
  assert.equal(r.stdout, '');
});
