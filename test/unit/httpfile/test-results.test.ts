// Outcomes read as test results: checks are cases, a request without checks is
// one case, a script error and a request not sent fail, skipped stays skipped;
// a loop's passes merge into one result for the Testing view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHttpFile } from '../../../server-core/httpfile/parse-http-file.js';
import type { BlockOutcome } from '../../../server-core/httpfile/run-http-file.js';
import { emptyScriptReport, type ScriptReport } from '../../../server-core/httpfile/script-report.js';
import { countCases, mergePasses, requestTestResult } from '../../../server-core/httpfile/test-results.js';

const [block] = parseHttpFile('### raw\nRAW tcp://127.0.0.1:9\nGET / HTTP/1.1\\r\\n\\r\\n\n').blocks;

function sent(scripts?: Partial<ScriptReport>): BlockOutcome {
  return {
    kind: 'raw',
    block,
    result: {
      connectionId: 'c1',
      local: { address: '127.0.0.1', port: 1, family: 'IPv4' },
      remote: { address: '127.0.0.1', port: 9, family: 'IPv4' },
      bytesSent: 18,
      received: Buffer.from('HTTP/1.1 200 OK\r\n\r\n'),
      receivedBytes: 19,
      truncated: false,
      end: 'peer-closed',
      peerEnded: true,
      unsentBytes: 0,
      timings: { dns: 0, connect: 1, tls: 0, firstByte: 2, total: 3 },
    },
    ...(scripts ? { scripts: { ...emptyScriptReport(), ...scripts } } : {}),
    durationMs: 7,
  } as BlockOutcome;
}

const check = (name: string, passed: boolean, line: number) => ({ name, kind: 'assertion' as const, passed, line, durationMs: 1, ...(passed ? {} : { message: `${name} failed`, expected: '200', actual: '404' }) });

test('checks are the cases; a request without checks passes because the exchange happened', () => {
  const plain = requestTestResult(sent());
  assert.deepEqual(plain.cases.map((c) => [c.kind, c.status, c.line]), [['request', 'passed', 1]]);
  assert.equal(plain.connectionId, 'c1');
  assert.match(plain.summary, /^### raw — RAW tcp:\/\/127\.0\.0\.1:9/);

  const r = requestTestResult(sent({ checks: [check('status == 200', true, 3), check('status == 201', false, 4)] }));
  assert.equal(r.status, 'failed');
  assert.deepEqual(r.cases.map((c) => [c.kind, c.name, c.status, c.expected ?? '']), [
    ['check', 'status == 200', 'passed', ''],
    ['check', 'status == 201', 'failed', '200'],
  ]);
  assert.deepEqual(countCases([plain, r]), { passed: 2, failed: 1, skipped: 0 });
});

test('a script error is a failed case at its line; scripts not run are skipped and the request still passes', () => {
  const error = { line: 5, column: 2, endLine: 5, endColumn: 9, message: 'TypeError: x', severity: 'error' as const, code: 'script' as const };
  const r = requestTestResult(sent({ errors: [error] }));
  assert.deepEqual(r.cases.map((c) => [c.kind, c.name, c.status, c.line, c.message]), [['script', 'script error', 'failed', 5, 'TypeError: x']]);
  const untrusted = requestTestResult(sent({ notRun: [{ ...error, severity: 'warning', message: 'not run: untrusted' }] }));
  assert.equal(untrusted.status, 'passed');
  assert.deepEqual(untrusted.cases.map((c) => [c.kind, c.status]), [['request', 'passed'], ['script', 'skipped']]);
});

test('not sent fails with why (refused is marked); skipped stays skipped', () => {
  const failed = requestTestResult({ kind: 'failed', block, message: 'line 2: nope', diagnostics: [{ line: 1, column: 0, endLine: 1, endColumn: 3, message: 'nope', severity: 'error', code: 'unsupported' }], refused: true });
  assert.deepEqual([failed.status, failed.refused, failed.cases[0].message, failed.cases[0].failureLine], ['failed', true, 'line 2: nope', 1]);
  const skipped = requestTestResult({ kind: 'skipped', block, reason: '# @disabled' });
  assert.deepEqual([skipped.status, skipped.cases[0].message], ['skipped', '# @disabled']);
});

test('a loop\'s passes merge: a check fails when any pass failed it, and says which', () => {
  const merged = mergePasses([
    requestTestResult(sent({ checks: [check('status == 200', true, 3)] })),
    requestTestResult(sent({ checks: [check('status == 200', false, 3)] })),
    requestTestResult(sent({ checks: [check('status == 200', true, 3)] })),
  ]);
  assert.equal(merged.status, 'failed');
  assert.deepEqual(merged.cases.map((c) => [c.status, c.message, c.durationMs]), [['failed', 'pass 2: status == 200 failed', 3]]);
  assert.equal(merged.durationMs, 21);
});
