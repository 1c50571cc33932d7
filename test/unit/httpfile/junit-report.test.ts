// The JUnit writer: counts per suite, failure against error, escaping of what
// XML cannot carry — read back with junit2json, a JUnit parser from npm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type TestSuites } from 'junit2json';
import { junitXml } from '../../../server-core/httpfile/junit-report.js';
import type { RequestTestResult } from '../../../server-core/httpfile/test-results.js';
import { parseHttpFile } from '../../../server-core/httpfile/parse-http-file.js';

const [block] = parseHttpFile('GET http://h/x\n').blocks;

function request(cases: RequestTestResult['cases'], summary = 'GET /x → 200 OK'): RequestTestResult {
  return { block, label: 'echo — GET http://h/x', status: 'failed', statusText: '200 OK', durationMs: 12, cases, summary, refused: false };
}

test('one testsuite per file, one testcase per check; failure for a check, error for a script, skipped; file and line; text escaped', async () => {
  const xml = junitXml([
    {
      path: 'api.http',
      durationMs: 20,
      started: new Date('2024-01-02T03:04:05.678Z'),
      requests: [
        request(
          [
            { kind: 'check', name: 'status == 200', status: 'passed', durationMs: 1, line: 3 },
            { kind: 'check', name: 'body <b> & "q"', status: 'failed', durationMs: 2, line: 4, message: 'got \u0001 "x" & <y>', expected: 'a', actual: 'b' },
            { kind: 'script', name: 'script error', status: 'failed', durationMs: 0, line: 6, message: 'TypeError: boom' },
            { kind: 'script', name: 'script not run', status: 'skipped', durationMs: 0, line: 7, message: 'untrusted' },
          ],
          'GET /x\n\u0000 → 200 <OK> ]]>',
        ),
      ],
      fileErrors: [{ line: 0, message: 'never closed' }],
    },
    { path: 'b.http', durationMs: 5, started: new Date(), requests: [request([{ kind: 'request', name: 'plain', status: 'passed', durationMs: 5, line: 0 }])] },
  ]);
  const parsed = (await parse(xml)) as TestSuites;
  assert.deepEqual([parsed.tests, parsed.failures, parsed.errors], [6, 1, 2]);
  const [a, b] = parsed.testsuite!;
  assert.deepEqual([a.name, a.tests, a.failures, a.errors, a.skipped], ['api.http', 5, 1, 2, 1]);
  assert.equal(a.timestamp, '2024-01-02T03:04:05');
  const cases = a.testcase!;
  assert.deepEqual(cases.map((c) => c.name), ['line 1', 'status == 200', 'body <b> & "q"', 'script error', 'script not run']);
  assert.equal(cases[2].failure?.[0].message, 'got \\u0001 "x" & <y>');
  assert.match(cases[2].failure?.[0].inner ?? '', /expected: a\nactual: {3}b\nat api\.http:5/);
  assert.equal(cases[3].error?.[0].type, 'ScriptError');
  assert.equal(cases[4].skipped?.[0].message, 'untrusted');
  assert.equal(cases[1]['system-out']?.[0], 'GET /x\n\\u0000 → 200 <OK> ]]>');
  assert.match(xml, /<testcase classname="echo — GET http:\/\/h\/x" name="status == 200" time="0\.001" file="api\.http" line="4">/);
  assert.deepEqual([b.name, b.tests, b.failures, b.errors], ['b.http', 1, 0, 0]);
});
