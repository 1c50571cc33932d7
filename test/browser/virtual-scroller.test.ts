// The virtual scroller (webview/shared/virtual-list.ts) on a bare page in
// Chromium, laid out as the Bytes view lays out its hex view: the list above a
// status line that can wrap, in a column of fixed height. Past the 8 M px cap
// the scroll position maps onto the rows through a scale, so a height change
// that left the scroll position where it was moved the rows under it: a view
// at the end ended rows short of it (the big-capture test's flake). Each test
// changes the height at a known moment and waits on frames, not on time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = join(import.meta.dirname, '../..');
const ROW = 20;
/** 1 M rows of 20 px: 20 M px, past the 8 M px cap (a 16 MiB capture in the hex view). */
const BIG = 1_000_000;
/** 2 000 rows: 40 000 px, under the cap (the mapping is one to one). */
const SMALL = 2_000;

let browser: Browser;
let page: Page;
let bundle: string;

interface Drawn {
  first: number;
  count: number;
  offset: number;
  height: number;
  rows: number;
  draws: number;
  scrolls: number;
}

before(async () => {
  const out = await build({
    entryPoints: [join(root, 'webview/shared/virtual-list.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'vlist',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
  });
  bundle = out.outputFiles[0].text;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
});

after(async () => {
  await browser?.close();
});

/** A fresh page with one scroller of `rows` rows in a 400 px column, above a status line. */
async function open(rows: number): Promise<void> {
  await page?.close();
  page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  await page.setContent(`<!doctype html><style>
    body { margin: 0; font: 12px/16px monospace; }
    #col { display: flex; flex-direction: column; height: 400px; width: 600px; }
    #host { flex: 1; min-height: 0; position: relative; }
    #host > div { height: 100%; }
    #status { overflow-wrap: anywhere; }
  </style><div id="col"><div id="host"></div><div id="status">ready</div></div>`);
  await page.addScriptTag({ content: bundle });
  // The TypeScript loader names functions with a __name() helper the page lacks.
  await page.evaluate('window.__name = (f) => f;');
  await page.evaluate(
    ({ rows, rowHeight }) => {
      const w = window as unknown as { vlist: typeof import('../../webview/shared/virtual-list.js'); test: unknown };
      const state = { first: 0, count: 0, offset: 0, height: 0, draws: 0, scrolls: 0 };
      const scroller = new w.vlist.VirtualScroller(document.getElementById('host')!, rowHeight, (r) => {
        Object.assign(state, { first: r.first, count: r.count, offset: r.offset, height: r.height });
        state.draws++;
      });
      scroller.scroller.addEventListener('scroll', () => state.scrolls++);
      scroller.setRowCount(rows);
      w.test = { scroller, state };
    },
    { rows, rowHeight: ROW },
  );
  await frames();
}

/** Waits for `n` animation frames (a change is drawn on the next one; a scroll event comes the frame after). */
async function frames(n = 3): Promise<void> {
  await page.evaluate((n) => new Promise<void>((resolve) => {
    const step = (left: number) => (left === 0 ? resolve() : requestAnimationFrame(() => step(left - 1)));
    step(n);
  }), n);
}

async function drawn(): Promise<Drawn> {
  return page.evaluate(() => {
    const t = (window as unknown as { test: { scroller: { rowCount: number }; state: Omit<Drawn, 'rows'> } }).test;
    return { ...t.state, rows: t.scroller.rowCount };
  });
}

/** Where the last row's bottom edge is, px from the top of the viewport (the drawn window's geometry). */
function lastRowBottom(d: Drawn): number {
  return d.offset + (d.rows - d.first) * ROW;
}

/** The first row whose top is in view (the drawn window starts at the row cut by the top edge). */
function topRow(d: Drawn): number {
  return d.first - d.offset / ROW;
}

async function call(what: 'end' | 'home' | { row: number; align?: 'nearest' | 'center' }): Promise<void> {
  await page.evaluate((what) => {
    const s = (window as unknown as { test: { scroller: { rowCount: number; scrollToRow(r: number, a?: 'nearest' | 'center'): void } } }).test.scroller;
    if (what === 'end') s.scrollToRow(s.rowCount - 1);
    else if (what === 'home') s.scrollToRow(0);
    else s.scrollToRow(what.row, what.align);
  }, what);
  await frames();
}

async function setColumnHeight(px: number): Promise<void> {
  await page.evaluate((px) => {
    document.getElementById('col')!.style.height = `${px}px`;
  }, px);
  await frames();
}

/** The view shows the end: the last row's bottom edge on the viewport's bottom edge (within a pixel). */
function assertAtEnd(d: Drawn, where: string): void {
  const bottom = lastRowBottom(d);
  assert.ok(Math.abs(bottom - d.height) <= 1, `${where}: the last row ends at the bottom of the ${d.height} px view, not at ${bottom.toFixed(1)} px (${((bottom - d.height) / ROW).toFixed(1)} rows below it)`);
}

test('past the cap, the end stays the end when the status line under the list wraps, unwraps, and the column changes height', async () => {
  await open(BIG);
  await call('end');
  assertAtEnd(await drawn(), 'after going to the end');
  // The status line wraps onto three lines: the list loses 32 px (at 20 M px of rows over 8 M px, 4 rows of scale).
  await page.evaluate(() => {
    document.getElementById('status')!.textContent = 'byte 0x' + 'f'.repeat(200) + ' of the answer, in the field Body';
  });
  await frames();
  const wrapped = await drawn();
  assert.ok(wrapped.height < 380, `the wrapped status line took height from the list (${wrapped.height} px)`);
  assertAtEnd(wrapped, 'after the status line wrapped');
  await page.evaluate(() => {
    document.getElementById('status')!.textContent = 'short';
  });
  await frames();
  assertAtEnd(await drawn(), 'after the status line unwrapped');
  for (const h of [357, 401, 250, 600]) {
    await setColumnHeight(h);
    assertAtEnd(await drawn(), `after the column became ${h} px high`);
  }
});

test('past the cap, a height change converges in one step: no scroll or draw follows once it settles', async () => {
  await open(BIG);
  await call('end');
  await setColumnHeight(333);
  const settled = await drawn();
  assertAtEnd(settled, 'after the height change');
  await frames(5);
  const later = await drawn();
  assert.equal(later.scrolls, settled.scrolls, 'no scroll event after the view settled');
  assert.equal(later.draws, settled.draws, 'no draw after the view settled');
});

test('past the cap, Ctrl+Home and Page Up leave the end: a height change then keeps the top row, not the end', async () => {
  await open(BIG);
  await call('end');
  await call('home');
  await setColumnHeight(350);
  let d = await drawn();
  assert.equal(topRow(d), 0, 'at the top after a height change');
  // Page Up twice from the end, as the hex view moves its cursor: two pages of rows above the last.
  await call('end');
  await call({ row: BIG - 1 - 2 * Math.floor(350 / ROW) });
  const before = topRow(await drawn());
  assert.ok(before < BIG - 350 / ROW - 1, `a page up leaves the end (top row ${before})`);
  await setColumnHeight(420);
  d = await drawn();
  assert.ok(Math.abs(topRow(d) - before) < 1, `the top row stays (${before.toFixed(2)} → ${topRow(d).toFixed(2)})`);
  assert.ok(lastRowBottom(d) > d.height + ROW, 'and the view is not pulled to the end');
  // Page Down back to the last row: at the end again, and a height change keeps it there.
  await call({ row: BIG - 1 });
  assertAtEnd(await drawn(), 'after a page down to the last row');
  await setColumnHeight(300);
  assertAtEnd(await drawn(), 'after a page down, then a height change');
});

test('past the cap, a height change in the middle keeps the top row where it was', async () => {
  await open(BIG);
  await call({ row: BIG / 2, align: 'center' });
  const before = topRow(await drawn());
  for (const h of [300, 390, 200]) {
    await setColumnHeight(h);
    const d = await drawn();
    assert.ok(Math.abs(topRow(d) - before) < 1, `at ${h} px the top row stays (${before.toFixed(2)} → ${topRow(d).toFixed(2)})`);
  }
});

test('past the cap, new rows keep a view in the middle on its rows and a view at the end at the end', async () => {
  await open(BIG);
  await call({ row: BIG / 2, align: 'center' });
  const before = topRow(await drawn());
  await page.evaluate((n) => (window as unknown as { test: { scroller: { setRowCount(n: number): void } } }).test.scroller.setRowCount(n), BIG + 4096);
  await frames();
  let d = await drawn();
  assert.ok(Math.abs(topRow(d) - before) < 1, `4096 new rows leave the top row where it was (${before.toFixed(2)} → ${topRow(d).toFixed(2)})`);
  await call('end');
  await page.evaluate((n) => (window as unknown as { test: { scroller: { setRowCount(n: number): void } } }).test.scroller.setRowCount(n), BIG + 8192);
  await frames();
  d = await drawn();
  assertAtEnd(d, 'at the end, new rows');
  assert.equal(d.rows, BIG + 8192);
});

test('a list shorter than its view that grows past the cap at once starts at its top; hidden at the end and shown at another height, it is at the end', async () => {
  await open(3);
  await page.evaluate((n) => (window as unknown as { test: { scroller: { setRowCount(n: number): void } } }).test.scroller.setRowCount(n), BIG);
  await frames();
  assert.equal(topRow(await drawn()), 0, 'a capture that arrives whole opens at its first row');
  await call('end');
  await page.evaluate(() => {
    document.getElementById('col')!.style.display = 'none';
  });
  await frames();
  await page.evaluate(() => {
    const col = document.getElementById('col')!;
    col.style.display = '';
    col.style.height = '330px';
  });
  await frames();
  assertAtEnd(await drawn(), 'shown again at 330 px');
});

test('under the cap: the end stays the end when the height changes; elsewhere the scroll position stays, one pixel a pixel of rows', async () => {
  await open(SMALL);
  await call('end');
  for (const h of [360, 410, 300]) {
    await setColumnHeight(h);
    assertAtEnd(await drawn(), `at the end, after the column became ${h} px high`);
  }
  await call({ row: 700 });
  const before = await page.evaluate(() => document.querySelector<HTMLElement>('#host .vscroll')!.scrollTop);
  await setColumnHeight(250);
  const d = await drawn();
  const after = await page.evaluate(() => document.querySelector<HTMLElement>('#host .vscroll')!.scrollTop);
  assert.equal(after, before, `the scroll position is where it was (${before} → ${after})`);
  assert.equal(topRow(d), before / ROW, 'one pixel is one pixel of rows');
  // New rows under the cap do not pull a view at the end along (as before).
  await call('end');
  const top = topRow(await drawn());
  await page.evaluate((n) => (window as unknown as { test: { scroller: { setRowCount(n: number): void } } }).test.scroller.setRowCount(n), SMALL + 100);
  await frames();
  assert.equal(topRow(await drawn()), top, 'new rows under the cap leave the view where it was');
});
