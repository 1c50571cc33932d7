// What "nothing overlaps or is cut" means for the playground's fixed bars, as
// a check run in the page: every visible control of a bar lies inside the bar
// and the window, no two of them overlap, and no key label overflows its box
// (text cut without an ellipsis). Bars that scroll on purpose (the request
// tabs strip) are checked as a whole. Returns one line per problem.
import type { Page } from 'playwright-core';

/** A bar and the controls in it that must all be whole and apart. */
const BARS: readonly { bar: string; items: string }[] = [
  { bar: '.topbar', items: '.brand, .server, .mode-switch, vscode-button.help' },
  { bar: '.req-tabs', items: '.rtabs, vscode-button.new-tab' },
  { bar: '.request-bar .mode-bar', items: '.mode' },
  { bar: '.request-bar .req-row', items: ':scope > *' },
  { bar: '.net-toolbar', items: '.net-filter, .chip, .net-count, vscode-button.clear' },
  { bar: '.net-head', items: ':scope > span' },
  { bar: '.net-list .nrow.sel', items: ':scope > span' },
  { bar: '.inspector-head', items: 'vscode-tab-header, .side-switch, .side-only' },
  { bar: '.bytes-legend', items: ':scope > span' },
  { bar: '.tl-toolbar', items: 'button' },
  { bar: '.tl-header', items: '.tl-end, .tl-mid' },
  { bar: '.qv-mode', items: '.qv-badge, .qv-switch' },
];

/** Labels that must show their whole text (those cut on purpose end in an ellipsis and carry a tooltip). */
const LABELS = '.mode, .chip, .net-head span, vscode-tab-header, .side-switch .side, .mode-switch, .tl-toolbar button, .qv-switch button, .bytes-legend span, vscode-button';

export async function layoutProblems(page: Page): Promise<string[]> {
  // tsx keeps function names by wrapping them in __name(); the page has no such helper.
  await page.evaluate('window.__name = window.__name || ((f) => f)');
  return page.evaluate(
    ({ bars, labels }) => {
      const problems: string[] = [];
      const vw = document.documentElement.clientWidth;
      const vh = document.documentElement.clientHeight;
      const shown = (el: Element) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[hidden]');
      };
      const name = (el: Element) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}${el.textContent?.trim() ? ` "${el.textContent.trim().slice(0, 24)}"` : ''}`;
      const inside = (a: DOMRect, b: DOMRect) => a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
      for (const { bar, items } of bars) {
        for (const b of document.querySelectorAll(bar)) {
          if (!shown(b)) continue;
          const box = b.getBoundingClientRect();
          if (box.right > vw + 1 || box.left < -1) problems.push(`${bar} runs out of the window (${Math.round(box.left)}–${Math.round(box.right)} of ${vw})`);
          const kids = [...b.querySelectorAll(items)].filter(shown);
          const rects = kids.map((k) => k.getBoundingClientRect());
          kids.forEach((k, i) => {
            const r = rects[i];
            if (!inside(r, box)) problems.push(`${bar}: ${name(k)} is cut by its bar (${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)} in ${Math.round(box.left)},${Math.round(box.top)} ${Math.round(box.width)}×${Math.round(box.height)})`);
            if (r.right > vw + 1 || r.bottom > vh + 1) problems.push(`${bar}: ${name(k)} is outside the window`);
            for (let j = i + 1; j < kids.length; j++) {
              const q = rects[j];
              const w = Math.min(r.right, q.right) - Math.max(r.left, q.left);
              const h = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
              if (w > 1 && h > 1 && !kids[i].contains(kids[j]) && !kids[j].contains(kids[i])) problems.push(`${bar}: ${name(k)} overlaps ${name(kids[j])}`);
            }
          });
        }
      }
      for (const el of document.querySelectorAll<HTMLElement>(labels)) {
        if (!shown(el)) continue;
        const cs = getComputedStyle(el);
        if (cs.textOverflow === 'ellipsis') continue;
        if (el.scrollWidth > el.clientWidth + 1 && cs.overflowX !== 'visible') problems.push(`label ${name(el)} overflows its box (${el.scrollWidth} > ${el.clientWidth})`);
        // A label wider than its parent bar pokes out even with visible overflow.
        const r = el.getBoundingClientRect();
        if (r.right > vw + 1) problems.push(`label ${name(el)} runs out of the window`);
      }
      return [...new Set(problems)];
    },
    { bars: BARS, labels: LABELS },
  );
}
