// A 20 MiB capture through the real path: one TCP connection to the demo
// server of `wireplay ui` carries two pipelined 10 MiB downloads; the page
// selects it and its Bytes view must show the right bytes at the top, the
// middle and the end (compared with what crossed the wire) while holding only
// what it drew; then new bytes on the same, still open, connection appear.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { pipelinedDownload, type Download } from '../support/pipelined-download.js';
import { openPlayground, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';

const PART = 10 * 1024 * 1024;
let page: Page;
let dl: Download | undefined;
let connectionId: string;
useStandaloneUi(async (session) => {
  page = await session.newPage();
  await openPlayground(page, session.url);
});

after(() => {
  dl?.socket.destroy();
});

interface ShownRow {
  dir: 'c2s' | 's2c';
  offset: number;
  hex: string;
}

/** Waits for the frame after a change, then until no row on screen waits for bytes; returns the rows shown. */
async function shownRows(): Promise<ShownRow[]> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await until(page, 'hex rows drawn with every byte held', () => !!document.querySelector('.hex-pane .hrow:not([hidden])') && !document.querySelector('.hex-pane .hrow.pending:not([hidden])'));
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.hex-pane .hrow:not([hidden])')].map((r) => ({
      dir: r.dataset.dir as 'c2s' | 's2c',
      offset: parseInt(r.querySelector('.off')!.textContent!, 16),
      hex: r.querySelector('.hex')!.textContent!.replace(/\s+/g, ''),
    })),
  );
}

/** Every row shows the bytes at its offset, and the rows of each direction follow on without a gap or a repeat. */
function check(rows: ShownRow[], streams: { c2s: Buffer; s2c: Buffer }, where: string): void {
  assert.ok(rows.length > 0, `${where}: rows are shown`);
  const next: Partial<Record<'c2s' | 's2c', number>> = {};
  for (const r of rows) {
    const want = streams[r.dir].subarray(r.offset, r.offset + r.hex.length / 2).toString('hex');
    assert.equal(r.hex, want, `${where}: ${r.dir} row at ${r.offset}`);
    if (next[r.dir] !== undefined) assert.equal(r.offset, next[r.dir], `${where}: ${r.dir} rows follow on`);
    next[r.dir] = r.offset + r.hex.length / 2;
  }
}

/** The last row drawn is the capture's last and ends at the hex view's bottom edge (drawn is not seen: the window runs past it). */
async function assertLastRowAtBottom(where: string): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const edges = await page.evaluate(() => {
    const rows = document.querySelectorAll<HTMLElement>('.hex-pane .hrow:not([hidden])');
    const view = document.querySelector<HTMLElement>('.hex-pane .vscroll')!;
    const off = parseInt(rows[rows.length - 1].querySelector('.off')!.textContent!, 16);
    return { off, row: rows[rows.length - 1].getBoundingClientRect().bottom, view: view.getBoundingClientRect().top + view.clientHeight };
  });
  assert.ok(Math.abs(edges.row - edges.view) <= 1, `${where}: the last row (at ${edges.off}) ends at the view's bottom edge, ${edges.view} px, not at ${edges.row} px`);
}

async function scrollTo(fraction: number): Promise<void> {
  await page.evaluate((f) => {
    const s = document.querySelector<HTMLElement>('.hex-pane .vscroll')!;
    s.scrollTop = (s.scrollHeight - s.clientHeight) * f;
  }, fraction);
}

