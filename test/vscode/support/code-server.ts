// The code-server harness: a fresh code-server on 127.0.0.1 (Node 24 from
// .cache/, installed by scripts/setup-code-server.mjs), Chromium through
// playwright-core, the extension-host suite bundled for `extensionTestsPath`.
// Every process is started in its own group and stopped by its PID's group.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { build } from 'esbuild';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { stopGroupWithThisProcess } from '../../support/process-groups.js';

export const root = join(import.meta.dirname, '../../..');
export const artifacts = join(root, 'test-artifacts/vscode');

interface Marker {
  codeServer: string;
  node: string;
  codeServerBin: string;
  nodeBin: string;
}

/** Installs code-server into .cache/ when missing (a no-op when present), then returns its paths. */
export function ensureCodeServer(): Marker {
  const r = spawnSync(process.execPath, [join(root, 'scripts/setup-code-server.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('scripts/setup-code-server.mjs failed; see its output above');
  const marker = JSON.parse(readFileSync(join(root, '.cache/code-server/wireplay-ready.json'), 'utf8')) as Marker;
  return { ...marker, codeServerBin: join(root, marker.codeServerBin), nodeBin: join(root, marker.nodeBin) };
}

/** The newest modification time under `dir` (sources only). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(ts|css|json)$/.test(name)) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

/** Builds the extension bundles when dist/ lacks them or is older than the sources or package.json. */
export function ensureBuilt(): void {
  const bundle = join(root, 'dist/extension.js');
  const panel = join(root, 'dist/webview/panel.js');
  if (existsSync(bundle) && existsSync(panel)) {
    const built = Math.min(statSync(bundle).mtimeMs, statSync(panel).mtimeMs);
    const sources = Math.max(...['extension', 'webview', 'server-core'].map((d) => newestSource(join(root, d))));
    if (built >= sources) return;
  }
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) throw new Error('the build failed');
}

/** Bundles the extension-host suite into a fresh folder under .cache/ (so `mocha` resolves from node_modules). */
export async function buildSuite(): Promise<{ dir: string; entry: string; results: string }> {
  const base = join(root, '.cache/vscode-suite');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'run-'));
  const entry = join(dir, 'index.js');
  await build({
    entryPoints: [join(root, 'test/vscode/extension-host/index.ts')],
    outfile: entry,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  // The repository's package.json says "type": "module"; the bundle is CommonJS.
  writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
  return { dir, entry, results: join(dir, 'results.json') };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface CodeServer {
  port: number;
  base: string;
  workspace: string;
  output(): string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  marker: Marker;
  workspace: string;
  extensionsDir: string;
  env?: Record<string, string>;
}

/** SIGTERM to the group, then SIGKILL to what is left once it exited or after a 5 s grace. */
async function stopGroup(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  const kill = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // the group is gone
    }
  };
  kill('SIGTERM');
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise((r) => (grace = setTimeout(r, 5000)))]);
  clearTimeout(grace);
  kill('SIGKILL');
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const port = await freePort();
  const userData = mkdtempSync(join(tmpdir(), 'wireplay-cs-data-'));
  const env = {
    ...process.env,
    ...options.env,
    PATH: `${dirname(options.marker.nodeBin)}${delimiter}${process.env.PATH ?? ''}`,
  };
  const child = spawn(
    options.marker.codeServerBin,
    [
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--extensions-dir', options.extensionsDir,
      '--user-data-dir', userData,
      '--vscode-option', 'enable-smoke-test-driver',
      options.workspace,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  // Its own group (detached) is stopped with the test process too, even when that one is killed.
  const forgetGroup = child.pid ? stopGroupWithThisProcess(child.pid) : () => {};
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const server: CodeServer = {
    port,
    base: `http://127.0.0.1:${port}`,
    workspace: options.workspace,
    output: () => out,
    stop: async () => {
      await stopGroup(child, exited);
      forgetGroup();
      rmSync(userData, { recursive: true, force: true });
    },
  };
  // Ready when it says so on its output (its "HTTP server listening on …" line); then one health check.
  try {
    await waitForOutput(child, exited, () => out, /HTTP server listening on /, 120_000);
    const res = await fetch(`${server.base}/healthz`);
    if (!res.ok) throw new Error(`code-server's /healthz answered ${res.status}`);
  } catch (err) {
    await server.stop();
    throw new Error(`code-server did not start: ${(err as Error).message}\n${out}`);
  }
  return server;
}

/** Resolves once the process's output matches `ready`; rejects when it exits first or after `ms`. */
function waitForOutput(child: ChildProcess, exited: Promise<unknown>, output: () => string, ready: RegExp, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (ready.test(output())) finish();
    };
    const timer = setTimeout(() => finish(new Error(`no ${ready} in its output within ${Math.round(ms / 1000)} s`)), ms);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      if (err) reject(err);
      else resolve();
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    void exited.then(() => finish(new Error('it exited early')));
    check();
  });
}

