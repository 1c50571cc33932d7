// The playground at 480, 650, 900 and 1400 px wide, in dark, light and high
// contrast, in each of its views (the HTTP composer with Parsed, WebSocket with
// Bytes, Raw TCP with the Timeline, and the Server queue; the network list in
// all): nothing in the fixed bars overlaps, is cut off or runs out of the
// window, and no key label overflows (support/layout-check.ts). Below 760 px
// the composer is stacked above the inspector. The same at 200% zoom (a 700 px
// window drawn at twice the pixel density, as 1400 px at 200% is).
// Screenshots: test-artifacts/playground/layout-<theme>-<width>-<view>.png and
// zoom200-<view>.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { layoutProblems } from './support/layout-check.js';
import { artifacts, openPlayground, selectRowOfType, sendHttp, useStandaloneUi } from './support/standalone.js';

const session = useStandaloneUi();
const WIDTHS = [480, 650, 900, 1400];
const THEMES = ['dark', 'light', 'hc-dark'];

/** Traffic for every view: an exchange, a failure, a WebSocket session, a raw connection. */
async function traffic(page: Page, demo: string): Promise<void> {
  // A new page opens on the inspector view the last page left (the host keeps it): start from Parsed.
  await page.keyboard.press('Alt+1');
  await sendHttp(page, 'POST', `${demo}/echo?layout=${'x'.repeat(60)}`);
  await page.waitForSelector('.parsed-content .status[data-status="200"]');
  await sendHttp(page, 'GET', 'http://127.0.0.1:1/refused');
  await page.waitForSelector('.parsed-content .failure');
  await page.locator('.mode[data-mode="ws"]').click();
  if (!(await page.locator('.ws-state.state-open').count())) await page.locator('vscode-button.connect').click();
  await page.waitForSelector('.ws-state.state-open');
  await page.locator('vscode-button.wssend').click();
  await page.locator('.mode[data-mode="raw"]').click();
  await page.locator('vscode-textfield.rport input').fill(new URL(demo).port);
  await page.locator('vscode-button.rsend').click();
  await page.waitForSelector('.raw-state:has-text("Connection")');
}

/** The four views: composer mode, the network row to select, the inspector tab, and the timeline's sub-view. */
const VIEWS = [
  { name: 'http-parsed', mode: 'http', row: 'http', tab: 'Alt+1', ready: '.parsed-content .status' },
  { name: 'ws-bytes', mode: 'ws', row: 'ws', tab: 'Alt+2', ready: '.hrow' },
  { name: 'raw-timeline', mode: 'raw', row: 'raw', tab: 'Alt+3', ready: 'g.arrow', sub: 'connection' },
  { name: 'queue', mode: 'http', row: 'http', tab: 'Alt+3', ready: '.qv-badge', sub: 'queue' },
] as const;

async function showView(page: Page, v: (typeof VIEWS)[number]): Promise<void> {
  await page.locator(`.mode[data-mode="${v.mode}"]`).click();
  await selectRowOfType(page, v.row);
  await page.keyboard.press(v.tab);
  if ('sub' in v) await page.locator(`.tl-toolbar button[data-sub="${v.sub}"]`).click();
  await page.waitForSelector(v.ready);
  // Two frames: the virtual lists draw on the frame after a change.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

test('every view at 480, 650, 900 and 1400 px, in dark, light and high contrast: nothing overlaps or is cut', async () => {
  const problems: string[] = [];
  for (const theme of THEMES) {
    const page = await session.newPage({ width: 1400, height: 860 });
    try {
      const demo = await openPlayground(page, session.url, `?theme=${theme}`);
      await traffic(page, demo);
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 860 });
        for (const v of VIEWS) {
          await showView(page, v);
          const layout = await page.locator('.split').getAttribute('data-layout');
          assert.equal(layout, width < 760 ? 'stacked' : 'wide', `${width} px: the ${width < 760 ? 'stacked' : 'wide'} layout`);
          await page.screenshot({ path: join(artifacts, `layout-${theme}-${width}-${v.name}.png`) });
          for (const p of await layoutProblems(page)) problems.push(`${theme} ${width} px ${v.name}: ${p}`);
        }
      }
    } finally {
      await page.close();
    }
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(session.pageErrors, []);
});

test('at 200% zoom (1400 px at twice the density) every view stays usable', async () => {
  const page = await session.browser.newPage({ viewport: { width: 700, height: 450 }, deviceScaleFactor: 2 });
  try {
    const demo = await openPlayground(page, session.url, '?theme=dark');
    await traffic(page, demo);
    const problems: string[] = [];
    for (const v of VIEWS) {
      await showView(page, v);
      await page.screenshot({ path: join(artifacts, `zoom200-${v.name}.png`) });
      for (const p of await layoutProblems(page)) problems.push(`${v.name}: ${p}`);
    }
    assert.deepEqual(problems, []);
    // The request bar keeps its controls on one line with room to type.
    const url = await page.locator('vscode-textfield.url').boundingBox();
    assert.ok(url && url.width >= 200, `the URL field is ${url?.width} px wide`);
  } finally {
    await page.close();
  }
});
