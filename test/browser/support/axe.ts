// axe-core in a test page: injected through the DevTools protocol (an init
// script, so the page's strict CSP, which allows only its own nonce, does not
// block it), run on the whole document against WCAG 2.0–2.2 A and AA and the
// best practices, and its violations split by impact: critical and serious
// fail a test; moderate and minor are reported (docs/playground.md lists them
// with why).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { root } from './standalone.js';

const AXE_SOURCE = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  /** Selectors of the elements, at most five. */
  nodes: string[];
}

/** Makes axe available in every document the page loads from now on. */
export async function installAxe(page: Page): Promise<void> {
  await page.addInitScript({ content: AXE_SOURCE });
}

/** Runs axe on the page's document; returns its violations. */
export async function runAxe(target: Page | Frame): Promise<AxeFinding[]> {
  return target.evaluate(async () => {
    type Result = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<Result> } }).axe;
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? 'minor', help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  });
}

export const isBlocking = (f: AxeFinding) => f.impact === 'critical' || f.impact === 'serious';

export function describe(findings: AxeFinding[]): string {
  return findings.map((f) => `${f.impact} ${f.id} (${f.help}): ${f.nodes.join(', ')}`).join('\n');
}
