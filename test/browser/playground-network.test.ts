// The network list and the inspector's results, in Chromium against `wireplay
// ui` with real peers: each failure kind shown where the result would be (a
// closed port, a `.invalid` host, a TLS server with a self-signed certificate,
// a server that never answers within the time limit), marked in the list and
// in history; an invalid URL refused in the composer with nothing sent; the
// playground's connection and the server's end of it as one row with a side
// switch; the filter box and the type filters; Send ×N in sequence showing in
// the server's queue; Switch Mode from the panel; drafts kept when the page is
// closed and opened again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { closeServer, listen, makeCertificate } from '../integration/client/helpers.js';
import { artifacts, openPlayground, sendHttp, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';

const session = useStandaloneUi();

async function failureShown(page: Page, kind: string): Promise<{ title: string; row: string; history: string }> {
  await page.waitForSelector(`.parsed-content .failure[data-failure="${kind}"]`);
  return {
    title: await page.locator('.parsed-content .failure-title').innerText(),
    row: await page.locator('.net-list .nrow.sel').innerText(),
    history: await page.locator('.history .hist').first().innerText(),
  };
}

test('each failure kind is the result of its send, in words, with its mark in the list and in history', async (t) => {
  const page = await session.newPage({ width: 1400, height: 860 });
  t.after(() => page.close());
  await openPlayground(page, session.url);

  // A closed port.
  const probe = await listen(createNetServer());
  const closed = (probe.address() as AddressInfo).port;
  await closeServer(probe);
  await sendHttp(page, 'GET', `http://127.0.0.1:${closed}/x`);
  const refused = await failureShown(page, 'refused');
  assert.equal(refused.title, `Could not connect to 127.0.0.1:${closed}: connection refused`);
  assert.match(refused.row, /GET\s+\/x\s+failed: refused/);
  assert.match(refused.history, /GET\s+http:\/\/127\.0\.0\.1:\d+\/x\s+failed/);
  assert.match(await page.locator('.parsed-content').innerText(), /Nothing went on the wire: the connection was never opened\./);
  assert.ok(await page.locator('.parsed-content .timing .tm-row').count(), 'the timing until it failed');
  assert.equal(await page.locator('.notice').count(), 0, 'no toast: the result is in the inspector');
  await page.screenshot({ path: join(artifacts, 'failure-refused.png') });
  await page.keyboard.press('Alt+2');
  assert.match(await page.locator('.bytes-status').innerText(), /Nothing went on the wire/);
  await page.keyboard.press('Alt+1');

  // A host that does not exist.
  await sendHttp(page, 'GET', 'http://nowhere.invalid/');
  const dns = await failureShown(page, 'dns');
  assert.match(dns.title, /^Could not (find the host|look up) nowhere\.invalid/);

  // A TLS server whose certificate nobody vouches for.
  const { key, cert } = makeCertificate();
  const tls = await listen(createTlsServer({ key, cert }, (s) => s.end()));
  t.after(() => closeServer(tls));
  const tlsPort = (tls.address() as AddressInfo).port;
  await sendHttp(page, 'GET', `https://localhost:${tlsPort}/`);
  const bad = await failureShown(page, 'tls');
  assert.equal(bad.title, `TLS handshake with localhost:${tlsPort} failed: the server’s certificate is self-signed`);

  // A server that never answers, with a time limit of 300 ms: the request went out and its bytes are there.
  const sockets = new Set<Socket>();
  const silent = await listen(createNetServer((s) => sockets.add(s.on('error', () => {}))));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await closeServer(silent);
  });
  const silentPort = (silent.address() as AddressInfo).port;
  await page.locator('details.options summary').click();
  await page.locator('vscode-textfield.timeout input').fill('300');
  await sendHttp(page, 'GET', `http://127.0.0.1:${silentPort}/wait`);
  const slow = await failureShown(page, 'timeout');
  assert.equal(slow.title, `No response from 127.0.0.1:${silentPort} within 300 ms: timed out`);
  assert.match(await page.locator('.parsed-content').innerText(), /On the wire before it stopped: \d+ B sent, 0 B received/);
  await page.keyboard.press('Alt+2');
  await page.waitForSelector('.hrow.c2s');
  assert.match(await page.locator('.hrow.c2s .asc').first().innerText(), /^GET \/wait HTTP\/1/);
  await page.keyboard.press('Alt+1');
  await page.locator('vscode-textfield.timeout input').fill('');

  // The errors filter shows exactly the four failures.
  await page.locator('.net-types .chip-errors').click();
  await until(page, 'four rows, all failed', () => document.querySelectorAll('.net-list .nrow').length === 4 && document.querySelectorAll('.net-list .nrow.failed').length === 4);
  await page.locator('.net-types .chip', { hasText: 'All' }).click();
  assert.deepEqual(session.pageErrors, []);
});

