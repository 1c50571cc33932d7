// Chromium's native WebSocket against the Wireplay server: the permessage-deflate
// offer Chromium makes by default, large text and binary messages both ways,
// a message pushed unasked, and clean closes started from either side.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createBuiltinWebSocketRoutes } from '../../server-core/ws/builtin-routes.js';
import { startWsTestServer, type WsTestServer } from '../support/ws-test-server.js';

let server: WsTestServer;
let browser: Browser;
let page: Page;
const offers: (string | undefined)[] = [];

before(async () => {
  const builtin = Object.fromEntries(createBuiltinWebSocketRoutes({ tickerInterval: 100 }).map((r) => [r.path, r.route]));
  server = await startWsTestServer({
    ...builtin,
    '/offer': { handler: { onOpen: (_p, req) => offers.push(req.header('sec-websocket-extensions')), onMessage: (p, m) => p.send(m.data, { binary: m.binary }) } },
    '/closer': { handler: { onMessage: (p) => p.close(4002, 'server closing') } },
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage();
  // Any page of the server's origin will do (the test server answers 404 to plain HTTP).
  await page.goto(`http://127.0.0.1:${server.port}/`);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('Chromium offers permessage-deflate and gets it; 1 MiB text and 2 MiB binary echo intact; clean close', async () => {
  const r = await page.evaluate(async (url) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    await new Promise((res, rej) => ((ws.onopen = res), (ws.onerror = rej)));
    const text = 'Wireplay κόσμε 日本 😀 '.repeat(40000).slice(0, 1 << 20);
    const bin = new Uint8Array(2 << 20);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 31 + (i >> 9)) & 0xff;
    const got: unknown[] = [];
    const done = new Promise<void>((res) => {
      ws.onmessage = (e) => {
        got.push(e.data);
        if (got.length === 2) res();
      };
    });
    ws.send(text);
    ws.send(bin);
    await done;
    const echoedBin = new Uint8Array(got[1] as ArrayBuffer);
    let same = echoedBin.length === bin.length;
    for (let i = 0; same && i < bin.length; i++) same = echoedBin[i] === bin[i];
    const closed = new Promise<CloseEvent>((res) => (ws.onclose = res));
    ws.close(1000, 'done');
    const ev = await closed;
    return { extensions: ws.extensions, textOk: got[0] === text, binOk: same, code: ev.code, reason: ev.reason, wasClean: ev.wasClean };
  }, server.url('/offer'));
  assert.match(offers[0] ?? '', /^permessage-deflate/);
  assert.match(r.extensions, /^permessage-deflate/);
  assert.deepEqual([r.textOk, r.binOk], [true, true]);
  assert.deepEqual([r.code, r.wasClean], [1000, true]);
});

test('the ticker pushes messages without being asked', async () => {
  const ticks = await page.evaluate(async (url) => {
    const ws = new WebSocket(url);
    const got: number[] = [];
    await new Promise<void>((res) => {
      ws.onmessage = (e) => {
        got.push(JSON.parse(e.data).seq);
        if (got.length === 3) res();
      };
    });
    ws.close();
    return got;
  }, server.url('/ws/ticker'));
  assert.deepEqual(ticks, [1, 2, 3]);
});

test('a close started by the server reaches Chromium with its code and reason, cleanly', async () => {
  const ev = await page.evaluate(async (url) => {
    const ws = new WebSocket(url);
    await new Promise((res) => (ws.onopen = res));
    const closed = new Promise<CloseEvent>((res) => (ws.onclose = res));
    ws.send('close please');
    const e = await closed;
    return { code: e.code, reason: e.reason, wasClean: e.wasClean };
  }, server.url('/closer'));
  assert.deepEqual(ev, { code: 4002, reason: 'server closing', wasClean: true });
});

test('chat: two Chromium sockets both receive a broadcast', async () => {
  // No named helper functions inside evaluate(): the TypeScript loader would wrap them in a __name() the page lacks.
  const got = await page.evaluate(async (url) => {
    const sockets = [new WebSocket(url), new WebSocket(url)];
    await Promise.all(sockets.map((ws) => new Promise((res) => (ws.onopen = res))));
    const waits = sockets.map((ws) => new Promise<string>((res) => ws.addEventListener('message', (e) => e.data === 'hello all' && res(e.data))));
    sockets[0].send('hello all');
    const r = await Promise.all(waits);
    for (const ws of sockets) ws.close();
    return r;
  }, server.url('/ws/chat'));
  assert.deepEqual(got, ['hello all', 'hello all']);
});
