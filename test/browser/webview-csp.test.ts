// The built webview bundle under the exact Content Security Policy the
// extension gives it (extension/views/webview-csp.ts). The page is served from
// 127.0.0.1 with the policy in its meta tag; every CSP violation the page
// reports is collected, and the UI must draw (the panel's views) with none.
// lit needs no eval and sets its markup through <template>, so no script or
// style rule is relaxed for it. (The sidebar is VS Code's own tree views now:
// no webview, no policy.)
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

const root = join(import.meta.dirname, '../..');
const dist = join(root, 'dist/webview');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };

let server: Server;
let origin: string;
let browser: Browser;

/** The page VS Code would show: the policy, the stylesheets, the bundle. */
function page(): string {
  const nonce = randomBytes(18).toString('base64');
  const csp = webviewCsp({ source: origin, nonce, allowInlineStyles: true });
  const styles = ['codicons/codicon.css', 'panel.css'].map((href) => `<link rel="stylesheet" href="/${href}">`).join('\n');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">${styles}<title>csp</title></head>
<body><div id="app"></div><script nonce="${nonce}" src="/panel.js"></script></body></html>`;
}

before(async () => {
  if (!existsSync(join(dist, 'panel.js'))) {
    assert.equal(spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' }).status, 0, 'build failed');
  }
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/panel.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(page());
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
