// The playground's views on a big capture: a WebSocket session of 100 000
// frames (about 3 MB both ways) loaded into the standalone page in Chromium,
// then each view (Bytes, Timeline, Parsed) drawn and the hex view scrolled from
// top to bottom in 200 jumps. The anchor is the naive way: one DOM row per
// frame (100 000 divs) appended at once, as a non-virtualised list would. The
// two alternate for a few rounds; the run prints times, never fails.
//
//   node --import tsx bench/playground.bench.ts [--frames N] [--rounds N]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const root = join(import.meta.dirname, '..');
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const FRAMES = arg('frames', 100_000);
const ROUNDS = arg('rounds', 3);

if (!existsSync(join(root, 'dist/cli.js')) || !existsSync(join(root, 'dist/webview/panel.js'))) {
  spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}

const ui = spawn(process.execPath, ['dist/cli.js', 'ui', '--port', '0', '--no-open'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
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

interface Result {
  generateMs: number;
  loadMs: number;
  bytesMs: number;
  timelineMs: number;
  parsedMs: number;
  scrollMs: number;
  worstFrameMs: number;
  rows: number;
  messages: number;
}

async function newPage() {
  const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
  // tsx (esbuild keepNames) wraps named functions in __name(); the page has no such helper.
  await page.addInitScript('window.__name = (f) => f;');
  return page;
}

async function wireplayRound(): Promise<Result> {
  const page = await newPage();
  await page.goto(`${url}?theme=dark`);
  await page.waitForSelector('.topbar');
  const r = await page.evaluate(async (frames: number) => {
    type W = {
      app: {
        loadCapture(f: unknown): void;
        store: { get(id: string): { rowCount: number; messages: unknown[] } | undefined };
      };
      fixtures: { wsSession(n: number, id: string): unknown };
    };
    const w = (window as unknown as { wireplay: W }).wireplay;
    const frame = () => new Promise<number>((res) => requestAnimationFrame(() => requestAnimationFrame(() => res(performance.now()))));
    const press = (key: string) => document.dispatchEvent(new KeyboardEvent('keydown', { key, altKey: true }));
    let t = performance.now();
    const f = w.fixtures.wsSession(frames, 'bench-ws');
    const generateMs = performance.now() - t;
    press('2');
    t = performance.now();
    w.app.loadCapture(f);
    const loaded = performance.now();
    const bytesDone = await frame();
    press('3');
    const t3 = performance.now();
    const timelineDone = await frame();
    press('1');
    const t1 = performance.now();
    const parsedDone = await frame();
    press('2');
    await frame();
    const scroller = document.querySelector<HTMLElement>('.hex-pane .vscroll')!;
    const steps = 200;
    let worst = 0;
    const s0 = performance.now();
    for (let i = 1; i <= steps; i++) {
      scroller.scrollTop = ((scroller.scrollHeight - scroller.clientHeight) * i) / steps;
      const a = performance.now();
      await frame();
      worst = Math.max(worst, performance.now() - a);
    }
    const scrollMs = performance.now() - s0;
    const c = w.app.store.get('bench-ws')!;
    return {
      generateMs,
      loadMs: loaded - t,
      bytesMs: bytesDone - t,
      timelineMs: timelineDone - t3,
      parsedMs: parsedDone - t1,
      scrollMs,
      worstFrameMs: worst,
      rows: c.rowCount,
      messages: c.messages.length,
    };
  }, FRAMES);
  await page.close();
  return r;
}

async function naiveRound(): Promise<{ appendMs: number; scrollMs: number; worstFrameMs: number }> {
  const page = await newPage();
  await page.goto(`${url}?theme=dark`);
  await page.waitForSelector('.topbar');
  const r = await page.evaluate(async (frames: number) => {
    const frame = () => new Promise<number>((res) => requestAnimationFrame(() => requestAnimationFrame(() => res(performance.now()))));
    const box = document.createElement('div');
    box.style.cssText = 'position:fixed;inset:0;overflow:auto;z-index:100;background:var(--vscode-editor-background);font:12px monospace';
    const t = performance.now();
    const parts: string[] = [];
    for (let i = 0; i < frames; i++) parts.push(`<div class="hrow ${i % 3 === 2 ? 's2c' : 'c2s'}"><span class="off">${i.toString(16).padStart(8, '0')}</span><span>81 97 25 1f a4 00 46 7c c8 6d 8a 3f d4 7a c9 57</span><span>Text (FIN) 23 B chat #${i}</span></div>`);
    box.innerHTML = parts.join('');
    document.body.append(box);
    void box.scrollHeight;
    const appendMs = (await frame()) - t;
    let worst = 0;
    const s0 = performance.now();
    for (let i = 1; i <= 200; i++) {
      box.scrollTop = ((box.scrollHeight - box.clientHeight) * i) / 200;
      const a = performance.now();
      await frame();
      worst = Math.max(worst, performance.now() - a);
    }
    return { appendMs, scrollMs: performance.now() - s0, worstFrameMs: worst };
  }, FRAMES);
  await page.close();
  return r;
}

const fmt = (n: number) => `${n.toFixed(0).padStart(6)} ms`;
console.log(`playground: ${FRAMES.toLocaleString('en')} WebSocket frames, ${ROUNDS} rounds (Chromium, headless)`);
const ours: Result[] = [];
const naive: { appendMs: number; scrollMs: number; worstFrameMs: number }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const a = await wireplayRound();
  ours.push(a);
  console.log(`  wireplay  load ${fmt(a.loadMs)}  bytes view ${fmt(a.bytesMs)}  timeline ${fmt(a.timelineMs)}  parsed ${fmt(a.parsedMs)}  scroll 200 jumps ${fmt(a.scrollMs)} (worst frame ${fmt(a.worstFrameMs)})  [${a.rows.toLocaleString('en')} hex rows, ${a.messages.toLocaleString('en')} messages; fixture built in ${a.generateMs.toFixed(0)} ms]`);
  const b = await naiveRound();
  naive.push(b);
  console.log(`  naive DOM first paint ${fmt(b.appendMs)}  scroll 200 jumps ${fmt(b.scrollMs)} (worst frame ${fmt(b.worstFrameMs)})`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const open = median(ours.map((r) => r.bytesMs));
const naiveOpen = median(naive.map((r) => r.appendMs));
console.log(`median: opened (load + first Bytes paint) in ${open.toFixed(0)} ms vs naive ${naiveOpen.toFixed(0)} ms (×${(naiveOpen / open).toFixed(1)}); scroll worst frame ${median(ours.map((r) => r.worstFrameMs)).toFixed(0)} ms vs ${median(naive.map((r) => r.worstFrameMs)).toFixed(0)} ms`);
await browser.close();
ui.kill('SIGTERM');
