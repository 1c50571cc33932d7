// The UI walk shared by the end-to-end tests (extension from the tree, and the
// installed .vsix): palette → status bar → sidebar (VS Code tree views)
// connection and traffic → mode → playground (HTTP, the server queue, an event
// stream in the SSE tab) → stop, with a screenshot of each step.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { frameWith, runCommand, shot } from './code-server.js';
import { ACTIVITY, openSidebar, row } from './sidebar.js';

export function makeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-ws-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>static</title><p>served from the workspace</p>\n');
  // Keep an idle keep-alive connection open long enough for the UI checks on a slow machine.
  mkdirSync(join(dir, '.vscode'));
  writeFileSync(join(dir, '.vscode/settings.json'), `${JSON.stringify({ 'wireplay.limits.keepAliveTimeout': 120000 }, null, 2)}\n`);
  return dir;
}

/** One keep-alive GET from this process; resolves with the local port so the sidebar row can be found. */
function getKeepAlive(url: string): Promise<{ status: number; localPort: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { connection: 'keep-alive' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, localPort: req.socket?.localPort ?? 0, close: () => req.socket?.destroy() }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function statusBarText(page: Page, pattern: RegExp, ms = 60_000): Promise<string> {
  const item = page.locator('.statusbar-item', { hasText: pattern }).first();
  await item.waitFor({ state: 'visible', timeout: ms });
  return (await item.innerText()).trim();
}

/** Palette → status bar → sidebar connection → playground → stop; returns the port it used. */
export async function driveUi(page: Page, prefix: string): Promise<void> {
  await shot(page, `${prefix}-01-workbench`);
  // The view container appears once the extension host has registered the extension.
  await page.locator(ACTIVITY).first().waitFor({ timeout: 90_000 });
  await runCommand(page, 'Wireplay: Start Server');
  const text = await statusBarText(page, /Wireplay :\d+/);
  const port = Number(/:(\d+)/.exec(text)?.[1]);
  assert.ok(port > 0, `status bar shows the port: ${text}`);
  await shot(page, `${prefix}-02-started`);

  // The sidebar lists a connection made by a request.
  await openSidebar(page);
  await row(page, 'Server', `Running http://127.0.0.1:${port}`).waitFor({ timeout: 30_000 });
  const conn = await getKeepAlive(`http://127.0.0.1:${port}/echo`);
  try {
    assert.equal(conn.status, 200);
    await row(page, 'Connections', `:${conn.localPort} HTTP`).waitFor({ timeout: 30_000 });
    await row(page, 'Recent Traffic', 'GET /echo').waitFor({ timeout: 30_000 });
    await statusBarText(page, /Wireplay :\d+\D+1\b/, 30_000);
    await shot(page, `${prefix}-03-sidebar-connection`);
  } finally {
    conn.close();
  }

  await runCommand(page, 'Wireplay: Switch Mode');
  await row(page, 'Server', 'Mode: sequential').waitFor({ timeout: 30_000 });
  await statusBarText(page, /Wireplay :\d+\s*sequential/, 30_000);
  await shot(page, `${prefix}-04-sequential`);

  // A click on a traffic row opens it in the playground; its composer sends a request and shows the response.
  await row(page, 'Recent Traffic', 'GET /echo').click();
  const playground = await frameWith(page, 'vscode-textfield.url');
  await shot(page, `${prefix}-05-playground`);
  await playground.locator('vscode-textfield.url input').fill(`http://127.0.0.1:${port}/echo?from=vscode`);
  await playground.locator('vscode-button.send').click();
  await playground.locator('.status[data-status="200"]').waitFor({ timeout: 30_000 });
  assert.match(await playground.locator('pre.body.json').innerText(), /from/);
  await row(page, 'Recent Traffic', 'GET /echo?from=vscode').waitFor({ timeout: 30_000 });
  await shot(page, `${prefix}-06-playground-response`);

  // The Timeline's server queue view knows the extension's server: its mode, and the request it just served.
  await playground.locator('vscode-tab-header', { hasText: 'Timeline' }).click();
  await playground.locator('.tl-toolbar button[data-sub="queue"]').click();
  await playground.locator('.qv-badge.mode-sequential').waitFor({ timeout: 30_000 });
  await playground.locator('g.qjob[data-target="/echo?from=vscode"]').first().waitFor({ timeout: 30_000 });
  await shot(page, `${prefix}-06b-server-queue`);

  // The composer's SSE tab: connect to the built-in ticker and see its events arrive, then disconnect
  // (in sequential mode an open stream holds the one handler slot).
  await playground.locator('.mode[data-mode="sse"]').click();
  await playground.locator('vscode-textfield.sseurl input').fill(`http://127.0.0.1:${port}/sse/ticker?interval=50`);
  await playground.locator('vscode-button.sseconnect').click();
  await playground.locator('.sse-list .sse-id', { hasText: '#3' }).waitFor({ timeout: 30_000 });
  await shot(page, `${prefix}-06c-sse`);
  await playground.locator('vscode-button.ssedisconnect').click();
  await playground.locator('.sse-state', { hasText: /^Closed/ }).waitFor({ timeout: 30_000 });
  await playground.locator('.mode[data-mode="http"]').click();

  // The log has a line per request.
  await runCommand(page, 'Wireplay: Show Log');
  await page.locator('.part.panel .view-lines', { hasText: '/echo?from=vscode' }).first().waitFor({ timeout: 30_000 });
  await shot(page, `${prefix}-07-log`);

  await runCommand(page, 'Wireplay: Stop Server');
  await statusBarText(page, /Wireplay off/);
  await row(page, 'Server', 'Stopped').waitFor({ timeout: 30_000 });
  await shot(page, `${prefix}-08-stopped`);
  await runCommand(page, 'Wireplay: Switch Mode');
}

