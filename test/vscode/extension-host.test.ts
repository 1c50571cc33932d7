// Runs the mocha suite of test/vscode/extension-host/ inside code-server's real
// extension host (through the `extensionTestsPath` payload) and checks the
// results file it writes; fails when the file never comes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSuite, openWorkbench, root, shot, useCodeServer, waitForFile, workbenchUrl } from './support/code-server.js';
import { makeWorkspace } from './support/ui-flow.js';

const session = useCodeServer(makeWorkspace);

test('the extension-host suite passes inside code-server', async () => {
  const suite = await buildSuite();
  session.track(suite.dir);
  const page = await openWorkbench(session.browser, workbenchUrl(session.cs, { devPath: root, testsPath: suite.entry }), 'suite');
  try {
    const text = await waitForFile(suite.results, 200_000);
    const results = JSON.parse(text) as { passes: number; failures: number; summary: string; metrics?: Record<string, number>; tests: { title: string; state: string; error?: string }[] };
    for (const t of results.tests) console.log(`  ${t.state === 'passed' ? '✔' : t.state === 'failed' ? '✖' : '-'} ${t.title}${t.error ? `\n${t.error}` : ''}`);
    console.log(`extension-host suite: ${results.summary}`);
    if (results.metrics) console.log(`metrics: ${JSON.stringify(results.metrics)}`);
    assert.equal(results.failures, 0, 'no failures in the extension host');
    assert.ok(results.passes >= 10, `the suite ran (${results.passes} passed)`);
  } finally {
    await shot(page, 'suite-end').catch(() => undefined);
    await page.close();
  }
});
