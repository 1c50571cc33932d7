// Runs the suites in order and ends with one line: `N passed, N failed, N skipped`.
//   node test/run.mjs                      every suite
//   node test/run.mjs --only unit,browser  some suites
//   node test/run.mjs FILE...              just these files
// Suites: unit (no sockets), integration (real sockets and peers on 127.0.0.1),
// reliability (failure and load paths, one file at a time), browser (Chromium),
// vscode (code-server + Chromium). Every file is a node:test file.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = [
  { name: 'unit', dir: 'test/unit', concurrency: 2 },
  { name: 'integration', dir: 'test/integration', concurrency: 2 },
  { name: 'reliability', dir: 'test/reliability', concurrency: 1 },
  { name: 'browser', dir: 'test/browser', concurrency: 1 },
  { name: 'vscode', dir: 'test/vscode', concurrency: 1 },
];

function findTests(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let only = null;
const explicitFiles = [];
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--only') only = new Set(process.argv[++i].split(','));
  else explicitFiles.push(a);
}

const runs = explicitFiles.length
  ? [{ name: 'selected', files: explicitFiles.map((f) => join(process.cwd(), f)), concurrency: 1 }]
  : SUITES.filter((s) => !only || only.has(s.name)).map((s) => ({ ...s, files: findTests(join(root, s.dir)) }));

const total = { passed: 0, failed: 0, skipped: 0, failures: [] };
const scratch = mkdtempSync(join(tmpdir(), 'wireplay-test-'));
const started = Date.now();
for (const run of runs) {
  if (run.files.length === 0) continue;
  console.log(`\n=== ${run.name}: ${run.files.length} file(s)`);
  const countsFile = join(scratch, `${run.name}.json`);
  const result = spawnSync(
    process.execPath,
    [
      '--import', 'tsx',
      '--test',
      `--test-concurrency=${run.concurrency}`,
      '--test-timeout=300000',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      `--test-reporter=${join(root, 'test/support/count-reporter.mjs')}`, `--test-reporter-destination=${countsFile}`,
      ...run.files.map((f) => relative(root, f)),
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' } },
  );
  let counts;
  try {
    counts = JSON.parse(readFileSync(countsFile, 'utf8'));
  } catch {
    counts = { passed: 0, failed: 1, skipped: 0, failures: [`${run.name}: the test runner exited ${result.status} without results`] };
  }
  if (result.status !== 0 && counts.failed === 0) {
    counts.failed = 1;
    counts.failures.push(`${run.name}: the test runner exited ${result.status}`);
  }
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
  total.failures.push(...counts.failures);
}
rmSync(scratch, { recursive: true, force: true });

if (total.failures.length) {
  console.log('\nFailed:');
  for (const f of total.failures) console.log(`  - ${f}`);
}
console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed === 0 && total.passed > 0 ? 0 : 1);
