// Typing never loses a key: a 60-character text typed key by key, 20 to 80 ms
// between keys (a human pace, the pauses are the subject here, not a wait),
// into the composer's fields, 20 times across them (HTTP, WebSocket and raw
// fields, text fields and text areas), while traffic and server events stream
// in: a WebSocket session of this page receives a chat message every 25 ms,
// another process sends HTTP requests to the server every 30 ms (new
// connections, exchanges and queue jobs for the network list), and the host
// re-announces the server's URL every 100 ms (what made the URL field drop its
// first keys before). Each field must hold exactly what was typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { openPlayground, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';

const session = useStandaloneUi();

/** The fields, as the mode they are in and their element (a textfield's or textarea's inner control). */
const FIELDS: readonly { mode: 'http' | 'ws' | 'raw'; sel: string; before?: (page: Page) => Promise<void> }[] = [
  { mode: 'http', sel: 'vscode-textfield.url input' },
  { mode: 'http', sel: '.header-table .hname', before: (p) => p.locator('vscode-button.add-header').click() },
  { mode: 'http', sel: '.header-table .hvalue' },
  { mode: 'http', sel: 'vscode-textarea.btext textarea', before: (p) => p.locator('input[name="bodykind"][value="text"]').check() },
  { mode: 'ws', sel: 'vscode-textfield.wsurl input' },
  { mode: 'ws', sel: 'vscode-textfield.protocols input' },
  { mode: 'ws', sel: 'vscode-textarea.wsheaders textarea' },
  { mode: 'ws', sel: 'vscode-textarea.wstext textarea' },
  { mode: 'ws', sel: 'vscode-textfield.closereason input' },
  { mode: 'raw', sel: 'vscode-textfield.rhost input' },
  { mode: 'raw', sel: 'vscode-textarea.rtext textarea' },
];
const RUNS = 20;

/** A repeatable pseudo-random sequence (the pauses and the texts are the same on every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function text60(run: number): string {
  // Starts like a URL (the first keys were the ones lost), with every kind of character after.
  const base = `http://127.0.0.1:8123/echo?run=${run}&via=keyboard#`;
  return (base + 'abcdefghijklmnopqrstuvwxyz-0123456789_ABC').slice(0, 60);
}

function get(url: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', () => resolve());
    req.end();
  });
}

test('20 times 60 characters, key by key, into the composer’s fields while traffic and server events stream in: nothing lost', async (t) => {
  const page = await session.newPage({ width: 1280, height: 800 });
  t.after(() => page.close());
  const demo = await openPlayground(page, session.url);
  const wsBase = demo.replace(/^http/, 'ws');

  // This page's WebSocket session on the chat route, shown in the inspector: every chat message redraws its log.
  await page.locator('.mode[data-mode="ws"]').click();
  const wsUrl = page.locator('vscode-textfield.wsurl input');
  await wsUrl.fill(`${wsBase}/ws/chat`);
  if (await page.locator('.ws-state.state-open').count()) await page.locator('vscode-button.disconnect').click();
  await page.locator('vscode-button.connect').click();
  await page.waitForSelector('.ws-state.state-open');

  // Another client on the chat route (its messages reach the page's session), and HTTP traffic from this process.
  const chat = new WebSocket(`${wsBase}/ws/chat`);
  await new Promise((resolve, reject) => chat.once('open', resolve).once('error', reject));
  let streaming = true;
  let chats = 0;
  const chatTimer = setInterval(() => chat.send(`chat ${++chats}`), 25);
  const http = (async () => {
    while (streaming) await Promise.all([get(`${demo}/echo?bg=1`), new Promise((r) => setTimeout(r, 30))]);
  })();
  await page.evaluate((url) => {
    const app = (window as unknown as { wireplay: { app: { onMessage(m: unknown): void } } }).wireplay.app;
    (window as unknown as { __serverTimer: number }).__serverTimer = window.setInterval(() => app.onMessage({ type: 'server', url }), 100);
  }, demo);
  t.after(async () => {
    streaming = false;
    clearInterval(chatTimer);
    chat.close();
    await http;
  });

  // Type in a second request tab, so the first keeps its session.
  await page.locator('vscode-button.new-tab').click();
  await until(page, 'the new tab', () => document.querySelectorAll('.rtab').length >= 2);
  const random = rng(15);
  const results: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    const f = FIELDS[run % FIELDS.length];
    await page.locator(`.mode[data-mode="${f.mode}"]`).click();
    if (f.before && !(await page.locator(f.sel).count())) await f.before(page);
    const field = page.locator(f.sel).last();
    await field.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    const text = text60(run);
    for (const ch of text) {
      await page.keyboard.type(ch);
      // A human pace: 20 to 80 ms between keys (the pause is what is tested, not something waited for).
      await page.waitForTimeout(20 + Math.floor(random() * 61));
    }
    const value = await field.inputValue();
    if (value !== text) results.push(`run ${run}, ${f.sel}: typed ${JSON.stringify(text)}, holds ${JSON.stringify(value)}`);
  }
  await page.evaluate(() => clearInterval((window as unknown as { __serverTimer: number }).__serverTimer));
  assert.deepEqual(results, []);
  // The traffic did stream meanwhile: chat messages reached the page, requests reached the network list.
  const seen = await page.evaluate(() => {
    const app = (window as unknown as { wireplay: { app: { store: { connections: Map<string, { ws: unknown[] }> }; network: { total: number } } } }).wireplay.app;
    return { ws: Math.max(...[...app.store.connections.values()].map((c) => c.ws.length)), rows: app.network.total };
  });
  assert.ok(seen.ws > 100, `chat messages streamed in (${seen.ws})`);
  assert.ok(seen.rows > 100, `requests streamed into the network list (${seen.rows} rows)`);
  assert.deepEqual(session.pageErrors, []);
});

// VS Code's webview frame forwards keys to the workbench from a window listener, and the workbench answers Ctrl+A with
// a select-all message a moment later: a key typed in between was selected by it and replaced by the next one ("ttp://"
// in the URL field, test/vscode/playground-walk.test.ts). The page stands in for that forwarder here, answering 40 ms late.
test('Ctrl+A then typing at once in a text field: the field holds what was typed; Ctrl+A elsewhere still reaches VS Code', async (t) => {
  const page = await session.newPage({ width: 1280, height: 800 });
  t.after(() => page.close());
  await openPlayground(page, session.url);
  await page.evaluate(() => {
    const w = window as unknown as { __forwarded: string[] };
    w.__forwarded = [];
    window.addEventListener('keydown', (e) => {
      if (!(e.ctrlKey && e.key === 'a')) return;
      w.__forwarded.push((e.composedPath()[0] as Element).tagName.toLowerCase());
      setTimeout(() => document.execCommand('selectAll'), 40);
    });
  });
  await page.locator('.mode[data-mode="http"]').click();
  const url = page.locator('vscode-textfield.url input').last();
  await url.click();
  await page.keyboard.press('Control+a');
  const typed = 'http://127.0.0.1:9/typed-at-once';
  await page.keyboard.type(typed);
  assert.equal(await url.inputValue(), typed);
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __forwarded: string[] }).__forwarded), [], 'Ctrl+A in the field is not forwarded');

  await page.locator('.net-host').click();
  await page.keyboard.press('Control+a');
  assert.equal((await page.evaluate(() => (window as unknown as { __forwarded: string[] }).__forwarded)).length, 1, 'Ctrl+A outside a text field is forwarded');
  assert.equal(await url.inputValue(), typed, 'and the field keeps its text');
  assert.deepEqual(session.pageErrors, []);
});
