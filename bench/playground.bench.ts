// The playground's views on big captures, in headless Chromium against the
// standalone page of `wireplay ui`.
//
// 1. A WebSocket session of 100 000 frames (about 3 MB both ways, built in the
//    page, whose garbage is collected before the clock starts): load, first
//    paint of the Bytes view, then 200 scroll jumps from top
//    to bottom in the Bytes view and in the Timeline, each timed to the frame
//    after it (two animation frames). The anchor is the naive way: one DOM row
//    per frame (100 000 divs) appended at once, as a non-virtualised list would.
// 2. A 100 MiB capture through the real path: one TCP connection to the demo
//    server carries ten pipelined GET /bytes/10485760; the page selects it
//    (capture.load → snapshot → the bytes it draws, asked with capture.bytes)
//    and is timed until the Bytes view shows real bytes, then scrolled in 200
//    jumps; the page's JS heap is read after a forced GC. The anchor is what
//    the earlier design did: every byte as base64 in one JSON message over a
//    WebSocket, parsed and decoded in a page.
//
// 3. The network list with 100 000 rows (connections and their exchanges, as
//    the host announces them in batches): time until every row is in and the
//    list painted, a filter over all of them, and 200 scroll jumps. The anchor
//    is the connection picker it replaced: a <select> with an option per
//    connection.
//
// The first round alternates Wireplay and its anchors (each anchor takes 15 s
// or more, so later rounds measure Wireplay only); the run prints times, never
// fails, and takes about two minutes.
//
//   node --import tsx bench/playground.bench.ts [--frames N] [--rounds N] [--mib N] [--rows N] [--only network]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { chromium, type Page } from 'playwright-core';
import { WebSocketServer } from 'ws';
import { pipelinedDownload } from '../test/support/pipelined-download.js';

const root = join(import.meta.dirname, '..');
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const FRAMES = arg('frames', 100_000);
const ROUNDS = arg('rounds', 2);
const BIG_MIB = arg('mib', 100);
const NET_ROWS = arg('rows', 100_000);
const ONLY_NETWORK = process.argv.includes('--only') && process.argv[process.argv.indexOf('--only') + 1] === 'network';
const JUMPS = 200;
/** The naive list takes ~0.3 s a jump and 15 s to appear: fewer jumps, and it and the other anchor run in the first round only. */
const NAIVE_JUMPS = 20;
const PART = 10 * 1024 * 1024;

if (!existsSync(join(root, 'dist/cli.js')) || !existsSync(join(root, 'dist/webview/panel.js'))) {
  spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}

const limitMiB = Math.ceil(BIG_MIB * 1.25) + 16;
const ui = spawn(process.execPath, ['dist/cli.js', 'ui', '--port', '0', '--no-open', '--capture-limit', `${limitMiB}MiB`], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  ui.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /(http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(out);
    if (m) resolve(m[1]);
  });
  ui.once('exit', (c) => reject(new Error(`wireplay ui exited ${c}`)));
});
process.on('exit', () => ui.kill('SIGTERM'));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

async function newPage(target = `${url}?theme=dark`): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
  // tsx (esbuild keepNames) wraps named functions in __name(); the page has no such helper.
  await page.addInitScript('window.__name = (f) => f;');
  await page.goto(target);
  if (target.startsWith(url)) await page.waitForSelector('.topbar');
  return page;
}

/** The page's JS heap (with ArrayBuffer contents) after a full GC, MiB. */
async function heapMiB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  // usedSize is the V8 heap; backingStorageSize adds the ArrayBuffers (where bytes live).
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  await cdp.detach();
  return (usage.usedSize + (usage.backingStorageSize ?? 0)) / 1024 / 1024;
}

interface Jumps {
  totalMs: number;
  worstFrameMs: number;
  medianFrameMs: number;
}

/** In the page: helpers for the timed loops (installed once per page). */
const PAGE_HELPERS = `
window.__bench = {
  frame: () => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(() => res(performance.now())))),
  press: (key) => document.dispatchEvent(new KeyboardEvent('keydown', { key, altKey: true })),
  async jumps(selector, steps, settled) {
    const scroller = document.querySelector(selector);
    const frames = [];
    const settles = [];
    const s0 = performance.now();
    for (let i = 1; i <= steps; i++) {
      scroller.scrollTop = ((scroller.scrollHeight - scroller.clientHeight) * i) / steps;
      const a = performance.now();
      await this.frame();
      frames.push(performance.now() - a);
      if (settled) {
        while (!settled()) await new Promise((r) => requestAnimationFrame(r));
        settles.push(performance.now() - a);
      }
    }
    const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
    return { totalMs: performance.now() - s0, worstFrameMs: Math.max(...frames), medianFrameMs: med(frames), worstSettleMs: settles.length ? Math.max(...settles) : 0, medianSettleMs: med(settles) };
  },
};`;

