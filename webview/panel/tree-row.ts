// One row of the dissection tree (a message, or one of its fields at its
// depth) as a treeitem, and the full text of a node: what its row shows cut to
// the column's width is whole in the row's tooltip and, for the selected node,
// in the detail line under the tree (where a screen reader reads it too).
import { html, nothing, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { Direction } from '../../server-core/protocol/playground.js';
import { formatMs } from '../shared/format.js';
import type { ConnCapture } from './conn-capture.js';
import type { TreeNode } from './tree-rows.js';

const ARROW: Record<Direction, string> = { c2s: '→', s2c: '←' };
const DIR_WORDS: Record<Direction, string> = { c2s: 'client to server', s2c: 'server to client' };

/** An id for a tree key, usable in aria-activedescendant. */
export function treeItemId(key: string): string {
  return `tn-${key.replace(/[^\w-]/g, '_')}`;
}

/** Everything a node says, whole: name, value, explanation, bytes, error. */
export function nodeText(n: TreeNode, c: ConnCapture): string {
  if (n.field) {
    const f = n.field;
    const bytes = f.range.end - f.range.start;
    return `${f.name}${f.value !== undefined ? `: ${f.value}` : ''}${f.explain ? ` — ${f.explain}` : ''} (${bytes} byte${bytes === 1 ? '' : 's'} at offset ${f.range.start})${f.error ? `. Error: ${f.error}` : ''}`;
  }
  const m = n.msg;
  return `${ARROW[m.dir]} ${DIR_WORDS[m.dir]}: ${m.summary} (${m.range.end - m.range.start} B at +${formatMs(m.tStart - c.info.t)})${m.error ? `. Error: ${m.error.message}` : ''}`;
}

export interface TreeRowState {
  open: boolean;
  selected: boolean;
  hovered: boolean;
}

export function treeRowTemplate(n: TreeNode, y: number, c: ConnCapture, s: TreeRowState, posinset: number, setsize: number): TemplateResult {
  const twisty = n.hasChildren ? html`<span class="twisty codicon codicon-chevron-${s.open ? 'down' : 'right'}" aria-hidden="true"></span>` : html`<span class="twisty" aria-hidden="true"></span>`;
  let body: TemplateResult;
  let cls = 'tnode';
  if (n.field) {
    const f = n.field;
    if (f.error) cls += ' err';
    body = html`<span class="fname">${f.name}</span>${f.value !== undefined ? html`<span class="fval">${f.value}</span>` : nothing}${f.bitMask !== undefined
        ? html` <span class="bits" aria-hidden="true">${f.bitMask.toString(2).padStart(8, '0').replace(/0/g, '.').replace(/1/g, '●')}</span>`
        : nothing}${f.explain ? html`<span class="fexp">${f.explain}</span>` : nothing}${f.error
        ? html`<span class="ferr"><span class="codicon codicon-error" aria-hidden="true"></span><span class="sr-only">error: ${f.error}</span></span>`
        : nothing}`;
  } else {
    const m = n.msg;
    cls += ` msg ${m.dir}`;
    if (m.error) cls += ' err';
    body = html`<span class="d" aria-hidden="true">${ARROW[m.dir]}</span><span class="sr-only">${DIR_WORDS[m.dir]}: </span><span class="fname">${m.summary}</span><span class="fexp"
        >${m.range.end - m.range.start} B · +${formatMs(m.tStart - c.info.t)}</span
      >${m.error ? html`<span class="ferr"><span class="codicon codicon-error" aria-hidden="true"></span><span class="sr-only">error: ${m.error.message}</span></span>` : nothing}`;
  }
  if (s.selected) cls += ' sel';
  if (s.hovered) cls += ' hv';
  return html`<div
    class=${cls}
    id=${treeItemId(n.key)}
    data-key=${n.key}
    role="treeitem"
    aria-level=${n.depth + 1}
    aria-posinset=${posinset}
    aria-setsize=${setsize}
    aria-expanded=${n.hasChildren ? String(s.open) : nothing}
    aria-selected=${String(s.selected)}
    title=${nodeText(n, c)}
    style=${styleMap({ transform: `translateY(${y}px)`, paddingLeft: `${4 + n.depth * 14}px` })}
  >${twisty}${body}</div>`;
}
