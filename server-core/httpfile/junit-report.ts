// JUnit XML for `wireplay test --junit`, in the shape GitHub Actions' JUnit
// reporters, GitLab and Jenkins read: one <testsuite> per `.http` file, one
// <testcase> per check (or per request without checks), <failure> for a
// check that failed, <error> for a request that could not run or a script
// that threw, <skipped/> for what was skipped, and the exchange summary in the
// test case's <system-out>. `file` and `line` point at the `.http` file.
import { hostname } from 'node:os';
import type { RequestTestResult, TestCaseResult } from './test-results.js';

export interface JUnitSuite {
  /** The file as the user named it (relative to the working directory). */
  path: string;
  requests: RequestTestResult[];
  /** Problems of the file itself (a syntax error outside any request, an unreadable file): a failed case each. */
  fileErrors?: { line: number; message: string }[];
  durationMs: number;
  started: Date;
}

/** Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF, CR; lone surrogates; U+FFFE/U+FFFF). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function text(value: string): string {
  return value
    .replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function attr(value: string | number): string {
  return text(String(value)).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function details(c: TestCaseResult, path: string): string {
  const lines = [c.message ?? ''];
  if (c.expected !== undefined) lines.push(`expected: ${c.expected}`);
  if (c.actual !== undefined) lines.push(`actual:   ${c.actual}`);
  lines.push(`at ${c.source ?? `${path}:${(c.failureLine ?? c.line) + 1}`}`);
  return lines.join('\n');
}

function testcase(c: TestCaseResult, r: RequestTestResult, path: string): string {
  const open = `    <testcase classname="${attr(r.label)}" name="${attr(c.name)}" time="${seconds(c.durationMs)}" file="${attr(path)}" line="${c.line + 1}">`;
  const inner: string[] = [];
  if (c.status === 'failed') {
    // A check that did not hold is a failure; a request that could not run or a script that threw is an error.
    const tag = c.kind === 'check' ? 'failure' : 'error';
    const type = c.kind === 'check' ? 'AssertionError' : c.kind === 'script' ? 'ScriptError' : 'RequestError';
    inner.push(`      <${tag} message="${attr(c.message ?? 'failed')}" type="${type}">${text(details(c, path))}</${tag}>`);
  } else if (c.status === 'skipped') {
    inner.push(`      <skipped message="${attr(c.message ?? 'skipped')}"/>`);
  }
  inner.push(`      <system-out>${text(r.summary)}</system-out>`);
  return [open, ...inner, '    </testcase>'].join('\n');
}

function count(suite: JUnitSuite) {
  const cases = suite.requests.flatMap((r) => r.cases);
  const fileErrors = suite.fileErrors?.length ?? 0;
  return {
    tests: cases.length + fileErrors,
    failures: cases.filter((c) => c.status === 'failed' && c.kind === 'check').length,
    errors: cases.filter((c) => c.status === 'failed' && c.kind !== 'check').length + fileErrors,
    skipped: cases.filter((c) => c.status === 'skipped').length,
  };
}

export function junitXml(suites: readonly JUnitSuite[], name = 'wireplay test'): string {
  const host = hostname();
  const totals = { tests: 0, failures: 0, errors: 0, skipped: 0, ms: 0 };
  const body: string[] = [];
  for (const [id, s] of suites.entries()) {
    const n = count(s);
    totals.tests += n.tests;
    totals.failures += n.failures;
    totals.errors += n.errors;
    totals.skipped += n.skipped;
    totals.ms += s.durationMs;
    body.push(
      `  <testsuite name="${attr(s.path)}" id="${id}" tests="${n.tests}" failures="${n.failures}" errors="${n.errors}" skipped="${n.skipped}" time="${seconds(s.durationMs)}" timestamp="${s.started.toISOString().replace(/\.\d+Z$/, '')}" hostname="${attr(host)}" file="${attr(s.path)}">`,
    );
    for (const e of s.fileErrors ?? []) {
      body.push(
        `    <testcase classname="${attr(s.path)}" name="${attr(`line ${e.line + 1}`)}" time="0.000" file="${attr(s.path)}" line="${e.line + 1}">`,
        `      <error message="${attr(e.message)}" type="FileError">${text(`${e.message}\nat ${s.path}:${e.line + 1}`)}</error>`,
        '    </testcase>',
      );
    }
    for (const r of s.requests) for (const c of r.cases) body.push(testcase(c, r, s.path));
    body.push('  </testsuite>');
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(name)}" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}" time="${seconds(totals.ms)}">`,
    ...body,
    '</testsuites>',
    '',
  ].join('\n');
}
