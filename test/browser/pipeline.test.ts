// The inspector's Pipeline view (issue 18) in Chromium, against the standalone
// page of `wireplay ui` and its real demo server. Requests go over real sockets
// to the demo server: one to a code route, one the parser refuses, and two at
// once in sequential mode. Each is opened from the network list with Alt+4,
// and the view must say what the server's record says: the stages in the
// drawing's order, the words, the stop of a refused head, the wait behind the
// other request; a stage's "Show bytes" selects its bytes in the Bytes view.
// Screenshots (looked at): test-artifacts/playground/pipeline-{1400,650}.png,
// pipeline-refused-650.png, pipeline-queued-1400.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifacts, openPlayground, selectRow, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';
import { describe, installAxe, isBlocking, runAxe } from './support/axe.js';

let page: Page;
let demoPort: number;
const session = useStandaloneUi(async (s) => {
  page = await s.newPage({ width: 1400, height: 900 });
  demoPort = Number(new URL(await openPlayground(page, s.url)).port);
});

/** Writes `raw` on its own connection to the demo server; resolves with the status line once the server closes. */
function send(raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(demoPort, '127.0.0.1', () => s.write(raw));
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('close', () => resolve(out.split('\r\n')[0]));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error(`no answer to ${raw.split('\r\n')[0]}`)));
  });
}
const get = (path: string) => send(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${demoPort}\r\nConnection: close\r\n\r\n`);

type Rec = { connectionId: string; index: number; target: string; status: number; stages: Record<string, unknown> };
type Handle = { wireplay: { app: { pipelines: { all(): Rec[] } } } };

/** The server's pipeline record of the request whose target contains `tag`, once the page has it. */
async function record(tag: string): Promise<Rec> {
  const h = await until(
    page,
    `the pipeline record of ${tag} in the page`,
    (tag) => (window as unknown as Handle).wireplay.app.pipelines.all().find((r) => r.target.includes(tag)),
    tag,
  );
  return (await h.jsonValue()) as Rec;
}

/** Selects the request's row in the network list and opens the Pipeline view with Alt+4. */
async function openFromList(rec: Rec): Promise<void> {
  await selectRow(page, rec.connectionId);
  await page.keyboard.press('Alt+4');
  await page.waitForSelector('.view-pipeline:not([hidden]) .pl-stages');
  await until(page, `the Pipeline view showing ${rec.target}`, (t) => document.querySelector('.pl-title')?.textContent?.includes(t), rec.target);
}

const words = (stage: string) => page.locator(`.pl-stage[data-stage="${stage}"] .pl-words`).innerText();

/** Nothing of the view is cut off sideways: it wraps instead. */
async function assertNoSidewaysScroll(): Promise<void> {
  const o = await page.locator('.pipeline-view').evaluate((el) => ({ sw: el.scrollWidth, cw: el.clientWidth }));
  assert.ok(o.sw <= o.cw + 1, `the Pipeline view scrolls sideways: ${o.sw} > ${o.cw}`);
}

test('a code route: the stages in the drawing order, their words, a stage\'s bytes selected in the Bytes view', async () => {
  assert.equal(await get('/echo?run=pl-code'), 'HTTP/1.1 200 OK');
  const rec = await record('run=pl-code');
  await openFromList(rec);
  const order = await page.locator('.pl-stage').evaluateAll((ls) => ls.map((l) => (l as HTMLElement).dataset.stage));
  assert.deepEqual(order, ['accept', 'bytes', 'parser', 'route', 'response'], 'concurrent mode: no queue stage');
  assert.match(await words('accept'), /accepted the connection/);
  assert.match(await words('parser'), /^parsed \d+ B of head in \d/);
  assert.match(await words('route'), /^matched \/echo in the built-in routes — runs code$/);
  assert.match(await words('response'), /^sent 200 in \d+ B/);
  assert.equal(await page.locator('.pl-stage .pl-source, .pl-stage .pl-source-text').count(), 0, 'a built-in route has no source file');
  assert.equal(await page.evaluate(() => document.body.dataset.tab), 'pipeline');
  await page.screenshot({ path: join(artifacts, 'pipeline-1400.png') });
  await assertNoSidewaysScroll();

  // The parser's bytes: the Bytes view opens with the request line selected in the tree (keyboard: the focus follows).
  await page.locator('.pl-stage[data-stage="parser"] .pl-bytes').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('.view-bytes:not([hidden])');
  await until(page, 'the request line selected in the dissection tree', () => document.querySelector('.view-bytes [role="treeitem"][aria-selected="true"]')?.textContent?.includes('Request line'));
  assert.equal(await page.evaluate(() => !!document.activeElement?.closest('[role="tree"]')), true, 'the focus moved into the tree');
  await page.keyboard.press('Alt+4');
  await page.waitForSelector('.view-pipeline:not([hidden]) .pl-stages');
});

test('a head the parser refuses: the view shows where it stopped and why, and nothing after it ran', async () => {
  await page.setViewportSize({ width: 650, height: 900 });
  assert.equal(await send(`GET /nope?run=pl-bad HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n`), 'HTTP/1.1 400 Bad Request');
  const rec = await record('run=pl-bad');
  await openFromList(rec);
  const parser = page.locator('.pl-stage[data-stage="parser"]');
  assert.equal(await parser.getAttribute('class').then((c) => c?.includes('stopped')), true);
  assert.match(await words('parser'), /^refused the head: 400 WHITESPACE_BEFORE_COLON — whitespace between field name and colon$/);
  assert.match(await parser.innerText(), /Stopped here/, 'said in words, not by colour alone');
  assert.equal(await page.locator('.pl-stage[data-stage="route"]').getAttribute('class').then((c) => c?.includes('skipped')), true);
  assert.match(await words('route'), /not reached: the connection answered 400/);
  assert.match(await words('response'), /^sent 400/);
  assert.match(await page.locator('.pl-note').innerText(), /stopped at the HTTP parser/);
  await page.screenshot({ path: join(artifacts, 'pipeline-refused-650.png') });
  await assertNoSidewaysScroll();
  // Where it stopped, one click away: the head's line the parser marked, selected in the tree.
  await parser.locator('.pl-bytes').click();
  await page.waitForSelector('.view-bytes:not([hidden])');
  await until(page, 'the refused line selected in the tree', () => document.querySelector('.view-bytes [role="treeitem"][aria-selected="true"]')?.textContent?.includes('Host : 127.0.0.1'));
});

test('sequential: the second of two requests at once shows its wait behind the first', async () => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.locator('.mode-switch').click();
  await page.waitForSelector('.mode-switch[aria-checked="true"]');
  const statuses = await Promise.all([get('/delay/300?run=pl-seq-a'), get('/delay/300?run=pl-seq-b')]);
  assert.deepEqual(statuses, ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
  const [a, b] = [await record('run=pl-seq-a'), await record('run=pl-seq-b')];
  const second = (a.stages.dequeued as number) - (a.stages.queued as number) > (b.stages.dequeued as number) - (b.stages.queued as number) ? a : b;
  await openFromList(second);
  const order = await page.locator('.pl-stage').evaluateAll((ls) => ls.map((l) => (l as HTMLElement).dataset.stage));
  assert.deepEqual(order, ['accept', 'bytes', 'parser', 'queue', 'route', 'response']);
  assert.match(await words('queue'), /^waited \d[\d.]* (µs|ms|s) behind 1 request \(sequential\)$/);
  assert.match(await words('route'), /^matched \/delay\/:ms in the built-in routes — runs code \(ms = 300\)$/);
  await page.screenshot({ path: join(artifacts, 'pipeline-queued-1400.png') });
  await page.setViewportSize({ width: 650, height: 900 });
  await page.waitForFunction(() => document.body.clientWidth <= 650);
  await page.screenshot({ path: join(artifacts, 'pipeline-650.png') });
  await assertNoSidewaysScroll();
  await page.locator('.mode-switch').click();
  await page.waitForSelector('.mode-switch[aria-checked="false"]');
  assert.deepEqual(session.pageErrors, []);
});

test('one action opens a request\'s pipeline: P and the row icon in the network list, P and Shift+click in the server queue', async () => {
  await page.setViewportSize({ width: 1400, height: 900 });
  assert.equal(await get('/echo?run=pl-open'), 'HTTP/1.1 200 OK');
  const rec = await record('run=pl-open');
  const showing = (target: string) => until(page, `the Pipeline view showing ${target}`, (t) => document.body.dataset.tab === 'pipeline' && document.querySelector('.pl-title')?.textContent?.includes(t), target);
  // Network list, keyboard: select the row, P.
  await page.keyboard.press('Alt+1');
  await selectRow(page, rec.connectionId);
  await page.keyboard.press('p');
  await showing('run=pl-open');
  // Network list, mouse: the row's pipeline icon.
  await page.keyboard.press('Alt+1');
  await page.locator(`.net-list .nrow[data-key^="${rec.connectionId}"] .open-pipeline`).click();
  await showing('run=pl-open');
  // Server queue, keyboard: the last request focused, P.
  await page.keyboard.press('Alt+3');
  await page.locator('.tl-toolbar button[data-sub="queue"]').click();
  await page.waitForSelector('.queue-view:not([hidden]) g.qjob');
  await page.locator('.queue-view [role="list"], .queue-view [tabindex="0"]').first().focus();
  await page.keyboard.press('End');
  await page.keyboard.press('p');
  await showing('run=pl-open');
  // Server queue, mouse: Shift+click on the queued request of the sequential run.
  await page.keyboard.press('Alt+3');
  await page.waitForSelector('.queue-view:not([hidden]) g.qjob');
  await page.locator('g.qjob[data-target*="run=pl-seq-b"] rect.handle').click({ modifiers: ['Shift'] });
  await showing('run=pl-seq-b');
  assert.match(await words('queue'), /behind 1 request \(sequential\)/);
  assert.deepEqual(session.pageErrors, []);
});

test('light, dark and both high-contrast themes: the refused request\'s pipeline, reloaded into each, with no serious axe violation', async () => {
  const rec = await record('run=pl-bad');
  const themed = await session.newPage({ width: 900, height: 900 });
  try {
    await installAxe(themed);
    await openPlayground(themed, session.url, '?theme=dark');
    // A new page draws the rows it was told of in init only on the next change (app.ts): open it through the App.
    await themed.evaluate(([id, index]) => (window as unknown as { wireplay: { app: { openPipeline(id: string, index: number): void } } }).wireplay.app.openPipeline(id, index), [rec.connectionId, rec.index] as const);
    for (const theme of ['light', 'dark', 'hc-dark', 'hc-light']) {
      // The row and the tab survive the reload; the records come again with the connection's snapshot.
      await openPlayground(themed, session.url, `?theme=${theme}`);
      await until(themed, `the refused request's pipeline in ${theme}`, () => document.querySelector('.pl-stage.stopped[data-stage="parser"]') !== null);
      await themed.screenshot({ path: join(artifacts, `pipeline-theme-${theme}.png`) });
      const blocking = (await runAxe(themed)).filter(isBlocking);
      assert.deepEqual(blocking, [], `${theme}: ${describe(blocking)}`);
    }
  } finally {
    await themed.close();
  }
});