test('an invalid URL is refused in the composer, with the reason under it, and nothing is sent', async (t) => {
  const page = await session.newPage({ width: 1280, height: 800 });
  t.after(() => page.close());
  await openPlayground(page, session.url);
  const rowsBefore = await page.evaluate(() => (window as unknown as { wireplay: { app: { network: { total: number } } } }).wireplay.app.network.total);
  await page.locator('vscode-textfield.url input').fill('htp:/bad url here');
  await page.waitForSelector('vscode-textfield.url[invalid]');
  assert.match(await page.locator('.bar-note').innerText(), /Use http:\/\/ or https:\/\/, not htp:/);
  await page.keyboard.press('ControlOrMeta+Enter');
  await until(page, 'the refusal said', () => /^Not sent: Use http/.test(document.querySelector('.announcer')?.textContent ?? ''));
  const after = await page.evaluate(() => (window as unknown as { wireplay: { app: { network: { total: number } } } }).wireplay.app.network.total);
  assert.equal(after, rowsBefore, 'no row: nothing was sent');
  assert.equal(await page.locator('.history .hist', { hasText: 'htp:' }).count(), 0, 'nothing in history');
});

test('one row for the playground’s connection and the server’s end of it; the side switch; the filter box and type filters', async (t) => {
  const page = await session.newPage({ width: 1400, height: 860 });
  t.after(() => page.close());
  const demo = await openPlayground(page, session.url);
  await sendHttp(page, 'GET', `${demo}/echo?pair=1`);
  await page.waitForSelector('.parsed-content .status[data-status="200"]');
  const row = page.locator('.net-list .nrow.sel');
  await until(page, 'the row shows both sides', () => !!document.querySelector('.net-list .nrow.sel .both'));
  assert.match(await row.innerText(), /GET\s+\/echo\?pair=1.*200 OK\s+HTTP/s);
  // Exactly one row for this exchange (not one per side).
  const same = await page.evaluate(() => [...document.querySelectorAll('.net-list .npath')].filter((e) => e.textContent === '/echo?pair=1').length);
  assert.equal(same, 1);
  // The side switch: the server's end shows the same request, dissected from the server's side.
  assert.equal(await page.locator('.side-switch .side-client').getAttribute('aria-checked'), 'true');
  await page.locator('.side-switch .side-server').click();
  await page.waitForSelector('.side-switch .side-server[aria-checked="true"]');
  await page.waitForSelector('.parsed-content .status.raw');
  // The server side's bytes come after its row is shown: wait for its request line, not just its heading.
  await until(page, "the server side's request line", () => /GET \/echo\?pair=1 HTTP\/1\.1/.test((document.querySelector('.parsed-content') as HTMLElement | null)?.innerText ?? ''), undefined);
  await page.keyboard.press('Alt+3');
  await page.waitForSelector('.tl-header');
  assert.match(await page.locator('.tl-header .tl-server small').innerText(), /this server/);
  await page.keyboard.press('Alt+1');
  // From the keyboard: the arrows move between the two sides.
  await page.locator('.side-switch .side-server').focus();
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector('.side-switch .side-client[aria-checked="true"]');
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector('.side-switch .side-server[aria-checked="true"]');
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector('.side-switch .side-client[aria-checked="true"]');

  // A WebSocket session and a raw connection for the type filters.
  await page.locator('.mode[data-mode="ws"]').click();
  if (!(await page.locator('.ws-state.state-open').count())) await page.locator('vscode-button.connect').click();
  await page.waitForSelector('.ws-state.state-open');
  await page.locator('.mode[data-mode="raw"]').click();
  await page.locator('vscode-textfield.rport input').fill(new URL(demo).port);
  await page.locator('vscode-button.rsend').click();
  await page.waitForSelector('.net-list .nrow.raw');
  const types = () => page.evaluate(() => [...new Set([...document.querySelectorAll('.net-list .nrow')].map((e) => e.classList.contains('ws') ? 'ws' : e.classList.contains('raw') ? 'raw' : 'http'))].sort());
  await page.locator('.net-types .chip-ws').click();
  await until(page, 'only WebSocket rows', () => [...document.querySelectorAll('.net-list .nrow')].every((e) => e.classList.contains('ws')));
  assert.deepEqual(await types(), ['ws']);
  assert.equal(await page.locator('.net-types .chip-ws').getAttribute('aria-pressed'), 'true');
  await page.locator('.net-types .chip-raw').click();
  await until(page, 'WebSocket and raw rows', () => {
    const rows = [...document.querySelectorAll('.net-list .nrow')];
    return rows.some((e) => e.classList.contains('raw')) && rows.every((e) => e.classList.contains('ws') || e.classList.contains('raw'));
  });
  assert.deepEqual(await types(), ['raw', 'ws']);
  await page.locator('.net-types .chip', { hasText: 'All' }).click();
  // The filter box: by path, by status words, case-insensitive; the count says how many of how many.
  await page.locator('vscode-textfield.net-filter input').fill('PAIR=1');
  await until(page, 'one row matching pair=1', () => document.querySelectorAll('.net-list .nrow').length === 1);
  assert.match(await page.locator('.net-count').innerText(), /^1 of \d+$/);
  await page.locator('vscode-textfield.net-filter input').fill('101 open');
  await until(page, 'the WebSocket rows', () => document.querySelectorAll('.net-list .nrow').length > 0 && [...document.querySelectorAll('.net-list .nrow')].every((e) => e.classList.contains('ws')));
  await page.locator('vscode-textfield.net-filter input').fill('');
  await page.screenshot({ path: join(artifacts, 'network-list.png') });
});

