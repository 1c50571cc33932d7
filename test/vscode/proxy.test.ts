// The recording proxy in a real VS Code (code-server + Chromium, the extension
// loaded from the tree), in front of a real app on 127.0.0.1 (the proxy test
// app: node:http and ws, recording every byte it receives). Wireplay: Start
// Proxy… from the palette, its input box offering wireplay.proxy.target; the
// status bar item; a request sent through the proxy shows in Recent Traffic,
// marked proxied; on that row: Copy as cURL, Save to .http (the file on disk
// gets a block that sends the bytes the app received) and Edit and Resend
// (the playground's raw form holds the exact bytes; sending them puts the same
// bytes on the app's socket again); Stop Proxy hides the status bar item.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { parseHttpFile } from '../../server-core/httpfile/parse-http-file.js';
import { resolveBlock } from '../../server-core/httpfile/resolve-block.js';
import { frameWith, openWorkbench, root, runCommand, shot, useCodeServer, workbenchUrl } from './support/code-server.js';
import { openSidebar, row } from './support/sidebar.js';
import { makeWorkspace } from './support/ui-flow.js';
import { startProxyTestApp, type ProxyTestApp } from '../support/proxy-test-app.js';

let app: ProxyTestApp;
const session = useCodeServer(async () => {
  app = await startProxyTestApp();
  const workspace = makeWorkspace();
  writeFileSync(join(workspace, 'saved.http'), 'GET http://127.0.0.1:1/already-here\n');
  const settings = join(workspace, '.vscode/settings.json');
  writeFileSync(settings, `${JSON.stringify({ ...JSON.parse(readFileSync(settings, 'utf8')), 'wireplay.proxy.target': app.origin, 'wireplay.proxy.rules': [{ id: 'teapot', path: '/teapot', respond: { status: 418, body: 'short and stout\n' } }] }, null, 2)}\n`);
  return workspace;
});

let page: Page;
let proxyPort = 0;
/** The request's bytes as the app received them (one connection: the client closed after it). */
let received: Buffer;

after(async () => {
  await page?.close();
  await app?.close();
});

async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  page ??= await openWorkbench(session.browser, workbenchUrl(session.cs, { devPath: root }), 'proxy');
  try {
    return await body();
  } catch (err) {
    await shot(page, `proxy-failure-${name}`).catch(() => undefined);
    throw err;
  }
}

/** Resolves with the next request the app gets for `path` (every request, not only the first). */
function nextRequest(path: string, ms = 60_000): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (app.server.off('request', on), reject(new Error(`the app never got ${path}`))), ms);
    function on(req: IncomingMessage) {
      if ((req.url ?? '').split('?')[0] !== path) return;
      clearTimeout(timer);
      app.server.off('request', on);
      resolve(req);
    }
    app.server.on('request', on);
  });
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end();
  });
}

function post(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'text/plain', connection: 'close' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function statusBar(pattern: RegExp, ms = 30_000): Promise<string> {
  const item = page.locator('.statusbar-item', { hasText: pattern }).first();
  await item.waitFor({ state: 'visible', timeout: ms });
  return (await item.innerText()).trim();
}

/** Runs an item of the proxied row's context menu: hovered (the menu focuses it), then Enter, and the menu gone. */
async function contextMenu(label: string): Promise<void> {
  await row(page, 'Recent Traffic', 'POST /echo?via=proxy').click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  const item = menu.locator('.action-item', { has: page.locator('.action-label', { hasText: label }) }).first();
  await item.waitFor({ timeout: 10_000 });
  await item.hover();
  await menu.locator('.action-item.focused', { hasText: label }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await menu.waitFor({ state: 'hidden', timeout: 10_000 });
}

test('Start Proxy… from the palette: it offers wireplay.proxy.target, then says where it listens on the status bar', () =>
  step('start', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="Wireplay"], .activitybar .action-item[aria-label^="Wireplay"]').first().waitFor({ timeout: 90_000 });
    await runCommand(page, 'Wireplay: Start Proxy');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForFunction((origin) => (document.querySelector('.quick-input-widget input') as HTMLInputElement | null)?.value === origin, app.origin, { timeout: 30_000 });
    // A path is refused in the box itself, before anything starts.
    await input.fill(`${app.origin}/api`);
    await page.locator('.quick-input-widget .quick-input-message', { hasText: /must be an origin/ }).first().waitFor({ timeout: 10_000 });
    await input.fill(app.origin);
    await page.keyboard.press('Enter');
    const text = await statusBar(new RegExp(`Proxy :\\d+ → 127\\.0\\.0\\.1:${app.port}`));
    proxyPort = Number(/Proxy :(\d+)/.exec(text)?.[1]);
    assert.ok(proxyPort > 0, text);
    await openSidebar(page);
    await row(page, 'Server', new RegExp(`Proxy\\s*http://127\\.0\\.0\\.1:${proxyPort} → ${app.origin.replace(/\./g, '\\.')}`)).waitFor({ timeout: 30_000 });
    await shot(page, 'proxy-01-running');
  }));

