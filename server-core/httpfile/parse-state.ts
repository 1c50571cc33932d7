// What the parser accumulates while it walks a file, and the readers shared by
// the preamble and the request body: script blocks (JetBrains `{% %}`,
// httpYac `{{ }}`) and diagnostics. Kept apart from the line-by-line logic so
// each parser module stays small.
import {
  HTTPYAC_SCRIPT_CLOSE,
  HTTPYAC_SCRIPT_OPEN,
  SCRIPT_CLOSE,
  SCRIPT_FILE,
  SCRIPT_ONE_LINE,
  SCRIPT_OPEN,
  isBlank,
} from './line-patterns.js';
import type { Diagnostic, Dialect, FileVariable, HttpFile, MetadataLine, RequestBlock, RequestScript, ScriptSource } from './types.js';

export function diagnostic(
  line: number,
  column: number,
  endColumn: number,
  message: string,
  severity: Diagnostic['severity'],
  code?: Diagnostic['code'],
): Diagnostic {
  return { line, column, endLine: line, endColumn: Math.max(endColumn, column), message, severity, ...(code ? { code } : {}) };
}

export class ParseState {
  readonly blocks: RequestBlock[] = [];
  readonly fileVariables: FileVariable[] = [];
  readonly fileMetadata: MetadataLine[] = [];
  readonly fileScripts: RequestScript[] = [];
  readonly graphqlFragments: HttpFile['graphqlFragments'] = {};
  private readonly fileDiagnostics: Diagnostic[] = [];
  private regions = 0;

  constructor(
    readonly lines: string[],
    readonly dialect: Dialect,
  ) {}

  nextRegion(): number {
    return this.regions++;
  }

  /** A problem on a line no request owns (a request line that does not parse, an unclosed comment). */
  fileError(line: number, column: number, endColumn: number, message: string, code: Diagnostic['code']): void {
    this.fileDiagnostics.push(diagnostic(line, column, endColumn, message, 'error', code));
  }

  result(): HttpFile {
    const all: Diagnostic[] = [...this.fileDiagnostics];
    for (const b of this.blocks) all.push(...b.errors, ...b.warnings);
    all.sort((a, b) => a.line - b.line || a.column - b.column);
    const allVariables = [...this.fileVariables, ...this.blocks.flatMap((b) => b.variables)].sort((a, b) => a.line - b.line);
    return {
      blocks: this.blocks,
      fileVariables: this.fileVariables,
      allVariables,
      fileMetadata: this.fileMetadata,
      fileScripts: this.fileScripts,
      graphqlFragments: this.graphqlFragments,
      diagnostics: all,
      dialect: this.dialect,
    };
  }
}

export function lastNonBlank(lines: readonly string[], from: number, end: number): number {
  let last = from;
  for (let j = from; j < end; j++) if (!isBlank(lines[j])) last = j;
  return last;
}

/**
 * Reads an httpYac `{{ … }}` block starting at `start`; the block ends at a line holding only `}}`.
 * `position` says where it stands: a block without an event runs before the request above the
 * request line (and outside requests), after the response below it — httpYac runs its script hooks
 * in file order around the request.
 */
export function readHttpyacScript(state: ParseState, start: number, end: number, position: 'preamble' | 'body' = 'preamble'): { script: RequestScript; last: number } {
  const { lines } = state;
  const open = HTTPYAC_SCRIPT_OPEN.exec(lines[start])!;
  let j = start + 1;
  while (j < end && !HTTPYAC_SCRIPT_CLOSE.test(lines[j])) j++;
  const event = (open[2] ?? '').toLowerCase();
  const phase = event === 'request' || (event === '' && position === 'preamble') ? 'before' : 'after';
  const script: RequestScript = {
    kind: 'httpyac-script',
    phase,
    event,
    everyRequest: open[1] === '+',
    source: { kind: 'inline', code: lines.slice(start + 1, Math.min(j, end)).join('\n'), line: start + 1 },
    range: { startLine: start, endLine: Math.min(j, end - 1) },
  };
  if (j >= end) state.fileError(start, 0, lines[start].length, 'This {{ script block is never closed with a }} line', 'syntax');
  return { script, last: Math.min(j, end - 1) };
}

/** Reads a JetBrains `< {% … %}`, `> {% … %}`, `< ./file.js` or `> ./file.js`; undefined when the line is none of those. */
export function readJetbrainsScript(state: ParseState, start: number, end: number): { script: RequestScript; last: number } | undefined {
  const { lines } = state;
  const line = lines[start];
  const make = (arrow: string, source: ScriptSource, last: number) => {
    const range = { startLine: start, endLine: last };
    const script: RequestScript =
      arrow === '<' ? { kind: 'jetbrains-pre-request', phase: 'before', source, range } : { kind: 'jetbrains-response-handler', phase: 'after', source, range };
    return { script, last };
  };
  // Where the code starts: on the `{%` line after the marker when something follows it there, else on the next line.
  const afterMarker = line.indexOf('{%') + 2;
  const one = SCRIPT_ONE_LINE.exec(line);
  if (one) {
    const column = afterMarker + (one[2].length - one[2].trimStart().length);
    return make(one[1], { kind: 'inline', code: one[2].trim(), line: start, ...(column ? { column } : {}) }, start);
  }
  const open = SCRIPT_OPEN.exec(line);
  if (open) {
    const sameLine = open[2].trim() !== '';
    const code: string[] = sameLine ? [open[2].trimStart()] : [];
    const source = (text: string): ScriptSource =>
      sameLine ? { kind: 'inline', code: text, line: start, column: afterMarker + (open[2].length - open[2].trimStart().length) } : { kind: 'inline', code: text, line: start + 1 };
    for (let j = start + 1; j < end; j++) {
      const close = SCRIPT_CLOSE.exec(lines[j]);
      if (close) {
        if (close[1].trim()) code.push(close[1]);
        return make(open[1], source(code.join('\n')), j);
      }
      code.push(lines[j]);
    }
    state.fileError(start, 0, line.length, 'This {% script is never closed with %}', 'syntax');
    return make(open[1], source(code.join('\n')), end - 1);
  }
  const file = SCRIPT_FILE.exec(line);
  if (file && /\.(js|mjs|cjs|ts)$/i.test(file[2])) return make(file[1], { kind: 'file', path: file[2], line: start }, start);
  return undefined;
}

/** The fields every block kind shares, as the region parser fills them in. */
export type BlockCommonInit = Pick<
  RequestBlock,
  'metadata' | 'metadataLines' | 'range' | 'requestLine' | 'region' | 'variables' | 'scripts' | 'errors' | 'warnings' | 'title' | 'name'
>;

/** A divergence warning: the tools put different bytes on the wire here; `auto` follows `chosen`. */
export function divergence(line: number, column: number, endColumn: number, message: string): Diagnostic {
  return diagnostic(line, column, endColumn, `${message} (choose the tool with the wireplay.httpFiles.dialect setting or --dialect)`, 'warning', 'divergence');
}