test('Send ×N: two at once while the server is sequential, the second waits in its queue; two in sequence, nothing waits', async () => {
  const page = await session.newPage({ width: 1400, height: 860 });
  try {
    const demo = await openPlayground(page, session.url);
    // Switch Mode from the panel's top bar: the server tells the page, which shows it in words.
    const modeSwitch = page.locator('.mode-switch');
    if ((await modeSwitch.getAttribute('aria-checked')) !== 'true') await modeSwitch.click();
    await page.waitForSelector('.mode-switch[aria-checked="true"]');
    await until(page, 'the switch told in words', () => [...document.querySelectorAll('.notice')].some((n) => /now sequential/.test(n.textContent ?? '')));
    type Job = { target: string; waitedBehind?: number; startedAt?: number; finishedAt?: number };
    const burst = async (order: 'parallel' | 'sequence') => {
      const tag = `${order}-${Date.now()}`;
      await page.locator('.mode[data-mode="http"]').click();
      await page.locator('vscode-textfield.url input').fill(`${demo}/delay/300?burst=${tag}`);
      if (!(await page.locator('details.options[open]').count())) await page.locator('details.options summary').click();
      await page.locator('vscode-textfield.repeat-count input').fill('2');
      await page.locator('vscode-single-select.repeat-order').evaluate((el, o) => {
        (el as HTMLElement & { value: string }).value = o;
        el.dispatchEvent(new Event('change'));
      }, order);
      await page.locator('vscode-button.send-many').click();
      const jobs = await until(
        page,
        `both ${order} requests handled`,
        (t) => {
          const list = (window as unknown as { wireplay: { app: { queue: { list(): Job[] } } } }).wireplay.app.queue.list().filter((j) => j.target.endsWith(t));
          return list.length === 2 && list.every((j) => j.finishedAt !== undefined) && list;
        },
        tag,
      );
      return (await jobs.jsonValue()) as Job[];
    };
    const parallel = await burst('parallel');
    assert.equal(parallel.filter((j) => j.waitedBehind !== undefined).length, 1, 'two at once on a sequential server: one waits');
    await page.keyboard.press('Alt+3');
    await page.locator('.tl-toolbar button[data-sub="queue"]').click();
    await page.waitForSelector('g.qjob rect.wait');
    await page.screenshot({ path: join(artifacts, 'send-many-queue.png') });
    const sequence = await burst('sequence');
    assert.equal(sequence.filter((j) => j.waitedBehind !== undefined).length, 0, 'one after the other: nothing waits');
    const [a, b] = [...sequence].sort((x, y) => x.startedAt! - y.startedAt!);
    assert.ok(b.startedAt! >= a.finishedAt!, 'the second started once the first was answered');
  } finally {
    if ((await page.locator('.mode-switch').getAttribute('aria-checked')) === 'true') {
      await page.locator('.mode-switch').click();
      await page.waitForSelector('.mode-switch[aria-checked="false"]');
    }
    await page.close();
  }
});

