// axe-core (WCAG 2.0–2.2 A and AA, and best practices) on every view of the
// playground, in the four theme kinds, in the standalone page (`wireplay ui`,
// its own stand-in colours) and as a VS Code webview (VS Code's own theme
// variables, recorded from code-server): the composer's HTTP, WebSocket and
// Raw TCP tabs, Parsed (a response and a failure), Bytes, Timeline, Server
// queue, the network list, and the keyboard help. No critical or serious
// violation may remain; the rest are written to
// test-artifacts/playground/axe-results.json (docs/playground.md says why each
// is left). Also: the live region's rate limit, reduced motion, and names for
// the hex view, the tree and the timeline.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, installAxe, isBlocking, runAxe, type AxeFinding } from './support/axe.js';
import { artifacts, openPlayground, sendHttp, useStandaloneUi } from './support/standalone.js';
import { startVsCodeHost, THEME_KINDS, type ThemeKind, type VsCodeHost } from './support/vscode-host.js';
import { until } from './support/wait.js';

const session = useStandaloneUi();
let vscode: VsCodeHost;
before(async () => {
  vscode = await startVsCodeHost();
});
after(() => vscode?.close());

const results: { host: string; theme: string; view: string; findings: AxeFinding[] }[] = [];
after(() => writeFileSync(join(artifacts, 'axe-results.json'), `${JSON.stringify(results, null, 1)}\n`));

/** Drives the page through every view, running axe at each; returns the blocking findings. */
async function walk(page: Page, host: string, theme: ThemeKind, demo: string): Promise<string[]> {
  const blocking: string[] = [];
  const scan = async (view: string) => {
    const findings = await runAxe(page);
    results.push({ host, theme, view, findings });
    const bad = findings.filter(isBlocking);
    if (bad.length) blocking.push(`${host} ${theme} ${view}:\n${describe(bad)}`);
  };
  // HTTP: a response, and a failure, in Parsed; the network list holds both. (A new page opens on the view the
  // previous one showed, which the host keeps: Parsed first.)
  await page.keyboard.press('Alt+1');
  await sendHttp(page, 'GET', `${demo}/echo?a11y=1`);
  await page.waitForSelector('.parsed-content .status[data-status="200"]');
  await scan('HTTP composer, Parsed response, network list');
  await sendHttp(page, 'GET', 'http://127.0.0.1:1/');
  await page.waitForSelector('.parsed-content .failure');
  await scan('Parsed failure');
  // WebSocket: a session, its bytes with the cursor in the hex view.
  await page.locator('.mode[data-mode="ws"]').click();
  // A session opened by an earlier page of the same host is bound again (the host re-announces it): use it.
  if (!(await page.locator('.ws-state.state-open').count())) await page.locator('vscode-button.connect').click();
  await page.waitForSelector('.ws-state.state-open');
  await page.locator('vscode-button.wssend').click();
  await page.locator('.net-list .nrow.ws').last().click();
  await page.keyboard.press('Alt+2');
  await page.waitForSelector('.hrow');
  await page.locator('.hex-pane .vscroll').focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForSelector('.hrow .b.cur');
  await page.locator('.tnode').first().click();
  await scan('WebSocket composer, Bytes');
  // Raw TCP, and the Timeline of its connection.
  await page.locator('.mode[data-mode="raw"]').click();
  await page.locator('vscode-textfield.rport input').fill(new URL(demo).port);
  await page.locator('vscode-button.rsend').click();
  await page.keyboard.press('Alt+3');
  await page.waitForSelector('g.arrow');
  await scan('Raw TCP composer, Timeline');
  await page.locator('.tl-toolbar button[data-sub="queue"]').click();
  await page.waitForSelector('.queue-view .qv-badge');
  await scan('Server queue');
  await page.locator('.tl-toolbar button[data-sub="connection"]').click();
  await page.locator('vscode-button.help').click();
  await page.waitForSelector('dialog.kbd-help[open]');
  await scan('Keyboard help');
  await page.keyboard.press('Escape');
  return blocking;
}

test('no critical or serious axe violation on any view, in any theme, in the standalone page', async () => {
  const blocking: string[] = [];
  for (const theme of THEME_KINDS) {
    const page = await session.newPage({ width: 1280, height: 800 });
    try {
      await installAxe(page);
      const demo = await openPlayground(page, session.url, `?theme=${theme}`);
      blocking.push(...(await walk(page, 'standalone', theme, demo)));
    } finally {
      await page.close();
    }
  }
  assert.equal(blocking.length, 0, blocking.join('\n\n'));
  assert.deepEqual(session.pageErrors, []);
});

test('no critical or serious axe violation on any view, in any theme, under VS Code’s webview theme variables', async () => {
  const blocking: string[] = [];
  for (const theme of THEME_KINDS) {
    const page = await session.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await installAxe(page);
      await vscode.open(page, theme);
      blocking.push(...(await walk(page, 'vscode', theme, vscode.demo.url!)));
      assert.deepEqual(errors, [], `${theme}: page errors`);
    } finally {
      await page.close();
    }
  }
  assert.equal(blocking.length, 0, blocking.join('\n\n'));
});

