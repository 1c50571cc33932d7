// `wireplay serve --routes FILE` with a broken or hung routes file: the problem goes
// to stderr as `file:line:col: message`, the server keeps serving its built-in
// routes, and the process neither exits 0 silently (an import that never settles)
// nor dies (a stray asynchronous throw in a handler).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { within } from '../support/within.js';

const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli.js');

before(() => {
  if (!existsSync(cli) || !existsSync(join(root, 'dist/routes-worker.js'))) {
    const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
    assert.equal(r.status, 0, 'build failed');
  }
});

interface Serving {
  child: ChildProcess;
  url: Promise<string>;
  /** Resolves with stderr once it matches. */
  stderrMatching(pattern: RegExp, what: string, ms?: number): Promise<string>;
}

function serve(t: { after(fn: () => unknown): void }, routes: string): Serving {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-routes-cli-'));
  const file = join(dir, 'wireplay.routes.mjs');
  writeFileSync(file, routes);
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--routes', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  let out = '';
  let err = '';
  const changed: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => ((out += d), changed.forEach((f) => f())));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => ((err += d), changed.forEach((f) => f())));
  const until = <T>(value: () => T | undefined, what: string, ms: number) =>
    within(
      new Promise<T>((resolve, reject) => {
        const check = () => {
          const v = value();
          if (v !== undefined) resolve(v);
        };
        changed.push(check);
        child.once('exit', (code) => reject(new Error(`wireplay serve exited ${code} while waiting for ${what}; stderr:\n${err}`)));
        check();
      }),
      what,
      ms,
    );
  return {
    child,
    url: until(() => /^Wireplay listening on (\S+)$/m.exec(out)?.[1], 'the listening line', 60_000),
    stderrMatching: (pattern, what, ms = 60_000) => until(() => (pattern.test(err) ? err : undefined), what, ms),
  };
}

async function stops(child: ChildProcess): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  return (await exited)[0] as number | null;
}

test('an import that never settles: reported on stderr at its line, built-in routes served, and the process stays up', async (t) => {
  const s = serve(t, `export default { 'GET /mine': (req, res) => res.end('mine') };\nawait new Promise(() => {});\n`);
  const stderr = await s.stderrMatching(/wireplay\.routes\.mjs:2:1: the module did not finish loading/, 'the load report');
  assert.match(stderr, /^error: .*wireplay\.routes\.mjs:2:1: the module did not finish loading within \d+ ms: a top-level await that never settles/m);
  const url = await s.url;
  assert.equal((await fetch(`${url}/status/202`)).status, 202);
  assert.equal((await fetch(`${url}/mine`)).status, 404);
  assert.equal(s.child.exitCode, null, 'still serving');
  assert.equal(await stops(s.child), 0);
});

test('a stray asynchronous throw in a handler: 500 for that request, reported at its line, and the CLI keeps serving', async (t) => {
  const s = serve(
    t,
    `export default {
  'GET /boom': (req, res) => {
    setTimeout(() => { throw new Error('async boom'); }, 0);
  },
  'GET /ok': (req, res) => res.end('ok'),
};
`,
  );
  const url = await s.url;
  const boom = await fetch(`${url}/boom`);
  assert.equal(boom.status, 500);
  await boom.arrayBuffer();
  await s.stderrMatching(/wireplay\.routes\.mjs:3:30: Error: async boom/, 'the report of the throw');
  assert.equal((await fetch(`${url}/echo`)).status, 200);
  const ok = await fetch(`${url}/ok`);
  assert.equal(await ok.text(), 'ok', 'the routes worker started again');
  assert.equal(s.child.exitCode, null, 'still serving');
  assert.equal(await stops(s.child), 0);
});

test('a module with a syntax error: reported at its line and column, built-in routes served', async (t) => {
  const s = serve(t, `export default {\n  'GET /a': (req, res) => res.end(,\n};\n`);
  await s.stderrMatching(/wireplay\.routes\.mjs:2:35: SyntaxError/, 'the syntax error');
  const url = await s.url;
  assert.equal((await fetch(`${url}/echo`)).status, 200);
  assert.equal(await stops(s.child), 0);
});
