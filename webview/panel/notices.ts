// Notices in the panel's corner: an info, warning or error line from the host
// (or the UI), dismissed by its button or after eight seconds. The box is a
// status region, so screen readers announce each one.
import { html, render } from 'lit';
import { div } from '../shared/dom.js';

export type NoticeLevel = 'info' | 'warning' | 'error';

const ICONS: Record<NoticeLevel, string> = { info: 'info', warning: 'warning', error: 'error' };
/** How long a notice stays, ms. */
const NOTICE_MS = 8000;

export function showNotice(level: NoticeLevel, message: string): void {
  let box = document.querySelector<HTMLElement>('.notices');
  if (!box) {
    box = div('notices');
    box.setAttribute('role', 'status');
    document.body.append(box);
  }
  const n = div(`notice ${level}`);
  render(
    html`<span class="codicon codicon-${ICONS[level]}"></span> ${message}
      <button class="icon-btn" aria-label="Dismiss" @click=${() => n.remove()}><span class="codicon codicon-close"></span></button>`,
    n,
  );
  box.append(n);
  setTimeout(() => n.remove(), NOTICE_MS);
}
