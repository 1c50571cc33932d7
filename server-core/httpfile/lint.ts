// Everything the editor marks in a `.http` file: the parser's diagnostics plus
// what resolving each block reports (unknown variables, unreadable body files,
// bad RAW bytes). A reference to a named request of the same file that has not
// been sent yet is not an error — sending the block sends that request first —
// so it is left out.
import { parseHttpFile } from './parse-http-file.js';
import { resolveBlock } from './resolve-block.js';
import type { Diagnostic, HttpFile } from './types.js';
import type { VariableContext } from './variables.js';

export interface LintResult {
  file: HttpFile;
  diagnostics: Diagnostic[];
}

const NOT_SENT_YET = /^no request named "([^"]+)" has been sent yet/;

export async function lintHttpFile(
  text: string,
  context: Omit<VariableContext, 'fileVariables'>,
  baseDir: string,
): Promise<LintResult> {
  const file = parseHttpFile(text);
  const lines = text.split(/\r?\n/);
  const names = new Set(file.blocks.map((b) => b.name).filter(Boolean));
  const diagnostics = [...file.diagnostics];
  const seen = new Set(diagnostics.map(key));
  const ctx: VariableContext = { ...context, fileVariables: file.fileVariables };
  for (const block of file.blocks) {
    const resolved = await resolveBlock(block, ctx, lines, { baseDir });
    for (const d of resolved.diagnostics) {
      const m = NOT_SENT_YET.exec(d.message);
      if (m && names.has(m[1])) continue;
      // The same placeholder in a file variable is reported once per line and column.
      if (seen.has(key(d))) continue;
      seen.add(key(d));
      diagnostics.push(d);
    }
  }
  return { file, diagnostics };
}

function key(d: Diagnostic): string {
  return `${d.line}:${d.column}:${d.message}`;
}