interface FixtureResult {
  generateMs: number;
  loadMs: number;
  bytesMs: number;
  timelineMs: number;
  parsedMs: number;
  bytes: Jumps;
  timeline: Jumps;
  rows: number;
  messages: number;
  heapMiB: number;
}

async function fixtureRound(): Promise<FixtureResult> {
  const page = await newPage();
  await page.evaluate(PAGE_HELPERS);
  // The fixture is built first and its garbage collected, so the timings below are the UI's own work
  // (building 100,000 frames in the page leaves garbage a real capture from the host would not).
  const generateMs = await page.evaluate((frames) => {
    const w = (window as unknown as { wireplay: { fixtures: { wsSession(n: number, id: string): unknown } } }).wireplay;
    const t = performance.now();
    (window as unknown as { __fx: unknown }).__fx = w.fixtures.wsSession(frames, 'bench-ws');
    return performance.now() - t;
  }, FRAMES);
  await heapMiB(page);
  const r = await page.evaluate(
    async ({ jumps }) => {
      type W = { app: { loadCapture(f: unknown): void; store: { get(id: string): { rowCount: number; messages: unknown[] } | undefined } } };
      type B = { frame(): Promise<number>; press(k: string): void; jumps(sel: string, n: number): Promise<Jumps> };
      const w = (window as unknown as { wireplay: W }).wireplay;
      const b = (window as unknown as { __bench: B }).__bench;
      const f = (window as unknown as { __fx: unknown }).__fx;
      b.press('2');
      const t = performance.now();
      w.app.loadCapture(f);
      const loaded = performance.now();
      const bytesDone = await b.frame();
      b.press('3');
      const t3 = performance.now();
      const timelineDone = await b.frame();
      b.press('1');
      const t1 = performance.now();
      const parsedDone = await b.frame();
      b.press('2');
      await b.frame();
      const bytes = await b.jumps('.hex-pane .vscroll', jumps);
      b.press('3');
      await b.frame();
      const timeline = await b.jumps('.tl-body .vscroll', jumps);
      const c = w.app.store.get('bench-ws')!;
      return {
        loadMs: loaded - t,
        bytesMs: bytesDone - t,
        timelineMs: timelineDone - t3,
        parsedMs: parsedDone - t1,
        bytes,
        timeline,
        rows: c.rowCount,
        messages: c.messages.length,
      };
    },
    { jumps: JUMPS },
  );
  const heap = await heapMiB(page);
  await page.close();
  return { ...r, generateMs, heapMiB: heap };
}

async function naiveListRound(): Promise<{ appendMs: number; jumps: Jumps }> {
  const page = await newPage();
  await page.evaluate(PAGE_HELPERS);
  const r = await page.evaluate(
    async ({ frames, jumps }) => {
      const b = (window as unknown as { __bench: { frame(): Promise<number>; jumps(sel: string, n: number): Promise<Jumps> } }).__bench;
      const box = document.createElement('div');
      box.className = 'naive-list';
      box.style.cssText = 'position:fixed;inset:0;overflow:auto;z-index:100;background:var(--vscode-editor-background);font:12px monospace';
      const t = performance.now();
      const parts: string[] = [];
      for (let i = 0; i < frames; i++) parts.push(`<div class="hrow ${i % 3 === 2 ? 's2c' : 'c2s'}"><span class="off">${i.toString(16).padStart(8, '0')}</span><span>81 97 25 1f a4 00 46 7c c8 6d 8a 3f d4 7a c9 57</span><span>Text (FIN) 23 B chat #${i}</span></div>`);
      box.innerHTML = parts.join('');
      document.body.append(box);
      void box.scrollHeight;
      const appendMs = (await b.frame()) - t;
      return { appendMs, jumps: await b.jumps('.naive-list', jumps) };
    },
    { frames: FRAMES, jumps: NAIVE_JUMPS },
  );
  await page.close();
  return r;
}

