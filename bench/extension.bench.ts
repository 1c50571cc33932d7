// Activation cost and package size of the extension, the figures issue 5 asks
// BENCHMARKS.md to carry (targets: activation under 50 ms without starting the
// server; the .vsix under 1 MiB).
//
// Activation is measured on the production bundle with a stand-in `vscode`
// module (a deep proxy that accepts every call), so it counts Wireplay's own
// work — loading dist/extension.js and running activate() — not VS Code's.
// The real extension host's figure is in the VS Code suite's log.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = join(import.meta.dirname, '..');
const ROUNDS = 15;

function stub(): unknown {
  const fn = function () {};
  const handler: ProxyHandler<typeof fn> = {
    get: (_t, prop) => (prop === 'then' ? undefined : prop === Symbol.toPrimitive ? () => '' : proxy),
    set: () => true,
    apply: () => proxy,
    construct: () => proxy as object,
  };
  const proxy: unknown = new Proxy(fn, handler);
  return proxy;
}

/** An object with every top-level name of the vscode API (read from @types/vscode), each a deep stub. */
function vscodeModule(): Record<string, unknown> {
  const dts = readFileSync(join(root, 'node_modules/@types/vscode/index.d.ts'), 'utf8');
  const names = new Set([...dts.matchAll(/^\texport (?:namespace|class|enum|function|const|let) (\w+)/gm)].map((m) => m[1]));
  return Object.fromEntries([...names].map((n) => [n, stub()]));
}

function measureActivation(bundle: string): { load: number; activate: number } {
  const vscode = vscodeModule();
  const load = (Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown })._load;
  (Module as unknown as { _load: typeof load })._load = (req, ...rest) => (req === 'vscode' ? vscode : load(req, ...rest));
  try {
    const req = Module.createRequire(bundle);
    delete req.cache[bundle];
    const t0 = performance.now();
    const ext = req(bundle) as { activate(ctx: unknown): unknown; deactivate?(): unknown };
    const t1 = performance.now();
    const context = { subscriptions: [] as { dispose?(): void }[], extensionUri: stub(), globalStorageUri: stub(), globalState: stub(), workspaceState: stub(), extensionMode: 1, environmentVariableCollection: stub(), storageUri: stub(), logUri: stub(), extension: stub(), secrets: stub() };
    ext.activate(context);
    const t2 = performance.now();
    void ext.deactivate?.();
    return { load: t1 - t0, activate: t2 - t1 };
  } finally {
    (Module as unknown as { _load: typeof load })._load = load;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log('building the production bundle and the .vsix …');
const out = mkdtempSync(join(tmpdir(), 'wireplay-vsix-'));
try {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--production'], { cwd: root, stdio: 'ignore' });
  const vsix = join(out, 'wireplay.vsix');
  execFileSync(process.execPath, [join(root, 'node_modules/@vscode/vsce/vsce'), 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', vsix], {
    cwd: root,
    stdio: 'ignore',
  });
  const bundle = join(root, 'dist/extension.js');
  // Node built-ins load once per process in VS Code's extension host anyway; warm them first.
  measureActivation(bundle);
  const loads: number[] = [];
  const activations: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const m = measureActivation(bundle);
    loads.push(m.load);
    activations.push(m.activate);
  }
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  console.log('\n| measure | value | target |');
  console.log('| --- | ---: | --- |');
  console.log(`| load dist/extension.js (median of ${ROUNDS}) | ${median(loads).toFixed(1)} ms | |`);
  console.log(`| activate() without starting the server (median of ${ROUNDS}) | ${median(activations).toFixed(1)} ms | |`);
  console.log(`| load + activate | ${(median(loads) + median(activations)).toFixed(1)} ms | < 50 ms |`);
  console.log(`| dist/extension.js | ${kib(statSync(bundle).size)} | |`);
  console.log(`| wireplay.vsix | ${kib(statSync(vsix).size)} | < 1 MiB |`);
} finally {
  rmSync(out, { recursive: true, force: true });
  // Leave a development build behind, as `npm run build` would.
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
}