test('screen readers: a polite live region, rate-limited while a WebSocket floods it; names for the hex view, the tree and the timeline', async () => {
  const page = await session.newPage({ width: 1280, height: 800 });
  try {
    const demo = await openPlayground(page, session.url);
    const region = page.locator('.announcer');
    assert.deepEqual([await region.getAttribute('role'), await region.getAttribute('aria-live')], ['status', 'polite']);
    await sendHttp(page, 'GET', `${demo}/echo?said=1`);
    await until(page, 'the finished response said', () => /^Response 200 OK, .* in /.test(document.querySelector('.announcer')?.textContent ?? ''));
    // A burst of 100 messages: counted into at most a couple of announcements, not read one by one.
    await page.evaluate(() => {
      const w = window as unknown as { __said: string[] };
      w.__said = [];
      new MutationObserver(() => w.__said.push(document.querySelector('.announcer')!.textContent ?? '')).observe(document.querySelector('.announcer')!, { childList: true, characterData: true, subtree: true });
    });
    await page.locator('.mode[data-mode="ws"]').click();
    if (!(await page.locator('.ws-state.state-open').count())) await page.locator('vscode-button.connect').click();
    await page.waitForSelector('.ws-state.state-open');
    await page.evaluate(() => {
      const app = (window as unknown as { wireplay: { app: { onMessage(m: unknown): void } } }).wireplay.app;
      for (let i = 0; i < 100; i++) app.onMessage({ type: 'ws.message', sessionId: 'none', dir: 's2c', opcode: 1, data: btoa(`tick ${i}`), t: i });
    });
    await until(page, 'the burst said as a count', () => (window as unknown as { __said: string[] }).__said.some((s) => /^100 new WebSocket messages; the last: received "tick 99"/.test(s)));
    const said = await page.evaluate(() => (window as unknown as { __said: string[] }).__said);
    assert.ok(said.length <= 3, `at most a few announcements for 100 messages: ${JSON.stringify(said)}`);
    // The hex view is a grid of rows (each with a row header saying direction and offset), the tree a tree, the timeline a list.
    await page.keyboard.press('Alt+2');
    await page.waitForSelector('.hrow');
    const roles = await page.evaluate(() => ({
      grid: document.querySelector('.hex-pane .vscroll')?.getAttribute('role'),
      rowheader: document.querySelector('.hrow [role="rowheader"]')?.getAttribute('aria-label'),
      cells: document.querySelectorAll('.hrow:not([hidden]) [role="gridcell"]').length > 0,
      tree: document.querySelector('.tree-pane .vscroll')?.getAttribute('role'),
      items: [...document.querySelectorAll('.tnode[role="treeitem"]')].map((e) => e.getAttribute('aria-level')),
    }));
    assert.equal(roles.grid, 'grid');
    assert.match(roles.rowheader ?? '', /^→ client to server, offset 00000000, arrived at \+/);
    assert.ok(roles.cells);
    assert.equal(roles.tree, 'tree');
    assert.ok(roles.items.length > 0 && roles.items.every((l) => l === '1'), 'messages are level-1 tree items');
    await page.keyboard.press('Alt+3');
    await page.waitForSelector('g.arrow');
    const arrows = await page.locator('g.arrow[role="listitem"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    assert.ok(arrows.length >= 2);
    for (const a of arrows) assert.match(a ?? '', /^(→ client to server|← server to client): .+, \d+(\.\d)? (B|KiB), at \+/);
  } finally {
    await page.close();
  }
});

test('reduced motion: nothing animates; colour is never the only sign of a status or a direction', async () => {
  const page = await session.newPage({ width: 1280, height: 800 });
  try {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const demo = await openPlayground(page, session.url);
    await page.keyboard.press('Alt+1');
    await sendHttp(page, 'GET', `${demo}/status/404`);
    await page.waitForSelector('.parsed-content .status[data-status="404"]');
    const motion = await page.evaluate(() => {
      const probe = document.createElement('span');
      probe.className = 'codicon codicon-loading codicon-modifier-spin';
      document.body.append(probe);
      const name = getComputedStyle(probe).animationName;
      probe.remove();
      return { spin: name, knob: getComputedStyle(document.querySelector('.mode-switch .knob')!).transitionDuration };
    });
    assert.equal(motion.spin, 'none', 'spinners stand still');
    assert.equal(motion.knob, '0s', 'the mode switch does not slide');
    // The status in words beside its colour, the failure marked with a word, directions with an arrow and a word.
    assert.match(await page.locator('.net-list .nrow.sel .c-status').innerText(), /404 Not Found/);
    assert.match(await page.locator('.parsed-content .status').innerText(), /404\s+Not Found/);
    await page.keyboard.press('Alt+2');
    await page.waitForSelector('.bytes-legend');
    assert.match(await page.locator('.bytes-legend').innerText(), /→ client to server\s+← server to client/);
  } finally {
    await page.close();
  }
});
