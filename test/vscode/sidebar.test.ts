// The Wireplay sidebar in a real VS Code (code-server + Chromium, the extension
// loaded from the tree): VS Code's own tree views. Routes listed from the file
// before the server starts; the server started from its row's inline action;
// connections and the badge counting the open ones; a traffic row opened in
// the inspector with the keyboard alone; context menus (mouse and Shift+F10);
// Switch Mode said on the status bar and in the playground without touching
// .vscode/settings.json; Alt+F1 in the playground opens its accessibility help.
// Then each view at the sidebar's narrowest, usual and wide widths in the dark,
// light and both high-contrast themes: a screenshot each
// (test-artifacts/vscode/sidebar-*.png), every row inside the sidebar, and
// axe-core over the views' contents with no critical or serious violation
// (what it finds in VS Code's own chrome around them, the pane headers, is
// printed, and listed in docs/extension.md).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { frameWith, openWorkbench, root, runCommand, shot, useCodeServer, workbenchUrl } from './support/code-server.js';
import { axeScan, focusView, openSidebar, pane, row, setSidebarWidth, setTheme, type Theme } from './support/sidebar.js';
import { makeWorkspace } from './support/ui-flow.js';

const session = useCodeServer(() => {
  const workspace = makeWorkspace();
  writeFileSync(
    join(workspace, 'wireplay.routes.json'),
    `${JSON.stringify({ routes: [{ path: '/hello', body: 'Hello\n' }, { method: 'POST', path: '/items', status: 201, body: '{"ok":true}' }] }, null, 2)}\n`,
  );
  return workspace;
});

let page: Page;
let port = 0;
const held: (() => void)[] = [];
/** Keeps the connections it made open (a client that closes its sockets after each response would not). */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

after(async () => {
  for (const close of held) close();
  keepAlive.destroy();
  await page?.close();
});

