// Everything the editor marks in a `.http` file: the parser's diagnostics plus
// what resolving each block reports (unknown variables, unreadable body files,
// bad RAW bytes, refused features). A reference to a named request that exists
// but has not been sent yet is not an error — sending the block sends that
// request first — so it is left out; one to a name that exists nowhere is.
// Prompted (`# @prompt`) and loop (`$index`) values are unknown until a send,
// and so are the values scripts set (`client.global.set("token", …)`,
// `exports.token = …`): they count as defined here.
import { parseHttpFile } from './parse-http-file.js';
import { splitLines } from './line-patterns.js';
import { resolveBlock } from './resolve-block.js';
import { scriptSetNames } from './test-discovery.js';
import type { Diagnostic, Dialect, FileVariable, HttpFile } from './types.js';
import type { VariableContext } from './variables.js';

export interface LintResult {
  file: HttpFile;
  diagnostics: Diagnostic[];
}

export interface LintOptions {
  dialect?: Dialect;
  /** Request names of the files `# @import` brings in. */
  importedNames?: Iterable<string>;
  importedVariables?: readonly FileVariable[];
}

const NOT_SENT_YET = /^no request named "([^"]+)" has been sent yet/;

export async function lintHttpFile(
  text: string,
  context: Omit<VariableContext, 'fileVariables'>,
  baseDir: string,
  options: LintOptions = {},
): Promise<LintResult> {
  const file = parseHttpFile(text, { dialect: options.dialect ?? 'auto' });
  const lines = splitLines(text);
  const names = new Set<string>([...file.blocks.map((b) => b.name).filter((n): n is string => !!n), ...(options.importedNames ?? [])]);
  const diagnostics = [...file.diagnostics];
  // Names a script sets count as defined, with a stand-in value that is valid anywhere in a URL, under the
  // environment's own values (a file variable of another region may not be in scope: httpYac).
  const fromScripts: Record<string, string> = {};
  for (const name of scriptSetNames(file)) if (!Object.prototype.hasOwnProperty.call(context.environment, name)) fromScripts[name] = '0';
  const seen = new Set(diagnostics.map(key));
  const add = (d: Diagnostic) => {
    if (seen.has(key(d))) return;
    seen.add(key(d));
    diagnostics.push(d);
  };
  for (const block of file.blocks) {
    for (const m of block.metadataLines) {
      if (m.key !== 'ref' && m.key !== 'forceRef') continue;
      for (const name of m.value.split(/[\s,]+/).filter(Boolean)) {
        if (!names.has(name)) add({ line: m.line, column: 0, endLine: m.line, endColumn: lines[m.line].length, message: `there is no request named "${name}" in this file or the files it imports`, severity: 'error', code: 'reference' });
      }
    }
    const locals: Record<string, string> = {};
    for (const m of [...file.fileMetadata, ...block.metadataLines]) if (m.key === 'prompt' && m.value.trim()) locals[m.value.trim().split(/\s+/)[0]] = '';
    if (block.metadata.loop !== undefined) {
      locals.$index = '0';
      const item = /^\s*for\s+(\S+)\s+of\s/.exec(block.metadata.loop);
      if (item) locals[item[1]] = '';
    }
    const ctx: VariableContext = {
      ...context,
      environment: { ...fromScripts, ...context.environment },
      fileVariables: file.fileVariables,
      regionVariables: block.variables,
      allVariables: file.allVariables,
      importedVariables: options.importedVariables ?? [],
      locals: { ...context.locals, ...locals },
      requestNames: names,
      dialect: file.dialect,
    };
    const resolved = await resolveBlock(block, ctx, lines, { baseDir, file });
    for (const d of resolved.diagnostics) {
      const m = NOT_SENT_YET.exec(d.message);
      if (m && names.has(m[1])) continue;
      add(d);
    }
  }
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { file, diagnostics };
}

function key(d: Diagnostic): string {
  return `${d.line}:${d.column}:${d.message}`;
}
