// `wireplay ui` for a browser test: builds when dist/ lacks the bundles, starts
// the CLI on a free port, reads its one line, launches Chromium; `after` stops
// both, even when a test failed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

export const root = join(import.meta.dirname, '../../..');
export const artifacts = join(root, 'test-artifacts', 'playground');

export interface StandaloneSession {
  /** The page URL with its token, e.g. http://127.0.0.1:PORT/TOKEN/ */
  url: string;
  browser: Browser;
  /** Page errors seen so far (a test can assert there were none). */
  pageErrors: string[];
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
}

/**
 * Registers before/after hooks; the returned object is filled in by `before`.
 * `setup` runs at the end of that hook (a file's own root `before` is not
 * guaranteed to run after this one).
 */
export function useStandaloneUi(setup?: (session: StandaloneSession) => Promise<void>): StandaloneSession {
  let ui: ChildProcess | undefined;
  const session = { pageErrors: [] as string[] } as StandaloneSession;
  before(async () => {
    if (!existsSync(join(root, 'dist/cli.js')) || !existsSync(join(root, 'dist/webview/panel.js'))) {
      const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
      assert.equal(b.status, 0, 'build failed');
    }
    mkdirSync(artifacts, { recursive: true });
    const child = spawn(process.execPath, ['dist/cli.js', 'ui', '--port', '0', '--no-open'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    ui = child;
    let out = '';
    session.url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^Wireplay UI at (http:\/\/127\.0\.0\.1:\d+\/[\w-]+\/)\n$/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`wireplay ui exited ${code}: ${out}`)));
    });
    session.browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    session.newPage = async (viewport = { width: 1360, height: 820 }) => {
      const page = await session.browser.newPage({ viewport });
      page.on('pageerror', (e) => session.pageErrors.push(e.message));
      return page;
    };
    await setup?.(session);
  });
  after(async () => {
    await session.browser?.close();
    if (ui && ui.exitCode === null && ui.signalCode === null) {
      const exited = new Promise((r) => ui!.once('exit', r));
      ui.kill('SIGTERM');
      await exited;
    }
  });
  return session;
}

/** Opens the page and waits for the host's init (the demo server's URL in the header); returns that URL. */
export async function openPlayground(page: Page, url: string, query = '?theme=dark'): Promise<string> {
  await page.goto(`${url}${query}`);
  await page.waitForSelector('.server code');
  return page.locator('.server code').innerText();
}

/** Sends one HTTP request from the composer (mouse-free where it matters is the keyboard test's job). */
export async function sendHttp(page: Page, method: string, url: string): Promise<void> {
  await page.evaluate(() => (document.querySelector('.mode[data-mode="http"]') as HTMLElement).click());
  const select = page.locator('vscode-single-select.method');
  await select.evaluate((el, m) => {
    (el as HTMLElement & { value: string }).value = m;
    el.dispatchEvent(new Event('change'));
  }, method);
  await page.locator('vscode-textfield.url input').fill(url);
  await page.locator('vscode-button.send').click();
}

/** Selects the network list's row of a connection (its first exchange), as a click on it would. */
export async function selectRow(page: Page, connectionId: string): Promise<void> {
  const row = page.locator(`.net-list .nrow[data-key^="${connectionId}"]`).first();
  await row.waitFor();
  await row.click();
  await page.waitForSelector(`.net-list .nrow.sel[data-key^="${connectionId}"]`);
}

type NetHandle = { wireplay: { app: { network: { length: number; row(i: number): { key: string; type: string } | undefined }; networkView: { setSelected(key: string): void } } } };

/** Brings the network list's last row of a type into view (the list is virtualised) and clicks it. */
export async function selectRowOfType(page: Page, type: 'http' | 'ws' | 'raw' | 'sse'): Promise<void> {
  const key = await page.evaluate((t) => {
    const { network, networkView } = (window as unknown as NetHandle).wireplay.app;
    for (let i = network.length - 1; i >= 0; i--) {
      const r = network.row(i);
      if (r?.type === t) {
        networkView.setSelected(r.key);
        return r.key;
      }
    }
    return null;
  }, type);
  if (!key) throw new Error(`no ${type} row in the network list`);
  const row = page.locator(`.net-list .nrow[data-key="${key}"]`);
  await row.waitFor();
  await row.click();
}
