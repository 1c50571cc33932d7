// The playground with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrow
// keys; no mouse, no Alt shortcuts): composer tabs, method and URL, body, send,
// then the inspector's tabs, the Parsed view's sections, the hex rows, the
// dissection tree and a timeline message. Every stop must show a focus ring in
// the theme's focus colour; tabs carry their ARIA roles and state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifacts, openPlayground, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';

const session = useStandaloneUi();

interface Focused {
  /** document.activeElement, described. */
  tag: string;
  cls: string;
  role: string | null;
  label: string | null;
  /** The name attribute (radio groups). */
  name: string | null;
  text: string;
  /** Whether it (or the shadow element holding focus inside it) shows an outline or border in --vscode-focusBorder. */
  ring: boolean;
}

/** What has the focus, and whether a focus ring in the theme's focus colour is drawn for it. */
function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--vscode-focusBorder)';
    document.body.append(probe);
    const focus = getComputedStyle(probe).color;
    probe.remove();
    const host = document.activeElement as HTMLElement;
    const chain: Element[] = [host];
    for (let el: Element = host; el.shadowRoot?.activeElement; ) chain.push((el = el.shadowRoot.activeElement));
    // Web components draw their ring on an inner part: look inside their shadow roots too.
    const candidates = chain.flatMap((e) => [e, ...(e.shadowRoot ? [...e.shadowRoot.querySelectorAll('*')] : [])]);
    const sides = ['Top', 'Right', 'Bottom', 'Left'] as const;
    const ring = candidates.some((c) => {
      const cs = getComputedStyle(c);
      if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 && cs.outlineColor === focus) return true;
      return sides.some((s) => cs[`border${s}Style`] !== 'none' && parseFloat(cs[`border${s}Width`]) > 0 && cs[`border${s}Color`] === focus);
    });
    return {
      tag: host.tagName.toLowerCase(),
      cls: typeof host.className === 'string' ? host.className : '',
      role: host.getAttribute('role'),
      label: host.getAttribute('aria-label'),
      name: host.getAttribute('name'),
      text: (host.innerText ?? '').trim().slice(0, 60),
      ring,
    };
  });
}

/** Presses Tab (or Shift+Tab) until the focused element matches; asserts it shows a focus ring. */
async function tabTo(page: Page, what: string, match: (f: Focused) => boolean, back = false, max = 60): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    const name = `${f.tag}.${f.cls.split(' ').join('.')}${f.label ? `[${f.label}]` : ''}`;
    seen.push(name);
    // Every stop on the way shows its focus too (the page itself, reached past the last control, has none).
    if (f.tag !== 'body') assert.ok(f.ring, `${name} "${f.text}": a visible focus ring in the focus colour (on the way to ${what})`);
    if (match(f)) return f;
  }
  throw new Error(`${what}: not reachable with ${back ? 'Shift+Tab' : 'Tab'}; focus went ${seen.join(' → ')}`);
}

async function expectFocus(page: Page, what: string, match: (f: Focused) => boolean): Promise<void> {
  const f = await focused(page);
  assert.ok(match(f), `${what}: focus is on ${f.tag}.${f.cls} ${f.label ?? ''} "${f.text}"`);
  assert.ok(f.ring, `${what}: a visible focus ring`);
}

const isTab = (name: string) => (f: Focused) => f.role === 'tab' && f.text.includes(name);

