// Driving the Wireplay sidebar (VS Code's own tree views) in code-server: its
// views by title, their rows by text, the sidebar's width, the colour theme,
// and an axe-core scan of what is drawn. Each wait is bounded and names what
// it waited for.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { CodeServer } from './code-server.js';
import { root, runCommand } from './code-server.js';

export const ACTIVITY = '.activitybar .action-item a[aria-label^="Wireplay"], .activitybar .action-item[aria-label^="Wireplay"]';

/** Opens the Wireplay view container from the activity bar (once the extension has registered it). */
export async function openSidebar(page: Page): Promise<void> {
  const item = page.locator(ACTIVITY).first();
  await item.waitFor({ state: 'visible', timeout: 90_000 });
  if (!(await page.locator('.part.sidebar .pane-header', { hasText: 'Recent Traffic' }).count())) await item.click();
  await page.locator('.part.sidebar .pane-header', { hasText: 'Recent Traffic' }).first().waitFor({ timeout: 30_000 });
}

/** The pane of a view of the sidebar, by its title. */
export function pane(page: Page, title: 'Server' | 'Connections' | 'Recent Traffic' | 'Routes' | 'Scratch Requests'): Locator {
  return page.locator('.part.sidebar .pane', { has: page.locator('.pane-header h3.title', { hasText: new RegExp(`^${title}$`, 'i') }) }).first();
}

/** Moves the keyboard focus into a view's tree (the palette's "Focus on … View") and waits until it is there. */
export async function focusView(page: Page, title: 'Server' | 'Connections' | 'Recent Traffic' | 'Routes'): Promise<void> {
  await runCommand(page, `Focus on ${title} View`);
  const list = await pane(page, title).locator('.monaco-list').first().elementHandle();
  await page.waitForFunction((el) => !!el && el.contains(document.activeElement), list, { timeout: 10_000 });
}

/** A tree row of a view, by (part of) its text. */
export function row(page: Page, view: Parameters<typeof pane>[1], text: string | RegExp): Locator {
  return pane(page, view).locator('.monaco-list-row', { hasText: text }).first();
}

/** The description VS Code shows beside a view's title (its counts). */
export async function viewDescription(page: Page, view: Parameters<typeof pane>[1]): Promise<string> {
  return (await pane(page, view).locator('.pane-header .description').first().innerText()).trim();
}

export type Theme = 'dark' | 'light' | 'hc-dark' | 'hc-light';

const THEMES: Record<Theme, { name: string; bodyClass: string }> = {
  dark: { name: 'Dark Modern', bodyClass: 'vs-dark' },
  light: { name: 'Light Modern', bodyClass: 'vs' },
  'hc-dark': { name: 'Default High Contrast', bodyClass: 'hc-black' },
  'hc-light': { name: 'Default High Contrast Light', bodyClass: 'hc-light' },
};

/** Merges `values` into the workspace's .vscode/settings.json (VS Code watches it and applies them live). */
export function workspaceSettings(cs: CodeServer, values: Record<string, unknown>): void {
  const file = join(cs.workspace, '.vscode/settings.json');
  mkdirSync(join(cs.workspace, '.vscode'), { recursive: true });
  const now = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(file, `${JSON.stringify({ ...now, ...values }, null, 2)}\n`);
}

/**
 * Switches the colour theme through the workspace's settings (code-server's
 * user settings live in the browser, out of a test's reach) and waits until
 * the workbench wears it.
 */
export async function setTheme(cs: CodeServer, page: Page, theme: Theme): Promise<void> {
  const { name, bodyClass } = THEMES[theme];
  workspaceSettings(cs, { 'workbench.colorTheme': name });
  await page.waitForFunction((cls) => document.querySelector('.monaco-workbench')?.classList.contains(cls) ?? false, bodyClass, { timeout: 30_000 });
}

/** Drags the sash between the sidebar and the editor until the sidebar is `width` px wide (VS Code clamps to its minimum). */
export async function setSidebarWidth(page: Page, width: number): Promise<number> {
  const sidebar = page.locator('.part.sidebar').first();
  const box = await sidebar.boundingBox();
  if (!box) throw new Error('the sidebar is not shown');
  const sash = page.locator('.monaco-sash.vertical');
  // The sash on the sidebar's right edge: the one whose x is closest to it.
  const edge = box.x + box.width;
  const all = await sash.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x + r.width / 2, y: r.y + r.height / 2, h: r.height })));
  const best = all.filter((s) => s.h > 100).sort((a, b) => Math.abs(a.x - edge) - Math.abs(b.x - edge))[0];
  if (!best || Math.abs(best.x - edge) > 8) throw new Error(`no sash at the sidebar's edge (x=${edge})`);
  await page.mouse.move(best.x, best.y);
  await page.mouse.down();
  await page.mouse.move(best.x + (box.x + width - edge) / 2, best.y, { steps: 4 });
  await page.mouse.move(box.x + width, best.y, { steps: 4 });
  await page.mouse.up();
  return Math.round((await sidebar.boundingBox())?.width ?? 0);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
  targets: string[];
}

/** axe-core (the npm package, evaluated in the page) over what `selector` matches (every match); the WCAG 2.x A/AA rules. */
export async function axeScan(page: Page, selector: string): Promise<AxeViolation[]> {
  const source = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
  // Evaluated through the debugging protocol, so the workbench's CSP does not apply to it.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(source);
  return page.evaluate(async (sel) => {
    const axe = (window as unknown as { axe: { run(ctx: string, opts: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    if (!document.querySelector(sel)) throw new Error(`nothing matches ${sel}`);
    const r = await axe.run(sel, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  }, selector);
}
