// A request's outcome as test results — the one reading that `wireplay test`,
// its JUnit report and VS Code's Test Explorer share. Each check the scripts
// ran (`client.test`, httpYac `test()`, a `??` line) is a test case; a script
// that failed outside a test is a failed case of its own; a request without
// checks is one case that passes when the exchange happened. A request that
// was not sent fails (its checks could not run), unless it was skipped on
// purpose (`# @disabled`, `exports.$cancel`).
import { blockLabel, formatOutcome, outcomeStatus } from './format-outcome.js';
import type { BlockOutcome } from './run-http-file.js';
import type { RequestBlock } from './types.js';

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestCaseResult {
  /** `check`: a check the scripts ran; `script`: a script that failed (or was not run) outside a check; `request`: the exchange itself. */
  kind: 'check' | 'script' | 'request';
  name: string;
  status: TestStatus;
  durationMs: number;
  /** 0-based line of the `.http` file where it is declared. */
  line: number;
  /** Why it failed, or why it was skipped. */
  message?: string;
  expected?: string;
  actual?: string;
  /** 0-based line where it failed, when known. */
  failureLine?: number;
  /** A check declared in a script file: `handler.js:4`. */
  source?: string;
}

export interface RequestTestResult {
  block: RequestBlock;
  /** The request's name and request line, e.g. `login — POST http://…/login`. */
  label: string;
  status: TestStatus;
  /** What came back (`200 OK`) or why nothing was sent. */
  statusText: string;
  durationMs: number;
  cases: TestCaseResult[];
  /** The exchange as text (what was sent, the response, timings, the scripts' notes): JUnit's system-out. */
  summary: string;
  /** The capture's connection of the exchange, for the inspector. */
  connectionId?: string;
  /** The file is wrong here or asks for a feature Wireplay refuses (a usage error, exit 2), not a failed test. */
  refused: boolean;
}

const SUMMARY_LIMIT = 64 * 1024;

export function requestTestResult(outcome: BlockOutcome): RequestTestResult {
  const block = outcome.block;
  const report = outcome.scripts;
  const durationMs = outcome.durationMs ?? 0;
  const sent = outcome.kind === 'http' || outcome.kind === 'websocket' || outcome.kind === 'raw';
  const cases: TestCaseResult[] = [];
  if (sent) {
    for (const c of report?.checks ?? []) {
      cases.push({
        kind: 'check',
        name: c.name,
        status: c.passed ? 'passed' : 'failed',
        durationMs: c.durationMs,
        line: c.line,
        ...(c.message !== undefined && !c.passed ? { message: c.message } : {}),
        ...(c.expected !== undefined ? { expected: c.expected } : {}),
        ...(c.actual !== undefined ? { actual: c.actual } : {}),
        ...(c.failureLine !== undefined ? { failureLine: c.failureLine } : {}),
        ...(c.source ? { source: c.source } : {}),
      });
    }
    for (const e of report?.errors ?? []) cases.push({ kind: 'script', name: 'script error', status: 'failed', durationMs: 0, line: e.line, message: e.message, failureLine: e.line });
    for (const d of report?.notRun ?? []) cases.push({ kind: 'script', name: 'script not run', status: 'skipped', durationMs: 0, line: d.line, message: d.message });
    if (!cases.some((c) => c.status !== 'skipped')) cases.unshift({ kind: 'request', name: blockLabel(block), status: 'passed', durationMs, line: block.requestLine });
  } else if (outcome.kind === 'skipped') {
    cases.push({ kind: 'request', name: blockLabel(block), status: 'skipped', durationMs, line: block.requestLine, message: outcome.reason });
  } else {
    const first = outcome.diagnostics.find((d) => d.severity === 'error');
    cases.push({ kind: 'request', name: blockLabel(block), status: 'failed', durationMs, line: block.requestLine, message: outcome.message, ...(first ? { failureLine: first.line } : {}) });
  }
  const status: TestStatus = cases.some((c) => c.status === 'failed') ? 'failed' : cases.every((c) => c.status === 'skipped') ? 'skipped' : 'passed';
  const summary = formatOutcome(outcome);
  return {
    block,
    label: blockLabel(block),
    status,
    statusText: outcomeStatus(outcome),
    durationMs,
    cases,
    summary: summary.length > SUMMARY_LIMIT ? `${summary.slice(0, SUMMARY_LIMIT)}\n… (${summary.length - SUMMARY_LIMIT} more characters)` : summary,
    ...(sent && outcome.result.connectionId ? { connectionId: outcome.result.connectionId } : {}),
    refused: outcome.kind === 'failed' && !!outcome.refused,
  };
}

/** Passed, failed and skipped test cases of a list of requests. */
export function countCases(results: readonly RequestTestResult[]): Record<TestStatus, number> {
  const counts: Record<TestStatus, number> = { passed: 0, failed: 0, skipped: 0 };
  for (const r of results) for (const c of r.cases) counts[c.status]++;
  return counts;
}

/**
 * The passes of one request (`# @loop`) as one result, for a view that shows the request once: a check
 * fails when it failed in any pass (the message says which pass), durations add up, the summaries follow
 * each other.
 */
export function mergePasses(results: readonly RequestTestResult[]): RequestTestResult {
  if (results.length === 1) return results[0];
  const cases = new Map<string, TestCaseResult>();
  for (const [i, r] of results.entries()) {
    for (const c of r.cases) {
      const key = `${c.kind}\0${c.name}\0${c.line}`;
      const mine = c.status === 'failed' ? { ...c, message: `pass ${i + 1}: ${c.message ?? 'failed'}` } : c;
      const before = cases.get(key);
      const kept = !before || (before.status !== 'failed' && mine.status !== 'skipped') ? mine : before;
      cases.set(key, { ...kept, durationMs: (before?.durationMs ?? 0) + c.durationMs });
    }
  }
  const all = [...cases.values()];
  const last = results[results.length - 1];
  return {
    ...last,
    cases: all,
    status: all.some((c) => c.status === 'failed') ? 'failed' : all.every((c) => c.status === 'skipped') ? 'skipped' : 'passed',
    durationMs: results.reduce((n, r) => n + r.durationMs, 0),
    summary: results.map((r) => r.summary).join('\n'),
    refused: results.some((r) => r.refused),
  };
}
