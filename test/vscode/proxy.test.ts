// The recording proxy in a real VS Code (code-server + Chromium, the extension
// loaded from the tree), in front of a real app on 127.0.0.1 (the proxy test
// app: node:http and ws, recording every byte it receives). Wireplay: Start
// Proxy… from the palette, its input box offering wireplay.proxy.target; the
// status bar item; a request sent through the proxy shows in Recent Traffic,
// marked proxied; on that row: Copy as cURL, Save to .http (the file on disk
// gets a block that sends the bytes the app received) and Edit and Resend
// (the playground's raw form holds the exact bytes; sending them puts the same
// bytes on the app's socket again); a rule added with Add Proxy Rule… (its
// quick inputs driven as a user would) is written to the workspace's
// settings, listed in the Server view and applied live, toggled, edited from
// its row's menu and removed from the palette; a new wireplay.proxy.port
// restarts the running proxy, said on the status bar; Stop Proxy hides the
// status bar item.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { parseHttpFile } from '../../server-core/httpfile/parse-http-file.js';
import { resolveBlock } from '../../server-core/httpfile/resolve-block.js';
import { freePort, frameWith, openWorkbench, root, runCommand, shot, useCodeServer, workbenchUrl } from './support/code-server.js';
import { openSidebar, row, workspaceSettings } from './support/sidebar.js';
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

