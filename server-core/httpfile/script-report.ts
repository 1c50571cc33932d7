// What the scripts of one request did, in the terms of the `.http` file: each
// check (`client.test`, httpYac `test()`, a `??` line) with its line in the
// file, script errors as diagnostics at their line, scripts that were not run
// (an untrusted workspace) at theirs, and the log. Attached to the request's
// outcome; the response view, `wireplay send`, `wireplay test` and the Test
// Explorer all read this one shape. Lines are 0-based, like every Diagnostic.
import type { ScriptLogLine } from '../scripts/index.js';
import type { Diagnostic } from './types.js';

export interface ScriptCheck {
  name: string;
  /** `test`: client.test / httpYac test() and its helpers; `assertion`: a `??` line. */
  kind: 'test' | 'assertion';
  passed: boolean;
  message?: string;
  /** When the failing check compared two values: both as text (a diff view). */
  expected?: string;
  actual?: string;
  /** Where the check is declared in the `.http` file (for a script file: its `> ./x.js` line). */
  line: number;
  /** Where it failed, when that is a line of the `.http` file. */
  failureLine?: number;
  /** A check declared in a script file: `handler.js:4`. */
  source?: string;
  durationMs: number;
}

export interface ScriptLog extends ScriptLogLine {
  /** The line of the script that logged it. */
  line: number;
}

export interface ScriptReport {
  checks: ScriptCheck[];
  /** Scripts that threw, were stopped (time limit), were refused or could not be read: errors at their line, code `script`. */
  errors: Diagnostic[];
  /** Scripts that were not run (an untrusted workspace), each at its line: warnings, code `script`. */
  notRun: Diagnostic[];
  /** What the engine noted without failing (a value that could not be kept, a body that is not JSON…). */
  warnings: Diagnostic[];
  logs: ScriptLog[];
  /** Time spent in scripts, in milliseconds. */
  durationMs: number;
}

export function emptyScriptReport(): ScriptReport {
  return { checks: [], errors: [], notRun: [], warnings: [], logs: [], durationMs: 0 };
}

/** Anything to show: a check, an error, a script not run, a log line or a warning. */
export function hasScriptNews(report: ScriptReport | undefined): report is ScriptReport {
  return !!report && (report.checks.length > 0 || report.errors.length > 0 || report.notRun.length > 0 || report.logs.length > 0 || report.warnings.length > 0);
}

/** The report's lines for a person, each starting with "* " (the CLI's stderr, the response view). */
export function scriptNotes(report: ScriptReport | undefined): string[] {
  if (!report) return [];
  const out: string[] = [];
  for (const l of report.logs) out.push(`* ${l.level === 'log' ? 'log' : l.level}: ${l.text.replace(/\n/g, '\n    ')}`);
  for (const c of report.checks) {
    const where = c.source ?? `line ${(c.failureLine ?? c.line) + 1}`;
    out.push(c.passed ? `* ✓ ${c.name}` : `* ✗ ${c.name}: ${c.message ?? 'failed'} (${where})`);
  }
  for (const d of [...report.errors, ...report.notRun, ...report.warnings]) out.push(`* line ${d.line + 1}: ${d.message}`);
  return out;
}