test('a request through the proxy reaches the app and shows in Recent Traffic, marked proxied, with its two legs', () =>
  step('row', async () => {
    const arrived = nextRequest('/echo');
    const answer = await post(`http://127.0.0.1:${proxyPort}/echo?via=proxy`, 'hello through the proxy');
    assert.equal(answer.status, 200);
    assert.match(answer.body, /hello through the proxy/);
    await arrived;
    received = Buffer.concat(app.connections.at(-1)!.received);
    assert.match(received.toString('latin1'), /^POST \/echo\?via=proxy HTTP\/1\.1\r\n/);
    const traffic = row(page, 'Recent Traffic', 'POST /echo?via=proxy');
    await traffic.waitFor({ timeout: 30_000 });
    assert.match(await traffic.innerText(), /200\s·\sproxied/);
    // A click on the row opens it in the inspector (the client leg): the request line is there.
    await traffic.click();
    await (await frameWith(page, '#app', 60_000)).getByText('POST /echo?via=proxy').first().waitFor({ timeout: 60_000 });
    await traffic.locator('.monaco-tl-twistie').click();
    await row(page, 'Recent Traffic', 'client ↔ proxy').waitFor({ timeout: 10_000 });
    await row(page, 'Recent Traffic', `proxy ↔ 127.0.0.1:${app.port}`).waitFor({ timeout: 10_000 });
    await shot(page, 'proxy-02-row');
  }));

test('on the proxied row: Copy as cURL, and Save to .http appends a block that sends the bytes the app received', () =>
  step('save', async () => {
    await contextMenu('Copy as cURL');
    await statusBar(new RegExp(`copied POST /echo\\?via=proxy \\(to ${app.origin.replace(/\./g, '\\.')}\\) as a curl command`));

    await contextMenu('Save to .http');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'saved.http' }).first().click();
    // The command saves the file before it shows it.
    await page.locator('.tab', { hasText: 'saved.http' }).first().waitFor({ timeout: 30_000 });
    const text = readFileSync(join(session.cs.workspace, 'saved.http'), 'utf8');
    assert.ok(text.startsWith('GET http://127.0.0.1:1/already-here\n\n###'), `the block follows what was there: ${JSON.stringify(text.slice(0, 80))}`);
    const parsed = parseHttpFile(text);
    assert.equal(parsed.blocks.length, 2);
    const block = parsed.blocks[1];
    const resolved = await resolveBlock(block, { fileVariables: [], environment: {}, exchanges: new Map(), processEnv: {}, dotenv: {} }, text.split('\n'), { baseDir: session.cs.workspace, file: parsed });
    // node:http sends no User-Agent, so the block is RAW: the exact bytes, to the app.
    assert.equal(resolved.request?.kind, 'raw');
    if (resolved.request?.kind === 'raw') assert.deepEqual(resolved.request.bytes, received);
    await shot(page, 'proxy-03-saved');
  }));

