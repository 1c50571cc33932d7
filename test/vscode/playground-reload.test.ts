// The playground panel across "Developer: Reload Window" in a real VS Code
// (code-server + Chromium, the extension from the tree). A reload restarts the
// extension host, so its capture is gone: the panel comes back through its
// serializer with the state it saved, and the Parsed view still shows the
// exchange's status line and timing. Then a draft typed and never sent, and the
// selected request with its inspector view, survive closing the playground and
// opening it again (the host keeps them). Screenshots in test-artifacts/vscode/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { frameWith, openWorkbench, root, runCommand, shot, useCodeServer, workbenchUrl } from './support/code-server.js';
import { makeWorkspace } from './support/ui-flow.js';

const session = useCodeServer(makeWorkspace);

async function parsed(frame: Frame): Promise<{ status: string; bars: string[] }> {
  await frame.locator('.parsed-content .status[data-status="200"]').waitFor({ timeout: 60_000 });
  return frame.evaluate(() => ({
    status: document.querySelector<HTMLElement>('.parsed-content .status')!.innerText,
    bars: [...document.querySelectorAll<HTMLElement>('.parsed-content .timing .tm-row .tm-name')].map((e) => e.innerText),
  }));
}

async function serverPort(page: Page): Promise<number> {
  const item = page.locator('.statusbar-item', { hasText: /Wireplay :\d+/ }).first();
  await item.waitFor({ state: 'visible', timeout: 60_000 });
  return Number(/:(\d+)/.exec(await item.innerText())?.[1]);
}

test('after Developer: Reload Window the playground shows the exchange with its status and timing', async () => {
  const page = await openWorkbench(session.browser, workbenchUrl(session.cs, { devPath: root }), 'reload');
  try {
    await page.locator('.activitybar .action-item a[aria-label^="Wireplay"], .activitybar .action-item[aria-label^="Wireplay"]').first().waitFor({ timeout: 90_000 });
    await runCommand(page, 'Wireplay: Start Server');
    const port = await serverPort(page);
    await runCommand(page, 'Wireplay: Open Playground');
    const before = await frameWith(page, 'vscode-textfield.url');
    await before.locator('vscode-textfield.url input').fill(`http://127.0.0.1:${port}/echo?from=reload`);
    await before.locator('vscode-button.send').click();
    const first = await parsed(before);
    assert.ok(first.bars.includes('Waiting (first byte)'), `timing before: ${first.bars.join(', ')}`);
    await shot(page, 'reload-01-before');


    const reloaded = page.waitForEvent('load', { timeout: 120_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
    const after = await frameWith(page, '.parsed-content .status[data-status="200"]', 180_000);
    const second = await parsed(after);
    assert.equal(second.status, first.status);
    assert.ok(second.bars.includes('Waiting (first byte)'), `timing after the reload: ${second.bars.join(', ')}`);
    assert.match(await after.locator('.parsed-content .req-line').innerText(), /GET .*\/echo\?from=reload/);
    // The network list's selected row is the exchange, marked as restored (the host has no bytes for it any more).
    assert.match(await after.locator('.net-list .nrow[aria-selected="true"]').innerText(), /\/echo\?from=reload[\s\S]*restored after a reload/);
    await shot(page, 'reload-02-after');

    // A request the host has, selected and shown in Bytes: closing the playground and opening it again shows it so.
    // (The reload stopped the server: started again, maybe on another port.)
    await runCommand(page, 'Wireplay: Start Server');
    const portAfter = await serverPort(page);
    await after.locator('vscode-textfield.url input').fill(`http://127.0.0.1:${portAfter}/echo?selected=1`);
    await after.locator('vscode-button.send').click();
    await after.locator('.parsed-content .status[data-status="200"]').waitFor({ timeout: 30_000 });
    await after.locator('.net-list .nrow[aria-selected="true"]', { hasText: '/echo?selected=1' }).waitFor({ timeout: 30_000 });
    await after.locator('.inspector-tabs vscode-tab-header').nth(1).click();
    await after.waitForFunction(() => document.body.dataset.tab === 'bytes', undefined, { timeout: 10_000 });

    // A draft (typed, never sent) is kept by the host: closing the playground and opening it again gives it back.
    const draft = `http://127.0.0.1:${port}/draft?kept=1`;
    const sentBefore = await after.evaluate(() => (window as unknown as { wireplay: { app: { draftsSent: number } } }).wireplay.app.draftsSent);
    await after.locator('vscode-textfield.url input').fill(draft);
    await after.waitForFunction(
      (n) => (window as unknown as { wireplay: { app: { draftsSent: number } } }).wireplay.app.draftsSent > n,
      sentBefore,
      { timeout: 20_000 },
    );
    await runCommand(page, 'View: Close Editor');
    await page.locator('.tab', { hasText: /Playground/ }).waitFor({ state: 'detached', timeout: 30_000 });
    await runCommand(page, 'Wireplay: Open Playground');
    const reopened = await frameWith(page, 'vscode-textfield.url');
    await reopened.waitForFunction(
      (want) => document.querySelector<HTMLInputElement & { value: string }>('vscode-textfield.url')?.value === want,
      draft,
      { timeout: 20_000 },
    ).catch(async (err: unknown) => {
      const got = await reopened.evaluate(() => document.querySelector<HTMLInputElement & { value: string }>('vscode-textfield.url')?.value);
      throw new Error(`the draft URL after closing and reopening the playground: ${got}`, { cause: err });
    });
    // The selection came back with the drafts: the same row, in the Bytes view.
    await reopened.locator('.net-list .nrow[aria-selected="true"]', { hasText: '/echo?selected=1' }).waitFor({ timeout: 30_000 });
    assert.equal(await reopened.evaluate(() => document.body.dataset.tab), 'bytes', 'the inspector view kept');
    await reopened.locator('.view-bytes [role="treeitem"]', { hasText: /selected=1/ }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'reload-03-draft-reopened');
  } catch (err) {
    await shot(page, 'reload-failure').catch(() => undefined);
    throw err;
  } finally {
    await page.close();
  }
});
