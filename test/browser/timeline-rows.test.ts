// The Timeline's pooled rows (webview/panel/timeline-rows.ts) on a WebSocket
// capture of 30,000 frames: after a scroll to the top, the middle and the end,
// and after short scrolls up and down, the arrows shown are the right messages,
// in row order in the DOM, with the right direction, one row apart on screen;
// scrolling through the whole capture leaves the number of elements where it
// was; a redraw that changes nothing writes nothing, and a scroll within a row
// moves one group and touches no row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { useStandaloneUi } from './support/standalone.js';

const FRAMES = 30_000;
const ROW = 38;
const session = useStandaloneUi();
let page: Page;

interface Shown {
  row: number;
  dir: string;
  label: string;
  /** The arrow's start dot on screen, px. */
  y: number;
  focused: boolean;
}

/** Opens the page with the capture on the Timeline (once; the session's browser starts in its own hook). */
async function open(): Promise<void> {
  if (page) return;
  page = await session.newPage();
  // The TypeScript loader names functions with a __name() helper the page lacks.
  await page.addInitScript('window.__name = (f) => f;');
  await page.goto(`${session.url}?theme=dark`);
  await page.waitForSelector('.topbar');
  await page.evaluate((frames) => {
    const w = (window as unknown as { wireplay: { app: { loadCapture(f: unknown): void }; fixtures: { wsSession(n: number, id: string): unknown } } }).wireplay;
    w.app.loadCapture(w.fixtures.wsSession(frames, 'pool-ws'));
  }, FRAMES);
  await page.keyboard.press('Alt+3');
  await page.waitForSelector('.tl-body g.arrow');
}

async function frame(): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function scrollTo(top: number | 'end'): Promise<void> {
  await open();
  await page.evaluate((top) => {
    const s = document.querySelector('.tl-body .vscroll')!;
    s.scrollTop = top === 'end' ? s.scrollHeight : top;
  }, top);
  await frame();
}

async function shown(): Promise<Shown[]> {
  return page.$$eval('.tl-body g.arrow', (gs) =>
    gs.map((g) => ({
      row: Number((g as SVGGElement).dataset.row),
      dir: g.classList.contains('c2s') ? 'c2s' : 's2c',
      label: g.getAttribute('aria-label') ?? '',
      y: g.querySelector('.dot')!.getBoundingClientRect().top,
      focused: g.classList.contains('focused'),
    })),
  );
}

/** The message the fixture puts at a row (two handshake messages, then frame i at row i + 2). */
function expected(row: number): { dir: string; label: RegExp } {
  if (row === 0) return { dir: 'c2s', label: /^→ client to server: GET \/chat/ };
  if (row === 1) return { dir: 's2c', label: /^← server to client: 101 Switching Protocols/ };
  const i = row - 2;
  const fromClient = i % 3 !== 2;
  const what = i > 0 && i % 11 === 0 ? 'Ping \\(FIN\\) 2 B' : fromClient ? `“chat #${i} from the client”` : `“\\{"tick":${i},`;
  return { dir: fromClient ? 'c2s' : 's2c', label: new RegExp(`^${fromClient ? '→ client to server' : '← server to client'}: [^:]*${what}`) };
}

async function check(where: string): Promise<Shown[]> {
  const rows = await shown();
  const box = await page.locator('.tl-body .vscroll').boundingBox();
  assert.ok(box && rows.length > 0, `${where}: rows are shown`);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (k > 0) {
      assert.equal(r.row, rows[k - 1].row + 1, `${where}: rows follow on in the DOM`);
      assert.ok(Math.abs(r.y - rows[k - 1].y - ROW) < 0.5, `${where}: row ${r.row} is one row below the previous one`);
    }
    const e = expected(r.row);
    assert.equal(r.dir, e.dir, `${where}: direction of row ${r.row}`);
    assert.match(r.label, e.label, `${where}: row ${r.row}`);
  }
  // The window is covered: a row starts within the top row's height, and the last one near the bottom.
  const onScreen = rows.filter((r) => r.y >= box!.y);
  assert.ok(onScreen[0].y < box!.y + ROW, `${where}: the top of the view shows a row`);
  assert.ok(rows[rows.length - 1].y > box!.y + box!.height - 2 * ROW || rows[rows.length - 1].row === FRAMES + 1, `${where}: the bottom of the view shows a row`);
  return rows;
}

