// Chromium through the proxy: a page from the test app that uses fetch,
// EventSource and WebSocket. The page gets what the app sent, and for every
// connection the browser opened, the bytes each side sent are the bytes the
// other side received (the capture of both legs, and the app's own record).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { allClosed, assertAppMatches, assertLegsMirror, finished, startFixture, until } from '../integration/proxy/helpers.js';

test('fetch, EventSource and WebSocket from a page loaded through the proxy', async (t) => {
  const f = await startFixture(t);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${f.url}/page`);
  const results = (await page.evaluate('window.results')) as {
    fetch: { method: string; url: string; body: string; headers: string[] };
    events: string[];
    ws: { got: string[]; code: number };
  };
  assert.deepEqual(errors, []);
  assert.equal(results.fetch.method, 'POST');
  assert.equal(results.fetch.url, '/echo?from=fetch');
  assert.equal(results.fetch.body, '{"hello":"proxy"}');
  assert.equal(results.fetch.headers[results.fetch.headers.indexOf('Host') + 1], `127.0.0.1:${f.port}`, 'Host forwarded as the browser wrote it');
  assert.deepEqual(results.events, ['event 1', 'event 2', 'event 3']);
  assert.deepEqual(results.ws, { got: ['one', 'two'], code: 1000 });
  await browser.close();
  await until(f.store, () => allClosed(f.store), 'every connection to close', 15_000);
  assertLegsMirror(f.store);
  assertAppMatches(f.store, f.app);
  const targets = finished(f.proxy).map((e) => `${e.method} ${e.target} ${e.status}`);
  for (const expected of ['GET /page 200', 'POST /echo?from=fetch 200', 'GET /sse?count=3 200', 'GET /ws 101']) assert.ok(targets.includes(expected), `${expected} in ${targets.join(', ')}`);
  const ws = f.store.listConnections().filter((c) => c.protocol === 'ws');
  assert.equal(ws.length, 2, 'the WebSocket shows on both legs');
  for (const c of ws) assert.ok(f.store.messages(c.id).some((m) => m.kind === 'ws-frame' && m.summary.includes('one')), `${c.id}: frames dissected`);
});
