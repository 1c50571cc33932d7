// The Timeline's server queue view in Chromium, against the standalone page of
// `wireplay ui` and its real demo server: the page switches the server to
// sequential, two requests to /delay/… arrive at once on two connections, and
// the lanes show the second one waiting and the two handled one after the
// other; in concurrent mode the handling overlaps. Clicking a request opens its
// connection's sequence diagram with the wait split out of the server bar.
// Screenshot: test-artifacts/playground/queue-lanes-dark.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifacts, openPlayground, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';

let page: Page;
let demoPort: number;
useStandaloneUi(async (session) => {
  page = await session.newPage();
  demoPort = Number(new URL(await openPlayground(page, session.url)).port);
});

/** One request on its own connection to the demo server; resolves with the status line. */
function get(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(demoPort, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${demoPort}\r\nConnection: close\r\n\r\n`));
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('close', () => resolve(out.split('\r\n')[0]));
    s.on('error', reject);
    s.setTimeout(10_000, () => s.destroy(new Error(`no answer to ${path}`)));
  });
}

interface Seg {
  x: number;
  w: number;
}
interface DrawnJob {
  lane: string;
  target: string;
  open: boolean;
  wait?: Seg;
  handle?: Seg;
}

/** The requests drawn in the lanes whose target contains `tag`. */
async function drawn(tag: string): Promise<DrawnJob[]> {
  // Plain data out of the page (no helper functions inside: the evaluated code must stand alone).
  const raw = await page.$$eval(
    'g.qjob',
    (gs, tag) =>
      gs
        .filter((g) => (g as SVGGElement).dataset.target!.includes(tag))
        .map((g) => ({
          lane: g.closest<SVGGElement>('g.qlane')!.dataset.conn!,
          target: (g as SVGGElement).dataset.target!,
          open: g.classList.contains('open'),
          rects: ['rect.wait', 'rect.handle'].map((sel) => {
            const r = g.querySelector(sel);
            return r ? [Number(r.getAttribute('x')), Number(r.getAttribute('width'))] : null;
          }),
        })),
    tag,
  );
  const seg = (r: number[] | null): Seg | undefined => (r ? { x: r[0], w: r[1] } : undefined);
  return raw.map((d) => ({ lane: d.lane, target: d.target, open: d.open, wait: seg(d.rects[0]), handle: seg(d.rects[1]) }));
}

async function settled(tag: string): Promise<DrawnJob[]> {
  await until(
    page,
    `two finished requests tagged ${tag} in the lanes`,
    (tag) => {
      const gs = [...document.querySelectorAll<SVGGElement>('g.qjob')].filter((g) => g.dataset.target!.includes(tag));
      return gs.length === 2 && gs.every((g) => !g.classList.contains('open') && g.querySelector('rect.handle'));
    },
    tag,
  );
  return (await drawn(tag)).sort((a, b) => a.handle!.x - b.handle!.x);
}

test('the Timeline toolbar switches to the server queue view, by mouse and by keyboard', async () => {
  await page.keyboard.press('Alt+3');
  await page.waitForSelector('.tl-toolbar button[data-sub="queue"]');
  await page.locator('.tl-toolbar button[data-sub="queue"]').click();
  await page.waitForSelector('.queue-view:not([hidden]) .qv-badge');
  assert.equal(await page.locator('.tl-conn').isHidden(), true);
  // Keyboard: the selected tab takes focus, ← / → switch.
  await page.locator('.tl-toolbar button[data-sub="queue"]').focus();
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector('.tl-conn:not([hidden])');
  assert.equal(await page.locator('.tl-toolbar button[data-sub="connection"]').getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector('.queue-view:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-sub')), 'queue');
});

test('sequential: two lanes, the second request waits, the handling segments do not overlap', async () => {
  await page.waitForSelector('.qv-badge.mode-concurrent');
  await page.locator('.qv-switch button[data-mode="sequential"]').click();
  await page.waitForSelector('.qv-badge.mode-sequential');
  const statuses = await Promise.all([get('/delay/400?run=seq-a'), get('/delay/400?run=seq-b')]);
  assert.deepEqual(statuses, ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
  const [first, second] = await settled('run=seq-');
  assert.notEqual(first.lane, second.lane, 'one lane per connection');
  assert.equal(first.wait, undefined, 'the first one did not wait');
  assert.ok(second.wait && second.wait.w > 0, 'the second one has a waiting segment');
  assert.ok(second.wait.x + second.wait.w <= second.handle!.x + 0.5, 'waiting comes before handling');
  assert.ok(second.handle!.x >= first.handle!.x + first.handle!.w - 0.5, `handled one after the other: ${JSON.stringify([first.handle, second.handle])}`);
  // The hand-off from the first to the second, and the depth strip never shows two handled at once.
  assert.ok((await page.locator('g.handoff path').count()) >= 1, 'a hand-off arrow');
  assert.match(await page.locator('.qv-stats').innerText(), /at most 1 handled at once/);
  await page.screenshot({ path: join(artifacts, 'queue-lanes-dark.png') });
});

test('clicking the waiting request opens its connection with the wait split out of the server bar', async () => {
  const waiting = page.locator('g.qjob', { has: page.locator('rect.wait') }).last();
  const conn = await waiting.getAttribute('data-conn');
  await waiting.locator('rect.handle').click();
  await page.waitForSelector('.tl-conn:not([hidden]) g.arrow.focused');
  assert.ok((await page.locator('.net-list .nrow.sel').getAttribute('data-key'))?.startsWith(`${conn}#`), 'its row is selected in the network list');
  assert.match((await page.locator('g.arrow.focused').getAttribute('aria-label'))!, /→ client to server: GET \/delay\/400\?run=seq-/);
  await page.waitForSelector('.srv-split rect.srv-wait');
  assert.match((await page.locator('.srv-split .srv-wait-label').textContent()) ?? '', /^queued \d/);
  await page.screenshot({ path: join(artifacts, 'queue-connection-split-dark.png') });
});

