// The playground with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrow
// keys, Ctrl+Enter; no mouse): the URL has the focus when the page opens, the
// method picker answers ↑ ↓ and letters while closed, Ctrl+Enter sends from a
// body field, Tab goes through the controls in the order they are laid out,
// the network list selects with the arrows and Enter goes into the inspector,
// the hex view moves byte by byte and says the field under its cursor (and
// lets the focus go on Tab), the tree and the timeline. Every stop shows a
// focus ring in the theme's focus colour; tabs carry their ARIA roles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifacts, openPlayground, useStandaloneUi } from './support/standalone.js';
import { until } from './support/wait.js';
import { PLAYGROUND_KEYS } from '../../server-core/protocol/keyboard-help.js';

const session = useStandaloneUi();

interface Focused {
  /** The focused element (inside shadow roots too), described. */
  tag: string;
  cls: string;
  /** Classes of the custom element that holds it, if it is inside one. */
  host: string;
  role: string | null;
  label: string | null;
  name: string | null;
  text: string;
  /** Which part of the page it is in, in reading order: 0 top bar … 6 inspector views. */
  region: number;
  /** Whether it (or its host's shadow parts) shows an outline or border in --vscode-focusBorder. */
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
    const top = document.activeElement as HTMLElement;
    const chain: Element[] = [top];
    for (let el: Element = top; el.shadowRoot?.activeElement; ) chain.push((el = el.shadowRoot.activeElement));
    const deep = chain[chain.length - 1] as HTMLElement;
    // Web components draw their ring on an inner part: look inside their shadow roots too.
    const candidates = chain.flatMap((e) => [e, ...(e.shadowRoot ? [...e.shadowRoot.querySelectorAll('*')] : [])]);
    const sides = ['Top', 'Right', 'Bottom', 'Left'] as const;
    const ring = candidates.some((c) => {
      const cs = getComputedStyle(c);
      if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 && cs.outlineColor === focus) return true;
      return sides.some((s) => cs[`border${s}Style`] !== 'none' && parseFloat(cs[`border${s}Width`]) > 0 && cs[`border${s}Color`] === focus);
    });
    const regions = ['.topbar', '.req-tabs-host', '.request-bar-host', '.left', '.divider-main', '.net-host', '.divider-net', '.details'];
    const region = regions.findIndex((sel) => top.closest(sel));
    return {
      tag: deep.tagName.toLowerCase(),
      cls: typeof top.className === 'string' ? top.className : '',
      host: top !== deep && typeof top.className === 'string' ? top.className : '',
      role: deep.getAttribute('role') ?? top.getAttribute('role'),
      label: deep.getAttribute('aria-label') || top.getAttribute('aria-label'),
      name: deep.getAttribute('name'),
      text: (top.innerText ?? '').trim().slice(0, 60),
      region,
      ring,
    };
  });
}

const where = (f: Focused) => `${f.tag}.${f.cls.split(' ').join('.')}${f.label ? `[${f.label}]` : ''}`;

/** Presses Tab (or Shift+Tab) until the focused element matches; asserts each stop shows a focus ring, and returns the stops. */
async function tabTo(page: Page, what: string, match: (f: Focused) => boolean, back = false, max = 60): Promise<Focused[]> {
  const seen: Focused[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    seen.push(f);
    if (f.tag !== 'body') assert.ok(f.ring, `${where(f)} "${f.text}": a visible focus ring in the focus colour (on the way to ${what})`);
    if (match(f)) return seen;
  }
  throw new Error(`${what}: not reachable with ${back ? 'Shift+Tab' : 'Tab'}; focus went ${seen.map(where).join(' → ')}`);
}

async function expectFocus(page: Page, what: string, match: (f: Focused) => boolean): Promise<void> {
  const f = await focused(page);
  assert.ok(match(f), `${what}: focus is on ${where(f)} "${f.text}"`);
  assert.ok(f.ring, `${what}: a visible focus ring`);
}

const isTab = (name: string) => (f: Focused) => f.role === 'tab' && f.text.includes(name);
const preview = () => document.querySelector('.preview')?.textContent ?? '';

