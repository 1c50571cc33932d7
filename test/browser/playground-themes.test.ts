// The standalone page in VS Code's four theme kinds (light, dark, high contrast,
// high contrast light) with a real exchange on screen: body classes as VS Code
// sets them, client→server and server→client told apart by colour with enough
// contrast, and in high contrast every pane edge drawn in the contrast border
// colour. Screenshots: test-artifacts/playground/theme-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifacts, openPlayground, sendHttp, useStandaloneUi } from './support/standalone.js';

const session = useStandaloneUi();

const THEMES = [
  { theme: 'light', body: ['vscode-light'], hc: false },
  { theme: 'dark', body: ['vscode-dark'], hc: false },
  { theme: 'hc-dark', body: ['vscode-high-contrast'], hc: true },
  { theme: 'hc-light', body: ['vscode-high-contrast-light', 'vscode-high-contrast'], hc: true },
] as const;

type Rgba = [number, number, number, number];

function parseColor(css: string): Rgba {
  const m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(css);
  assert.ok(m, `a computed colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
}

function luminance([r, g, b]: Rgba): number {
  const lin = (c: number) => ((c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of a (possibly translucent) colour drawn on an opaque background. */
function contrast(fg: string, bg: string): number {
  const b = parseColor(bg);
  const f = parseColor(fg);
  const over: Rgba = [0, 1, 2].map((i) => f[i] * f[3] + b[i] * (1 - f[3])) as Rgba;
  const [hi, lo] = [luminance(over), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** A CSS variable as the browser resolves it to a colour ('' when unset). */
function resolveVar(page: Page, name: string): Promise<string> {
  return page.evaluate((n) => {
    const probe = document.createElement('span');
    probe.style.color = `var(${n}, transparent)`;
    document.body.append(probe);
    const c = getComputedStyle(probe).color;
    probe.remove();
    return c === 'rgba(0, 0, 0, 0)' ? '' : c;
  }, name);
}

function style(page: Page, selector: string, prop: string): Promise<string> {
  return page.locator(selector).first().evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), prop);
}

test('light, dark, high contrast and high contrast light: readable directions, contrast borders in HC', async () => {
  const page = await session.newPage();
  try {
    const demo = await openPlayground(page, session.url, '?theme=dark');
    await sendHttp(page, 'POST', `${demo}/echo?themes=1`);
    await page.waitForSelector('.parsed-content .status[data-status="200"]');
    for (const { theme, body, hc } of THEMES) {
      // The selection and its result survive the reload into each theme.
      await openPlayground(page, session.url, `?theme=${theme}`);
      await page.waitForSelector('.parsed-content .status[data-status="200"]');
      const classes = await page.evaluate(() => ({ list: [...document.body.classList], kind: document.body.dataset.vscodeThemeKind }));
      assert.deepEqual(classes.list.sort(), [...body].sort(), `${theme}: body classes as VS Code sets them`);
      assert.equal(classes.kind, body[0]);
      const bg = await style(page, 'body', 'background-color');
      assert.equal(parseColor(bg)[3], 1, `${theme}: an opaque background`);
      const text = await style(page, 'body', 'color');
      assert.ok(contrast(text, bg) >= 7, `${theme}: body text ${text} on ${bg}`);
      for (const sel of ['.parsed-content .sizes', '.parsed-content .tm-name', '.parsed-content .req-line']) {
        const c = await style(page, sel, 'color');
        assert.ok(contrast(c, bg) >= 4.5, `${theme}: ${sel} ${c} on ${bg} (${contrast(c, bg).toFixed(2)}:1)`);
      }
      await page.screenshot({ path: join(artifacts, `theme-${theme}-parsed.png`) });

      await page.keyboard.press('Alt+2');
      await page.waitForSelector('.hrow.c2s .b[data-o="0"]');
      await page.waitForSelector('.hrow.s2c');
      const edge = { c2s: await style(page, '.hrow.c2s', 'border-left-color'), s2c: await style(page, '.hrow.s2c', 'border-left-color') };
      const glyph = { c2s: await style(page, '.hrow.c2s .d', 'color'), s2c: await style(page, '.hrow.s2c .d', 'color') };
      assert.notEqual(edge.c2s, edge.s2c, `${theme}: the rows' edges differ by direction`);
      assert.notEqual(glyph.c2s, glyph.s2c, `${theme}: the arrows differ by direction`);
      for (const d of ['c2s', 's2c'] as const) {
        assert.equal(parseColor(glyph[d])[3], 1, `${theme}: ${d} is an opaque colour (${glyph[d]})`);
        assert.ok(contrast(glyph[d], bg) >= 4.5, `${theme}: ${d} ${glyph[d]} on ${bg} (${contrast(glyph[d], bg).toFixed(2)}:1)`);
      }
      // A byte selects its field once the dissection is in (it may follow the bytes after a reload).
      await page.waitForSelector('.tnode.msg.c2s');
      await page.locator('.hrow.c2s .b[data-o="0"]').click();
      await page.waitForSelector('.tnode.sel');
      await page.screenshot({ path: join(artifacts, `theme-${theme}-bytes.png`) });

      if (hc) {
        const border = await resolveVar(page, '--vscode-contrastBorder');
        const active = await resolveVar(page, '--vscode-contrastActiveBorder');
        assert.ok(border && active, `${theme}: the contrast border colours are defined`);
        const edges: [string, string][] = [
          ['.topbar', 'border-bottom-color'],
          ['.req-tabs', 'border-bottom-color'],
          ['.request-bar-host', 'border-bottom-color'],
          ['.net-toolbar', 'border-bottom-color'],
          ['.net-head', 'border-bottom-color'],
          ['.divider-tree', 'background-color'],
          ['.bytes-legend', 'border-bottom-color'],
          ['.bytes-status', 'border-top-color'],
          ['.composer .preview', 'border-top-color'],
          ['.divider', 'background-color'],
        ];
        for (const [sel, prop] of edges) assert.equal(await style(page, sel, prop), border, `${theme}: ${sel} ${prop} is the contrast border`);
        assert.equal(await style(page, '.divider', 'opacity'), '1');
        assert.equal(await style(page, '.inspector-tabs vscode-tab-header[active]', 'outline-color'), active, `${theme}: the active inspector tab is outlined`);
        assert.equal(await style(page, '.mode-bar .mode.on', 'outline-color'), active);
        assert.equal(await style(page, '.tnode.sel', 'outline-color'), active, `${theme}: the selected field is outlined`);
      }

      await page.keyboard.press('Alt+3');
      await page.waitForSelector('g.arrow');
      const shafts = await page.$$eval('g.arrow .shaft', (els) => els.map((e) => getComputedStyle(e).stroke));
      assert.equal(new Set(shafts).size, 2, `${theme}: request and response arrows in two colours (${shafts.join(', ')})`);
      await page.screenshot({ path: join(artifacts, `theme-${theme}-timeline.png`) });
      if (hc) assert.equal(await style(page, '.tl-header', 'border-bottom-color'), await resolveVar(page, '--vscode-contrastBorder'));
      await page.keyboard.press('Alt+1');
    }
  } finally {
    await page.close();
  }
});

test('an unknown ?theme falls back to the system preference, high contrast included', async () => {
  const page = await session.newPage();
  try {
    await page.emulateMedia({ colorScheme: 'light', forcedColors: 'none' });
    await openPlayground(page, session.url, '?theme=nonsense');
    assert.deepEqual(await page.evaluate(() => [document.documentElement.dataset.theme, document.body.className]), ['light', 'vscode-light']);
    await page.emulateMedia({ colorScheme: 'dark', forcedColors: 'active' });
    await openPlayground(page, session.url, '');
    assert.deepEqual(await page.evaluate(() => [document.documentElement.dataset.theme, document.body.className]), ['hc-dark', 'vscode-high-contrast']);
    await openPlayground(page, session.url, '?theme=high-contrast-light');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'hc-light');
  } finally {
    await page.close();
  }
});
