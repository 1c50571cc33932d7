// `.http` requests in VS Code's Testing view, in a real VS Code (code-server +
// Chromium, the extension loaded from the tree): the Test Explorer lists the
// requests of a workspace file; "Run All Tests" shows pass and fail in the
// tree and in the editor's gutter at the right lines; the failure's message
// opens at its line. Screenshots in test-artifacts/vscode/testing-*.png.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createWireplayServer, type WireplayServer } from '../../server-core/server/wireplay-server.js';
import { openWorkbench, quickOpen, root, runCommand, shot, useCodeServer, workbenchUrl } from './support/code-server.js';
import { makeWorkspace } from './support/ui-flow.js';

let server: WireplayServer | undefined;

/** The file under test: `passes` (two checks) and `fails` (one check, line 10), one line per entry. */
const lines = (host: string) => [
  '### passes', // 1
  `GET http://${host}/echo?n=1`, // 2
  '',
  '?? status == 200', // 4
  '?? body $.query.n == 1', // 5
  '',
  '### fails', // 7
  `GET http://${host}/status/404`, // 8
  '',
  '?? status == 200', // 10
  '',
];

const session = useCodeServer(async () => {
  server = createWireplayServer({ host: '127.0.0.1', port: 0 });
  const { port } = await server.listen();
  const workspace = makeWorkspace();
  writeFileSync(join(workspace, 'api-tests.http'), lines(`127.0.0.1:${port}`).join('\n'));
  return workspace;
});

after(async () => {
  await server?.close();
});

/** A row of the Test Explorer tree whose label contains `text`. */
function row(page: Page, text: string | RegExp) {
  return page.locator('.test-explorer .monaco-list-row', { hasText: text }).first();
}

/** Expands a collapsed row of the tree (a no-op when it is expanded already). */
async function expand(page: Page, text: string | RegExp): Promise<void> {
  const r = row(page, text);
  await r.waitFor({ timeout: 60_000 });
  if ((await r.getAttribute('aria-expanded')) === 'false') await r.locator('.monaco-tl-twistie').click();
}

test('the Testing view lists a workspace file\'s requests; running them shows pass and fail at the right lines', async () => {
  const page = await openWorkbench(session.browser, workbenchUrl(session.cs, { devPath: root }), 'testing');
  try {
    // The extension activates for a workspace that contains .http files.
    await page.locator('.activitybar .action-item a[aria-label^="Wireplay"], .activitybar .action-item[aria-label^="Wireplay"]').first().waitFor({ timeout: 90_000 });
    await runCommand(page, 'View: Show Testing');
    await expand(page, 'api-tests.http');
    await expand(page, /passes — GET/);
    await row(page, /fails — GET/).waitFor({ timeout: 30_000 });
    await row(page, '$.query.n == 1').waitFor({ timeout: 30_000 });
    await shot(page, 'testing-01-listed');

    await runCommand(page, 'Test: Run All Tests');
    // The tree marks each item with its result.
    await row(page, /passes — GET/).locator('.codicon-testing-passed-icon').waitFor({ timeout: 60_000 });
    await row(page, /fails — GET/).locator('.codicon-testing-failed-icon').waitFor({ timeout: 30_000 });
    await row(page, '$.query.n == 1').locator('.codicon-testing-passed-icon').waitFor({ timeout: 30_000 });
    await shot(page, 'testing-02-ran');

    // The gutter of the file: passed marks on lines 2, 4, 5; failed marks on lines 8 and 10.
    await quickOpen(page, 'api-tests.http');
    const editor = page.locator('.editor-instance').filter({ has: page.locator('.view-lines', { hasText: 'fails' }) }).first();
    await editor.waitFor({ timeout: 30_000 });
    const failedGlyphs = editor.locator('.margin-view-overlays .codicon-testing-failed-icon, .glyph-margin-widgets .codicon-testing-failed-icon');
    await failedGlyphs.first().waitFor({ timeout: 30_000 });
    const glyphLines = async (icon: string) => {
      const tops = await editor.locator(`.glyph-margin-widgets .codicon-${icon}, .margin-view-overlays .codicon-${icon}`).evaluateAll((els) =>
        els.map((e) => Math.round((e.getBoundingClientRect().top + e.getBoundingClientRect().bottom) / 2)),
      );
      const rows = await editor.locator('.margin-view-overlays > div').evaluateAll((els) => els.map((e) => ({ top: e.getBoundingClientRect().top, bottom: e.getBoundingClientRect().bottom, n: Number(e.querySelector('.line-numbers')?.textContent ?? NaN) })));
      return [...new Set(tops.map((t) => rows.find((r) => t >= r.top && t < r.bottom)?.n))].sort((a, b) => (a ?? 0) - (b ?? 0));
    };
    // The CodeLens rows arrive on their own schedule and move the lines: wait for them, then read until the
    // layout holds still (bounded).
    await editor.locator('.codelens-decoration', { hasText: 'Run tests' }).first().waitFor({ timeout: 30_000 });
    let seen: { failed: unknown[]; passed: unknown[] } = { failed: [], passed: [] };
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await page.waitForTimeout(250)) {
      seen = { failed: await glyphLines('testing-failed-icon'), passed: await glyphLines('testing-passed-icon') };
      if (JSON.stringify(seen) === JSON.stringify({ failed: [8, 10], passed: [2, 4, 5] })) break;
    }
    assert.deepEqual(seen, { failed: [8, 10], passed: [2, 4, 5] }, 'failed marks on lines 8 and 10, passed marks on lines 2, 4 and 5');
    await shot(page, 'testing-03-gutter');
  } finally {
    await shot(page, 'testing-end').catch(() => undefined);
    await page.close();
  }
});
