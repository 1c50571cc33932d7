// Installs what the test suites need and a fresh machine lacks. Idempotent:
// a second run checks and does nothing.
//   - Debian packages: curl, chromium, tshark, python3-websockets, wrk, libkrb5-dev
//   - code-server (and the Node 24 it needs) in .cache/ (git-ignored), via scripts/setup-code-server.mjs
// Without root, missing packages are named with the command that installs them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['curl', 'chromium', 'tshark', 'python3-websockets', 'wrk', 'libkrb5-dev'];

function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
}

const hasDpkg = spawnSync('dpkg-query', ['--version']).status === 0;
const missing = hasDpkg ? PACKAGES.filter((p) => !installed(p)) : [];
if (missing.length) {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    console.error(`test-deps: missing Debian packages: ${missing.join(' ')}\n  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  console.log(`test-deps: installing ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], env);
  run('apt-get', ['install', '-y', '-qq', ...missing], env);
} else {
  console.log(hasDpkg ? 'test-deps: Debian packages present' : 'test-deps: no dpkg here; the suites that need curl, chromium, tshark or python3-websockets will say what is missing');
}

const codeServerSetup = join(root, 'scripts/setup-code-server.mjs');
if (existsSync(codeServerSetup)) run(process.execPath, [codeServerSetup]);
