// The playground survives a reload: the Parsed view of an HTTP exchange shows
// its status line and timing bars again, for the connection that was selected
// and for one picked afterwards (the host sends the results it kept with the
// capture snapshot), and also when the host has forgotten the connection (what
// a VS Code window reload does: the panel state keeps the selected result).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifacts, openPlayground, sendHttp, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';

const session = useStandaloneUi();

async function parsedShows(page: Page, status: number): Promise<{ statusLine: string; bars: string[]; total: string }> {
  await page.waitForSelector(`.parsed-content .status[data-status="${status}"]`);
  return page.evaluate(() => ({
    statusLine: document.querySelector<HTMLElement>('.parsed-content .status')!.innerText,
    bars: [...document.querySelectorAll<HTMLElement>('.parsed-content .timing .tm-row:not(.total) .tm-name')].map((e) => e.innerText),
    total: document.querySelector<HTMLElement>('.parsed-content .timing .tm-row.total .tm-v')?.innerText ?? '',
  }));
}

function assertTiming(view: { bars: string[]; total: string }, what: string): void {
  assert.ok(view.bars.includes('Waiting (first byte)'), `${what}: timing bars drawn (${view.bars.join(', ')})`);
  assert.match(view.total, /\d/, `${what}: a total`);
}

/** The network list's row of a request, by its path. */
function rowFor(page: Page, path: string) {
  return page.locator('.net-list .nrow', { has: page.locator('.npath', { hasText: path }) }).first();
}

test('after a page reload, the selected exchange and one picked later show status and timing', async () => {
  const page = await session.newPage();
  try {
    const demo = await openPlayground(page, session.url);
    await sendHttp(page, 'GET', `${demo}/status/201`);
    assertTiming(await parsedShows(page, 201), 'first request');
    await sendHttp(page, 'POST', `${demo}/echo?reload=1`);
    const before = await parsedShows(page, 200);
    assertTiming(before, 'second request');

    await page.reload();
    await page.waitForSelector('.server code');
    const selected = await parsedShows(page, 200);
    assert.equal(selected.statusLine, before.statusLine);
    assertTiming(selected, 'the selected exchange after the reload');
    assert.match(await page.locator('.parsed-content .req-line').innerText(), /POST .*\/echo\?reload=1/);
    assert.match(await page.locator('pre.body.json').innerText(), /reload/);
    await page.screenshot({ path: join(artifacts, 'reload-parsed-dark.png') });

    // The other exchange, picked after the reload: its result comes with its snapshot.
    const first = rowFor(page, '/status/201');
    await first.waitFor();
    await first.click();
    assertTiming(await parsedShows(page, 201), 'an exchange picked after the reload');
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await page.close();
  }
});

test('when the host has forgotten the connection, the panel state still shows its status and timing', async () => {
  const page = await session.newPage();
  const later = await session.newPage();
  try {
    const demo = await openPlayground(page, session.url);
    await sendHttp(page, 'GET', `${demo}/status/202`);
    assertTiming(await parsedShows(page, 202), 'before');
    const saved = await page.evaluate(() => localStorage.getItem('wireplay.panel.state'));
    assert.ok(saved && JSON.parse(saved).kept, 'the selected result is in the panel state');
    // Clear forgets every capture on the host, as a restarted VS Code extension host has.
    await page.locator('vscode-button.clear').click();
    await page.waitForSelector('.parsed-content .empty');

    // A new page with the saved state (what VS Code's serializer hands a revived webview).
    await later.addInitScript((state) => localStorage.setItem('wireplay.panel.state', state), saved);
    await openPlayground(later, session.url);
    const restored = await parsedShows(later, 202);
    assertTiming(restored, 'restored from the panel state');
    const picked = await later.locator('.net-list .nrow.sel').innerText();
    assert.match(picked, /\/status\/202\s+\(restored after a reload\)/);
    // Nothing was asked of the host for it, so no "No capture" notice.
    assert.equal(await later.locator('.notice').count(), 0);
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await page.close();
    await later.close();
  }
});

