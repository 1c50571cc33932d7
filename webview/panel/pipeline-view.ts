// The inspector's Pipeline view (issue 18; docs/playground.md): one server
// request as the drawing shows a server — TCP accept → bytes → HTTP parser →
// (queue) → route/handler → response — left to right (wrapping into a column
// when narrow), each stage with its time, what happened in plain words, its
// bytes one click away in the Bytes view and, for a user route, its source
// (opened in the editor in VS Code, shown as file:line in the browser page).
// The content comes from pipeline-stages.ts; this file only draws it.
import { html, nothing, render, type TemplateResult } from 'lit';
import type { PipelineView as PipelineRecord, QueueJob } from '../../server-core/protocol/playground.js';
import type { ConnCapture } from './conn-capture.js';
import { baseName, stageCards, type StageCard } from './pipeline-stages.js';
import { formatMs } from '../shared/format.js';

export interface PipelineViewHandlers {
  /** Select these bytes in the Bytes view (a tree key of the connection shown). */
  showBytes(connectionId: string, key: string): void;
  /** Open a routes file at its line (absent: the UI cannot, the link is shown as text). */
  openSource?: (file: string, line: number | undefined) => void;
  /** Another request of the same connection was picked. */
  pick(connectionId: string, index: number): void;
}

export interface PipelineShown {
  /** The server side of the connection (its bytes and messages), when the UI has it. */
  capture: ConnCapture | undefined;
  connectionId: string | undefined;
  records: readonly PipelineRecord[];
  /** The request shown (index from 1); the last one when absent or unknown. */
  index: number | undefined;
  job: (index: number) => QueueJob | undefined;
  /** Why there is nothing to show, when there is not. */
  empty?: string;
}

/** `a \`b\` c` → text with code parts. */
function words(s: string): TemplateResult {
  const parts = s.split('`');
  return html`${parts.map((p, i) => (i % 2 ? html`<code>${p}</code>` : p))}`;
}

function time(c: StageCard): TemplateResult | typeof nothing {
  if (c.at === undefined && c.took === undefined) return nothing;
  return html`<span class="pl-time">${c.at !== undefined ? html`at <b>${formatMs(c.at)}</b>` : nothing}${c.took !== undefined ? html` · took <b>${formatMs(c.took)}</b>` : nothing}</span>`;
}

export class PipelineView {
  readonly el = document.createElement('div');
  private shown: PipelineShown | undefined;

  constructor(private readonly h: PipelineViewHandlers) {
    this.el.className = 'pipeline-view';
  }

  /** The record drawn now (tests and the App read it). */
  current(): PipelineRecord | undefined {
    const s = this.shown;
    if (!s?.records.length) return undefined;
    return s.records.find((r) => r.index === s.index) ?? s.records[s.records.length - 1];
  }

  show(s: PipelineShown): void {
    this.shown = s;
    render(this.template(s), this.el);
  }

  private template(s: PipelineShown): TemplateResult {
    const rec = this.current();
    if (!rec || !s.connectionId) {
      return html`<p class="pl-empty" role="status">
        ${s.empty ?? 'No server request selected. Send a request to the Wireplay server, then pick it in the network list or the server queue.'}
      </p>`;
    }
    const cards = stageCards(rec, s.capture?.messages ?? [], s.job(rec.index));
    const id = s.connectionId;
    const stopped = cards.find((c) => c.stopped);
    return html`<div class="pl-head">
        <h2 class="pl-title" id="pl-title">
          <span class="codicon codicon-server-process" aria-hidden="true"></span>
          Request #${rec.index} <code>${rec.method} ${rec.target}</code> → <span class="pl-status ${rec.status >= 400 ? 'err' : ''}">${rec.status}</span>
        </h2>
        ${s.records.length > 1 ? this.picker(s.records, rec.index, id) : nothing}
        <span class="pl-note">times in ms since the connection's accept${stopped ? html` · <b class="pl-stopped-note">stopped at the ${stopped.title}</b>` : nothing}</span>
      </div>
      <ol class="pl-stages" aria-labelledby="pl-title">
        ${cards.map((c, i) => this.card(c, i, id))}
      </ol>`;
  }

  private picker(records: readonly PipelineRecord[], index: number, id: string): TemplateResult {
    return html`<vscode-single-select
      class="pl-pick"
      .label=${'Request on this connection'}
      title="Request on this connection"
      @change=${(e: Event) => this.h.pick(id, Number((e.target as HTMLInputElement).value))}
    >
      ${records.map((r) => html`<vscode-option value=${String(r.index)} ?selected=${r.index === index}>#${r.index} ${r.method} ${r.target} → ${r.status}</vscode-option>`)}
    </vscode-single-select>`;
  }

  private card(c: StageCard, i: number, id: string): TemplateResult {
    const cls = `pl-stage pl-${c.id}${c.stopped ? ' stopped' : ''}${c.skipped ? ' skipped' : ''}`;
    return html`<li class=${cls} data-stage=${c.id}>
      ${i > 0 ? html`<span class="pl-arrow" aria-hidden="true">→</span>` : nothing}
      <div class="pl-card">
        <div class="pl-name">
          ${c.stopped ? html`<span class="codicon codicon-error" aria-hidden="true"></span><span class="sr-only">Stopped here: </span>` : nothing}${c.skipped ? html`<span class="sr-only">Not reached: </span>` : nothing}${c.title}
        </div>
        ${time(c)}
        <p class="pl-words">${words(c.words)}</p>
        <div class="pl-links">
          ${c.bytes
            ? html`<button class="pl-link pl-bytes" title="Select these bytes in the Bytes view" @click=${() => this.h.showBytes(id, c.bytes!.key)}>
                <span class="codicon codicon-file-binary" aria-hidden="true"></span> Show ${c.bytes.label}
              </button>`
            : nothing}
          ${c.source ? this.source(c.source) : nothing}
        </div>
      </div>
    </li>`;
  }

  private source(src: { file: string; line?: number }): TemplateResult {
    const label = `${baseName(src.file)}${src.line !== undefined ? `:${src.line}` : ''}`;
    const open = this.h.openSource;
    return open
      ? html`<button class="pl-link pl-source" title=${`Open ${src.file}${src.line !== undefined ? ` at line ${src.line}` : ''} in the editor`} @click=${() => open(src.file, src.line)}>
          <span class="codicon codicon-go-to-file" aria-hidden="true"></span> Open ${label}
        </button>`
      : html`<span class="pl-source-text" title="The route's source (open it in your editor)"><span class="codicon codicon-file-code" aria-hidden="true"></span> <code>${src.file}${src.line !== undefined ? `:${src.line}` : ''}</code></span>`;
  }
}