test('a 20 MiB capture opens with the right bytes at the top, the middle and the end, and the page holds only what it drew', async () => {
  const demo = new URL(await page.locator('.server code').innerText());
  dl = await pipelinedDownload(Number(demo.port), 2, PART);
  const streams = { c2s: dl.sent, s2c: dl.received() };
  assert.ok(streams.s2c.length > 2 * PART);
  const handle = await until(page, `the server side of the download (:${dl.localPort}) in the store`, (remote) => {
    const w = (window as unknown as { wireplay: { app: { store: { connections: Map<string, { info: { side: string; remote: string; connectionId: string } }> } } } }).wireplay;
    for (const c of w.app.store.connections.values()) if (c.info.side === 'server' && c.info.remote.endsWith(remote)) return c.info.connectionId;
    return undefined;
  }, `:${dl.localPort}`);
  connectionId = (await handle.jsonValue()) as string;
  await page.keyboard.press('Alt+2');
  await page.evaluate((id) => (window as unknown as { wireplay: { app: { selectConnection(id: string): void } } }).wireplay.app.selectConnection(id), connectionId);
  await until(
    page,
    `all ${streams.s2c.length} bytes of the download placed in the store`,
    ({ id, n }) => ((window as unknown as { wireplay: { app: { store: { get(id: string): { streamLen: { s2c: number } } | undefined } } } }).wireplay.app.store.get(id)?.streamLen.s2c ?? 0) >= n,
    { id: connectionId, n: streams.s2c.length },
  );

  const top = await shownRows();
  check(top, streams, 'top');
  assert.deepEqual([top[0].dir, top[0].offset], ['c2s', 0], 'the capture starts with the request');

  await scrollTo(0.5);
  const middle = await shownRows();
  check(middle, streams, 'middle');
  assert.ok(middle.every((r) => r.dir === 's2c' && r.offset > PART / 2 && r.offset < 1.5 * PART), 'the middle is in the middle of the downloads');

  await scrollTo(1);
  const end = await shownRows();
  check(end, streams, 'end');
  const last = end[end.length - 1];
  assert.equal(last.offset + last.hex.length / 2, streams.s2c.length, 'the last row ends with the last byte received');

  const held = await page.evaluate(() => (window as unknown as { wireplay: { app: { store: { cache: { usedBytes: number } } } } }).wireplay.app.store.cache.usedBytes);
  assert.ok(held < 2 * 1024 * 1024, `the page holds ${held} bytes of a 20 MiB capture, not all of it`);
});