test('compose, send and inspect with the keyboard only', async () => {
  const page = await session.newPage({ width: 1280, height: 720 });
  try {
    const demo = await openPlayground(page, session.url);

    // Opening the playground puts the cursor in the URL.
    await until(page, 'the URL to have the focus', () => document.activeElement?.classList.contains('url'));
    await expectFocus(page, 'on opening', (f) => f.label === 'URL');

    // ARIA: the tab strips are tablists of tabs with aria-selected; the views are tab panels.
    const aria = await page.evaluate(() => ({
      requests: document.querySelector('.rtabs')!.getAttribute('role'),
      modes: [...document.querySelectorAll('.mode-bar .mode')].map((b) => [b.getAttribute('role'), b.getAttribute('aria-selected')]),
      panel: document.querySelector('.composer-body')!.getAttribute('role'),
      inspector: [...document.querySelectorAll('.inspector-tabs vscode-tab-header')].map((h) => [h.getAttribute('role'), h.getAttribute('aria-selected')]),
      views: [...document.querySelectorAll('.views > .view')].map((v) => v.getAttribute('role')),
      list: document.querySelector('.net-list')!.getAttribute('role'),
      dividers: [...document.querySelectorAll('.divider')].map((d) => [d.getAttribute('role'), d.getAttribute('aria-valuenow') !== null]),
    }));
    assert.equal(aria.requests, 'tablist');
    assert.deepEqual(aria.modes, [['tab', 'true'], ['tab', 'false'], ['tab', 'false'], ['tab', 'false']]);
    assert.equal(aria.panel, 'tabpanel');
    assert.deepEqual(aria.inspector, [['tab', 'true'], ['tab', 'false'], ['tab', 'false'], ['tab', 'false']]);
    assert.deepEqual(aria.views, ['tabpanel', 'tabpanel', 'tabpanel', 'tabpanel']);
    assert.equal(aria.list, 'listbox');
    assert.ok(aria.dividers.every(([role, value]) => role === 'separator' && value), 'every divider is a separator with its value');

    // The method, closed: ↓ picks the next one, letters pick by name, without opening the list.
    await tabTo(page, 'the method', (f) => f.label === 'Method', true);
    await page.keyboard.press('ArrowDown');
    await until(page, 'a POST preview', () => /^POST /.test(document.querySelector('.preview')?.textContent ?? ''));
    assert.equal(await page.locator('vscode-single-select.method').evaluate((e) => (e as unknown as { open: boolean }).open), false, 'the list stayed closed');
    await page.keyboard.type('d');
    await until(page, 'a DELETE preview', () => /^DELETE /.test(document.querySelector('.preview')?.textContent ?? ''));
    await page.keyboard.type('p');
    await until(page, 'POST again', () => /^POST /.test(document.querySelector('.preview')?.textContent ?? ''));

    // URL.
    await tabTo(page, 'the URL', (f) => f.label === 'URL');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(`${demo}/echo?kbd=1`);
    await until(page, 'the preview of POST /echo?kbd=1', () => /^POST \/echo\?kbd=1 /.test(document.querySelector('.preview')?.textContent ?? ''));

    // Body: the radio group moves with the arrows; then the JSON text, and Ctrl+Enter sends from there.
    const toBody = await tabTo(page, 'the body kinds', (f) => f.name === 'bodykind');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('vscode-textarea.btext');
    assert.equal(await page.locator('input[name="bodykind"]:checked').getAttribute('value'), 'json');
    await tabTo(page, 'the body text', (f) => f.label === 'Body');
    await page.keyboard.type('{"kbd":true}');
    await until(page, 'a JSON Content-Type in the preview', () => /Content-Type: application\/json/.test(document.querySelector('.preview')?.textContent ?? ''));
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.waitForSelector('.parsed-content .status[data-status="200"]');
    await expectFocus(page, 'after sending, the focus stays in the body', (f) => f.label === 'Body');

    // Tab goes on in the order things are laid out: composer, divider, network list, inspector.
    const stops = [...toBody, ...(await tabTo(page, 'the network list', (f) => f.role === 'listbox'))];
    const regions = stops.map((f) => f.region);
    assert.deepEqual(regions, [...regions].sort((a, b) => a - b), `focus regions in reading order: ${stops.map((f) => `${f.region}:${where(f)}`).join(' → ')}`);
    assert.ok(stops.some((f) => f.role === 'separator'), 'the divider between composer and inspector is a stop');

    // The network list: ↑ ↓ select (the inspector follows), Enter goes to the inspector's tabs.
    await page.keyboard.press('ArrowUp');
    await page.waitForSelector('.net-list .nrow.sel');
    await page.keyboard.press('End');
    assert.match(await page.locator('.net-list .nrow.sel').innerText(), /POST\s+\/echo\?kbd=1/);
    assert.ok(await page.locator('.net-list').getAttribute('aria-activedescendant'), 'the selected row is the active descendant');
    await page.keyboard.press('Enter');
    await expectFocus(page, 'Enter on a row: the inspector tabs', isTab('Parsed'));

    // The Parsed sections toggle with Enter.
    await tabTo(page, 'the Timing section', (f) => f.tag === 'summary' && f.text.startsWith('Timing'));
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

    // The hex view: the cursor starts on the first byte and moves byte by byte; the byte and its field are said.
    await tabTo(page, 'the hex view', (f) => f.role === 'grid');
    await page.waitForSelector('.hrow .b.cur');
    const said = () => page.locator('.bytes-cursor').innerText();
    assert.match(await said(), /^→ client to server, offset 0x0 \(0\): 0x50 'P'\..*In POST \/echo\?kbd=1 HTTP\/1\.1/);
    assert.equal(await page.locator('.bytes-cursor').getAttribute('role'), 'status', 'said through a live region');
    await page.keyboard.press('ArrowRight');
    await until(page, 'the cursor on the second byte', () => /offset 0x1 \(1\): 0x4f 'O'/.test(document.querySelector('.bytes-cursor')?.textContent ?? ''));
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await until(page, 'the cursor in the request target', () => /offset 0x6 \(6\): 0x65 'e'\. .*\/echo\?kbd=1/.test(document.querySelector('.bytes-cursor')?.textContent ?? ''));
    await page.keyboard.press('ArrowDown');
    await until(page, 'the cursor a row down', () => /offset 0x16 \(22\)/.test(document.querySelector('.bytes-cursor')?.textContent ?? ''));
    await page.keyboard.press('ControlOrMeta+End');
    await until(page, 'the cursor on the last byte, from the server', () => /^← server to client/.test(document.querySelector('.bytes-cursor')?.textContent ?? ''));
    await page.keyboard.press('ControlOrMeta+Home');
    await until(page, 'the cursor back on the first byte', () => /offset 0x0 \(0\)/.test(document.querySelector('.bytes-cursor')?.textContent ?? ''));
    // Enter: the field under the cursor is selected in the tree.
    await page.keyboard.press('Enter');
    await page.waitForSelector('.tnode.sel:not([aria-level="1"])');
    assert.match(await page.locator('.tree-detail').innerText(), /^Method: POST/);
    await page.screenshot({ path: join(artifacts, 'keyboard-hex-cursor.png') });

    // No trap: Tab leaves the hex view, for the divider beside it, then the tree.
    await page.keyboard.press('Tab');
    await expectFocus(page, 'Tab out of the hex view', (f) => f.role === 'separator' && (f.label ?? '').includes('dissection tree'));
    await page.keyboard.press('Tab');
    await expectFocus(page, 'then the tree', (f) => f.role === 'tree');
    assert.ok(await page.locator('.tree-pane [role="tree"]').getAttribute('aria-activedescendant'), 'the tree names its selected item');
    await page.keyboard.press('Home');
    await page.waitForSelector('.tnode.sel[aria-level="1"]');
    await page.keyboard.press('ArrowLeft');
    await page.waitForSelector('.tnode.sel[aria-expanded="false"]');
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
    assert.match((await page.locator('g.arrow.focused').getAttribute('aria-label'))!, /^← server to client: 200 OK.*, \d+(\.\d)? (B|KiB), at \+/);
    await page.screenshot({ path: join(artifacts, 'keyboard-timeline.png') });
    await page.keyboard.press('Enter');
    await until(page, 'the Bytes tab', () => document.body.dataset.tab === 'bytes');
    await page.waitForSelector('.tnode.sel.msg.s2c');
    await expectFocus(page, 'the opened message, in the tree', (f) => f.role === 'tree');
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await page.close();
  }
});

