// Substitution with diagnostics: the piece every resolve step shares. It turns
// each `{{…}}` that does not resolve into a diagnostic at its line and column
// (so the editor marks it and the CLI prints FILE:LINE:COL), and each place
// where the tools would read a variable differently into a warning.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Diagnostic } from './types.js';
import { substitute, type VariableContext } from './variables.js';

export class Resolver {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly ctx: VariableContext,
    private readonly lines: (line: number) => string,
    readonly baseDir: string,
  ) {}

  get failed(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /** Substitutes variables in text that starts on `line`; reports what stays unresolved. */
  text(text: string, line: number): string {
    const result = substitute(text, this.ctx);
    for (const u of result.unresolved) this.at(text, line, u.expression, u.reason, 'error', u.code);
    for (const d of result.divergences) this.at(text, line, d.expression, `${d.message} (choose the tool with the wireplay.httpFiles.dialect setting or --dialect)`, 'warning', 'divergence');
    return result.text;
  }

  private at(text: string, line: number, expression: string, message: string, severity: Diagnostic['severity'], code: Diagnostic['code']): void {
    // Find the line and column of the placeholder in the source for the diagnostic.
    let at = { line, column: 0, end: this.lines(line).length };
    const count = text.split('\n').length;
    for (let i = 0; i < count; i++) {
      const source = this.lines(line + i);
      const idx = source.indexOf(expression);
      if (idx >= 0) {
        const open = source.lastIndexOf('{{', idx);
        const close = source.indexOf('}}', idx);
        at = { line: line + i, column: open >= 0 ? open : idx, end: close >= 0 ? close + 2 : idx + expression.length };
        break;
      }
    }
    this.push({ line: at.line, column: at.column, endLine: at.line, endColumn: at.end, message, severity, code });
  }

  error(line: number, message: string, code: Diagnostic['code'] = 'variable'): void {
    this.push({ line, column: 0, endLine: line, endColumn: this.lines(line).length, message, severity: 'error', code });
  }

  warn(line: number, message: string): void {
    this.push({
      line,
      column: 0,
      endLine: line,
      endColumn: this.lines(line).length,
      message: `${message} (choose the tool with the wireplay.httpFiles.dialect setting or --dialect)`,
      severity: 'warning',
      code: 'divergence',
    });
  }

  private push(d: Diagnostic): void {
    // The same placeholder may be reached twice (a variable used in two places of one line): report it once.
    if (this.diagnostics.some((x) => x.line === d.line && x.column === d.column && x.message === d.message)) return;
    this.diagnostics.push(d);
  }

  absolute(path: string): string {
    return isAbsolute(path) ? path : resolve(this.baseDir, path);
  }

  /** Reads a file a request refers to; a missing one is an error at `line`. */
  async readFile(path: string, line: number): Promise<Buffer | undefined> {
    try {
      return await readFile(this.absolute(path));
    } catch (err) {
      this.error(line, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'file');
      return undefined;
    }
  }
}
