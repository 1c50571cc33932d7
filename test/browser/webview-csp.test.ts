// The built webview bundles under the exact Content Security Policy the
// extension gives them (extension/views/webview-csp.ts): the sidebar without
// inline styles, the panel with them. Each page is served from 127.0.0.1 with
// the policy in its meta tag; every CSP violation the page reports is
// collected, and the UI must draw (virtual rows placed one under the other, the
// panel's views) with none. lit needs no eval and sets its markup through
// <template>, so no script or style rule is relaxed for it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { webviewCsp } from '../../extension/views/webview-csp.js';
import type { ConnectionRow, ToSidebar } from '../../server-core/protocol/sidebar.js';

const root = join(import.meta.dirname, '../..');
const dist = join(root, 'dist/webview');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };

let server: Server;
let origin: string;
let browser: Browser;

/** The page VS Code would show: the policy, the stylesheets, a stub of the webview API (sidebar), the bundle. */
function page(kind: 'sidebar' | 'panel'): string {
  const nonce = randomBytes(18).toString('base64');
  const csp = webviewCsp({ source: origin, nonce, allowInlineStyles: kind === 'panel' });
  const styles = ['codicons/codicon.css', ...(kind === 'panel' ? ['panel.css'] : [])].map((href) => `<link rel="stylesheet" href="/${href}">`).join('\n');
  const stub =
    kind === 'sidebar'
      ? `<script nonce="${nonce}">window.__sent = []; window.acquireVsCodeApi = function () { return { postMessage: function (m) { window.__sent.push(m); }, getState: function () {}, setState: function () {} }; };</script>`
      : '';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">${styles}<title>csp</title></head>
<body><div id="${kind === 'panel' ? 'app' : 'root'}"></div>${stub}<script nonce="${nonce}" src="/${kind}.js"></script></body></html>`;
}

before(async () => {
  if (!existsSync(join(dist, 'panel.js')) || !existsSync(join(dist, 'sidebar.js'))) {
    assert.equal(spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' }).status, 0, 'build failed');
  }
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/sidebar.html' || path === '/panel.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(page(path === '/panel.html' ? 'panel' : 'sidebar'));
    }
    const file = normalize(join(dist, path));
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** A page that records every CSP violation and page error from its first script on. */
async function open(path: string): Promise<{ page: Page; problems: () => Promise<string[]> }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.addInitScript(`
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', function (e) {
      window.__violations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' (' + (e.sample || '') + ')');
    });
  `);
  await page.goto(`${origin}${path}`);
  return { page, problems: async () => [...errors, ...(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations))] };
}

test('the sidebar draws its server and 5000 virtual rows, placed one under the other, with no violation', async () => {
  const { page, problems } = await open('/sidebar.html');
  try {
    const post = (m: ToSidebar) => page.evaluate((msg) => window.postMessage(msg, '*'), m);
    await post({ type: 'server', server: { state: 'running', url: 'http://127.0.0.1:8123', host: '127.0.0.1', port: 8123, mode: 'concurrent', notices: [] } });
    const rows: ConnectionRow[] = Array.from({ length: 5000 }, (_, i) => ({ id: `c${i}`, protocol: 'http', peer: `127.0.0.1:${10000 + i}`, openedAt: 0, bytesIn: i, bytesOut: i }));
    await post({ type: 'connections', rows, open: 5000, total: 5000 });
    await page.locator('[data-testid="connection-row"]').nth(3).waitFor({ timeout: 10_000 });
    const tops = await page.$$eval('[data-testid="connection-row"]', (els) => els.slice(0, 4).map((e) => Math.round(e.getBoundingClientRect().top)));
    assert.deepEqual(tops.map((t) => t - tops[0]), [0, 22, 44, 66], 'rows 22 px apart: their placement was applied');
    assert.match(await page.locator('[data-testid="server-state"]').innerText(), /Running/);
    assert.deepEqual(await problems(), []);
  } finally {
    await page.close();
  }
});

test('the panel draws the composer and every inspector view of its fixtures, with no violation', async () => {
  const { page, problems } = await open('/panel.html');
  try {
    await page.waitForSelector('vscode-textfield.url', { timeout: 10_000 });
    await page.waitForSelector('.parsed-content .status', { timeout: 10_000 });
    await page.keyboard.press('Alt+2');
    await page.waitForSelector('.hrow .b', { timeout: 10_000 });
    await page.waitForSelector('.tnode', { timeout: 10_000 });
    await page.keyboard.press('Alt+3');
    await page.waitForSelector('g.arrow', { timeout: 10_000 });
    await page.locator('.tl-toolbar button[data-sub="queue"]').click();
    await page.waitForSelector('.queue-view .qv-badge', { timeout: 10_000 });
    assert.deepEqual(await problems(), []);
  } finally {
    await page.close();
  }
});