test('the rows shown at the top, the middle and the end are the right messages, in order, with their direction', async () => {
  await scrollTo(0);
  const top = await check('top');
  assert.equal(top[0].row, 0);
  const middle = Math.floor(FRAMES / 2) * ROW + 7;
  await scrollTo(middle);
  const mid = await check('middle');
  assert.ok(mid.some((r) => r.row === Math.floor(FRAMES / 2)), 'middle: the row at the scroll position is shown');
  // Short scrolls reuse the rows that stay and move the ones that leave to the other end.
  await scrollTo(middle - 3 * ROW);
  await check('three rows up');
  await scrollTo(middle + 2 * ROW);
  await check('two rows down');
  await scrollTo('end');
  const end = await check('end');
  assert.equal(end[end.length - 1].row, FRAMES + 1, 'end: the last message is the last row');
});

test('scrolling through the whole capture leaves the number of elements bounded', async () => {
  await scrollTo(0);
  const count = () => page.evaluate(() => document.querySelector('.tl-body .vport')!.querySelectorAll('*').length);
  const before = await count();
  const arrows = (await shown()).length;
  const height = (await page.locator('.tl-body .vscroll').boundingBox())!.height;
  assert.ok(arrows <= Math.ceil(height / ROW) + 2 + 6, `${arrows} arrows drawn for a ${height}px view`);
  let most = before;
  for (let i = 1; i <= 60; i++) {
    await page.evaluate((i) => {
      const s = document.querySelector('.tl-body .vscroll')!;
      s.scrollTop = ((s.scrollHeight - s.clientHeight) * i) / 60;
    }, i);
    await frame();
    most = Math.max(most, await count());
  }
  // Rows whose arrows cross into the view from above are drawn too: a few more than at the top, never more.
  assert.ok(most <= before + 7 * 20, `elements: ${before} at the top, at most ${most} while scrolling`);
  await scrollTo(0);
  assert.equal(await count(), before, 'back at the top, as many elements as before');
});

test('a redraw that changes nothing writes nothing; a scroll within a row touches no row', async () => {
  await scrollTo(1000 * ROW + 4);
  await page.evaluate(() => {
    const w = window as unknown as { __mutations: MutationRecord[]; __observer: MutationObserver };
    w.__mutations = [];
    w.__observer = new MutationObserver((m) => w.__mutations.push(...m));
    w.__observer.observe(document.querySelector('.tl-body .vport')!, { subtree: true, childList: true, attributes: true, characterData: true });
    document.querySelector('.tl-body .vscroll')!.dispatchEvent(new Event('scroll'));
  });
  await frame();
  assert.equal(await page.evaluate(() => (window as unknown as { __mutations: MutationRecord[] }).__mutations.length), 0, 'a redraw of the same rows');
  await page.evaluate(() => {
    document.querySelector('.tl-body .vscroll')!.scrollTop += 20;
  });
  await frame();
  const touched = await page.evaluate(() => {
    const w = window as unknown as { __mutations: MutationRecord[]; __observer: MutationObserver };
    w.__observer.disconnect();
    return w.__mutations.map((m) => `${(m.target as Element).getAttribute?.('class') ?? m.target.nodeName} ${m.type} ${m.attributeName ?? ''}`);
  });
  assert.deepEqual([...new Set(touched)], ['tl-rows attributes transform'], 'only the moving group changed');
});

test('a click focuses one arrow and the arrow keys move the focus', async () => {
  await scrollTo(500 * ROW);
  const rows = await shown();
  const pick = rows[Math.floor(rows.length / 2)];
  await page.evaluate((row) => {
    document.querySelector(`.tl-body g.arrow[data-row="${row}"] .shaft`)!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  }, pick.row);
  // A click opens the message in Bytes; back to the Timeline.
  await page.keyboard.press('Alt+3');
  await frame();
  assert.deepEqual((await shown()).filter((r) => r.focused).map((r) => r.row), [pick.row]);
  await page.locator('.tl-body .vscroll').focus();
  await page.keyboard.press('ArrowDown');
  await frame();
  assert.deepEqual((await shown()).filter((r) => r.focused).map((r) => r.row), [pick.row + 1]);
  await check('after the keyboard moved the focus');
});