interface BigResult {
  downloadMs: number;
  openMs: number;
  rows: number;
  jumps: Jumps & { worstSettleMs: number; medianSettleMs: number };
  heapBeforeMiB: number;
  heapAfterMiB: number;
}

/** 100 MiB on one connection to the demo server, then opened and scrolled in the page. */
async function bigRound(): Promise<BigResult> {
  const page = await newPage();
  await page.evaluate(PAGE_HELPERS);
  const demo = new URL(await page.locator('.server code').innerText());
  const t0 = performance.now();
  const dl = await pipelinedDownload(Number(demo.port), Math.ceil((BIG_MIB * 1024 * 1024) / PART), PART);
  const downloadMs = performance.now() - t0;
  const remote = `:${dl.localPort}`;
  const id = await page.waitForFunction(
    (remote) => {
      const w = (window as unknown as { wireplay: { app: { store: { connections: Map<string, { info: { side: string; remote: string; connectionId: string } }> } } } }).wireplay;
      for (const c of w.app.store.connections.values()) if (c.info.side === 'server' && c.info.remote.endsWith(remote)) return c.info.connectionId;
      return undefined;
    },
    remote,
  );
  const connectionId = (await id.jsonValue()) as string;
  const heapBeforeMiB = await heapMiB(page);
  const r = await page.evaluate(
    async ({ connectionId, received, jumps }) => {
      type C = { rowCount: number; streamLen: { s2c: number } };
      const w = (window as unknown as { wireplay: { app: { selectConnection(id: string): void; store: { get(id: string): C | undefined } } } }).wireplay;
      const b = (window as unknown as { __bench: { press(k: string): void; jumps(sel: string, n: number, settled: () => boolean): Promise<BigResult['jumps']> } }).__bench;
      b.press('2');
      await new Promise((r) => requestAnimationFrame(r));
      const painted = () => !!document.querySelector('.hex-pane .hrow:not([hidden])') && !document.querySelector('.hex-pane .hrow.pending:not([hidden])');
      const t = performance.now();
      w.app.selectConnection(connectionId);
      // Opened: the snapshot is in, and the rows on screen show real bytes.
      for (;;) {
        await new Promise((r) => requestAnimationFrame(r));
        if ((w.app.store.get(connectionId)?.streamLen.s2c ?? 0) >= received && painted()) break;
      }
      const openMs = performance.now() - t;
      const jumpsResult = await b.jumps('.hex-pane .vscroll', jumps, painted);
      return { openMs, rows: w.app.store.get(connectionId)!.rowCount, jumps: jumpsResult };
    },
    { connectionId, received: dl.receivedBytes, jumps: JUMPS },
  );
  const heapAfterMiB = await heapMiB(page);
  dl.socket.destroy();
  await page.close();
  return { downloadMs, heapBeforeMiB, heapAfterMiB, ...r };
}

/** The earlier design: every byte as base64 in one JSON message over a WebSocket, parsed and decoded in a page. */
async function bigNaiveRound(): Promise<{ openMs: number; heapMiB: number }> {
  const chunk = Buffer.alloc(64 * 1024, 0xa5).toString('base64');
  const n = Math.ceil((BIG_MIB * 1024 * 1024) / (64 * 1024));
  // The page comes from the same 127.0.0.1 origin as its WebSocket (Chromium refuses one from about:blank).
  const http = createServer((_req, res) => res.end('<!DOCTYPE html><title>anchor</title>'));
  const wss = new WebSocketServer({ server: http, maxPayload: 1 << 30 });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;
  wss.on('connection', (s) => {
    s.once('message', () => {
      const chunks = Array.from({ length: n }, (_, i) => ({ dir: 's2c', t: i, bytes: chunk, offset: i * 65536 }));
      s.send(JSON.stringify({ type: 'capture.snapshot', connectionId: 'x', chunks, messages: [] }));
    });
  });
  const page = await newPage(`http://127.0.0.1:${port}/`);
  const openMs = await page.evaluate(async (port) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((r) => (ws.onopen = r));
    const t = performance.now();
    const msg = await new Promise<string>((r) => {
      ws.onmessage = (e) => r(String(e.data));
      ws.send('load');
    });
    const snap = JSON.parse(msg) as { chunks: { bytes: string }[] };
    const kept = snap.chunks.map((c) => Uint8Array.from(atob(c.bytes), (ch) => ch.charCodeAt(0)));
    (window as unknown as { kept: unknown }).kept = kept;
    ws.close();
    return performance.now() - t;
  }, port);
  const heap = await heapMiB(page);
  await page.close();
  wss.close();
  await new Promise((r) => http.close(r));
  return { openMs, heapMiB: heap };
}

