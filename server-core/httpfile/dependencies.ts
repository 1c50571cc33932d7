// Which other requests a block needs before it can be built: `# @ref name`
// and `# @forceRef name` (httpYac), and the named requests its `{{…}}`
// placeholders read (`{{login.response.body.$.token}}`, `{{login.token}}`),
// followed through the variables it uses. Also the files `# @import` brings
// in (httpYac), parsed with the same parser.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseHttpFile } from './parse-http-file.js';
import type { Dialect, HttpFile, RequestBlock } from './types.js';

export interface Dependency {
  name: string;
  /** `# @forceRef`: sent again even when it already has a result. */
  force: boolean;
  /** Where it is named: a metadata line or a placeholder's line. */
  line: number;
  /** From `# @ref` / `# @forceRef` (a missing name is then an error of the block). */
  explicit: boolean;
}

const PLACEHOLDER = /\{\{\s*(.+?)\s*\}\}/g;

/** The names a block depends on, in the order they appear. */
export function blockDependencies(block: RequestBlock, file: HttpFile, lines: readonly string[], requestNames: ReadonlySet<string>): Dependency[] {
  const out: Dependency[] = [];
  const seen = new Set<string>();
  const add = (d: Dependency) => {
    if (seen.has(d.name) && !d.force) return;
    seen.add(d.name);
    out.push(d);
  };
  for (const m of block.metadataLines) {
    if (m.key !== 'ref' && m.key !== 'forceRef') continue;
    for (const name of m.value.split(/[\s,]+/).filter(Boolean)) add({ name, force: m.key === 'forceRef', line: m.line, explicit: true });
  }
  // Placeholders of the block's own lines, and of the variables they use (transitively).
  const variables = new Map<string, string>();
  for (const v of [...file.allVariables]) variables.set(v.name, v.value);
  for (const v of block.variables) variables.set(v.name, v.value);
  const visited = new Set<string>();
  const scan = (text: string, line: number) => {
    for (const m of text.matchAll(PLACEHOLDER)) {
      const expression = m[1];
      const ref = /^([\w-]+)\./.exec(expression);
      if (ref && requestNames.has(ref[1]) && !variables.has(expression)) {
        add({ name: ref[1], force: false, line, explicit: false });
        continue;
      }
      const name = expression.replace(/^%/, '');
      if (variables.has(name) && !visited.has(name)) {
        visited.add(name);
        scan(variables.get(name)!, line);
      }
    }
  };
  for (let i = block.range.startLine; i <= block.range.endLine; i++) scan(lines[i] ?? '', i);
  return out;
}

export interface ImportedFile {
  path: string;
  file: HttpFile;
  text: string;
}

/** Reads the files `# @import` names (relative to the importing file), recursively, each once. */
export function loadImports(
  file: HttpFile,
  fromPath: string | undefined,
  dialect: Dialect,
  cache: Map<string, ImportedFile | Error>,
): { imported: ImportedFile[]; errors: { line: number; message: string }[] } {
  const imported: ImportedFile[] = [];
  const errors: { line: number; message: string }[] = [];
  const visit = (f: HttpFile, path: string | undefined, depth: number) => {
    const lines = [...f.fileMetadata, ...f.blocks.flatMap((b) => b.metadataLines)].filter((m) => m.key === 'import' && m.value);
    for (const m of lines) {
      if (!path) {
        if (depth === 0) errors.push({ line: m.line, message: `# @import ${m.value}: an unsaved file cannot import; save it first` });
        continue;
      }
      const target = isAbsolute(m.value) ? m.value : resolve(dirname(path), m.value);
      let entry = cache.get(target);
      if (!entry) {
        try {
          const text = readFileSync(target, 'utf8');
          entry = { path: target, text, file: parseHttpFile(text, { dialect }) };
        } catch (err) {
          entry = err as Error;
        }
        cache.set(target, entry);
      }
      if (entry instanceof Error) {
        if (depth === 0) errors.push({ line: m.line, message: `# @import ${m.value}: cannot read ${target}: ${(entry as NodeJS.ErrnoException).code ?? entry.message}` });
        continue;
      }
      if (imported.some((i) => i.path === target) || target === path) continue;
      imported.push(entry);
      if (depth < 8) visit(entry.file, target, depth + 1);
    }
  };
  visit(file, fromPath, 0);
  return { imported, errors };
}
