// A WebSocket session outlives a reload of the playground page (what a hidden
// VS Code webview coming back does): the host tells the new page which session
// is open (ws.attached, resumed), the composer binds to it without leaving the
// tab it shows, and messages typed afterwards go out on the same connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';

const session = useStandaloneUi();

test('after a reload the composer is bound again to the open WebSocket session', async () => {
  const page = await session.newPage();
  try {
    await openPlayground(page, session.url);
    await page.locator('.mode[data-mode="ws"]').click();
    await page.locator('vscode-button.connect').click();
    await page.waitForSelector('.ws-state.state-open');
    await page.locator('vscode-textarea.wstext textarea').fill('before the reload');
    await page.locator('vscode-button.wssend').click();
    await until(page, 'the echo sent before the reload in the log', () => [...document.querySelectorAll('.wsrow.s2c')].some((r) => r.textContent!.includes('before the reload')));
    await page.locator('.mode[data-mode="http"]').click();

    await page.reload();
    await page.waitForSelector('.server code');
    // Still on the HTTP tab: a resumed session does not pull the composer over.
    await page.waitForSelector('.mode.on[data-mode="http"]');
    await page.locator('.mode[data-mode="ws"]').click();
    await page.waitForSelector('.ws-state.state-open');
    assert.equal(await page.locator('vscode-button.connect').evaluate((b) => (b as HTMLElement & { disabled: boolean }).disabled), true, 'no second connect offered');
    await page.locator('vscode-textarea.wstext textarea').fill('after the reload');
    await page.locator('vscode-button.wssend').click();
    await until(page, 'the echo sent after the reload in the log', () => [...document.querySelectorAll('.wsrow.s2c')].some((r) => r.textContent!.includes('after the reload')));
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await page.close();
  }
});
