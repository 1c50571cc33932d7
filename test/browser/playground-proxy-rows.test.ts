// The network list's rows of the recording proxy, and Edit and Resend, in
// Chromium against `wireplay ui`. The proxy's two legs are labelled (client →
// proxy, proxy → upstream) on screen and in each row's accessible name; the
// host's messages for them are the ones live-push sends for a proxy's legs
// (test/unit/playground/live-push.test.ts; the real proxy in VS Code:
// test/vscode/proxy.test.ts). Edit and Resend (composer.load, sent by the VS
// Code host) fills the request tab shown only while it is untouched, and
// otherwise opens a new tab: a draft is never overwritten.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ConnectionInfo, ExchangeSummary, ToWebview } from '../../server-core/protocol/playground.js';
import { artifacts, openPlayground, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';

const session = useStandaloneUi();

type Handle = { wireplay: { app: { onMessage(m: ToWebview): void } } };

/** Hands the page host messages as its transport would. */
function hostSays(page: Page, messages: ToWebview[]): Promise<void> {
  return page.evaluate((ms) => {
    for (const m of ms) (window as unknown as Handle).wireplay.app.onMessage(m);
  }, messages);
}

function proxyLegs(now: number): ToWebview[] {
  const down: ConnectionInfo = { connectionId: 'proxy1-1', side: 'server', protocol: 'http', label: 'proxied: client 127.0.0.1:50000 → proxy (proxy1-1)', remote: '127.0.0.1:50000', t: 10, wallTime: now, role: 'proxy-downstream' };
  const up: ConnectionInfo = { connectionId: 'proxy1-up-1', side: 'client', protocol: 'http', label: 'proxied: proxy → 127.0.0.1:3000 (proxy1-up-1, for proxy1-1)', remote: '127.0.0.1:3000', t: 11, wallTime: now + 1, role: 'proxy-upstream', linkedConnectionId: 'proxy1-1' };
  const x = (connectionId: string, target: string): ExchangeSummary => ({ connectionId, sequence: 0, method: 'POST', target, status: 201, reason: 'Created', requestBytes: 120, responseBytes: 80, tStart: 12, tEnd: 20 });
  return [
    { type: 'connection.opened', info: down },
    { type: 'connection.opened', info: up },
    { type: 'network.update', exchanges: [x('proxy1-1', '/orders?via=proxy'), x('proxy1-up-1', '/orders?via=proxy')], traffic: [] },
  ];
}

test('a proxy’s two legs are labelled client → proxy and proxy → upstream, on screen and in their accessible names', async () => {
  for (const theme of ['dark', 'light']) {
    for (const width of [480, 1400]) {
      const page = await session.newPage({ width, height: 820 });
      try {
        await openPlayground(page, session.url, `?theme=${theme}`);
        await hostSays(page, proxyLegs(Date.now()));
        const client = page.getByRole('option', { name: /^proxy leg client to proxy: POST \/orders\?via=proxy/ });
        const upstream = page.getByRole('option', { name: /^proxy leg proxy to upstream: POST \/orders\?via=proxy/ });
        await client.waitFor();
        await upstream.waitFor();
        assert.equal(await client.locator('.nleg').innerText(), 'client → proxy');
        assert.equal(await upstream.locator('.nleg').innerText(), 'proxy → upstream');
        // The label is not cut off, even at 480 px: the path gives way first.
        const fits = await client.locator('.nleg').evaluate((e) => e.scrollWidth <= e.clientWidth + 1 && e.getBoundingClientRect().right <= e.closest('.nrow')!.getBoundingClientRect().right);
        assert.ok(fits, `${theme} ${width}: the leg label is shown whole`);
        // The hover text says it too, and the filter finds a leg by its words.
        assert.match((await upstream.getAttribute('title')) ?? '', /^proxy leg proxy to upstream: POST/);
        await page.locator('vscode-textfield.net-filter input').fill('proxy → upstream');
        await until(page, 'only the upstream leg listed', () => [...document.querySelectorAll('.net-list .nrow')].map((r) => r.querySelector('.nleg')?.textContent).join() === 'proxy → upstream', undefined);
        await page.locator('vscode-textfield.net-filter input').fill('');
        await client.click();
        await page.screenshot({ path: join(artifacts, `proxy-legs-${theme}-${width}.png`) });
      } finally {
        await page.close();
      }
    }
  }
  assert.deepEqual(session.pageErrors, []);
});

test('Edit and Resend fills the request tab shown while it is untouched, else opens a new tab; no draft is overwritten', async (t) => {
  const page = await session.newPage({ width: 1400, height: 820 });
  t.after(() => page.close());
  // A fresh profile and a fresh host tab set: start from one untouched tab.
  await openPlayground(page, session.url, '?theme=dark');
  await until(page, 'one request tab', () => document.querySelectorAll('.rtab').length >= 1, undefined);
  while ((await page.locator('.rtab').count()) > 1) {
    await page.locator('.rtab').last().focus();
    await page.keyboard.press('Delete');
  }
  await page.locator('vscode-button.new-tab').click();
  await page.locator('.rtab').first().focus();
  await page.keyboard.press('Delete');
  await until(page, 'a single, new tab', () => document.querySelectorAll('.rtab').length === 1, undefined);
  const load = (path: string): ToWebview => ({
    type: 'composer.load',
    request: { mode: 'http', http: { method: 'PUT', url: `http://127.0.0.1:3000${path}`, headers: [{ name: 'X-From', value: 'proxy', enabled: true }], body: { kind: 'json', text: '{"a":1}', form: [] } }, note: `Edit and Resend: ${path}` },
  });

  // 1. The tab shown is untouched: the request goes into it.
  await hostSays(page, [load('/first')]);
  await until(page, 'the untouched tab filled', () => (document.querySelector('vscode-textfield.url') as (Element & { value: string }) | null)?.value === 'http://127.0.0.1:3000/first', undefined);
  assert.equal(await page.locator('.rtab').count(), 1, 'no new tab for an untouched one');

  // 2. The user edits that request: the next Edit and Resend opens beside it, and the edit stays.
  await page.locator('vscode-textfield.url input').fill('http://127.0.0.1:3000/first?edited=1');
  await hostSays(page, [load('/second')]);
  await until(page, 'a second tab, shown, with the new request', () => document.querySelectorAll('.rtab').length === 2 && (document.querySelector('vscode-textfield.url') as (Element & { value: string }) | null)?.value === 'http://127.0.0.1:3000/second', undefined);
  assert.match(await page.locator('.rtab.on').innerText(), /\/second/);
  await page.locator('.rtab').first().click();
  assert.equal(await page.locator('vscode-textfield.url input').inputValue(), 'http://127.0.0.1:3000/first?edited=1', 'the edited draft is intact');
  await page.screenshot({ path: join(artifacts, 'edit-and-resend-new-tab-dark-1400.png') });
  assert.deepEqual(session.pageErrors, []);
});
