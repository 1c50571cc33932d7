// Runs the mocha suite of test/vscode/extension-host/ inside code-server's real
// extension host (through the `extensionTestsPath` payload) and checks the
// results file it writes; fails when the file never comes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import {
  buildSuite,
  ensureBuilt,
  ensureCodeServer,
  launchChromium,
  openWorkbench,
  root,
  shot,
  startCodeServer,
  waitForFile,
  workbenchUrl,
  type CodeServer,
} from './support/code-server.js';
import { makeWorkspace } from './support/ui-flow.js';

let browser: Browser | undefined;
let cs: CodeServer | undefined;
const folders: string[] = [];

before(async () => {
  const marker = ensureCodeServer();
  ensureBuilt();
  const workspace = makeWorkspace();
  const extensions = mkdtempSync(join(tmpdir(), 'wireplay-cs-ext-'));
  folders.push(workspace, extensions);
  cs = await startCodeServer({ marker, workspace, extensionsDir: extensions });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await cs?.stop();
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

test('the extension-host suite passes inside code-server', async () => {
  const suite = await buildSuite();
  folders.push(suite.dir);
  const page = await openWorkbench(browser!, workbenchUrl(cs!, { devPath: root, testsPath: suite.entry }), 'suite');
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
