import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

test('server-core never imports vscode and has no runtime dependencies outside node:', () => {
  const offenders: string[] = [];
  for (const file of sources(join(root, 'server-core'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)) {
      const spec = m[1];
      if (spec.startsWith('.') || spec.startsWith('node:')) continue;
      offenders.push(`${relative(root, file)} imports '${spec}'`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('the webview bundle never imports vscode or node built-ins', () => {
  const offenders: string[] = [];
  for (const file of sources(join(root, 'webview'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)) {
      if (m[1] === 'vscode' || m[1].startsWith('node:')) offenders.push(`${relative(root, file)} imports '${m[1]}'`);
    }
  }
  assert.deepEqual(offenders, []);
});