interface NetworkResult {
  ingestMs: number;
  filterMs: number;
  jumps: Jumps;
  rows: number;
  shown: number;
  heapMiB: number;
  pickerMs: number;
}

/** 100 000 connections with one exchange each, fed as the host sends them (batches of 1 000), into the network list. */
async function networkRound(): Promise<NetworkResult> {
  const page = await newPage();
  await page.evaluate(PAGE_HELPERS);
  const r = await page.evaluate(
    async ({ rows, jumps }) => {
      type App = { onMessage(m: unknown): void; network: { length: number; total: number } };
      const app = (window as unknown as { wireplay: { app: App } }).wireplay.app;
      const b = (window as unknown as { __bench: { frame(): Promise<number>; jumps(sel: string, n: number): Promise<Jumps> } }).__bench;
      const t0 = performance.now();
      for (let k = 0; k < rows; k += 1000) {
        const exchanges = [];
        for (let i = k; i < Math.min(rows, k + 1000); i++) {
          const id = `bench-${i}`;
          app.onMessage({ type: 'connection.opened', info: { connectionId: id, side: 'server', protocol: 'http', label: `from 127.0.0.1:${10000 + (i % 50000)}`, remote: `127.0.0.1:${10000 + (i % 50000)}`, t: i, wallTime: Date.now() } });
          exchanges.push({ connectionId: id, sequence: 0, method: i % 3 ? 'GET' : 'POST', target: `/items/${i}`, status: i % 10 ? 200 : 500, reason: i % 10 ? 'OK' : 'Internal Server Error', requestBytes: 80, responseBytes: 300, tStart: i, tEnd: i + 2 });
        }
        app.onMessage({ type: 'network.update', exchanges, traffic: [] });
      }
      while (app.network.total < rows) await new Promise((res) => requestAnimationFrame(res));
      const ingestMs = (await b.frame()) - t0;
      // A filter over every row: the text box, as typed.
      const filter = document.querySelector<HTMLElement & { value: string }>('vscode-textfield.net-filter')!;
      const input = filter.shadowRoot!.querySelector('input')!;
      const t1 = performance.now();
      input.value = 'post /items/1';
      input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      await b.frame();
      const filterMs = performance.now() - t1;
      const shown = app.network.length;
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      await b.frame();
      const jumpsResult = await b.jumps('.net-list', jumps);
      // The anchor: the picker the list replaced, a <select> with one option per connection.
      const t2 = performance.now();
      const select = document.createElement('select');
      const parts: string[] = [];
      for (let i = 0; i < rows; i++) parts.push(`<option value="bench-${i}">HTTP · from 127.0.0.1:${10000 + (i % 50000)}</option>`);
      select.innerHTML = parts.join('');
      document.body.append(select);
      void select.offsetHeight;
      const pickerMs = (await b.frame()) - t2;
      select.remove();
      return { ingestMs, filterMs, jumps: jumpsResult, rows: app.network.total, shown, pickerMs };
    },
    { rows: NET_ROWS, jumps: JUMPS },
  );
  const heap = await heapMiB(page);
  await page.close();
  return { ...r, heapMiB: heap };
}

