// The sidebar bundle (dist/webview/sidebar.js) in Chromium, with a stub of the
// webview API: it renders the server state it is sent, keeps the DOM small with
// thousands of rows (virtualised), and posts only protocol messages back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { validateFromSidebar, type ConnectionRow, type ToSidebar, type TrafficRow } from '../../server-core/protocol/sidebar.js';
import { until } from './support/wait.js';

const root = join(import.meta.dirname, '../..');
let browser: Browser;
let page: Page;

async function post(msg: ToSidebar): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), msg);
}

async function sent(): Promise<unknown[]> {
  return page.evaluate(() => (window as unknown as { __sent: unknown[] }).__sent);
}

before(async () => {
  const bundle = join(root, 'dist/webview/sidebar.js');
  if (!existsSync(bundle)) assert.equal(spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' }).status, 0);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 320, height: 800 } });
  page.on('pageerror', (e) => console.error(`sidebar page error: ${e.message}`));
  await page.setContent('<!doctype html><html><body><div id="root"></div></body></html>');
  // A string, not a function: tsx's name helpers do not exist in the page.
  await page.evaluate(`
    window.__sent = [];
    window.acquireVsCodeApi = function () {
      return {
        postMessage: function (m) { window.__sent.push(m); },
        getState: function () { return window.__state; },
        setState: function (s) { window.__state = s; },
      };
    };
  `);
  await page.addScriptTag({ content: readFileSync(bundle, 'utf8') });
});

after(async () => {
  await browser?.close();
});

test('says ready, then shows the server it is told about', async () => {
  assert.deepEqual((await sent())[0], { type: 'ready' });
  await post({ type: 'server', server: { state: 'running', url: 'http://127.0.0.1:8123', host: '127.0.0.1', port: 8123, mode: 'sequential', notices: ['a note'] } });
  await page.locator('[data-testid="server-url"]', { hasText: 'http://127.0.0.1:8123' }).waitFor();
  assert.match(await page.locator('[data-testid="server-state"]').innerText(), /Running/);
  assert.match(await page.locator('[data-testid="server-mode"]').innerText(), /sequential/);
  assert.match(await page.locator('.notices').innerText(), /a note/);
});

test('thousands of rows stay a few dozen DOM rows, and scrolling shows the right ones', async () => {
  const now = Date.now();
  const rows: ConnectionRow[] = Array.from({ length: 5000 }, (_, i) => ({
    id: `c${i}`, protocol: 'http', peer: `127.0.0.1:${10000 + i}`, openedAt: now - 1000, closedAt: now, bytesIn: i, bytesOut: 2 * i,
  }));
  await post({ type: 'connections', rows, open: 0, total: 5000 });
  await page.locator('[data-testid="connection-row"]').first().waitFor();
  const count = await page.locator('[data-testid="connection-row"]').count();
  assert.ok(count > 0 && count < 60, `${count} rows in the DOM for 5000`);
  // Newest first: c4999 on top; scroll to the end and find c0.
  assert.match(await page.locator('[data-testid="connection-row"]').first().innerText(), /:14999/);
  await page.locator('#section-connections .vlist').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.locator('[data-testid="connection-row"]', { hasText: ':10000' }).waitFor();
});

test('a click on a traffic row asks the host to open it; buttons send commands', async () => {
  const traffic: TrafficRow[] = [{ id: 'srv-1#1', connectionId: 'srv-1', kind: 'http', method: 'GET', target: '/echo', status: 200, startedAt: Date.now(), durationMs: 3, done: true }];
  await post({ type: 'traffic', rows: traffic, total: 1 });
  await page.locator('[data-testid="traffic-row"]', { hasText: '/echo' }).click();
  await page.locator('vscode-button[data-command="stop"]').click();
  await until(page, 'a command message from the sidebar', () => (window as unknown as { __sent: { type: string }[] }).__sent.some((m) => m.type === 'command'));
  const messages = await sent();
  assert.ok(messages.some((m) => JSON.stringify(m) === JSON.stringify({ type: 'openTraffic', id: 'srv-1#1' })));
  assert.ok(messages.some((m) => JSON.stringify(m) === JSON.stringify({ type: 'command', command: 'stop' })));
  for (const m of messages) assert.notEqual(validateFromSidebar(m), null, `the host accepts ${JSON.stringify(m)}`);
});