test('new bytes on the open connection appear in the Bytes view, the new request selectable from its dissection', async () => {
  assert.ok(dl, 'the first test opened the connection');
  const old = { c2s: dl.sent.length, s2c: dl.receivedBytes };
  const more = Buffer.from(`GET /echo?live=1 HTTP/1.1\r\nHost: x\r\n\r\n`);
  const reply = await new Promise<Buffer>((resolve) => {
    const parts: Buffer[] = [];
    const onData = (d: Buffer) => {
      parts.push(d);
      const all = Buffer.concat(parts);
      const head = all.indexOf('\r\n\r\n');
      const length = head < 0 ? NaN : Number(/content-length: *(\d+)/i.exec(all.subarray(0, head).toString('latin1'))?.[1]);
      if (all.length >= head + 4 + length) {
        dl!.socket.off('data', onData);
        resolve(all);
      }
    };
    dl!.socket.on('data', onData);
    dl!.socket.write(more);
  });
  const streams = { c2s: Buffer.concat([dl.sent, more]), s2c: Buffer.concat([Buffer.alloc(old.s2c), reply]) };
  await until(
    page,
    `all ${streams.s2c.length} bytes of the download placed in the store`,
    ({ id, n }) => ((window as unknown as { wireplay: { app: { store: { get(id: string): { streamLen: { s2c: number } } | undefined } } } }).wireplay.app.store.get(id)?.streamLen.s2c ?? 0) >= n,
    { id: connectionId, n: streams.s2c.length },
  );
  // The view takes the new rows on its next frame (its status line counts them): Ctrl+End before that would
  // stop at the end the view knew, and the answer's last row would be below it.
  await until(page, `the Bytes view counting all ${streams.s2c.length} bytes`, (n) => document.querySelector('.bytes-status')?.textContent?.includes(`${n} B ←`), streams.s2c.length);
  // The answer is the last thing on the connection: at the end of the view.
  await page.locator('.hex-pane .vscroll').focus();
  await page.keyboard.press('Control+End');
  // One Ctrl+End is enough: the view stays at the end when the cursor line under it appears or wraps (it ended
  // rows short past the 8 M px cap; test/browser/virtual-scroller.test.ts). The rows are drawn on the next frame,
  // and their bytes come from the host: wait (bounded) for the last row shown to end with the answer's last byte.
  await until(
    page,
    `the last row shown ending at byte ${streams.s2c.length} after one Ctrl+End`,
    (n) => {
      const rows = document.querySelectorAll<HTMLElement>('.hex-pane .hrow:not([hidden])');
      const last = rows[rows.length - 1];
      if (!last || last.classList.contains('pending') || last.dataset.dir !== 's2c') return false;
      const len = [...last.querySelectorAll<HTMLElement>('.hex [data-o]')].reduce((k, run) => k + Number(run.dataset.n ?? 1), 0);
      return parseInt(last.querySelector('.off')!.textContent!, 16) + len === n;
    },
    streams.s2c.length,
  );
  const end = (await shownRows()).filter((r) => r.dir === 's2c' && r.offset >= old.s2c);
  await assertLastRowAtBottom('after one Ctrl+End');
  // The page gets narrower and shorter: the cursor line under the hex view wraps, the view loses height, and
  // (past the cap, where a pixel of scroll is rows) it still ends with the answer's last row at its bottom edge.
  const size = page.viewportSize()!;
  const hexHeight = () => page.evaluate(() => document.querySelector<HTMLElement>('.hex-pane .vscroll')!.clientHeight);
  const before = await hexHeight();
  await page.setViewportSize({ width: 700, height: 640 });
  await until(page, 'the hex view shorter on a 700 × 640 px page', (h) => document.querySelector<HTMLElement>('.hex-pane .vscroll')!.clientHeight < h, before);
  await assertLastRowAtBottom('after the page became 700 × 640 px');
  const small = await hexHeight();
  await page.setViewportSize(size);
  await until(page, 'the hex view taller again', (h) => document.querySelector<HTMLElement>('.hex-pane .vscroll')!.clientHeight > h, small);
  await assertLastRowAtBottom(`after the page became ${size.width} × ${size.height} px again (the hex view ${before} → ${small} → ${await hexHeight()} px)`);
  // Page Up leaves the end and Page Down comes back to it; Ctrl+Home goes to the first byte, Ctrl+End to the last.
  const lastShown = () => page.evaluate(() => {
    const rows = document.querySelectorAll<HTMLElement>('.hex-pane .hrow:not([hidden])');
    return parseInt(rows[rows.length - 1].querySelector('.off')!.textContent!, 16);
  });
  const atEnd = await lastShown();
  await page.keyboard.press('PageUp');
  await page.keyboard.press('PageUp');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.ok((await lastShown()) < atEnd, 'two Page Ups leave the end');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await page.keyboard.press('PageDown');
  await assertLastRowAtBottom('after Page Down back to the last row');
  await page.keyboard.press('Control+Home');
  const home = await shownRows();
  assert.deepEqual([home[0].dir, home[0].offset], ['c2s', 0], 'Ctrl+Home shows the first byte');
  await page.keyboard.press('Control+End');
  await assertLastRowAtBottom('after Ctrl+Home, then Ctrl+End');
  assert.ok(end.length > 0, 'the new answer is on screen');
  check(end, streams, 'live answer');
  assert.equal(end[end.length - 1].offset + end[end.length - 1].hex.length / 2, streams.s2c.length);
  // The request, found through its dissected message: selecting it scrolls the hex view to its bytes.
  const key = await until(
    page,
    'the dissected request of the live answer',
    ({ id, at }) => {
      const c = (window as unknown as { wireplay: { app: { store: { get(id: string): { messages: { id: number; dir: string; range: { start: number } }[] } | undefined } } } }).wireplay.app.store.get(id);
      const m = c?.messages.find((x) => x.dir === 'c2s' && x.range.start === at);
      return m ? `${m.id}/` : undefined;
    },
    { id: connectionId, at: old.c2s },
  );
  await page.evaluate((k) => (window as unknown as { wireplay: { app: { bytes: { select(key: string, scroll: boolean): void } } } }).wireplay.app.bytes.select(k, true), (await key.jsonValue()) as string);
  const req = (await shownRows()).filter((r) => r.dir === 'c2s' && r.offset >= old.c2s);
  check(req, streams, 'live request');
  assert.equal(Buffer.from(req.map((r) => r.hex).join(''), 'hex').toString('latin1'), more.toString('latin1'));
  const selected = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.hex-pane .hrow.c2s .b.sel')].reduce((n, e) => n + Number(e.dataset.n), 0));
  assert.equal(selected, more.length, 'exactly the bytes of the request are selected');
});
