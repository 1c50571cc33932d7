// The composer's fields under redraws, in Chromium against `wireplay ui`: the
// host keeps telling the UI things that redraw the composer (the server's URL,
// the history) while the user types, and not a key may be lost nor the caret
// moved. (Redrawing the fields from their state is what lit templates do; the
// field bindings set a control only when its value differs from what it holds.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';

const session = useStandaloneUi();

type AppHandle = { wireplay: { app: { onMessage(m: unknown): void } } };

test('typing into the URL and the body while the composer is redrawn every few milliseconds loses nothing', async () => {
  const page = await session.newPage();
  try {
    const demo = await openPlayground(page, session.url);
    // Redraws from the host's side, as fast as they may come.
    await page.evaluate((url) => {
      const app = (window as unknown as AppHandle).wireplay.app;
      (window as unknown as { __redraws: number }).__redraws = 0;
      (window as unknown as { __timer: number }).__timer = window.setInterval(() => {
        app.onMessage({ type: 'server', url });
        app.onMessage({ type: 'history', entries: [] });
        (window as unknown as { __redraws: number }).__redraws++;
      }, 3);
    }, demo);
    const url = page.locator('vscode-textfield.url input');
    // Emptied first: a URL field that is empty or a loopback address follows the server's URL, but not while it is typed in.
    await url.fill('');
    const typed = `${demo}/echo?typed=${'abcdefghij'.repeat(3)}`;
    await url.pressSequentially(typed, { delay: 5 });
    await page.locator('input[name="bodykind"][value="text"]').check();
    const body = page.locator('vscode-textarea.btext textarea');
    await body.pressSequentially('line one\nline two', { delay: 5 });
    // Type in the middle of the URL: the caret stays where the user put it.
    await url.focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 7; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.type('XY', { delay: 20 });
    await until(page, 'a few dozen redraws', () => (window as unknown as { __redraws: number }).__redraws > 30);
    await page.evaluate(() => clearInterval((window as unknown as { __timer: number }).__timer));
    assert.equal(await url.inputValue(), `${typed.slice(0, 7)}XY${typed.slice(7)}`);
    assert.equal(await body.inputValue(), 'line one\nline two');
    // And the preview follows what was typed.
    await until(page, 'the typed URL in the preview', () => /typed=(abcdefghij){3}/.test(document.querySelector('.preview')?.textContent ?? ''));
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await page.close();
  }
});
