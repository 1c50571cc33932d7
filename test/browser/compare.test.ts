// "Compare the three" in Chromium against `wireplay ui` and its real demo
// server: three clicks (the SSE mode, Compare the three, Run) run the same
// chat over polling HTTP, SSE + POST and WebSocket, and the dialog shows three
// columns side by side, 5 of 5 messages delivered in each, with their
// requests, bytes and latencies; the keyboard path (Alt+Shift+C, Enter on Run,
// Escape) does the same. Screenshots (looked at):
// test-artifacts/playground/compare-{1400,650}.png. axe: nothing serious.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifacts, openPlayground, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';
import { describe, installAxe, isBlocking, runAxe } from './support/axe.js';

let page: Page;
const session = useStandaloneUi(async (s) => {
  page = await s.newPage({ width: 1400, height: 900 });
  await installAxe(page);
  await openPlayground(page, s.url);
});

/** Nothing of the dialog is cut off sideways. */
async function assertNoSidewaysScroll(): Promise<void> {
  const o = await page.locator('dialog.compare .compare-body').evaluate((el) => ({ sw: el.scrollWidth, cw: el.clientWidth }));
  assert.ok(o.sw <= o.cw + 1, `the comparison scrolls sideways: ${o.sw} > ${o.cw}`);
}

async function waitForResult(what: string): Promise<void> {
  await until(
    page,
    what,
    () => {
      const cols = [...document.querySelectorAll('dialog.compare .compare-col')];
      return cols.length === 3 && cols.every((c) => c.querySelector('.compare-delivered')?.textContent === '5 of 5') && !document.querySelector('dialog.compare .compare-run[disabled]');
    },
    undefined,
    60_000,
  );
}

test('three clicks: the SSE mode, Compare the three, Run — three columns with 5 messages each', async () => {
  let clicks = 0;
  const click = async (selector: string) => {
    clicks++;
    await page.locator(selector).click();
  };
  await click('.mode[data-mode="sse"]');
  await click('vscode-button.ssecompare');
  await page.waitForSelector('dialog.compare[open]');
  await click('dialog.compare vscode-button.compare-run');
  assert.ok(clicks <= 3, `${clicks} clicks`);
  await waitForResult('three columns with 5 of 5 messages');

  const ways = await page.locator('dialog.compare .compare-col').evaluateAll((cs) => cs.map((c) => (c as HTMLElement).dataset.way));
  assert.deepEqual(ways, ['polling', 'sse', 'websocket'], 'side by side in this order');
  const headings = await page.locator('dialog.compare .compare-col h3').allInnerTexts();
  assert.deepEqual(headings, ['Polling HTTP', 'SSE + POST', 'WebSocket']);
  const summaries = await page.locator('dialog.compare .compare-summary').allInnerTexts();
  assert.match(summaries[0], /^polling: \d+ requests on \d+ connections? for 5 messages, [\d.]+ (B|KiB) of headers, /);
  assert.match(summaries[1], /^SSE \+ POST: 6 requests on 2 connections for 5 messages, /);
  assert.match(summaries[2], /^WebSocket: 1 request on 1 connection for 5 messages, /);
  for (const way of ['polling', 'sse', 'websocket']) {
    const rows = page.locator(`dialog.compare .compare-col[data-way="${way}"] .compare-latency tbody tr`);
    assert.equal(await rows.count(), 5, `${way}: a latency row per message`);
    const ms = await rows.locator('td.num').allInnerTexts();
    for (const v of ms) assert.match(v, /^\d+\.\d$/, `${way}: a latency in ms, got ${v}`);
  }
  // Their connections are in the page's capture too, named by way.
  type StoreHandle = { wireplay: { app: { store: { connections: Map<string, { info: { label: string } }> } } } };
  const labels = await page.evaluate(() => [...(window as unknown as StoreHandle).wireplay.app.store.connections.values()].map((c) => c.info.label));
  for (const way of ['Polling HTTP', 'SSE + POST', 'WebSocket']) assert.ok(labels.includes(`Compare · ${way}`), `a connection named Compare · ${way}: ${labels.join(', ')}`);

  await page.screenshot({ path: join(artifacts, 'compare-1400.png') });
  await assertNoSidewaysScroll();
  const colTops = await page.locator('dialog.compare .compare-col').evaluateAll((cs) => cs.map((c) => Math.round(c.getBoundingClientRect().top)));
  assert.equal(new Set(colTops).size, 1, `three columns on one line at 1400 px: tops ${colTops.join(', ')}`);

  await page.setViewportSize({ width: 650, height: 900 });
  await page.waitForFunction(() => document.body.clientWidth <= 650);
  await page.screenshot({ path: join(artifacts, 'compare-650.png') });
  await assertNoSidewaysScroll();

  const findings = await runAxe(page);
  const blocking = findings.filter(isBlocking);
  assert.deepEqual(blocking, [], describe(blocking));
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog.compare:not([open])', { state: 'attached' });
  assert.deepEqual(session.pageErrors, []);
});

test('the keyboard path: Alt+Shift+C opens it with the focus on Run, Enter runs it again, Escape closes it', async () => {
  await page.keyboard.press('Alt+Shift+C');
  await page.waitForSelector('dialog.compare[open]');
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('compare-run')), true, 'the focus is on Run');
  await page.keyboard.press('Enter');
  await until(page, 'the second result', () => document.querySelector<HTMLElement>('dialog.compare')?.dataset.results === '2', undefined, 60_000);
  await waitForResult('the second run’s three columns');
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog.compare:not([open])', { state: 'attached' });
  assert.deepEqual(session.pageErrors, []);
});