const ms = (n: number) => `${n.toFixed(0).padStart(5)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`playground: ${FRAMES.toLocaleString('en')} WebSocket frames and a ${BIG_MIB} MiB capture, ${ROUNDS} rounds (Chromium, headless); load average ${load()}`);

const net: NetworkResult[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const n = await networkRound();
  net.push(n);
  console.log(
    `  network list, ${n.rows.toLocaleString('en')} rows: all in and painted ${ms(n.ingestMs)}  filter over all ${ms(n.filterMs)} (${n.shown.toLocaleString('en')} shown)` +
      `  | ${JUMPS} jumps: worst frame ${ms(n.jumps.worstFrameMs)} (median ${ms(n.jumps.medianFrameMs)})  heap ${n.heapMiB.toFixed(0)} MiB  | the old picker (<select>, an option per connection): ${ms(n.pickerMs)}`,
  );
}
if (ONLY_NETWORK) {
  await browser.close();
  ui.kill('SIGTERM');
  process.exit(0);
}

const ours: FixtureResult[] = [];
const naive: { appendMs: number; jumps: Jumps }[] = [];
const big: BigResult[] = [];
const bigNaive: { openMs: number; heapMiB: number }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const a = await fixtureRound();
  ours.push(a);
  console.log(
    `  ${FRAMES / 1000}k frames  load ${ms(a.loadMs)}  Bytes painted ${ms(a.bytesMs)}  Timeline ${ms(a.timelineMs)}  Parsed ${ms(a.parsedMs)}` +
      `  | ${JUMPS} jumps: Bytes worst frame ${ms(a.bytes.worstFrameMs)} (median ${ms(a.bytes.medianFrameMs)}), Timeline worst ${ms(a.timeline.worstFrameMs)} (median ${ms(a.timeline.medianFrameMs)})` +
      `  heap ${a.heapMiB.toFixed(0)} MiB  [${a.rows.toLocaleString('en')} hex rows, ${a.messages.toLocaleString('en')} messages; fixture built in ${a.generateMs.toFixed(0)} ms]`,
  );
  if (i === 0) {
    const b = await naiveListRound();
    naive.push(b);
    console.log(`  naive list  first paint ${ms(b.appendMs)}  | ${NAIVE_JUMPS} jumps: worst frame ${ms(b.jumps.worstFrameMs)} (median ${ms(b.jumps.medianFrameMs)})`);
  }
  const c = await bigRound();
  big.push(c);
  console.log(
    `  ${BIG_MIB} MiB  downloaded in ${ms(c.downloadMs)}; opened (select → real bytes painted) ${ms(c.openMs)}  | ${JUMPS} jumps: worst frame ${ms(c.jumps.worstFrameMs)} (median ${ms(c.jumps.medianFrameMs)}),` +
      ` bytes on screen after a jump: worst ${ms(c.jumps.worstSettleMs)} (median ${ms(c.jumps.medianSettleMs)})  heap ${c.heapBeforeMiB.toFixed(0)} → ${c.heapAfterMiB.toFixed(0)} MiB  [${c.rows.toLocaleString('en')} hex rows]`,
  );
  if (i === 0) {
    const d = await bigNaiveRound();
    bigNaive.push(d);
    console.log(`  ${BIG_MIB} MiB, every byte in one snapshot: received, parsed and decoded in ${ms(d.openMs)}  heap ${d.heapMiB.toFixed(0)} MiB`);
  }
}

const span = (xs: number[]) => (xs.length > 1 ? `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}` : xs[0].toFixed(0));
const open = median(ours.map((r) => r.bytesMs));
const naiveOpen = naive[0].appendMs;
const naiveWorst = naive[0].jumps.worstFrameMs;
const bigNaiveOpen = bigNaive[0].openMs;
console.log(
  `summary over ${ROUNDS} rounds (min–max):\n` +
    `  ${FRAMES / 1000}k frames: Bytes painted ${span(ours.map((r) => r.bytesMs))} ms (naive list ${naiveOpen.toFixed(0)} ms, ×${(naiveOpen / open).toFixed(0)} at the median);` +
    ` ${JUMPS} jumps, worst frame Bytes ${span(ours.map((r) => r.bytes.worstFrameMs))} ms, Timeline ${span(ours.map((r) => r.timeline.worstFrameMs))} ms` +
    ` (naive list ${naiveWorst.toFixed(0)} ms, ×${(naiveWorst / median(ours.map((r) => r.bytes.worstFrameMs))).toFixed(1)})\n` +
    `  network list ${NET_ROWS.toLocaleString('en')} rows: in and painted ${span(net.map((r) => r.ingestMs))} ms, filtered in ${span(net.map((r) => r.filterMs))} ms, worst jump frame ${span(net.map((r) => r.jumps.worstFrameMs))} ms (the <select> picker: ${span(net.map((r) => r.pickerMs))} ms to appear)\n` +
    `  ${BIG_MIB} MiB: opened in ${span(big.map((r) => r.openMs))} ms (every byte in one snapshot: ${bigNaiveOpen.toFixed(0)} ms, ×${(bigNaiveOpen / median(big.map((r) => r.openMs))).toFixed(0)});` +
    ` worst frame ${span(big.map((r) => r.jumps.worstFrameMs))} ms; page heap ${span(big.map((r) => r.heapAfterMiB))} MiB (every byte: ${bigNaive[0].heapMiB.toFixed(0)} MiB)\n` +
    `  load average ${load()}`,
);
await browser.close();
ui.kill('SIGTERM');
