// Turns what the sandbox reports about an error (name, message, V8 stack text)
// into a ScriptError the caller can show at the right line of the `.http` file:
// the position is read from the first stack frame inside the user's script
// (or from the caret of a SyntaxError), mapped with the job's offsets, and the
// stack keeps only the user's frames, under the job's filename. Names a script
// cannot have in Wireplay's sandbox (require, process, fetch, …) get a sentence
// that says why, so "require is not defined" never looks like a typo.
import { SCRIPT_FILE } from './sandbox-input.js';
import type { ScriptError, ScriptErrorCode } from './types.js';

/** An error as the sandbox describes it: plain strings only. */
export interface RawScriptError {
  name: string;
  message: string;
  stack: string;
  /** The error came from compiling the script (the stack text then starts with `file:line`, the source line and a caret). */
  syntax?: boolean;
}

/** Where the script sits in its file; see types.ts for how positions are mapped. */
export interface ScriptPlacement {
  /** The script text, to clamp positions that V8 reports on the wrapper around it. */
  source: string;
  filename: string;
  lineOffset: number;
  columnOffset: number;
}

export interface ScriptPosition {
  line: number;
  column: number;
}

const ISOLATED = 'scripts run isolated, without Node.js: no require, import, process, file system or network (see docs/scripts.md)';
const NOT_YET = 'is not supported by Wireplay scripts yet (see docs/scripts.md)';

/** Globals a script may expect from Node.js, a browser, JetBrains or httpYac, and why they are missing. */
const MISSING_GLOBALS: Record<string, string> = {
  require: ISOLATED,
  process: ISOLATED,
  module: ISOLATED,
  Buffer: ISOLATED,
  global: `${ISOLATED}; use globalThis`,
  __dirname: ISOLATED,
  __filename: ISOLATED,
  fetch: `${ISOLATED}; requests are made by the .http file, not by scripts`,
  XMLHttpRequest: `${ISOLATED}; requests are made by the .http file, not by scripts`,
  WebSocket: `${ISOLATED}; requests are made by the .http file, not by scripts`,
  setImmediate: `${ISOLATED}; use setTimeout`,
  clearImmediate: `${ISOLATED}; use clearTimeout`,
  TextEncoder: ISOLATED,
  TextDecoder: ISOLATED,
  URL: ISOLATED,
  URLSearchParams: ISOLATED,
  structuredClone: ISOLATED,
  performance: `${ISOLATED}; use Date.now()`,
  crypto: `the JetBrains crypto API ${NOT_YET}`,
  jsonPath: `the JetBrains jsonPath() helper ${NOT_YET}`,
  xpath: `the JetBrains xpath() helper ${NOT_YET}`,
  $random: `the JetBrains $random object ${NOT_YET}; use {{$random.*}} variables in the request`,
  httpFile: `httpYac's httpFile ${NOT_YET}`,
  httpRegion: `httpYac's httpRegion ${NOT_YET}`,
  $httpyac: `httpYac's $httpyac API ${NOT_YET}`,
  $requestClient: `httpYac's $requestClient ${NOT_YET}`,
  oauth2Session: `httpYac's oauth2Session ${NOT_YET}`,
  response: 'response exists only after the request: in response handlers (> {% %}) and in httpYac scripts below the request',
};

/** Why a name is missing in the sandbox, or undefined for an ordinary typo. */
export function missingGlobalHint(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(MISSING_GLOBALS, name) ? MISSING_GLOBALS[name] : undefined;
}

/**
 * The first position inside the user's script in a V8 stack text (script-relative, 1-based), if any.
 * Positions past `lineCount` are on the wrapper around the script (its call), not in it, and are skipped.
 */
export function firstScriptFrame(stack: string, lineCount = Infinity, file = SCRIPT_FILE): ScriptPosition | undefined {
  const at = new RegExp(`${escapeRegExp(file)}:(\\d+):(\\d+)`);
  for (const text of stack.split('\n')) {
    // "at eval (eval at f (file:1:5), <anonymous>:3:1)": code made by eval / new Function, whose origin is not where it failed.
    if (text.includes('(eval at ')) continue;
    const frame = at.exec(text);
    if (!frame) continue;
    const line = Number(frame[1]);
    if (line >= 1 && line <= lineCount) return { line, column: Number(frame[2]) };
  }
  return undefined;
}

