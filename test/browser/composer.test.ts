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

test('composer.load (Edit and Resend): the raw form gets the exact bytes — as text with escapes when that reads back the same, else hex — and an HTTP request the HTTP form', async () => {
  const page = await session.newPage();
  try {
    await openPlayground(page, session.url);
    const load = (request: unknown) => page.evaluate((r) => (window as unknown as AppHandle).wireplay.app.onMessage({ type: 'composer.load', request: r }), request);
    const text = Buffer.from('POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhé\\lo', 'utf8');
    await load({ mode: 'raw', raw: { host: '127.0.0.1', port: 3000, data: text.toString('base64') }, note: 'loaded as text' });
    await page.locator('.mode[data-mode="raw"][aria-selected="true"]').waitFor({ timeout: 10_000 });
    const bytes = page.locator('vscode-textarea.rtext textarea');
    assert.equal(await bytes.inputValue(), 'POST /e HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 5\\r\\n\\r\\nhé\\\\lo');
    assert.equal(await page.locator('vscode-textfield.rport input').inputValue(), '3000');
    await page.locator('.rinfo', { hasText: `${text.length} bytes` }).waitFor({ timeout: 10_000 });
    await page.locator('[role="status"]', { hasText: 'loaded as text' }).first().waitFor({ timeout: 10_000 });

    // Bytes that are not UTF-8 cannot be said as text: hex, every byte.
    const binary = Buffer.from([0x47, 0x45, 0x54, 0x20, 0xff, 0xfe, 0x0d, 0x0a]);
    await load({ mode: 'raw', raw: { host: '127.0.0.1', port: 3001, data: binary.toString('base64') }, note: 'loaded as hex' });
    await until(page, 'the hex form', () => (document.querySelector('vscode-textarea.rtext') as HTMLElement & { value?: string } | null)?.value?.replace(/\s/g, '') === '47455420fffe0d0a');
    await page.locator('.rinfo', { hasText: '8 bytes' }).waitFor({ timeout: 10_000 });

    await load({ mode: 'http', http: { method: 'PUT', url: 'https://example.test/x', headers: [{ name: 'Host', value: 'example.test', enabled: true }], body: { kind: 'text', text: 'b', form: [] } }, note: 'loaded as http' });
    await page.locator('.mode[data-mode="http"][aria-selected="true"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('vscode-textfield.url input').inputValue(), 'https://example.test/x');
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await page.close();
  }
});
