// The composer's SSE tab in Chromium against `wireplay ui`: reached from the
// tab strip, it connects to the demo server's /sse/ticker, events arrive in
// its list as they are sent, a stream that ends is reconnected with
// Last-Event-ID (the state says so and the ids go on), Disconnect stops it;
// and 20 000 events in a few batches keep the list at its bounded size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';

const session = useStandaloneUi();

type AppHandle = { wireplay: { app: { onMessage(m: unknown): void } } };

test('SSE tab: connect to /sse/ticker, events arrive live, a reconnect carries Last-Event-ID, disconnect', async () => {
  const page = await session.newPage();
  try {
    const demo = await openPlayground(page, session.url);
    await page.locator('.mode[data-mode="sse"]').click();
    const url = page.locator('vscode-textfield.sseurl input');
    assert.equal(await url.inputValue(), `${demo}/sse/ticker`, 'the demo server’s ticker by default');
    // Two ticks per stream, then the server ends it; retry=0: the reconnect is immediate.
    await url.fill(`${demo}/sse/ticker?interval=20&count=2&retry=0`);
    await page.locator('vscode-button.sseconnect').click();
    await until(page, 'four tick events in the list', () => document.querySelectorAll('.sse-list .sse-row .sse-type').length >= 4 && [...document.querySelectorAll('.sse-list .sse-id')].some((e) => e.textContent === '#4'));
    const ids = await page.locator('.sse-list .sse-id').allInnerTexts();
    assert.deepEqual(ids.filter(Boolean).slice(0, 4), ['#1', '#2', '#3', '#4'], 'the ids go on across the reconnect');
    await until(page, 'the resume comment of the second connection', () => /resuming after 2/.test(document.querySelector('.sse-list')?.textContent ?? ''));
    await page.locator('vscode-button.ssedisconnect').click();
    await until(page, 'the closed state', () => /^Closed/.test(document.querySelector('.sse-state')?.textContent ?? ''));
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await page.close();
  }
});

test('SSE tab: 20 000 events in batches keep the list bounded and the count exact', async () => {
  const page = await session.newPage();
  try {
    await openPlayground(page, session.url);
    await page.locator('.mode[data-mode="sse"]').click();
    // Connect (port 9: refused at once), then feed records for the form's session as the host would.
    await page.locator('vscode-textfield.sseurl input').fill('http://127.0.0.1:9/never');
    await page.locator('vscode-button.sseconnect').click();
    const id = await page.locator('.sse-list').getAttribute('data-session');
    assert.ok(id, 'the form names its session');
    await page.evaluate((id) => {
      const app = (window as unknown as AppHandle).wireplay.app;
      for (let b = 0; b < 10; b++) {
        const records = Array.from({ length: 2000 }, (_, i) => ({ kind: 'event', connection: 1, type: 'tick', id: String(b * 2000 + i + 1), data: 'x', t: performance.now() }));
        app.onMessage({ type: 'sse.records', sessionId: id, records });
      }
    }, id);
    await until(page, 'the count of 20 000 events', () => /^20000 events/.test(document.querySelector('.sse-count')?.textContent ?? ''));
    const rows = await page.locator('.sse-list .sse-row').count();
    assert.ok(rows <= 300, `at most 300 rows drawn, got ${rows}`);
    assert.equal(await page.locator('.sse-list .sse-row .sse-id').last().innerText(), '#20000');
  } finally {
    await page.close();
  }
});
