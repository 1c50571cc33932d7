// The playground in Chromium, against the standalone page of `wireplay ui`:
// the token guard, composing and sending HTTP, WebSocket and raw TCP, the
// Bytes view's field ↔ byte highlighting, and the timeline's arrow order.
// Screenshots (light and dark) go to test-artifacts/playground/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifacts, selectRow, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';

let url: string;
let page: Page;
useStandaloneUi(async (session) => {
  url = session.url;
  page = await session.newPage();
});

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.on('data', (d) => {
      out += d.toString('latin1');
      // The status line and headers are all these checks need.
      if (out.includes('\r\n\r\n')) {
        s.destroy();
        resolve(out);
      }
    });
    s.on('end', () => resolve(out));
    s.on('close', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error(`no answer in 5 s to ${JSON.stringify(text.split('\r\n')[0])}`)));
  });
}

test('prints one line with the URL; the token is required for the page, its files and the WebSocket', async () => {
  const u = new URL(url);
  const port = Number(u.port);
  const token = u.pathname.split('/')[1];
  assert.ok(token.length >= 32, 'a long random token');
  // The token with its last character changed (to one it is not).
  const wrong = token.slice(0, -1) + (token.endsWith('x') ? 'y' : 'x');
  const ok = await fetch(url);
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'nonce-/);
  for (const path of ['/', '/panel.js', `/${wrong}/`, `/${wrong}/panel.js`, '/?token=', `/x/${token}/`]) {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    assert.equal(r.status, 403, path);
    assert.doesNotMatch(await r.text(), /panel\.js|<html/i, `no UI at ${path}`);
  }
  const upgrade = (path: string, origin: string) =>
    rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  assert.match(await upgrade('/ws', `http://127.0.0.1:${port}`), /^HTTP\/1\.1 403 /);
  assert.match(await upgrade(`/${wrong}/ws`, `http://127.0.0.1:${port}`), /^HTTP\/1\.1 403 /);
  assert.match(await upgrade(`/${token}/ws`, 'http://evil.example'), /^HTTP\/1\.1 403 /);
  assert.match(await upgrade(`/${token}/ws`, `http://127.0.0.1:${port}`), /^HTTP\/1\.1 101 /);
  // Another Host (DNS rebinding) gets nothing either.
  assert.match(await rawRequest(port, `GET /${token}/ HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 403 /);
});

test('compose and send HTTP: the response is parsed, the bytes previewed, the request in history', async () => {
  await page.goto(`${url}?theme=dark`);
  await page.waitForSelector('.server code');
  const demo = await page.locator('.server code').innerText();
  await page.locator('vscode-textfield.url input').fill(`${demo}/echo?x=1`);
  await page.locator('input[name="bodykind"][value="json"]').check();
  await page.locator('vscode-textarea.btext textarea').fill('{"hello":"wire"}');
  await until(page, 'Content-Length: 16 in the preview', () => /Content-Length: 16/.test(document.querySelector('.preview')?.textContent ?? ''));
  const preview = await page.locator('.preview').innerText();
  assert.match(preview, /^GET \/echo\?x=1 HTTP\/1\.1\\r\\n/);
  assert.match(preview, /Content-Type: application\/json\\r\\n/);
  await page.locator('vscode-button.send').click();
  await page.waitForSelector('.status[data-status="200"]');
  assert.match(await page.locator('pre.body.json').innerText(), /hello.*wire/);
  assert.match(await page.locator('.timing').innerText(), /Total/);
  await page.waitForSelector('.history .hist');
  assert.match(await page.locator('.history .hist').first().innerText(), /GET\s+\S*\/echo\?x=1\s+200/);
  await page.screenshot({ path: join(artifacts, 'http-parsed-dark.png') });
});

test('Bytes: hovering a byte highlights its field; clicking a field selects exactly its bytes', async () => {
  await page.keyboard.press('Alt+2');
  // Bytes are drawn as runs (a span per stretch of equally highlighted bytes, data-o its first offset,
  // data-n its length); the byte under the pointer is found from the run's geometry.
  await page.waitForSelector('.hrow.c2s .b[data-o="0"]');
  await page.locator('.hrow.c2s .b[data-o="0"]').hover({ position: { x: 2, y: 5 } });
  await page.waitForSelector('.hrow .b.hv');
  const hovered = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.hrow.c2s .b.hv')].map((e) => [Number(e.dataset.o), Number(e.dataset.n)]));
  assert.equal(hovered[0]?.[0], 0, 'the field of the first byte is highlighted from byte 0');
  const hoveredBytes = hovered.reduce((n, [, len]) => n + len, 0);
  assert.ok(hoveredBytes >= 1 && hoveredBytes <= 16, `the first field of the request is highlighted (${hoveredBytes} bytes)`);
  // Click the byte: its field is selected and revealed in the tree.
  await page.locator('.hrow.c2s .b[data-o="0"]').click({ position: { x: 2, y: 5 } });
  await page.waitForSelector('.tnode.sel');
  const sel = await page.evaluate(() => {
    const node = document.querySelector<HTMLElement>('.tnode.sel')!;
    return { key: node.dataset.key!, text: node.innerText };
  });
  assert.match(sel.key, /^\d+\/\d/);
  assert.match(sel.text, /^Method\b/, `the first byte belongs to the Method field (selected: ${sel.text})`);
  // Click a field in the tree (the request message's second field, for instance): exactly its bytes are selected.
  await page.locator('.tnode.msg').first().click();
  const msgBytes = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.hrow .b.sel')].reduce((n, e) => n + Number(e.dataset.n), 0));
  const expected = await page.evaluate(() => {
    const w = (window as unknown as { wireplay: { app: { store: { connections: Map<string, { messages: { range: { start: number; end: number } }[] }> }; bytes: unknown } } }).wireplay;
    const node = document.querySelector<HTMLElement>('.tnode.sel')!;
    const id = Number(node.dataset.key!.split('/')[0]);
    for (const c of w.app.store.connections.values()) {
      const m = (c.messages as { id: number; range: { start: number; end: number } }[]).find((x) => x.id === id);
      if (m && document.querySelector('.tnode.sel')) return m.range.end - m.range.start;
    }
    return -1;
  });
  // The hex view is virtualised: only the visible part of a large selection is drawn.
  assert.ok(msgBytes > 0 && msgBytes <= expected, `${msgBytes} of ${expected} bytes selected`);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await until(page, 'a field selected in the tree', () => /\d+\/\d/.test(document.querySelector<HTMLElement>('.tnode.sel')?.dataset.key ?? ''));
  const fieldSel = await page.evaluate(() => {
    const w = (window as unknown as { wireplay: { app: { bytes: { selectedSpan?: unknown } } } }).wireplay;
    void w;
    const runs = [...document.querySelectorAll<HTMLElement>('.hrow .b.sel')].map((e) => [Number(e.dataset.o), Number(e.dataset.n)]);
    return { n: runs.length, contiguous: runs.every(([o], i) => i === 0 || o === runs[i - 1][0] + runs[i - 1][1]) };
  });
  assert.ok(fieldSel.n > 0 && fieldSel.contiguous, 'the field selected with the keyboard has its bytes highlighted, contiguous');
  await page.screenshot({ path: join(artifacts, 'http-bytes-dark.png') });
});

test('Timeline: the request arrow goes right, then the response comes back left', async () => {
  await page.keyboard.press('Alt+3');
  await page.waitForSelector('g.arrow');
  const arrows = await page.$$eval('g.arrow', (gs) => gs.map((g) => ({ row: Number((g as SVGGElement).dataset.row), cls: g.getAttribute('class')!, label: g.getAttribute('aria-label')! })));
  assert.ok(arrows.length >= 2);
  assert.match(arrows[0].cls, /c2s/);
  assert.match(arrows[0].label, /client to server: GET \/echo/);
  assert.match(arrows[1].cls, /s2c/);
  assert.match(arrows[1].label, /server to client: .*200/);
  assert.deepEqual(arrows.map((a) => a.row), [...arrows.map((a) => a.row)].sort((a, b) => a - b));
  await page.screenshot({ path: join(artifacts, 'http-timeline-dark.png') });
});

test('WebSocket: connect, send a message, see the echo pushed back, frames on the timeline', async () => {
  await page.keyboard.press('Alt+1');
  await page.locator('.mode[data-mode="ws"]').click();
  await page.locator('vscode-button.connect').click();
  await page.waitForSelector('.ws-state.state-open');
  await page.locator('vscode-textarea.wstext textarea').fill('hello over ws');
  await page.locator('vscode-button.wssend').click();
  await until(page, 'the echo of "hello over ws" in the log', () => [...document.querySelectorAll('.wsrow.s2c')].some((r) => r.textContent!.includes('hello over ws')));
  // A fragmented message from the frame composer.
  await page.locator('details.adv summary').click();
  await page.locator('vscode-textfield.fragments input').fill('3');
  await page.locator('vscode-textarea.advpayload textarea').fill('in three pieces');
  await page.locator('vscode-button.advsend').click();
  await until(page, 'the echo of the fragmented message in the log', () => [...document.querySelectorAll('.wsrow.s2c')].some((r) => r.textContent!.includes('in three pieces')));
  await page.screenshot({ path: join(artifacts, 'ws-parsed-dark.png') });
  await page.keyboard.press('Alt+3');
  await until(page, 'five WebSocket arrows on the timeline', () => document.querySelectorAll('g.arrow.ws').length >= 5);
  const order = await page.$$eval('g.arrow', (gs) => gs.map((g) => g.getAttribute('aria-label')!));
  assert.match(order[0], /client to server: GET .*ws\/echo/);
  assert.match(order[1], /server to client: .*101/);
  const firstText = order.findIndex((l) => /client to server/.test(l) && l.includes('hello over ws'));
  const echo = order.findIndex((l, i) => i > firstText && /server to client/.test(l) && l.includes('hello over ws'));
  assert.ok(firstText > 1 && echo > firstText, `echo after the message (${firstText}, ${echo}) in ${order.join(' | ')}`);
  await page.screenshot({ path: join(artifacts, 'ws-timeline-dark.png') });
});

test('Raw TCP: exact bytes out, the answer shown as text with escapes', async () => {
  await page.keyboard.press('Alt+1');
  await page.locator('.mode[data-mode="raw"]').click();
  const port = new URL(await page.locator('.server code').innerText()).port;
  await page.locator('vscode-textfield.rport input').fill(port);
  await page.locator('vscode-textarea.rtext textarea').fill('GET /status/418 HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n');
  await page.locator('vscode-button.rsend').click();
  await until(page, 'the 418 answer shown as text', () => /HTTP\/1\.1 418/.test(document.querySelector('pre.body.escaped.s2c')?.textContent ?? ''));
  assert.match(await page.locator('pre.body.escaped.c2s').innerText(), /^GET \/status\/418 HTTP\/1\.1\\r\\n/);
  await page.screenshot({ path: join(artifacts, 'raw-parsed-dark.png') });
});

test('light and dark themes; fixtures with a chunked response, masked frames and an error byte', async () => {
  for (const theme of ['light', 'dark']) {
    await page.goto(`${url}?fixtures&theme=${theme}`);
    await selectRow(page, 'fx-http-1');
    await page.keyboard.press('Alt+1');
    await page.waitForSelector('.parsed-content details');
    await page.screenshot({ path: join(artifacts, `fixture-parsed-${theme}.png`) });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, theme === 'light' ? 'rgb(255, 255, 255)' : 'rgb(31, 31, 31)');
    await page.keyboard.press('Alt+2');
    await page.waitForSelector('.hrow');
    await page.screenshot({ path: join(artifacts, `fixture-bytes-${theme}.png`) });
    await selectRow(page, 'fx-ws-1');
    await page.keyboard.press('Alt+3');
    await page.waitForSelector('g.arrow');
    await page.screenshot({ path: join(artifacts, `fixture-timeline-ws-${theme}.png`) });
    await selectRow(page, 'fx-raw-1');
    await page.keyboard.press('Alt+2');
    await page.waitForSelector('.hrow .b.err');
    assert.equal(await page.locator('.hrow .b.err').getAttribute('data-o'), '20');
  }
});
