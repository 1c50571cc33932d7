// Builds every bundle with esbuild into dist/ (git-ignored):
//   dist/cli.js          the `wireplay` CLI (Node, CommonJS)
//   dist/extension.js    the VS Code extension host bundle (Node, CommonJS, `vscode` external)
//   dist/routes-worker.js  the worker thread that runs a wireplay.routes.mjs (used by both bundles above)
//   dist/webview/*.js    the UI bundles (browser, IIFE), plus codicons
// An entry whose source does not exist yet is skipped with a note, so the tree
// builds while areas are still being laid down.
import { build } from 'esbuild';
import { latin1Bundle } from './latin1-bundle.mjs';
import { existsSync, mkdirSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const dist = join(root, 'dist');

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // server-core/routes/module/module-host.ts reads import.meta only when run from source (tsx);
  // in a bundle it finds dist/routes-worker.js through __dirname first.
  logOverride: { 'empty-import-meta': 'silent' },
};
const browserCommon = {
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const entries = [
  // Node bundles are kept within Latin-1 (`latin1`): a one-byte source string (scripts/latin1-bundle.mjs).
  { src: 'server-core/cli/main.ts', out: 'dist/cli.js', opts: { ...nodeCommon, banner: { js: '#!/usr/bin/env node' } }, latin1: true },
  { src: 'extension/extension.ts', out: 'dist/extension.js', opts: { ...nodeCommon, external: ['vscode'] }, latin1: true },
  { src: 'server-core/routes/module/routes-worker.ts', out: 'dist/routes-worker.js', opts: nodeCommon, latin1: true },
  { src: 'webview/panel/main.ts', out: 'dist/webview/panel.js', opts: browserCommon },
];

mkdirSync(dist, { recursive: true });
// package.json at the root says "type": "module" for the TypeScript sources;
// the bundles are CommonJS (VS Code loads extensions with require).
writeFileSync(join(dist, 'package.json'), '{ "type": "commonjs" }\n');

const started = Date.now();
await Promise.all(
  entries.map(async ({ src, out, opts, latin1 }) => {
    if (!existsSync(join(root, src))) {
      console.log(`build: skipped ${out} (no ${src} yet)`);
      return;
    }
    await build({ ...opts, entryPoints: [join(root, src)], outfile: join(root, out) });
    if (latin1) latin1Bundle(join(root, out));
  }),
);

const codicons = join(root, 'node_modules/@vscode/codicons/dist');
if (existsSync(codicons)) {
  const target = join(dist, 'webview/codicons');
  mkdirSync(target, { recursive: true });
  for (const f of readdirSync(codicons)) if (/\.(css|ttf)$/.test(f)) copyFileSync(join(codicons, f), join(target, f));
}
console.log(`build: done in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
