// The built files the standalone page loads (dist/webview): a fixed list, so
// nothing else on disk is ever served, whatever the path asks for.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Every file the page may load, with its type. */
export const UI_ASSETS: Readonly<Record<string, string>> = {
  'panel.js': 'text/javascript; charset=utf-8',
  'panel.css': 'text/css; charset=utf-8',
  'codicons/codicon.css': 'text/css; charset=utf-8',
  'codicons/codicon.ttf': 'font/ttf',
};

/** Where the built webview lives: next to the CLI bundle (dist/webview), or dist/webview under the working folder. */
export function findAssetsDir(): string | undefined {
  const candidates: string[] = [];
  if (typeof __dirname === 'string') candidates.push(join(__dirname, 'webview'));
  if (process.argv[1]) candidates.push(join(dirname(process.argv[1]), 'webview'));
  candidates.push(join(process.cwd(), 'dist', 'webview'));
  return candidates.find((d) => existsSync(join(d, 'panel.js')));
}

export type AssetLookup = { found: true; type: string; body: Buffer } | { found: false; text: string };

/** The asset at `rest` (a path under the token), if it is one of the page's files and is built. */
export function readAsset(assetsDir: string, rest: string): AssetLookup {
  const type = Object.hasOwn(UI_ASSETS, rest) ? UI_ASSETS[rest] : undefined;
  if (!type) return { found: false, text: 'Not found.\n' };
  try {
    return { found: true, type, body: readFileSync(join(assetsDir, rest)) };
  } catch {
    return { found: false, text: 'Not found (is the bundle built?).\n' };
  }
}
