// `npm run test:desktop`: the same extension-host suite (test/vscode/extension-host/)
// in desktop VS Code, through @vscode/test-electron. That needs to download a
// VS Code build from update.code.visualstudio.com; where that is impossible
// (an offline or registry-only machine) this says so and exits 1. In that case
// the suite still runs inside code-server: `node test/run.mjs --only vscode`.
//   VSCODE_EXECUTABLE=/path/to/code   use an installed VS Code instead of downloading
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

function fail(message) {
  console.error(`test:desktop: ${message}`);
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

if (!existsSync(join(root, 'dist/extension.js'))) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) fail('the build failed');
}

const base = join(root, '.cache/vscode-suite');
mkdirSync(base, { recursive: true });
const suiteDir = mkdtempSync(join(base, 'desktop-'));
const entry = join(suiteDir, 'index.js');
await build({
  entryPoints: [join(root, 'test/vscode/extension-host/index.ts')],
  outfile: entry,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'mocha'],
  sourcemap: 'inline',
  logLevel: 'warning',
});

// The repository's package.json says "type": "module"; the bundle is CommonJS.
writeFileSync(join(suiteDir, 'package.json'), '{ "type": "commonjs" }\n');

let vscodeExecutablePath = process.env.VSCODE_EXECUTABLE;
if (!vscodeExecutablePath) {
  console.log('test:desktop: downloading VS Code (stable) with @vscode/test-electron…');
  try {
    vscodeExecutablePath = await Promise.race([
      downloadAndUnzipVSCode({ version: 'stable', cachePath: join(root, '.vscode-test') }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 120 s')), 120_000)),
    ]);
  } catch (err) {
    rmSync(suiteDir, { recursive: true, force: true });
    fail(
      `cannot download VS Code here (${err instanceof Error ? err.message : err}).\n` +
        '  Desktop VS Code comes from update.code.visualstudio.com, which this machine cannot reach.\n' +
        '  Run on a machine with internet access, or set VSCODE_EXECUTABLE to an installed VS Code.\n' +
        '  The same suite runs in code-server: node test/run.mjs --only vscode',
    );
  }
}

const workspace = mkdtempSync(join(tmpdir(), 'wireplay-desktop-ws-'));
const userData = mkdtempSync(join(tmpdir(), 'wireplay-desktop-data-'));
let exitCode = 1;
try {
  exitCode = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: root,
    extensionTestsPath: entry,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${userData}`],
  });
} catch (err) {
  console.error(`test:desktop: VS Code exited with an error: ${err instanceof Error ? err.message : err}`);
}
const resultsFile = join(suiteDir, 'results.json');
if (!existsSync(resultsFile)) fail('the suite wrote no results (VS Code did not run it)');
const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
for (const t of results.tests) console.log(`  ${t.state === 'passed' ? '✔' : t.state === 'failed' ? '✖' : '-'} ${t.title}${t.error ? `\n${t.error}` : ''}`);
console.log(`${results.passes} passed, ${results.failures} failed, ${results.pending} skipped`);
rmSync(workspace, { recursive: true, force: true });
rmSync(userData, { recursive: true, force: true });
rmSync(suiteDir, { recursive: true, force: true });
process.exit(exitCode === 0 && results.failures === 0 ? 0 : 1);
