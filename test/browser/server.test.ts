// Chromium against the Wireplay server: the demo index page, a static page
// with its script and image from the root folder, fetch() to /echo from the
// page, a WebSocket to /ws/echo, and a streamed chunked response.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createWireplayServer, type WireplayServer } from '../../server-core/index.js';
import { until } from './support/wait.js';

let server: WireplayServer;
let url: string;
let browser: Browser;
let page: Page;
let root: string;

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'wireplay-browser-'));
  writeFileSync(
    join(root, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><title>Wireplay static</title></head>
<body><img id="img" src="pixel.png"><p id="out">…</p><script src="app.js"></script></body></html>`,
  );
  writeFileSync(join(root, 'app.js'), `document.getElementById('out').textContent = 'script ran';\n`);
  writeFileSync(join(root, 'pixel.png'), PNG);
  server = createWireplayServer({ root });
  ({ url } = await server.listen());
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

test('Chromium loads the demo index page', async () => {
  const res = await page.goto(`${url}/`);
  assert.equal(res?.status(), 200);
  const text = await page.textContent('body');
  assert.match(text ?? '', /\/echo/);
  assert.match(text ?? '', /\/delay\/:ms/);
});

test('Chromium loads a static page with its script and image from the root', async () => {
  const res = await page.goto(`${url}/files/index.html`);
  assert.equal(res?.status(), 200);
  assert.equal(await page.title(), 'Wireplay static');
  await until(page, 'the page script to run', () => document.getElementById('out')?.textContent === 'script ran');
  const width = await page.evaluate(async () => {
    const img = document.getElementById('img') as HTMLImageElement;
    if (!img.complete) await new Promise((r) => img.addEventListener('load', r));
    return img.naturalWidth;
  });
  assert.equal(width, 1);
});

test('fetch() from the page to /echo, a streamed response, and a WebSocket to /ws/echo', async () => {
  await page.goto(`${url}/files/index.html`);
  const result = await page.evaluate(async () => {
    const echo = await fetch('/echo?from=page', { method: 'POST', body: 'browser body' }).then((r) => r.json());
    const stream = await fetch('/stream/3').then((r) => r.text());
    const ws = await new Promise<string>((resolve, reject) => {
      const sock = new WebSocket(`ws://${location.host}/ws/echo`);
      sock.onopen = () => sock.send('ping from chromium');
      sock.onmessage = (e) => {
        resolve(String(e.data));
        sock.close();
      };
      sock.onerror = () => reject(new Error('websocket failed'));
    });
    return { method: echo.method, target: echo.target, lines: stream.trim().split('\n').length, ws };
  });
  assert.deepEqual(result, { method: 'POST', target: '/echo?from=page', lines: 3, ws: 'ping from chromium' });
});