/** The workbench URL, optionally loading an extension from a folder and running a test module in its host. */
export function workbenchUrl(cs: CodeServer, payload: { devPath?: string; testsPath?: string } = {}): string {
  const params = new URLSearchParams({ folder: cs.workspace });
  const entries: [string, string][] = [];
  if (payload.devPath) entries.push(['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${cs.port}${payload.devPath}`]);
  if (payload.testsPath) entries.push(['extensionTestsPath', `vscode-remote://127.0.0.1:${cs.port}${payload.testsPath}`]);
  if (entries.length) params.set('payload', JSON.stringify(entries));
  return `${cs.base}/?${params}`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Resolves with the text of a JSON file once it is there and whole (watched, not polled); rejects after `ms`. */
export function waitForFile(path: string, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const name = basename(path);
    const finish = (err: Error | undefined, text?: string) => {
      watcher.close();
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(text!);
    };
    const check = () => {
      if (!existsSync(path)) return;
      const text = readFileSync(path, 'utf8');
      try {
        JSON.parse(text);
      } catch {
        return; // still being written: its next write is another event
      }
      finish(undefined, text);
    };
    const watcher = watch(dirname(path), (_event, file) => {
      if (!file || file === name) check();
    });
    const timer = setTimeout(() => finish(new Error(`${path} never appeared (waited ${Math.round(ms / 1000)} s)`)), ms);
    check();
  });
}

export async function openWorkbench(browser: Browser, url: string, name = 'workbench'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // The browser console goes to an artifact, for diagnosing failures.
  mkdirSync(artifacts, { recursive: true });
  const consoleLog = join(artifacts, `${name}-console.log`);
  writeFileSync(consoleLog, '');
  page.on('console', (m) => appendFileSync(consoleLog, `[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => appendFileSync(consoleLog, `[pageerror] ${e.message}\n`));
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  // The status bar appears once the workbench has restored.
  await page.waitForSelector('.statusbar', { timeout: 120_000 });
  return page;
}

/**
 * Runs a command from the palette by its title. Contributed commands appear a
 * little after the workbench (once the extension host has scanned the
 * extensions), so the palette is reopened until the command is listed.
 */
export async function runCommand(page: Page, title: string, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ state: 'visible', timeout: 3000 });
      break;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the palette never listed "${title}"`, { cause: err });
    }
  }
  await page.keyboard.press('Enter');
}

/** Opens a file of the workspace with Quick Open (Ctrl+P). */
export async function quickOpen(page: Page, file: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(file);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: file }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/**
 * The frame (webviews live in nested iframes) that contains `selector`: every
 * frame there is, and every one attached later, waits for it (Playwright's own
 * wait, which follows a frame's navigations); the first to find it wins.
 */
export function frameWith(page: Page, selector: string, ms = 60_000): Promise<Frame> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (frame?: Frame) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      page.off('frameattached', watchFrame);
      if (frame) resolve(frame);
      else reject(new Error(`no frame with ${selector} within ${Math.round(ms / 1000)} s`));
    };
    const watchFrame = (frame: Frame) => {
      frame.waitForSelector(selector, { state: 'attached', timeout: ms }).then(
        () => finish(frame),
        () => {
          // detached, or the page closed: another frame may still have it
        },
      );
    };
    const timer = setTimeout(() => finish(), ms);
    page.on('frameattached', watchFrame);
    for (const frame of page.frames()) watchFrame(frame);
  });
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

export interface CodeServerSession {
  readonly browser: Browser;
  readonly cs: CodeServer;
  /** A folder to delete after the file's tests. */
  track(folder: string): void;
}

/**
 * Registers the file's before/after hooks: builds if needed, starts code-server
 * on the workspace that `prepareWorkspace` makes (deleted afterwards, with a
 * fresh extensions folder) and Chromium; stops both even when a test failed.
 */
export function useCodeServer(prepareWorkspace: () => string | Promise<string>): CodeServerSession {
  let browser: Browser | undefined;
  let cs: CodeServer | undefined;
  const folders: string[] = [];
  before(async () => {
    const marker = ensureCodeServer();
    ensureBuilt();
    const workspace = await prepareWorkspace();
    const extensionsDir = mkdtempSync(join(tmpdir(), 'wireplay-cs-ext-'));
    folders.push(workspace, extensionsDir);
    cs = await startCodeServer({ marker, workspace, extensionsDir });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    await cs?.stop();
    for (const f of folders) rmSync(f, { recursive: true, force: true });
  });
  return {
    get browser() {
      if (!browser) throw new Error('Chromium is not running (the before hook failed)');
      return browser;
    },
    get cs() {
      if (!cs) throw new Error('code-server is not running (the before hook failed)');
      return cs;
    },
    track: (folder) => void folders.push(folder),
  };
}
