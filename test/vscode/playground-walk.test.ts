// The playground with the keyboard alone, in a real VS Code (issue 19): open
// it from the palette, type a URL and send it, open its bytes, move through
// them byte by byte, and read a field, asserting where the focus is and what
// is announced at each step. No mouse: only the palette and keys.
//
// The contract with the panel (webview/panel/, issues 15 and 19):
//   - opening the playground puts the focus in the URL field;
//   - Ctrl+Enter sends from the URL field; a finished response is announced in
//     a polite live region (aria-live="polite" or role="status");
//   - Alt+2 opens the Bytes view; Tab reaches the hex view, a focusable element
//     whose accessible name says "hex";
//   - in the hex view Home goes to the first byte and Left/Right move one byte;
//     the field under the cursor is announced in a polite live region, by its
//     dissection name (Method, Target, …) and its value.
// Screenshots: test-artifacts/vscode/walk-*.png.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame, Page } from 'playwright-core';
import { frameWith, openWorkbench, root, runCommand, shot, useCodeServer, workbenchUrl } from './support/code-server.js';
import { makeWorkspace } from './support/ui-flow.js';

const session = useCodeServer(makeWorkspace);
let page: Page;

after(async () => {
  await page?.close();
});

/** What has the focus inside the webview, through open shadow roots: its tag, role, accessible label and classes. */
function focused(frame: Frame): Promise<{ tag: string; role: string | null; label: string; cls: string; host: string }> {
  return frame.evaluate(() => {
    let el = document.activeElement;
    let host = '';
    while (el?.shadowRoot?.activeElement) {
      host = `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
      el = el.shadowRoot.activeElement;
    }
    const e = el as HTMLElement | null;
    const labelledBy = e?.getAttribute('aria-labelledby');
    const label = e?.getAttribute('aria-label') ?? (labelledBy ? (document.getElementById(labelledBy)?.textContent ?? '') : '');
    return { tag: e?.tagName.toLowerCase() ?? '', role: e?.getAttribute('role') ?? null, label, cls: e?.className ?? '', host };
  });
}

/** The text of the panel's polite live regions, joined. */
function announced(frame: Frame): Promise<string> {
  return frame.evaluate(() => [...document.querySelectorAll('[aria-live="polite"], [role="status"]')].map((e) => e.textContent ?? '').join(' | '));
}

async function waitAnnounced(frame: Frame, pattern: RegExp, what: string): Promise<string> {
  try {
    await frame.waitForFunction(
      (source) => new RegExp(source).test([...document.querySelectorAll('[aria-live="polite"], [role="status"]')].map((e) => e.textContent ?? '').join(' | ')),
      pattern.source,
      { timeout: 20_000 },
    );
  } catch (err) {
    throw new Error(`${what}: never announced ${pattern} (live regions say: ${await announced(frame)})`, { cause: err });
  }
  return announced(frame);
}

test('open the playground, send a request, open its bytes, move through them and read a field, with the keyboard alone', async () => {
  page = await openWorkbench(session.browser, workbenchUrl(session.cs, { devPath: root }), 'walk');
  try {
    await page.locator('.activitybar .action-item a[aria-label^="Wireplay"], .activitybar .action-item[aria-label^="Wireplay"]').first().waitFor({ timeout: 90_000 });
    await runCommand(page, 'Wireplay: Start Server');
    const status = page.locator('.statusbar-item', { hasText: /Wireplay :\d+/ }).first();
    await status.waitFor({ timeout: 60_000 });
    const port = Number(/:(\d+)/.exec(await status.innerText())?.[1]);

    await runCommand(page, 'Wireplay: Open Playground');
    const frame = await frameWith(page, 'vscode-textfield.url', 60_000);
    await frame.waitForFunction(() => document.hasFocus(), undefined, { timeout: 20_000 });
    // The focus lands once the URL field has drawn its input: wait for it, bounded, then assert.
    let start = await focused(frame);
    for (const deadline = Date.now() + 10_000; !(/\burl\b/.test(start.host) || /\burl\b/.test(start.cls)) && Date.now() < deadline; ) {
      await frame.waitForTimeout(50);
      start = await focused(frame);
    }
    assert.ok(/\burl\b/.test(start.host) || /\burl\b/.test(start.cls), `the URL field has the focus when the playground opens (focus: ${JSON.stringify(start)})`);
    await shot(page, 'walk-01-opened');

    const url = `http://127.0.0.1:${port}/echo?walk=1`;
    await page.keyboard.press('Control+A');
    await page.keyboard.type(url, { delay: 20 });
    await page.keyboard.press('Control+Enter');
    await waitAnnounced(frame, /\b200\b/, 'the finished response');
    await shot(page, 'walk-02-sent');

    await page.keyboard.press('Alt+2');
    let hex = await focused(frame);
    for (let i = 0; i < 40 && !/\bhex\b/i.test(hex.label); i++) {
      await page.keyboard.press('Tab');
      hex = await focused(frame);
    }
    assert.match(hex.label, /\bhex\b/i, `Tab reaches the hex view (focus: ${JSON.stringify(hex)})`);

    await page.keyboard.press('Home');
    const first = await waitAnnounced(frame, /\bMethod\b/, 'the first byte\'s field');
    assert.match(first, /GET/, `the Method field is read with its value: ${first}`);
    await shot(page, 'walk-03-first-byte');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    const target = await waitAnnounced(frame, /\bTarget\b/, 'the fifth byte\'s field');
    assert.match(target, /\/echo\?walk=1/, `the Target field is read with its value: ${target}`);
    assert.match((await focused(frame)).label, /\bhex\b/i, 'the focus stays in the hex view');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft');
    await waitAnnounced(frame, /\bMethod\b/, 'back at the first byte');
    await shot(page, 'walk-04-field');
  } catch (err) {
    await shot(page, 'walk-failure').catch(() => undefined);
    throw err;
  }
});