test('Edit and Resend opens the exact bytes in the playground’s raw form; sending them gives the app the same bytes again', () =>
  step('resend', async () => {
    await openSidebar(page);
    await contextMenu('Edit and Resend');
    const playground = await frameWith(page, 'vscode-textarea.rtext', 60_000);
    await playground.locator('.mode[data-mode="raw"][aria-selected="true"]').waitFor({ timeout: 30_000 });
    const value = await playground.locator('vscode-textarea.rtext').evaluate((el) => (el as HTMLElement & { value: string }).value);
    assert.match(value, /^POST \/echo\?via=proxy HTTP\/1\.1\\r\\n/);
    assert.equal(await playground.locator('vscode-textfield.rport').evaluate((el) => (el as HTMLElement & { value: string }).value), String(app.port));
    await playground.locator('[role="status"]', { hasText: /its exact \d+ bytes/ }).first().waitFor({ timeout: 30_000 });
    // The playground's network list has the exchange's two legs, each labelled, in its accessible name too.
    await playground.getByRole('option', { name: /^proxy leg client to proxy: POST \/echo\?via=proxy/ }).first().waitFor({ timeout: 30_000 });
    await playground.getByRole('option', { name: /^proxy leg proxy to upstream: POST \/echo\?via=proxy/ }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'proxy-04-edit-and-resend');
    const before = app.connections.length;
    const arrived = nextRequest('/echo');
    await playground.locator('vscode-button.rsend').click();
    await arrived;
    const again = app.connections.slice(before).find((c) => c.received.length > 0);
    assert.ok(again);
    assert.deepEqual(Buffer.concat(again.received).subarray(0, received.length), received);
  }));

test('a rule from wireplay.proxy.rules answers instead of the app; toggled off from its row in the Server view, the app answers', () =>
  step('rule', async () => {
    await openSidebar(page);
    const rule = row(page, 'Server', /teapot\s*\/teapot → 418 · on/);
    await rule.waitFor({ timeout: 30_000 });
    const answered = await get(`http://127.0.0.1:${proxyPort}/teapot`);
    assert.deepEqual([answered.status, answered.body], [418, 'short and stout\n']);
    await rule.hover();
    await rule.locator('.action-label[aria-label="Toggle Proxy Rule"]').click();
    await row(page, 'Server', /teapot\s*\/teapot → 418 · off/).waitFor({ timeout: 30_000 });
    await shot(page, 'proxy-05-rule-off');
    const arrived = nextRequest('/teapot');
    const forwarded = await get(`http://127.0.0.1:${proxyPort}/teapot`);
    await arrived;
    assert.notEqual(forwarded.status, 418, 'the app answered');
  }));

test('Chromium loads a page through the proxy (fetch, EventSource, WebSocket): every exchange shows in Recent Traffic as proxied', () =>
  step('browser', async () => {
    const browserPage = await session.browser.newPage();
    try {
      await browserPage.goto(`http://127.0.0.1:${proxyPort}/page`);
      const results = (await browserPage.evaluate(() => (window as unknown as { results: Promise<unknown> }).results)) as { fetch: { body: string }; events: string[]; ws: { got: string[]; code: number } };
      assert.equal(results.fetch.body, '{"hello":"proxy"}');
      assert.deepEqual(results.events, ['event 1', 'event 2', 'event 3']);
      assert.deepEqual(results.ws, { got: ['one', 'two'], code: 1000 });
    } finally {
      await browserPage.close();
    }
    await openSidebar(page);
    for (const [label, description] of [
      ['GET /page', /200\s·\sproxied/],
      ['POST /echo?from=fetch', /200\s·\sproxied/],
      ['GET /sse?count=3', /200\s·\sproxied/],
      ['WS /ws', /101\s·\sproxied\s·\s\d+\sframes?/],
    ] as const) {
      const traffic = row(page, 'Recent Traffic', label);
      await traffic.waitFor({ timeout: 30_000 });
      assert.match(await traffic.innerText(), description, label);
    }
    await shot(page, 'proxy-06-browser');
  }));

test('Stop Proxy hides its status bar item; the rows it recorded stay', () =>
  step('stop', async () => {
    await runCommand(page, 'Wireplay: Stop Proxy');
    await page.locator('.statusbar-item', { hasText: /Proxy :\d+/ }).first().waitFor({ state: 'hidden', timeout: 30_000 });
    await openSidebar(page);
    await row(page, 'Server', /Proxy\s*off/).waitFor({ timeout: 30_000 });
    // Newest first: the page's rows are on top, still there.
    await row(page, 'Recent Traffic', /proxied/).waitFor({ timeout: 10_000 });
  }));
