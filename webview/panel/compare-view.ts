// "Compare the three": a modal dialog that asks the host to run the same chat
// over polling HTTP, SSE + POST and WebSocket against its server
// (compare.run; server-core/playground/compare-chat.ts runs it) and draws the
// result side by side: one column per way with its line in plain words, the
// counts (messages, requests, connections), the bytes on the wire both ways
// and the header bytes as bars on one scale, and each message's latency.
// Opened from the SSE tab's "Compare the three" button or Alt+Shift+C; Run (or
// Enter on it) starts a run; Escape or Close shuts it and the focus goes back.
import { html, nothing, render, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import { COMPARE_WAYS, COMPARE_WAY_LABELS, type CompareChatResult, type CompareWay, type CompareWayResult } from '../../server-core/protocol/compare-chat.js';
import type { FromWebview, ToWebview } from '../../server-core/protocol/playground.js';
import { formatBytes } from '../shared/format.js';
import { ModalDialog } from './modal-dialog.js';

/** Dispatched (bubbling, composed) by a control that opens the dialog, such as the SSE tab's button; the App listens. */
export const COMPARE_OPEN_EVENT = 'wireplay-compare-open';

type CompareState = Extract<ToWebview, { type: 'compare.state' }>;

export interface CompareDialogHost {
  post(m: FromWebview): void;
  /** Says something through the panel's live region. */
  announce(text: string): void;
}

let runs = 0;

export class CompareDialog extends ModalDialog {
  private runId: string | undefined;
  private way: CompareWay | undefined;
  private result: CompareChatResult | undefined;
  private error: string | undefined;

  constructor(private readonly host: CompareDialogHost) {
    super('compare', 'compare-title', '.compare-run');
    this.draw();
  }

  run(): void {
    if (this.runId !== undefined) return;
    this.runId = `compare-${Date.now().toString(36)}-${++runs}`;
    this.way = undefined;
    this.error = undefined;
    this.host.post({ type: 'compare.run', runId: this.runId });
    this.draw();
  }

  handle(m: CompareState): void {
    if (m.runId !== this.runId) return;
    if (m.state === 'running') this.way = m.way;
    else {
      this.runId = undefined;
      this.way = undefined;
      if (m.state === 'done' && m.result) {
        this.result = m.result;
        // How many results arrived (tests wait on it).
        this.el.dataset.results = String(Number(this.el.dataset.results ?? 0) + 1);
        this.host.announce(`Comparison done. ${m.result.ways.map((w) => w.summary).join('. ')}.`);
      } else {
        this.error = m.error ?? 'the comparison failed';
        this.host.announce(`Comparison failed: ${this.error}`);
      }
    }
    this.draw();
  }

  private draw(): void {
    const running = this.runId !== undefined;
    const r = this.result;
    render(
      html`<div class="compare-head">
          <h2 id="compare-title">Compare the three: polling, SSE + POST, WebSocket</h2>
          <vscode-button class="compare-run" icon="play" ?disabled=${running} @click=${() => this.run()}>${r ? 'Run again' : 'Run'}</vscode-button>
          <vscode-button class="compare-close" secondary icon="close" @click=${() => this.close()}>Close</vscode-button>
        </div>
        <div class="compare-body" role="region" tabindex="0" aria-label="Comparison">
          <p class="compare-status note" role="status">${this.statusText(running)}</p>
          ${r ? this.columns(r) : nothing}
        </div>`,
      this.el,
    );
  }

  private statusText(running: boolean): string {
    if (running) return this.way ? `Running: ${COMPARE_WAY_LABELS[this.way]}…` : 'Starting…';
    if (this.error) return `Failed: ${this.error}`;
    const r = this.result;
    if (r) return `The same ${r.script.length} messages sent one at a time to ${r.serverUrl}, each after the previous one arrived (polling every ${r.pollIntervalMs} ms). Bytes are counted from the capture, headers included.`;
    return 'Sends the same short chat three ways to the Wireplay server (its built-in /poll/chat, /sse/chat and /ws/chat) and counts what went over the wire. The connections also appear in the network list.';
  }

  private columns(r: CompareChatResult): TemplateResult {
    const ways = COMPARE_WAYS.map((w) => r.ways.find((x) => x.way === w)).filter((w): w is CompareWayResult => !!w);
    const maxBytes = Math.max(1, ...ways.map((w) => w.bytesC2s + w.bytesS2c));
    const maxLatency = Math.max(1, ...ways.flatMap((w) => w.messages.map((m) => m.latencyMs ?? 0)));
    return html`<div class="compare-cols">${ways.map((w) => this.column(w, maxBytes, maxLatency))}</div>`;
  }

  private column(w: CompareWayResult, maxBytes: number, maxLatency: number): TemplateResult {
    const total = w.bytesC2s + w.bytesS2c;
    // Widths through the CSSOM (styleMap): the webview's CSP refuses inline style attributes.
    const bar = (n: number, max: number, cls: string) => html`<span class="compare-bar ${cls}" style=${styleMap({ width: `${((n / max) * 100).toFixed(1)}%` })}></span>`;
    return html`<section class="compare-col" data-way=${w.way} aria-labelledby=${`compare-h-${w.way}`}>
      <h3 id=${`compare-h-${w.way}`}>${COMPARE_WAY_LABELS[w.way]}</h3>
      <p class="compare-summary">${w.summary}</p>
      ${w.error ? html`<p class="compare-error">${w.error}</p>` : nothing}
      <table class="compare-counts">
        <tbody>
          <tr><th scope="row">Messages delivered</th><td class="compare-delivered">${w.messagesDelivered} of ${w.messagesSent}</td></tr>
          <tr><th scope="row">Requests</th><td class="compare-requests">${w.requests}</td></tr>
          <tr><th scope="row">Connections</th><td class="compare-connections">${w.connections}</td></tr>
          <tr><th scope="row">Client → server</th><td>${formatBytes(w.bytesC2s)}</td></tr>
          <tr><th scope="row">Server → client</th><td>${formatBytes(w.bytesS2c)}</td></tr>
          <tr><th scope="row">Headers</th><td class="compare-headers">${formatBytes(w.headerBytes)}</td></tr>
        </tbody>
      </table>
      <div class="compare-bytes" role="img" aria-label=${`${formatBytes(total)} on the wire, ${formatBytes(w.headerBytes)} of it headers`}>
        <div class="compare-track">${bar(w.headerBytes, maxBytes, 'head')}${bar(total - w.headerBytes, maxBytes, 'rest')}</div>
        <div class="compare-legend note">${formatBytes(total)} in all: <span class="key head"></span> headers <span class="key rest"></span> the rest</div>
      </div>
      <table class="compare-latency">
        <caption>Latency per message</caption>
        <thead><tr><th scope="col">#</th><th scope="col">Latency (ms)</th><th scope="col"><span class="sr-only">bar</span></th></tr></thead>
        <tbody>
          ${w.messages.map(
            (m) => html`<tr class="compare-msg">
              <td>${m.index}</td>
              <td class="num">${m.latencyMs === null ? 'lost' : m.latencyMs.toFixed(1)}</td>
              <td class="barcell">${m.latencyMs === null ? nothing : bar(m.latencyMs, maxLatency, 'lat')}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
  }
}