test('a reopened playground lists the traffic it had at once, without new traffic', async (t) => {
  const page = await session.newPage();
  t.after(() => page.close());
  const demo = await openPlayground(page, session.url);
  await sendHttp(page, 'GET', `${demo}/status/203`);
  await parsedShows(page, 203);
  await sendHttp(page, 'GET', `${demo}/echo?listed-at-once=1`);
  await parsedShows(page, 200);
  const before = await page.locator('.net-list .nrow').count();
  assert.ok(before >= 2, `two rows or more before (${before})`);

  // Reloaded with nothing selected: nothing is asked of the host, so only the host's first message can draw the rows.
  await page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem('wireplay.panel.state')!) as { selected: unknown; row: unknown; kept?: unknown };
    s.selected = null;
    s.row = null;
    delete s.kept;
    localStorage.setItem('wireplay.panel.state', JSON.stringify(s));
  });
  // The page must not save its state again before it goes (it saves on changes only).
  await page.reload();
  await page.waitForSelector('.server code');
  await rowFor(page, '/status/203').waitFor();
  await rowFor(page, '/echo?listed-at-once=1').waitFor();
  assert.equal(await page.locator('.net-list .nrow').count(), before, 'every row the host had, and no other');
  assert.equal(await page.locator('.net-list .nrow.sel').count(), 0, 'nothing selected');
  assert.equal(await page.locator('.net-empty').isVisible(), false, 'the "nothing sent yet" text is hidden');
  assert.deepEqual(session.pageErrors, []);
});

test('closed and opened again, the playground shows the row and the inspector view that were selected', async (t) => {
  const first = await session.newPage();
  const demo = await openPlayground(first, session.url);
  await sendHttp(first, 'GET', `${demo}/status/204`);
  await parsedShows(first, 204);
  await sendHttp(first, 'GET', `${demo}/echo?selection-kept=1`);
  await parsedShows(first, 200);
  // The user goes back to the first exchange and opens its bytes.
  await rowFor(first, '/status/204').click();
  await parsedShows(first, 204);
  const key = await first.locator('.net-list .nrow.sel').getAttribute('data-key');
  const sent = await first.evaluate(() => (window as unknown as { wireplay: { app: { draftsSent: number } } }).wireplay.app.draftsSent);
  await first.keyboard.press('Alt+2');
  await until(first, 'the Bytes view shown', () => document.body.dataset.tab === 'bytes', undefined);
  // The selection goes to the host with the drafts, half a second after the last change.
  await until(first, 'the drafts sent to the host', (n) => (window as unknown as { wireplay: { app: { draftsSent: number } } }).wireplay.app.draftsSent > n, sent);
  await first.close();

  // A new browser profile (nothing in its storage), as a VS Code panel closed and opened again: the host's word only.
  const second = await session.newPage();
  t.after(() => second.close());
  await openPlayground(second, session.url);
  await until(second, 'the row selected before the close, selected again', (k) => document.querySelector('.net-list .nrow.sel')?.getAttribute('data-key') === k, key);
  assert.match(await second.locator('.net-list .nrow.sel').innerText(), /\/status\/204/);
  assert.equal(await second.evaluate(() => document.body.dataset.tab), 'bytes', 'the Bytes view, as it was');
  assert.equal(await second.evaluate(() => document.querySelectorAll('.inspector-tabs vscode-tab-header')[1]?.getAttribute('aria-selected')), 'true');
  // The view shows that exchange's bytes (its status line in the hex view's text column or the tree).
  await until(second, 'the 204 response in the dissection tree', () => [...document.querySelectorAll('.view-bytes [role="treeitem"]')].some((e) => /204/.test(e.textContent ?? '')), undefined);
  assert.deepEqual(session.pageErrors, []);
});