test('a request sent from the composer that had to wait shows the split on its own connection', async (t) => {
  const demo = await page.locator('.server code').innerText();
  type Job = { target: string; startedAt?: number; waitedBehind?: number };
  const jobIs = (target: string, state: 'started' | 'queued') =>
    until(
      page,
      `${target} ${state} in the server's queue`,
      ([target, state]) => {
        const app = (window as unknown as { wireplay: { app: { queue: { list(): Job[] } } } }).wireplay.app;
        return app.queue.list().some((j) => j.target === target && (state === 'started' ? j.startedAt !== undefined : j.waitedBehind !== undefined));
      },
      [target, state] as const,
    );
  // Hold the server: /echo starts at the head and waits for the 4 body bytes this socket keeps back.
  const held = connect(demoPort, '127.0.0.1');
  t.after(() => held.destroy());
  const heldDone = new Promise<string>((resolve, reject) => {
    let out = '';
    held.on('data', (d) => (out += d.toString('latin1')));
    held.on('close', () => resolve(out.split('\r\n')[0]));
    held.on('error', reject);
  });
  held.write(`POST /echo?run=peer-a HTTP/1.1\r\nHost: 127.0.0.1:${demoPort}\r\nContent-Length: 4\r\nConnection: close\r\n\r\n`);
  await jobIs('/echo?run=peer-a', 'started');
  await page.keyboard.press('Alt+1');
  await page.locator('.mode[data-mode="http"]').click();
  await page.locator('vscode-textfield.url input').fill(`${demo}/delay/50?run=peer-b`);
  await page.locator('vscode-button.send').click();
  await jobIs('/delay/50?run=peer-b', 'queued');
  held.write('done');
  assert.equal(await heldDone, 'HTTP/1.1 200 OK');
  await page.waitForSelector('.status[data-status="200"]');
  await page.keyboard.press('Alt+3');
  await page.waitForSelector('.tl-conn:not([hidden]) g.arrow');
  // The inspector shows the composer's (client-side) connection; the split comes from its server side's queue job.
  assert.match(await page.locator('.net-list .nrow.sel').innerText(), /GET\s+\/delay\/50\?run=peer-b/);
  assert.equal(await page.locator('.side-switch .side-client').getAttribute('aria-checked'), 'true', 'the client side, with the server side a switch away');
  await page.waitForSelector('.srv-split rect.srv-wait');
  assert.match((await page.locator('.srv-split .srv-wait-label').textContent()) ?? '', /^queued \d/);
  await page.screenshot({ path: join(artifacts, 'queue-client-split-dark.png') });
});

test('concurrent: the handling segments of two simultaneous requests overlap and nothing waits', async () => {
  await page.locator('.tl-toolbar button[data-sub="queue"]').click();
  await page.locator('.qv-switch button[data-mode="concurrent"]').click();
  await page.waitForSelector('.qv-badge.mode-concurrent');
  await Promise.all([get('/delay/400?run=con-a'), get('/delay/400?run=con-b')]);
  const [first, second] = await settled('run=con-');
  assert.notEqual(first.lane, second.lane);
  assert.equal(first.wait, undefined);
  assert.equal(second.wait, undefined);
  assert.ok(second.handle!.x < first.handle!.x + first.handle!.w, `handled at the same time: ${JSON.stringify([first.handle, second.handle])}`);
  assert.match(await page.locator('.qv-stats').innerText(), /at most 2 handled at once/);
});
