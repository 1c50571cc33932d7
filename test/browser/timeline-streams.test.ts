// The Timeline of streamed responses in Chromium against `wireplay ui` and its
// demo server: an event stream from the SSE tab, while it is still open, is
// one request arrow, the head's arrow back, and one arrow back per event (new
// ones appear as events arrive); /stream/3 (NDJSON, one line per chunk) sent
// from the HTTP tab is the request, the head and three chunk arrows; and the
// Parsed view lists /stream/20's lines while the response is still arriving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPlayground, selectRowOfType, sendHttp, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';

const session = useStandaloneUi();

const labels = () => [...document.querySelectorAll('.tl-body g.arrow')].map((g) => `${g.getAttribute('class')} | ${g.getAttribute('aria-label')}`);

test('Timeline: an open event stream is a request, its head, then one arrow back per event as they arrive', async () => {
  const page = await session.newPage();
  try {
    const demo = await openPlayground(page, session.url);
    await page.locator('.mode[data-mode="sse"]').click();
    await page.locator('vscode-textfield.sseurl input').fill(`${demo}/sse/ticker?interval=40`);
    await page.locator('vscode-button.sseconnect').click();
    await until(page, 'two events in the SSE list', () => document.querySelectorAll('.sse-list .sse-row .sse-type').length >= 2);
    await selectRowOfType(page, 'sse');
    await page.keyboard.press('Alt+3');
    await until(page, 'two event arrows on the timeline', () => document.querySelectorAll('.tl-body g.arrow.part').length >= 2);
    const first = await page.evaluate(labels);
    assert.match(first[0], /c2s.*client to server: GET \/sse\/ticker/);
    assert.match(first[1], /s2c http(?! part).*server to client: 200 OK/);
    assert.match(first[2], /s2c http part.*server to client: event tick #1/);
    assert.match(first[3], /s2c http part.*server to client: event tick #2/);
    // The stream is still open: more arrows come as more events arrive (the header counts the rows; only those on screen are drawn).
    const rows = () => Number(/^(\d+) messages/.exec(document.querySelector('.tl-mid')?.textContent ?? '')?.[1] ?? 0);
    const n = await page.evaluate(rows);
    assert.ok(n >= 4, `at least four rows, got ${n}`);
    await until(page, 'further event arrows while the stream is open', (k) => Number(/^(\d+) messages/.exec(document.querySelector('.tl-mid')?.textContent ?? '')?.[1] ?? 0) > k + 1, n);
    assert.ok(/Open|open/.test((await page.locator('.sse-state').innerText()) ?? ''), 'still connected');
    await page.locator('vscode-button.ssedisconnect').click();
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await page.close();
  }
});

test('Timeline: /stream/3 (NDJSON) is the request, the head and one arrow per chunk', async () => {
  const page = await session.newPage();
  try {
    const demo = await openPlayground(page, session.url);
    await sendHttp(page, 'GET', `${demo}/stream/3`);
    await page.keyboard.press('Alt+3');
    await until(page, 'three chunk arrows', () => document.querySelectorAll('.tl-body g.arrow.part').length === 3);
    const all = await page.evaluate(labels);
    assert.match(all[0], /client to server: GET \/stream\/3/);
    assert.match(all[1], /server to client: 200 OK/);
    assert.deepEqual(all.slice(2).map((l) => /chunk (\d)/.exec(l)?.[1]), ['1', '2', '3']);
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await page.close();
  }
});

test('Parsed view: /stream/20 (NDJSON) is listed line by line while it arrives, then above its body', async () => {
  const page = await session.newPage();
  try {
    const demo = await openPlayground(page, session.url);
    await sendHttp(page, 'GET', `${demo}/stream/20`);
    await page.keyboard.press('Alt+1');
    // One line every 100 ms: lines are listed while the status still says the stream is being received.
    await until(page, 'two lines listed while the response is pending', () => document.querySelector('.status.pending') !== null && document.querySelectorAll('.stream-records .srec').length >= 2);
    const early = await page.locator('.stream-records .srec .txt').first().innerText();
    assert.deepEqual({ ...JSON.parse(early), ms: 0 }, { chunk: 1, of: 20, ms: 0 }, 'the first line, as sent');
    await until(page, 'the 200 response', () => document.querySelector('.status[data-status="200"]') !== null);
    assert.match(await page.locator('.stream-records summary').innerText(), /^Streamed: 20 lines$/);
    const texts = await page.locator('.stream-records .srec .txt').allInnerTexts();
    assert.deepEqual(texts.map((t) => JSON.parse(t).chunk), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await page.close();
  }
});