/**
 * The position of a compile error: V8 puts `file:line`, the source line and a
 * caret line before the message in the stack of a SyntaxError from vm.Script.
 */
export function syntaxErrorPosition(stack: string, file = SCRIPT_FILE): ScriptPosition | undefined {
  const lines = stack.split('\n');
  const head = new RegExp(`^${escapeRegExp(file)}:(\\d+)$`).exec(lines[0] ?? '');
  if (!head) return undefined;
  const caret = lines.slice(1, 4).find((l) => /^\s*\^+\s*$/.test(l));
  return { line: Number(head[1]), column: caret ? caret.indexOf('^') + 1 : 1 };
}

/** Script-relative position → file position, clamped into the script text. */
export function mapPosition(pos: ScriptPosition, placement: ScriptPlacement): ScriptPosition {
  const lines = placement.source.split('\n');
  let { line, column } = pos;
  if (line < 1) {
    line = 1;
    column = 1;
  } else if (line > lines.length) {
    // Reported on the wrapper's closing line (e.g. "Unexpected end of input"): the end of the script.
    line = lines.length;
    column = (lines[lines.length - 1] ?? '').length + 1;
  }
  return {
    line: placement.lineOffset + line,
    column: line === 1 ? placement.columnOffset + column : column,
  };
}

/** The user's frames only, with the job's filename and mapped positions, under the `Name: message` line. */
export function cleanStack(raw: RawScriptError, placement: ScriptPlacement): string {
  const header = `${raw.name}: ${raw.message}`;
  if (raw.syntax) {
    const pos = syntaxErrorPosition(raw.stack);
    if (!pos) return header;
    const mapped = mapPosition(pos, placement);
    return `${header}\n    at ${placement.filename}:${mapped.line}:${mapped.column}`;
  }
  const file = new RegExp(`${escapeRegExp(SCRIPT_FILE)}:(\\d+):(\\d+)`);
  const lineCount = placement.source.split('\n').length;
  const frames = raw.stack
    .split('\n')
    .filter((l) => {
      const m = /^\s+at /.test(l) ? file.exec(l) : null;
      return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= lineCount;
    })
    .map((l) =>
      l.replace(file, (_m, line: string, column: string) => {
        const mapped = mapPosition({ line: Number(line), column: Number(column) }, placement);
        return `${placement.filename}:${mapped.line}:${mapped.column}`;
      }),
    );
  return [header, ...frames].join('\n');
}

/** The ScriptError for an error the script threw (or that compiling it raised). */
export function toScriptError(raw: RawScriptError, placement: ScriptPlacement): ScriptError {
  const lineCount = placement.source.split('\n').length;
  const pos = raw.syntax ? syntaxErrorPosition(raw.stack) : firstScriptFrame(raw.stack, lineCount);
  let code: ScriptErrorCode = raw.syntax ? 'SYNTAX_ERROR' : 'SCRIPT_ERROR';
  let message = raw.name && raw.name !== 'Error' ? `${raw.name}: ${raw.message}` : raw.message || raw.name || 'Error';
  if (raw.syntax && pos && pos.line > lineCount) {
    // V8 stopped on the wrapper's closing line: the script itself ends inside something left open.
    message = `${message} at the end of the script: a bracket, brace, parenthesis, comment or string is not closed`;
  }
  const undefinedName = raw.name === 'ReferenceError' ? /^(\S+) is not defined$/.exec(raw.message)?.[1] : undefined;
  const hint = undefinedName ? missingGlobalHint(undefinedName) : undefined;
  if (hint) {
    code = 'UNSUPPORTED';
    message = `${message}: ${hint}`;
  }
  if (/^import\(\) is not available/.test(raw.message)) code = 'UNSUPPORTED';
  const error: ScriptError = { code, message, stack: cleanStack(raw, placement) };
  if (pos) Object.assign(error, mapPosition(pos, placement));
  return error;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
