// Which folder may import what (CONTRIBUTING.md's layout table), read from
// the sources: server-core is the wire and depends on nothing outside itself;
// the webview bundles talk to their host only through the protocol that
// server-core owns (server-core/protocol/), never through other server-core
// modules, `vscode` or Node built-ins; the protocol takes only types from the
// rest of server-core, so the webview bundle pulls in no server code. And the
// webview builds its markup with lit templates only, so escaping is structural.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

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

interface ImportRef {
  spec: string;
  /** `import type …` / `export type … from` (erased from the bundle). */
  typeOnly: boolean;
  line: number;
}

/** Every module a source file names: static imports and re-exports (across lines), side-effect imports, import(), require(). */
function importsOf(text: string): ImportRef[] {
  const out: ImportRef[] = [];
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  const patterns: [RegExp, (m: RegExpMatchArray) => boolean][] = [
    // `import … from '…'` and `export … from '…'` at the start of a line (comments start with // or *).
    [/^[ \t]*(?:import|export)\s+(type\s+)?[^;'"]*?\sfrom\s*['"]([^'"]+)['"]/gm, (m) => m[1] !== undefined],
    [/^[ \t]*import\s*['"]([^'"]+)['"]/gm, () => false],
    [/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, () => false],
    [/\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, () => false],
  ];
  for (const [re, typeOnly] of patterns) {
    for (const m of text.matchAll(re)) out.push({ spec: m[m.length - 1], typeOnly: typeOnly(m), line: lineAt(m.index ?? 0) });
  }
  return out;
}

/** The repository-relative path a relative import points at, with / separators. */
function target(file: string, spec: string): string {
  return relative(root, resolve(dirname(file), spec)).split(sep).join('/');
}

const where = (file: string, ref: ImportRef) => `${relative(root, file)}:${ref.line} imports '${ref.spec}'`;

test('the import scanner sees multi-line, type-only, side-effect and dynamic imports', () => {
  const refs = importsOf(
    [
      "import {",
      "  a,",
      "  type B,",
      "} from './one.js';",
      "import type { C } from '../two.js';",
      "export type { D } from './three.js';",
      "export { e } from './four.js';",
      "import './panel.css';",
      "const m = await import('./five.js');",
      "// not an import: see 'x' from './comment.js'",
    ].join('\n'),
  );
  assert.deepEqual(
    refs.map((r) => [r.spec, r.typeOnly]),
    [
      ['./one.js', false],
      ['../two.js', true],
      ['./three.js', true],
      ['./four.js', false],
      ['./panel.css', false],
      ['./five.js', false],
    ],
  );
});

test('server-core imports nothing outside server-core, and of packages only node:*', () => {
  const offenders: string[] = [];
  for (const file of sources(join(root, 'server-core'))) {
    for (const ref of importsOf(readFileSync(file, 'utf8'))) {
      if (ref.spec.startsWith('node:')) continue;
      if (ref.spec.startsWith('.') && target(file, ref.spec).startsWith('server-core/')) continue;
      offenders.push(where(file, ref));
    }
  }
  assert.deepEqual(offenders, []);
});

test('the webview imports of server-core only its protocol (server-core/protocol/**), and never vscode or node:*', () => {
  const offenders: string[] = [];
  for (const file of sources(join(root, 'webview'))) {
    for (const ref of importsOf(readFileSync(file, 'utf8'))) {
      if (ref.spec === 'vscode' || ref.spec.startsWith('node:')) offenders.push(where(file, ref));
      else if (ref.spec.startsWith('.')) {
        const to = target(file, ref.spec);
        if (!to.startsWith('webview/') && !to.startsWith('server-core/protocol/')) offenders.push(where(file, ref));
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test('the protocol takes only types from the rest of server-core (the webview bundle gets no server code)', () => {
  const offenders: string[] = [];
  for (const file of sources(join(root, 'server-core/protocol'))) {
    for (const ref of importsOf(readFileSync(file, 'utf8'))) {
      if (ref.spec.startsWith('.') && !target(file, ref.spec).startsWith('server-core/protocol/') && !ref.typeOnly) offenders.push(`${where(file, ref)} (not type-only)`);
      else if (!ref.spec.startsWith('.')) offenders.push(where(file, ref));
    }
  }
  assert.deepEqual(offenders, []);
});

test('extension/ never imports webview/ (both take the protocol from server-core)', () => {
  const offenders: string[] = [];
  for (const file of sources(join(root, 'extension'))) {
    for (const ref of importsOf(readFileSync(file, 'utf8'))) {
      if (ref.spec.startsWith('.') && target(file, ref.spec).startsWith('webview/')) offenders.push(where(file, ref));
    }
  }
  assert.deepEqual(offenders, []);
});
/** Markup parsed from a string: what lit's templates replace (they escape every value by construction). */
const HTML_SINKS = /\.(?:innerHTML|outerHTML)\s*\+?=|\binsertAdjacentHTML\s*\(|\bdocument\.write(?:ln)?\s*\(|\bcreateContextualFragment\s*\(/g;

test('the webview parses no markup from strings: no innerHTML / outerHTML / insertAdjacentHTML, only lit templates', () => {
  const offenders: string[] = [];
  for (const file of sources(join(root, 'webview'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(HTML_SINKS)) offenders.push(`${relative(root, file)}:${text.slice(0, m.index).split('\n').length}: ${m[0]}`);
  }
  assert.deepEqual(offenders, []);
});

test('the markup check catches an interpolated innerHTML', () => {
  const sample = 'el.innerHTML = `<b>${name}</b>`;\nrow.insertAdjacentHTML("beforeend", html);';
  assert.equal([...sample.matchAll(HTML_SINKS)].length, 2);
});