test('request tabs and the keyboard help, without a mouse', async () => {
  const page = await session.newPage({ width: 1280, height: 720 });
  try {
    await openPlayground(page, session.url);
    await until(page, 'the URL to have the focus', () => document.activeElement?.classList.contains('url'));
    // Shift+Tab back to the request tabs; the New button opens another tab, the arrows move between them, Delete closes one.
    await tabTo(page, 'the New request button', (f) => f.cls.includes('new-tab'), true);
    await page.keyboard.press('Enter');
    await until(page, 'two request tabs', () => document.querySelectorAll('.rtab').length === 2);
    await tabTo(page, 'the request tabs', (f) => f.role === 'tab' && f.cls.includes('rtab'), true);
    await expectFocus(page, 'the new tab', (f) => f.cls.includes('rtab') && f.cls.includes('on'));
    await page.keyboard.press('ArrowLeft');
    await until(page, 'the first tab selected', () => document.querySelector('.rtab')?.getAttribute('aria-selected') === 'true');
    await page.keyboard.press('Delete');
    await until(page, 'one request tab', () => document.querySelectorAll('.rtab').length === 1);
    await expectFocus(page, 'the remaining tab', (f) => f.cls.includes('rtab'));
    // The keyboard help: a dialog with the panel's keys, and Escape gives the focus back.
    await tabTo(page, 'the Keys button', (f) => f.cls.includes('help'), true);
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog.kbd-help[open]');
    const helpText = await page.locator('dialog.kbd-help').innerText();
    assert.match(helpText, /Ctrl\+Enter \(Cmd\+Enter on macOS\)/);
    // The dialog is made from server-core/protocol/keyboard-help.ts: every section and every key of it is shown.
    for (const section of PLAYGROUND_KEYS) {
      assert.ok(helpText.includes(section.where), `the help shows the section "${section.where}"`);
      for (const k of section.keys) assert.ok(helpText.includes(k.keys) && helpText.includes(k.does), `the help shows ${k.keys}: ${k.does}`);
    }
    await page.keyboard.press('Escape');
    await until(page, 'the dialog closed', () => !document.querySelector('dialog.kbd-help[open]'));
    await expectFocus(page, 'back on the Keys button', (f) => f.cls.includes('help'));
    // Alt+F1 opens it from anywhere in the browser page.
    await page.keyboard.press('Alt+F1');
    await page.waitForSelector('dialog.kbd-help[open]');
    await page.keyboard.press('Escape');
    assert.deepEqual(session.pageErrors, []);
  } finally {
    await page.close();
  }
});
