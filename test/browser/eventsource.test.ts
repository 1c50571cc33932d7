// Chromium's own EventSource as the peer: against the built-in /sse/ticker
// (typed events, a retry hint, a stream that ends and is reconnected by the
// browser with Last-Event-ID, the ticker resuming after it) and a user
// `SSE /path` route of a routes module (multi-line data, the browser's
// request headers, a reconnect that carries the last id). The page is served
// by the same Wireplay server, so EventSource is same-origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createWireplayServer, type WireplayServer } from '../../server-core/index.js';

const ROUTES = `export default {
  'SSE /room': {
    onOpen(stream, req) {
      const last = req.header('last-event-id');
      stream.send({ retry: 20 });
      stream.send({ event: 'hello', id: last ? 'b' : 'a', data: 'line one\\nline two' });
      stream.send({ event: 'seen', data: JSON.stringify({ accept: req.header('accept'), cache: req.header('cache-control'), last: last ?? null }) });
      if (!last) stream.close();
    },
  },
};
`;

let server: WireplayServer;
let url = '';
let dir = '';
let browser: Browser;
let page: Page;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wireplay-eventsource-'));
  writeFileSync(join(dir, 'wireplay.routes.mjs'), ROUTES);
  server = createWireplayServer({ routesFile: join(dir, 'wireplay.routes.mjs'), allowCode: true });
  url = (await server.listen()).url;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage();
  await page.goto(`${url}/`);
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Seen {
  type: string;
  id: string;
  data: string;
}

/** Opens an EventSource in the page and collects `types` until `count` events arrived, then closes it. */
function collect(path: string, types: string[], count: number): Promise<{ events: Seen[]; errors: number }> {
  return page.evaluate(
    ({ path, types, count }) =>
      new Promise<{ events: Seen[]; errors: number }>((resolve, reject) => {
        const es = new EventSource(path);
        const events: Seen[] = [];
        let errors = 0;
        const timer = setTimeout(() => {
          es.close();
          reject(new Error(`only ${events.length} of ${count} events in 10 s: ${JSON.stringify(events)}`));
        }, 10_000);
        for (const type of types) {
          es.addEventListener(type, (e) => {
            const m = e as MessageEvent<string>;
            events.push({ type: m.type, id: m.lastEventId, data: m.data });
            if (events.length === count) {
              clearTimeout(timer);
              es.close();
              resolve({ events, errors });
            }
          });
        }
        // The end of a stream shows as an error event before EventSource reconnects.
        es.addEventListener('error', () => errors++);
      }),
    { path, types, count },
  );
}

test('EventSource on /sse/ticker: tick events, and after the stream ends a reconnect with Last-Event-ID resumes it', async () => {
  // count=2: each stream ends after two ticks; retry=20: the browser comes back 20 ms later.
  const { events, errors } = await collect('/sse/ticker?interval=10&count=2&retry=20', ['tick'], 5);
  assert.deepEqual(events.map((e) => e.id), ['1', '2', '3', '4', '5'], 'the browser sent Last-Event-ID and the ticker went on after it');
  assert.deepEqual(events.map((e) => JSON.parse(e.data).seq), [1, 2, 3, 4, 5]);
  assert.ok(errors >= 2, 'two stream ends, each an error event before the reconnect');
});

test('EventSource on a user SSE route: multi-line data joined, its request headers, the reconnect carrying the last id', async () => {
  const { events } = await collect('/room', ['hello', 'seen'], 4);
  assert.deepEqual(events.map((e) => [e.type, e.id]), [
    ['hello', 'a'],
    ['seen', 'a'],
    ['hello', 'b'],
    ['seen', 'b'],
  ]);
  assert.equal(events[0].data, 'line one\nline two');
  const first = JSON.parse(events[1].data);
  assert.equal(first.accept, 'text/event-stream', "Chromium's Accept");
  assert.equal(first.last, null);
  assert.equal(JSON.parse(events[3].data).last, 'a', 'the reconnect sent Last-Event-ID: a');
});