/** A GET on its own connection: closed after it, or held open (keep-alive) until the file's end. */
function get(path: string, keepOpen = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`http://127.0.0.1:${port}${path}`, { agent: keepOpen ? keepAlive : false, headers: { connection: keepOpen ? 'keep-alive' : 'close' } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (keepOpen) held.push(() => req.socket?.destroy());
        resolve(req.socket?.localPort ?? 0);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function statusBar(pattern: RegExp): Promise<string> {
  const item = page.locator('.statusbar-item', { hasText: pattern }).first();
  await item.waitFor({ state: 'visible', timeout: 30_000 });
  return item.innerText();
}

/** Runs one test's steps on the one workbench page (opened by the first), with a screenshot when one fails. */
async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  // Opened here, not in a before hook: the file's hooks (code-server, Chromium) must have run first.
  page ??= await openWorkbench(session.browser, workbenchUrl(session.cs, { devPath: root }), 'sidebar');
  try {
    return await body();
  } catch (err) {
    await shot(page, `sidebar-failure-${name}`).catch(() => undefined);
    throw err;
  }
}

test('the routes file is listed before the server starts; the server starts from its row; connections are counted', () =>
  step('counts', async () => {
    await openSidebar(page);
    await row(page, 'Routes', 'GET /hello').waitFor({ timeout: 60_000 });
    await row(page, 'Routes', /wireplay\.routes\.json\s*2 routes · server stopped/).waitFor();
    assert.ok(await row(page, 'Routes', 'POST /items').isVisible());
    await shot(page, 'sidebar-01-stopped');

    // The inline action of the "Stopped" row.
    const stopped = row(page, 'Server', 'Stopped');
    await stopped.hover();
    await stopped.locator('.action-label[aria-label="Start Server"]').click();
    port = Number(/:(\d+)/.exec(await statusBar(/Wireplay :\d+/))?.[1]);
    assert.ok(port > 0);
    await row(page, 'Server', `Running http://127.0.0.1:${port}`).waitFor({ timeout: 30_000 });

    await get('/echo?n=1');
    await get('/echo?n=2');
    const open = await get('/hello', true);
    await row(page, 'Connections', `:${open} HTTP`).waitFor({ timeout: 30_000 });
    await row(page, 'Connections', /^\s*Closed\s*2\s*$/).waitFor({ timeout: 30_000 });
    // The badge on the activity bar counts the open connection, as its tooltip says.
    const badge = page.locator('.activitybar .action-item:has(a[aria-label^="Wireplay"]) .badge-content, .activitybar .action-item[aria-label^="Wireplay"] .badge-content').first();
    await page.waitForFunction((el) => el?.textContent?.trim() === '1', await badge.elementHandle(), { timeout: 30_000 });
    await row(page, 'Recent Traffic', 'GET /hello').waitFor({ timeout: 30_000 });
    await shot(page, 'sidebar-02-running');
  }));

test('with the keyboard alone, a traffic row opens its exchange in the inspector', () =>
  step('keyboard', async () => {
    await focusView(page, 'Recent Traffic');
    const focused = pane(page, 'Recent Traffic').locator('.monaco-list-row.focused');
    await page.keyboard.press('Home');
    // Newest first: /hello, /echo?n=2, /echo?n=1.
    await focused.filter({ hasText: 'GET /hello' }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('ArrowDown');
    await focused.filter({ hasText: 'GET /echo?n=2' }).waitFor({ timeout: 10_000 });
    assert.match((await focused.getAttribute('aria-label')) ?? '', /^GET \/echo\?n=2, 200 · .+\. success; route \/echo, runs code$/);
    await page.keyboard.press('Enter');
    // The playground (its host mounts it in #app), showing that exchange: whatever its layout, the request line is on screen.
    const inspector = await frameWith(page, '#app', 60_000);
    await inspector.getByText('GET /echo?n=2').first().waitFor({ timeout: 60_000 });
    await shot(page, 'sidebar-03-inspector');
  }));

test('context menus: Open in Inspector on a connection (mouse), Copy as cURL on an exchange (Shift+F10)', () =>
  step('context', async () => {
    await openSidebar(page);
    await row(page, 'Connections', /:\d+ HTTP/).click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.locator('.action-label', { hasText: 'Open in Inspector' }).first().click();
    await (await frameWith(page, '#app', 30_000)).getByText(/GET \/(hello|echo)/).first().waitFor({ timeout: 30_000 });

    await focusView(page, 'Recent Traffic');
    await page.keyboard.press('Home');
    await pane(page, 'Recent Traffic').locator('.monaco-list-row.focused', { hasText: 'GET /hello' }).waitFor({ timeout: 10_000 });
    await page.keyboard.press('Shift+F10');
    await menu.locator('.action-label', { hasText: 'Copy as cURL' }).first().waitFor({ timeout: 10_000 });
    await shot(page, 'sidebar-04-context-menu');
    await menu.locator('.action-label', { hasText: 'Copy as cURL' }).first().click();
    await statusBar(/copied GET \/hello as a curl command/);
  }));

test('Switch Mode says so on the status bar and in the playground, and leaves .vscode/settings.json alone', () =>
  step('mode', async () => {
    const settings = join(session.cs.workspace, '.vscode/settings.json');
    const before = readFileSync(settings, 'utf8');
    await runCommand(page, 'Wireplay: Switch Mode');
    await row(page, 'Server', 'Mode: sequential').waitFor({ timeout: 30_000 });
    await statusBar(/Wireplay :\d+\s*sequential/);
    const playground = await frameWith(page, '#app', 30_000);
    await playground.locator('[role="status"]', { hasText: 'Server mode: sequential' }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'sidebar-05-sequential');
    assert.equal(readFileSync(settings, 'utf8'), before, 'the workspace settings are untouched');
    assert.doesNotMatch(before, /wireplay\.mode/);
    await runCommand(page, 'Wireplay: Switch Mode');
    await row(page, 'Server', 'Mode: concurrent').waitFor({ timeout: 30_000 });
  }));

test('Alt+F1 in the playground opens its accessibility help', () =>
  step('help', async () => {
    await runCommand(page, 'Wireplay: Open Playground');
    const playground = await frameWith(page, 'vscode-textfield.url', 30_000);
    await playground.locator('vscode-textfield.url').click();
    await page.keyboard.press('Alt+F1');
    await page.locator('.tab', { hasText: 'Playground Accessibility Help' }).first().waitFor({ timeout: 30_000 });
    await page.locator('.editor-instance .view-lines', { hasText: /Ctrl\+Enter:\ssends\sfrom\sany\sfield/ }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'sidebar-06-accessibility-help');
    await page.keyboard.press('Control+W');
  }));

const THEMES: readonly Theme[] = ['dark', 'light', 'hc-dark', 'hc-light'];
const WIDTHS = [170, 300, 520];

test('each width and theme: rows stay inside the sidebar; axe-core finds nothing critical or serious', { timeout: 280_000 }, () =>
  step('themes', async () => {
    await openSidebar(page);
    // Something in every view: the closed connections shown too.
    await row(page, 'Connections', /^\s*Closed/).click();
    const report: string[] = [];
    for (const theme of THEMES) {
      await setTheme(session.cs, page, theme);
      for (const width of WIDTHS) {
        const got = await setSidebarWidth(page, width);
        assert.ok(Math.abs(got - width) <= 4, `the sidebar is ${got} px, not ${width}`);
        const overflow = await page.evaluate(() => {
          const side = document.querySelector('.part.sidebar')!.getBoundingClientRect();
          return [...document.querySelectorAll('.part.sidebar .monaco-list-row')]
            .map((r) => ({ text: r.textContent ?? '', box: r.getBoundingClientRect() }))
            .filter(({ box }) => box.height > 0 && (box.left < side.left - 1 || box.right > side.right + 1))
            .map(({ text }) => text);
        });
        assert.deepEqual(overflow, [], `rows wider than the sidebar at ${width} px in ${theme}`);
        await shot(page, `sidebar-${theme}-${width}`);
      }
      // With a row focused, as a keyboard user has it (the focus ring, the row's inline actions shown).
      await row(page, 'Connections', /^\s*Closed/).click();
      const views = await axeScan(page, '.part.sidebar .pane-body');
      const chrome = (await axeScan(page, '.part.sidebar')).filter((v) => !views.some((w) => w.id === v.id && w.nodes === v.nodes));
      const list = (vs: typeof views) => vs.map((v) => `${v.id} (${v.impact}, ${v.nodes}: ${v.targets.join(' ; ')})`).join(', ') || 'none';
      report.push(`${theme}: views ${list(views)}; VS Code's chrome ${list(chrome)}`);
      const bad = views.filter((v) => v.impact === 'critical' || v.impact === 'serious');
      assert.deepEqual(bad, [], `axe-core over the views in ${theme}`);
    }
    console.log(`axe-core over the sidebar:\n  ${report.join('\n  ')}`);
  }));