test('compose, send and inspect with the keyboard only', async () => {
  const page = await session.newPage({ width: 1280, height: 640 });
  try {
    const demo = await openPlayground(page, session.url);

    // ARIA: both tab strips are tablists of tabs with aria-selected; the views are tab panels.
    const aria = await page.evaluate(() => ({
      modeBar: document.querySelector('.mode-bar')!.getAttribute('role'),
      modes: [...document.querySelectorAll('.mode-bar .mode')].map((b) => [b.getAttribute('role'), b.getAttribute('aria-selected'), b.getAttribute('aria-controls')]),
      panel: document.querySelector('.composer-body')!.getAttribute('role'),
      inspector: [...document.querySelectorAll('.inspector-tabs vscode-tab-header')].map((h) => [h.getAttribute('role'), h.getAttribute('aria-selected')]),
      views: [...document.querySelectorAll('.views > .view')].map((v) => [v.getAttribute('role'), v.getAttribute('aria-label')]),
      picker: document.querySelector('.conn-pick select')!.getAttribute('aria-label'),
    }));
    assert.equal(aria.modeBar, 'tablist');
    assert.deepEqual(aria.modes.map((m) => m.slice(0, 2)), [['tab', 'true'], ['tab', 'false'], ['tab', 'false'], ['tab', 'false']]);
    assert.ok(aria.modes.every((m) => m[2] === 'composer-panel'), 'each composer tab controls the composer panel');
    assert.equal(aria.panel, 'tabpanel');
    assert.deepEqual(aria.inspector, [['tab', 'true'], ['tab', 'false'], ['tab', 'false']]);
    assert.deepEqual(aria.views.map((v) => v[0]), ['tabpanel', 'tabpanel', 'tabpanel']);
    assert.ok(aria.views.every((v) => v[1]), 'each view is labelled');
    assert.ok(aria.picker);

    // Composer tabs: arrows move between HTTP, WebSocket, SSE and Raw TCP and select them.
    await tabTo(page, 'the HTTP composer tab', isTab('HTTP'));
    await page.keyboard.press('ArrowRight');
    await expectFocus(page, 'WebSocket tab', isTab('WebSocket'));
    await page.waitForSelector('vscode-textfield.wsurl');
    assert.equal(await page.locator('.mode[data-mode="ws"]').getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('vscode-textfield.sseurl');
    await expectFocus(page, 'SSE tab', isTab('SSE'));
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('vscode-textfield.rhost');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('vscode-textfield.url');
    await expectFocus(page, 'back on the HTTP tab', isTab('HTTP'));
    assert.equal(await page.locator('.mode[data-mode="http"]').getAttribute('aria-selected'), 'true');
    // Enter and Space on a tab select it too.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Space');
    await page.waitForSelector('vscode-textfield.url');

    // Method: open the list, move down to POST, pick it.
    await tabTo(page, 'the method', (f) => f.label === 'Method');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await until(page, 'a POST preview', () => /^POST /.test(document.querySelector('.preview')?.textContent ?? ''));

    // URL.
    await tabTo(page, 'the URL', (f) => f.label === 'URL');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(`${demo}/echo?kbd=1`);
    await until(page, 'the preview of POST /echo?kbd=1', () => /^POST \/echo\?kbd=1 /.test(document.querySelector('.preview')?.textContent ?? ''));

    // Body: the radio group moves with the arrows; then the JSON text.
    await tabTo(page, 'the body kinds', (f) => f.name === 'bodykind');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('vscode-textarea.btext');
    assert.equal(await page.locator('input[name="bodykind"]:checked').getAttribute('value'), 'json');
    await tabTo(page, 'the body text', (f) => f.label === 'Body');
    await page.keyboard.type('{"kbd":true}');
    await until(page, 'a JSON Content-Type in the preview', () => /Content-Type: application\/json/.test(document.querySelector('.preview')?.textContent ?? ''));

    // Back up to Send with Shift+Tab, and press it.
    await tabTo(page, 'the Send button', (f) => f.cls.includes('send'), true);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.parsed-content .status[data-status="200"]');

    // The inspector: its tab strip, then the Parsed sections (summaries toggle with Enter).
    await tabTo(page, 'the inspector tabs', isTab('Parsed'));
    await tabTo(page, 'the Timing section', (f) => f.tag === 'summary' && f.text.startsWith('Timing'));
    assert.equal(await page.locator('.parsed-content details:has(.timing)').getAttribute('open'), '');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.parsed-content details:has(.timing)').getAttribute('open'), null, 'Enter collapses it');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.parsed-content details:has(.timing)').getAttribute('open'), '');
    await page.screenshot({ path: join(artifacts, 'keyboard-parsed.png') });

    // Bytes: arrow to its tab, Enter selects it.
    await tabTo(page, 'back to the inspector tabs', isTab('Parsed'), true);
    await page.keyboard.press('ArrowRight');
    await expectFocus(page, 'the Bytes tab', isTab('Bytes'));
    await page.keyboard.press('Enter');
    await until(page, 'the Bytes tab', () => document.body.dataset.tab === 'bytes');
    assert.equal(await page.locator('.inspector-tabs vscode-tab-header[aria-selected="true"]').innerText(), 'Bytes');

    // Hex rows: ArrowDown moves one row, PageDown a page, ArrowDown again one more (from a partly scrolled row too), Home back to the top.
    await tabTo(page, 'the hex view', (f) => f.cls.includes('vscroll') && (f.label ?? '').startsWith('Bytes'));
    await page.waitForSelector('.hrow');
    const topRow = () => page.locator('.hex-pane .vscroll').evaluate((e) => e.scrollTop / 20);
    const rows = await page.locator('.hex-pane .vscroll').evaluate((e) => ({ total: e.scrollHeight / 20, visible: e.clientHeight / 20 }));
    assert.ok(rows.total > rows.visible * 2 + 2, `enough rows to page through (${rows.total} for ${rows.visible} visible)`);
    assert.equal(await topRow(), 0);
    const moved = async (key: string, from: number) => {
      await page.keyboard.press(key);
      await until(page, `the hex rows scrolled past row ${from} (${key})`, (t) => document.querySelector('.hex-pane .vscroll')!.scrollTop / 20 > t, from);
      return topRow();
    };
    const one = await moved('ArrowDown', 0);
    assert.ok(one <= 1, `ArrowDown scrolls one row at most (${one})`);
    const paged = await moved('PageDown', one);
    assert.ok(paged - one >= rows.visible - 2, `PageDown scrolls about a page (${one} → ${paged})`);
    const next = await moved('ArrowDown', paged);
    assert.ok(next - paged <= 1, `then ArrowDown one row (${paged} → ${next})`);
    await page.keyboard.press('ArrowUp');
    await until(page, `the hex rows scrolled back above row ${next}`, (t) => document.querySelector('.hex-pane .vscroll')!.scrollTop / 20 < t, next);
    await page.keyboard.press('Home');
    await until(page, 'the hex rows back at the top', () => document.querySelector('.hex-pane .vscroll')!.scrollTop === 0);

    // The dissection tree: down to the first message, expand it, down to its first field (its bytes get selected).
    await tabTo(page, 'the dissection tree', (f) => f.role === 'tree');
    await page.waitForSelector('.tnode.msg.s2c');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('.tnode.sel[aria-level="1"]');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('.tnode.sel[aria-expanded="true"]');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('.tnode.sel[aria-level="2"]');
    assert.ok((await page.locator('.hrow .b.sel').count()) > 0, 'the field’s bytes are selected in the hex view');
    await page.screenshot({ path: join(artifacts, 'keyboard-bytes.png') });

    // Timeline: back to the tabs, arrow to Timeline, Space selects it; arrows pick a message, Enter opens it in Bytes.
    await tabTo(page, 'the inspector tabs again', isTab('Bytes'), true);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    await until(page, 'the Timeline tab', () => document.body.dataset.tab === 'timeline');
    await tabTo(page, 'the sequence diagram', (f) => (f.label ?? '').startsWith('Sequence diagram'));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.waitForSelector('g.arrow.focused.s2c');
    await page.screenshot({ path: join(artifacts, 'keyboard-timeline.png') });
    const responseId = await page.evaluate(() => {
      type W = { wireplay: { app: { store: { connections: Map<string, { messages: { id: number; dir: string }[] }> } } } };
      const c = [...(window as unknown as W).wireplay.app.store.connections.values()].find((x) => x.messages.length);
      return c!.messages.find((m) => m.dir === 's2c')!.id;
    });
    await page.keyboard.press('Enter');
    await until(page, 'the Bytes tab', () => document.body.dataset.tab === 'bytes');
    await page.waitForSelector(`.tnode.sel[data-key="${responseId}/"]`);
    await expectFocus(page, 'the opened message, in the tree', (f) => f.role === 'tree');
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await page.close();
  }
});
