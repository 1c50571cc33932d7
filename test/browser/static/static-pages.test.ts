// Chromium against the built-in routes and static files, through the real server
// (createWireplayServer with its demo routes): the route index, a page whose CSS,
// script and image come from /files/ (a wrong MIME type would block the script
// under nosniff), revalidation with 304 on reload, directory listings, and media
// fetched with Range requests (206).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';

let dir: string;
let server: WireplayServer;
let url: string;
let browser: Browser;
let page: Page;
const log: Array<{ target: string; status: number }> = [];

/** A WAV file: 16-bit mono silence, long enough that the browser fetches it in ranges. */
function wav(seconds: number): Buffer {
  const rate = 8000;
  const data = Buffer.alloc(rate * 2 * seconds);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wireplay-browser-static-'));
  writeFileSync(
    join(dir, 'page.html'),
    `<!doctype html><html><head><meta charset="utf-8"><title>static page</title><link rel="stylesheet" href="style.css"></head>
<body><p id="styled">styled</p><img id="img" src="pixel.png"><audio id="audio" src="sound.wav" preload="auto"></audio>
<script src="app.js"></script></body></html>\n`,
  );
  writeFileSync(join(dir, 'style.css'), '#styled { color: rgb(255, 0, 0); }\n');
  writeFileSync(join(dir, 'app.js'), 'document.body.dataset.script = "ran";\n');
  writeFileSync(join(dir, 'pixel.png'), Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64'));
  writeFileSync(join(dir, 'sound.wav'), wav(30));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'note <1>.txt'), 'a note\n');
  server = createWireplayServer({ root: dir });
  server.events.on('request', (e) => log.push({ target: e.target, status: e.status }));
  url = (await server.listen()).url;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--autoplay-policy=no-user-gesture-required'],
  });
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the index page lists the routes, and its links work', async () => {
  await page.goto(url + '/');
  assert.equal(await page.title(), 'Wireplay');
  const hrefs = await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href')));
  for (const h of ['/echo', '/headers', '/status/418', '/files/']) assert.ok(hrefs.includes(h), h);
  await Promise.all([page.waitForURL(url + '/headers'), page.click('a[href="/headers"]')]);
  const body = JSON.parse(await page.innerText('body'));
  const names = (body.headers as [string, string][]).map(([n]) => n.toLowerCase());
  assert.ok(names.includes('user-agent') && names.includes('host'));
});

test('a page from /files/ loads its stylesheet, script and image with the right types', async () => {
  await page.goto(url + '/files/page.html');
  await page.waitForFunction(() => document.body.dataset.script === 'ran');
  assert.equal(await page.$eval('#styled', (e) => getComputedStyle(e).color), 'rgb(255, 0, 0)');
  await page.waitForFunction(() => (document.getElementById('img') as HTMLImageElement).complete);
  assert.equal(await page.$eval('#img', (e) => (e as HTMLImageElement).naturalWidth), 1);
});

test('a reload revalidates: the server answers 304 for unchanged files', async () => {
  log.length = 0;
  await page.reload();
  await page.waitForFunction(() => document.body.dataset.script === 'ran');
  const notModified = log.filter((e) => e.status === 304).map((e) => e.target);
  assert.ok(notModified.length >= 1, `304s: ${JSON.stringify(log)}`);
  assert.ok(notModified.every((t) => t.startsWith('/files/')));
});

test('media is fetched with Range requests and 206 answers', async () => {
  log.length = 0;
  await page.goto(url + '/files/page.html');
  await page.waitForFunction(() => (document.getElementById('audio') as HTMLAudioElement).readyState >= 1, undefined, { timeout: 20_000 });
  const duration = await page.$eval('#audio', (e) => (e as HTMLAudioElement).duration);
  assert.ok(Math.abs(duration - 30) < 0.5, `duration ${duration}`);
  assert.ok(
    log.some((e) => e.target === '/files/sound.wav' && e.status === 206),
    JSON.stringify(log),
  );
});

test('directory listings are navigable; names are shown as text, not markup', async () => {
  await page.goto(url + '/files/sub');
  assert.equal(page.url(), url + '/files/sub/', 'redirected to the slash form');
  const link = page.getByRole('link', { name: 'note <1>.txt' });
  await Promise.all([page.waitForURL(/note%20%3C1%3E\.txt$/), link.click()]);
  assert.equal((await page.innerText('body')).trim(), 'a note');
  await page.goBack();
  await Promise.all([page.waitForURL(url + '/files/'), page.click('a[href="../"]')]);
  assert.ok(await page.getByRole('link', { name: 'page.html' }).isVisible());
});