/** Runs an item of a row's context menu (the proxied row by default): hovered (the menu focuses it), then Enter, and the menu gone. */
async function contextMenu(label: string, on: Locator = row(page, 'Recent Traffic', 'POST /echo?via=proxy')): Promise<void> {
  await on.click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  const item = menu.locator('.action-item', { has: page.locator('.action-label', { hasText: label }) }).first();
  await item.waitFor({ timeout: 10_000 });
  await item.hover();
  await menu.locator('.action-item.focused', { hasText: label }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await menu.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** wireplay.proxy.rules as the workspace's settings file holds it. */
function rulesInFile(): unknown {
  return (JSON.parse(readFileSync(join(session.cs.workspace, '.vscode/settings.json'), 'utf8')) as Record<string, unknown>)['wireplay.proxy.rules'];
}

/** Polls the settings file until `check` holds (VS Code writes it asynchronously); bounded, and says what it last saw. */
async function untilRules(check: (rules: unknown) => boolean, what: string, ms = 30_000): Promise<unknown> {
  const deadline = Date.now() + ms;
  for (;;) {
    let rules: unknown;
    try {
      rules = rulesInFile();
    } catch {
      // Being written: read it again.
    }
    if (check(rules)) return rules;
    if (Date.now() > deadline) throw new Error(`${what}: wireplay.proxy.rules is ${JSON.stringify(rules)}`);
    await page.waitForTimeout(100);
  }
}

const quickInput = () => page.locator('.quick-input-widget');

/** The quick input whose title matches: waits for it, types `text` (replacing what it offers), then Enter. */
async function answerBox(title: RegExp, text: string): Promise<void> {
  await quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
  await quickInput().locator('input').fill(text);
  await page.keyboard.press('Enter');
}

/** The value a quick input box offers, once its title matches. */
async function offered(title: RegExp): Promise<string> {
  await quickInput().locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
  return quickInput().locator('input').inputValue();
}

/** Ticks (or unticks) an item of the multi-select quick pick, then accepts it with Enter. */
async function pickEffects(labels: string[]): Promise<void> {
  for (const label of labels) await quickInput().locator('.monaco-list-row', { hasText: label }).first().click();
  await page.keyboard.press('Enter');
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

test('Add Proxy Rule… asks for a path (refused in the box, the typed text kept) and an effect; the rule goes to the workspace settings and the running proxy answers 503 at once', () =>
  step('add-rule', async () => {
    await runCommand(page, 'Wireplay: Add Proxy Rule');
    const box = quickInput().locator('input');
    await quickInput().locator('.quick-input-title', { hasText: /Add Proxy Rule/ }).waitFor({ timeout: 30_000 });
    await box.fill('maint/**');
    await quickInput().locator('.quick-input-message', { hasText: 'Path must be a pattern starting with /.' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    // Refused: the box stays, with what was typed.
    await quickInput().locator('.quick-input-message', { hasText: 'Path must be a pattern starting with /.' }).first().waitFor({ timeout: 10_000 });
    assert.equal(await box.inputValue(), 'maint/**');
    await box.fill('/maint/**');
    await page.keyboard.press('Enter');
    await quickInput().locator('.monaco-list-row', { hasText: 'Answer a fixed status' }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'proxy-05b-rule-effects');
    await pickEffects(['Answer a fixed status']);
    await answerBox(/Answer a fixed status/, '503');
    await answerBox(/the body of the 503 answer/, 'down for maintenance\\n');
    await untilRules(
      (r) => Array.isArray(r) && r.some((x) => JSON.stringify(x) === JSON.stringify({ id: 'maint-503', path: '/maint/**', respond: { status: 503, body: 'down for maintenance\n' } })),
      'the rule written to .vscode/settings.json',
    );
    // Listed under the running proxy, after the rule that was there.
    const rule = row(page, 'Server', /maint-503\s*\/maint\/\*\* → 503 · on/);
    await rule.waitFor({ timeout: 30_000 });
    await shot(page, 'proxy-05c-rule-added');
    const answered = await get(`http://127.0.0.1:${proxyPort}/maint/page`);
    assert.deepEqual([answered.status, answered.body], [503, 'down for maintenance\n']);

    // Toggled off from its row: the app answers.
    await rule.hover();
    await rule.locator('.action-label[aria-label="Toggle Proxy Rule"]').click();
    await row(page, 'Server', /maint-503\s*\/maint\/\*\* → 503 · off/).waitFor({ timeout: 30_000 });
    const arrived = nextRequest('/maint/page');
    const forwarded = await get(`http://127.0.0.1:${proxyPort}/maint/page`);
    await arrived;
    assert.notEqual(forwarded.status, 503, 'the app answered');
  }));

test('Edit Proxy Rule… from the rule’s menu offers its answers and saves the change; Remove Proxy Rule from the palette takes it out; Escape writes nothing', () =>
  step('edit-rule', async () => {
    await contextMenu('Edit Proxy Rule', row(page, 'Server', /maint-503\s*\/maint\/\*\*/));
    assert.equal(await offered(/Edit Proxy Rule maint-503$/), '/maint/**');
    await page.keyboard.press('Enter');
    // Its effect is ticked already.
    await quickInput().locator('.monaco-list-row', { hasText: 'Answer a fixed status' }).first().waitFor({ timeout: 30_000 });
    await pickEffects([]);
    assert.equal(await offered(/Answer a fixed status/), '503');
    await answerBox(/Answer a fixed status/, '500');
    assert.equal(await offered(/the body of the 500 answer/), 'down for maintenance\\n');
    await page.keyboard.press('Enter');
    await untilRules((r) => Array.isArray(r) && r.some((x) => (x as { id?: string; respond?: { status: number } }).id === 'maint-503' && (x as { respond?: { status: number } }).respond?.status === 500), 'the edited rule');
    // The setting replaces the session's toggles: the rule is on again, with its new status.
    await row(page, 'Server', /maint-503\s*\/maint\/\*\* → 500 · on/).waitFor({ timeout: 30_000 });
    const answered = await get(`http://127.0.0.1:${proxyPort}/maint/page`);
    assert.deepEqual([answered.status, answered.body], [500, 'down for maintenance\n']);

    // Escape at the effects step: nothing is written.
    const before = JSON.stringify(rulesInFile());
    await runCommand(page, 'Wireplay: Add Proxy Rule');
    await answerBox(/Add Proxy Rule/, '/never');
    await quickInput().locator('.monaco-list-row', { hasText: 'Add latency' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    await quickInput().waitFor({ state: 'hidden', timeout: 10_000 });

    // Remove, by keyboard from the palette: a pick of the rules in force.
    await runCommand(page, 'Wireplay: Remove Proxy Rule');
    await quickInput().locator('.monaco-list-row', { hasText: 'maint-503' }).first().waitFor({ timeout: 30_000 });
    await quickInput().locator('input').fill('maint-503');
    await page.keyboard.press('Enter');
    const after = (await untilRules((r) => Array.isArray(r) && !r.some((x) => (x as { id?: string }).id === 'maint-503'), 'the rule removed')) as unknown[];
    // What is left is what was there before the rule was added: the cancelled Add wrote nothing.
    assert.deepEqual(after, (JSON.parse(before) as { id: string }[]).filter((x) => x.id !== 'maint-503'));
    await row(page, 'Server', /maint-503/).waitFor({ state: 'hidden', timeout: 30_000 });
    await shot(page, 'proxy-05d-rule-removed');
    const arrived = nextRequest('/maint/page');
    const forwarded = await get(`http://127.0.0.1:${proxyPort}/maint/page`);
    await arrived;
    assert.notEqual(forwarded.status, 500, 'the app answered');
  }));

test('a new wireplay.proxy.port restarts the running proxy: the status bar says it is restarting, then names the new port', () =>
  step('restart', async () => {
    const newPort = await freePort();
    // Every text the status bar shows from now on (a message may be brief).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { wireplaySeen: string[] }).wireplaySeen = seen;
      const bar = document.querySelector('.part.statusbar')!;
      new MutationObserver(() => seen.push(...[...bar.querySelectorAll('.statusbar-item')].map((e) => (e.textContent ?? '').trim()))).observe(bar, { subtree: true, childList: true, characterData: true });
    });
    const sawText = (pattern: RegExp) =>
      page.waitForFunction((source) => (window as unknown as { wireplaySeen: string[] }).wireplaySeen.some((t) => new RegExp(source).test(t)), pattern.source, { timeout: 30_000 });
    // An exchange in flight holds the graceful stop (5 s at most), so the restart is under way while it waits.
    const arrived = nextRequest('/slow');
    const slow = get(`http://127.0.0.1:${proxyPort}/slow`).catch((err: Error) => ({ status: 0, body: err.message }));
    await arrived;
    workspaceSettings(session.cs, { 'wireplay.proxy.port': newPort });
    await sawText(/restarting the proxy for its new settings…/);
    await shot(page, 'proxy-05e-restarting');
    app.release('slow');
    await slow;
    await sawText(new RegExp(`proxy restarted on http://127\\.0\\.0\\.1:${newPort} → ${app.origin.replace(/\./g, '\\.')} \\(wireplay\\.proxy\\.port\\)`));
    await statusBar(new RegExp(`Proxy :${newPort} → 127\\.0\\.0\\.1:${app.port}`));
    await row(page, 'Server', new RegExp(`Proxy\\s*http://127\\.0\\.0\\.1:${newPort} →`)).waitFor({ timeout: 30_000 });
    proxyPort = newPort;
    const answer = await get(`http://127.0.0.1:${proxyPort}/hello`);
    assert.deepEqual([answer.status, answer.body], [200, 'hello through the proxy\n']);
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