test('drafts: the request tabs come back when the page is closed and opened again', async (t) => {
  const first = await session.newPage({ width: 1280, height: 800 });
  const demo = await openPlayground(first, session.url);
  // One exchange sent before the page goes: the host still has it, and the next page lists it at once.
  await sendHttp(first, 'GET', `${demo}/echo?before-close=1`);
  // (The page opened on the inspector view the earlier tests left selected: the host keeps it.)
  await first.keyboard.press('Alt+1');
  await first.waitForSelector('.parsed-content .status[data-status="200"]');
  await first.locator('vscode-textfield.url input').fill('http://127.0.0.1:9/kept-draft');
  await first.locator('vscode-button.new-tab').click();
  await first.locator('.mode[data-mode="ws"]').click();
  await first.locator('vscode-textfield.wsurl input').fill('ws://127.0.0.1:9/ws/kept');
  // The drafts go to the host half a second after the last change.
  const sent = await first.evaluate(() => (window as unknown as { wireplay: { app: { draftsSent: number } } }).wireplay.app.draftsSent);
  await until(first, 'the drafts sent to the host', (n) => (window as unknown as { wireplay: { app: { draftsSent: number } } }).wireplay.app.draftsSent > n, sent);
  assert.equal(await first.evaluate(() => (JSON.parse(localStorage.getItem('wireplay.panel.state') ?? '{}') as { tabs?: unknown[] }).tabs?.length), 2);
  const drafts = await first.evaluate(() => localStorage.getItem('wireplay.panel.state'));
  await first.close();
  // A new browser profile (nothing in its storage): the host's drafts come back.
  const second = await session.newPage({ width: 1280, height: 800 });
  t.after(() => second.close());
  await openPlayground(second, session.url);
  await until(second, 'the two tabs back', () => document.querySelectorAll('.rtab').length === 2, undefined);
  assert.match(await second.locator('.rtab.on').innerText(), /WS \/ws\/kept/);
  assert.equal(await second.locator('vscode-textfield.wsurl input').inputValue(), 'ws://127.0.0.1:9/ws/kept');
  await second.locator('.rtab').first().click();
  assert.equal(await second.locator('vscode-textfield.url input').inputValue(), 'http://127.0.0.1:9/kept-draft');
  assert.ok(drafts, 'the page kept them too (localStorage)');
  await until(second, 'the exchange sent before the page closed, in the network list', () => [...document.querySelectorAll('.net-list .nrow')].some((r) => r.textContent?.includes('before-close=1')), undefined);
});

test('drafts that reach a new page after the user started typing never replace what was typed', async (t) => {
  // The host keeps a draft of another tab.
  const first = await session.newPage({ width: 1280, height: 800 });
  await openPlayground(first, session.url);
  const sent = await first.evaluate(() => (window as unknown as { wireplay: { app: { draftsSent: number } } }).wireplay.app.draftsSent);
  // (The page opened with the drafts the last test left, a WebSocket tab in front: the HTTP form first.)
  await first.locator('.mode[data-mode="http"]').click();
  await first.locator('vscode-textfield.url input').fill('http://127.0.0.1:9/older-draft');
  await until(first, 'the drafts sent to the host', (n) => (window as unknown as { wireplay: { app: { draftsSent: number } } }).wireplay.app.draftsSent > n, sent);
  await first.close();
  // A new page: the user types first; the host's init (with its drafts) is then delivered again, as a late answer would be.
  const second = await session.newPage({ width: 1280, height: 800 });
  t.after(() => second.close());
  await openPlayground(second, session.url);
  // Back to one untouched tab, as a page that got no drafts has (the host's own were taken at load).
  await second.locator('vscode-button.new-tab').click();
  while ((await second.locator('.rtab').count()) > 1) await second.locator('.rtab:not(.on) .rclose').first().click();
  const typed = 'http://127.0.0.1:9/typed-before-init';
  await second.locator('vscode-textfield.url input').fill('');
  await second.locator('vscode-textfield.url input').pressSequentially(typed, { delay: 5 });
  await second.evaluate((url) => {
    const app = (window as unknown as { wireplay: { app: { onMessage(m: unknown): void } } }).wireplay.app;
    app.onMessage({
      type: 'init', version: 1, serverUrl: null, standalone: true, history: [], connections: [], exchanges: [], traffic: [],
      drafts: { active: 'late', tabs: [{ id: 'late', mode: 'http', http: { method: 'GET', url, headers: [], body: { kind: 'none' } } }] },
    });
  }, 'http://127.0.0.1:9/late-draft');
  assert.equal(await second.locator('vscode-textfield.url input').inputValue(), typed);
  assert.equal(await second.locator('.rtab').count(), 1);
});
