// The Parsed inspector: for HTTP, the status, headers, sizes, timing breakdown
// and the body rendered by its type (pretty JSON, text, HTML source, image,
// hex); for WebSocket, the live message log; for anything else, the dissected
// messages and the bytes as text with escapes.
import { html, nothing, render, type TemplateResult } from 'lit';
import { streamRecordsView } from './stream-records-view.js';
import { live } from 'lit/directives/live.js';
import { styleMap } from 'lit/directives/style-map.js';
import type { DissectedMessage, TimingBreakdown } from '../../server-core/protocol/playground.js';
import { decodeUtf8, fromBase64, HEX2, toBase64, toEscapedText } from './bytes-util.js';
import { formatBytes, formatMs } from '../shared/format.js';
import type { ConnCapture, HttpExchange } from './conn-capture.js';
import { VirtualScroller } from '../shared/virtual-list.js';
import { div } from '../shared/dom.js';

const OPNAMES: Record<number, string> = { 0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };
const BODY_PREVIEW_LIMIT = 2 * 1024 * 1024;

export function hexDump(bytes: Uint8Array, limit = 4096): string {
  const lines: string[] = [];
  const n = Math.min(bytes.length, limit);
  for (let i = 0; i < n; i += 16) {
    let hex = '';
    let asc = '';
    for (let j = i; j < i + 16; j++) {
      if (j < n) {
        hex += HEX2[bytes[j]] + ' ';
        asc += bytes[j] >= 0x20 && bytes[j] < 0x7f ? String.fromCharCode(bytes[j]) : '.';
      } else hex += '   ';
    }
    lines.push(`${i.toString(16).padStart(8, '0')}  ${hex} ${asc}`);
  }
  if (bytes.length > n) lines.push(`… ${bytes.length - n} more bytes`);
  return lines.join('\n');
}

/** How a body is shown, from its Content-Type and a sniff of its bytes. */
export function bodyKind(contentType: string, bytes: Uint8Array): 'json' | 'html' | 'image' | 'text' | 'binary' | 'empty' {
  if (bytes.length === 0) return 'empty';
  const ct = contentType.toLowerCase();
  if (/^image\/(png|jpeg|gif|webp|svg\+xml|bmp|x-icon|vnd\.microsoft\.icon)/.test(ct)) return 'image';
  if (ct.includes('json')) return 'json';
  if (ct.includes('html')) return 'html';
  if (ct.startsWith('text/') || ct.includes('xml') || ct.includes('javascript') || ct.includes('x-www-form-urlencoded')) return 'text';
  // No or unknown type: text if it decodes without control bytes.
  const sample = bytes.subarray(0, 512);
  for (const b of sample) if (b === 0 || (b < 9) || (b > 13 && b < 32)) return 'binary';
  const text = decodeUtf8(sample);
  if (/^\s*[[{]/.test(text)) return 'json';
  return text.includes('\ufffd') ? 'binary' : 'text';
}

function timingBars(t: TimingBreakdown): TemplateResult {
  const parts: [string, number | undefined, string][] = [
    ['DNS', t.dns, 'dns'],
    ['Connect', t.connect, 'connect'],
    ['TLS', t.tls, 'tls'],
    ['Waiting (first byte)', t.firstByte, 'wait'],
    ['Download', t.download, 'download'],
  ];
  const total = t.total ?? parts.reduce((s, p) => s + (p[1] ?? 0), 0);
  let x = 0;
  const rows = parts
    .filter((p) => p[1] !== undefined)
    .map(([name, v, cls]) => {
      const w = total > 0 ? Math.max(0.5, (v! / total) * 100) : 0;
      const row = html`<div class="tm-row">
        <span class="tm-name">${name}</span><span class="tm-track"><span class="tm-bar ${cls}" style=${styleMap({ marginLeft: `${x}%`, width: `${w}%` })}></span></span
        ><span class="tm-v">${formatMs(v!)}</span>
      </div>`;
      x = Math.min(100 - w, x + w);
      return row;
    });
  return html`<div class="timing">
    ${rows}
    <div class="tm-row total"><span class="tm-name">Total</span><span class="tm-track"></span><span class="tm-v">${formatMs(total)}</span></div>
  </div>`;
}

export function renderBody(contentType: string, bytes: Uint8Array, truncated: boolean): TemplateResult {
  const kind = bodyKind(contentType, bytes);
  const note = truncated ? html`<div class="note">The body is longer than the preview; the Bytes view shows all of it.</div>` : nothing;
  switch (kind) {
    case 'empty':
      return html`<div class="note">No body.</div>`;
    case 'json': {
      const text = decodeUtf8(bytes);
      try {
        return html`${note}<pre class="body json" role="region" tabindex="0" aria-label="Response body">${JSON.stringify(JSON.parse(text), null, 2)}</pre>`;
      } catch {
        return html`${note}<div class="note">Not valid JSON; shown as text.</div><pre class="body" role="region" tabindex="0" aria-label="Response body">${text}</pre>`;
      }
    }
    case 'image':
      return html`${note}<img class="body-img" alt="response image" src="data:${contentType.split(';')[0]};base64,${toBase64(bytes)}">`;
    case 'html':
    case 'text':
      return html`${note}<pre class="body ${kind}" role="region" tabindex="0" aria-label="Response body">${decodeUtf8(bytes)}</pre>`;
    case 'binary':
      return html`${note}<pre class="body hex" role="region" tabindex="0" aria-label="Response body in hex">${hexDump(bytes)}</pre>`;
  }
}

/** A send that failed: why, in words, what it usually means, how long it took, and what reached the wire. */
function failureView(x: HttpExchange, c: ConnCapture): TemplateResult {
  const f = x.failure;
  const sent = c.streamLen.c2s;
  const got = c.streamLen.s2c;
  const wire = c.info.connectionId.startsWith('attempt:')
    ? 'Nothing went on the wire: the connection was never opened.'
    : `On the wire before it stopped: ${formatBytes(sent)} sent, ${formatBytes(got)} received (the Bytes view shows them).`;
  return html`<div class="status err failure" data-failure=${f?.kind ?? 'error'}>
      <span class="codicon codicon-error" aria-hidden="true"></span><span class="label">Failed:</span> <span class="failure-title">${f?.title ?? x.error}</span>
    </div>
    ${f ? html`<p class="failure-detail">${f.detail}</p>` : nothing}
    <div class="sizes"><span>${wire}</span>${f?.code ? html`<span>Code <code>${f.code}</code></span>` : nothing}</div>
    ${x.timing ? html`<details open><summary>Timing until it failed</summary>${timingBars(x.timing)}</details>` : nothing}`;
}

/** A status class in words, for a response with no reason phrase (colour is never the only signal). */
function statusWord(code: number): string {
  return code >= 500 ? '(server error)' : code >= 400 ? '(client error)' : code >= 300 ? '(redirect)' : code >= 200 ? '(success)' : '(informational)';
}

function statusClass(code: number): string {
  return code >= 500 ? 's5' : code >= 400 ? 's4' : code >= 300 ? 's3' : code >= 200 ? 's2' : 's1';
}

export class ParsedView {
  readonly el: HTMLDivElement;
  private readonly content: HTMLDivElement;
  private readonly logHost: HTMLDivElement;
  private readonly log: VirtualScroller;
  private capture: ConnCapture | undefined;
  private version = -1;
  private exchangeIndex = -1;

  constructor() {
    this.el = div('parsed-view');
    this.content = div('parsed-content');
    this.logHost = div('ws-log');
    this.el.append(this.content, this.logHost);
    this.log = new VirtualScroller(this.logHost, 24, (r) => this.drawLog(r));
    this.log.scroller.tabIndex = 0;
    this.log.scroller.setAttribute('role', 'list');
    this.log.scroller.setAttribute('aria-label', 'WebSocket messages, oldest first');
    this.log.viewport.setAttribute('role', 'none');
  }

  /** Shows a connection; `exchange`: which of its HTTP exchanges (the network list's row), else the last. */
  show(capture: ConnCapture | undefined, exchange?: number): void {
    if (capture !== this.capture || (exchange !== undefined && exchange !== this.exchangeIndex)) {
      this.capture = capture;
      this.version = -1;
      this.exchangeIndex = exchange ?? -1;
    }
    this.refresh();
  }

  refresh(): void {
    const c = this.capture;
    if (!c) {
      render(html`<div class="empty">Nothing selected yet. Compose a request on the left and send it.</div>`, this.content);
      this.logHost.hidden = true;
      return;
    }
    if (c.version === this.version) {
      if (!this.logHost.hidden) this.log.schedule();
      return;
    }
    this.version = c.version;
    const isWs = c.info.protocol === 'ws' || c.ws.length > 0;
    this.logHost.hidden = !isWs;
    render(c.http.length ? this.exchangeView(c) : isWs ? this.wsHeader(c) : this.dissectionView(c), this.content);
    if (isWs) {
      const atEnd = this.log.topRow() + this.log.scroller.clientHeight / 24 >= this.log.rowCount - 1;
      this.log.setRowCount(c.ws.length);
      if (atEnd) this.log.scrollToRow(c.ws.length - 1);
      this.log.schedule();
    }
  }

  private exchangeView(c: ConnCapture): TemplateResult {
    const idx = this.exchangeIndex >= 0 && this.exchangeIndex < c.http.length ? this.exchangeIndex : c.http.length - 1;
    const x: HttpExchange = c.http[idx];
    const pick = nothing;
    const req = x.spec ? html`<div class="req-line"><span class="method">${x.spec.method}</span> <span class="url">${x.spec.url}</span></div>` : nothing;
    if (x.error) return html`${pick}${req}${failureView(x, c)}`;
    const records = streamRecordsView(x, c.info.t);
    if (!x.response) {
      const waiting = x.records?.length ? 'Receiving a stream…' : 'Waiting for the response…';
      return html`${pick}${req}<div class="status pending"><span class="codicon codicon-loading codicon-modifier-spin" aria-hidden="true"></span> ${waiting}</div>${records}`;
    }
    const r = x.response;
    const ct = r.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? '';
    const body = fromBase64(r.body);
    return html`${pick}${req}
      <div class="status ${statusClass(r.statusCode)}" data-status=${r.statusCode}><span class="code">${r.statusCode}</span> ${r.reason || statusWord(r.statusCode)} <span class="ver">HTTP/${r.httpVersion}</span></div>
      <div class="sizes"><span>Body ${formatBytes(r.bodyBytes)}</span><span>On the wire ${formatBytes(r.wireBytes)}</span>${ct ? html`<span>${ct}</span>` : nothing}</div>
      ${x.timing ? html`<details open><summary>Timing</summary>${timingBars(x.timing)}</details>` : nothing}
      <details open>
        <summary>Headers (${r.headers.length})</summary>
        <table class="headers">
          ${r.headers.map(([n, v]) => html`<tr><th>${n}</th><td>${v}</td></tr>`)}
        </table>
      </details>
      ${records}
      <details open><summary>Body</summary>${renderBody(ct, body.subarray(0, BODY_PREVIEW_LIMIT), r.bodyTruncated || body.length > BODY_PREVIEW_LIMIT)}</details>`;
  }

  private wsHeader(c: ConnCapture): TemplateResult {
    const sent = c.ws.filter((e) => e.dir === 'c2s').length;
    const state = c.info.closed ? `closed${c.info.closed.reason ? ` (${c.info.closed.reason})` : ''}` : 'open';
    return html`<div class="status ws"><span class="codicon codicon-plug"></span> ${c.info.label} <span class="ver">${state}</span></div>
      <div class="sizes"><span>${sent} sent</span><span>${c.ws.length - sent} received</span></div>`;
  }

  private dissectionView(c: ConnCapture): TemplateResult {
    const items = c.messages.slice(0, 200).map((m: DissectedMessage) => {
      const headers = m.fields.find((f) => f.name === 'Headers')?.children ?? [];
      return html`<details ?open=${c.messages.length < 6}>
        <summary><span class="d ${m.dir}">${m.dir === 'c2s' ? '→' : '←'}</span> ${m.summary}${m.error ? html` <span class="errtext">${m.error.message}</span>` : nothing}</summary>
        ${headers.length ? html`<table class="headers">${headers.map((h) => html`<tr><th>${h.name}</th><td>${h.value ?? ''}</td></tr>`)}</table>` : nothing}
      </details>`;
    });
    const texts = (['c2s', 's2c'] as const).map((d) => {
      const len = c.streamLen[d];
      if (!len) return nothing;
      const bytes = c.slice(d, 0, Math.min(len, 64 * 1024));
      return html`<details open>
        <summary>${d === 'c2s' ? 'Sent →' : 'Received ←'} ${formatBytes(len)}</summary>
        <pre class="body escaped ${d}" role="region" tabindex="0" aria-label=${d === 'c2s' ? 'Bytes sent, as text' : 'Bytes received, as text'}>${toEscapedText(bytes)}</pre>
      </details>`;
    });
    return html`<div class="status raw"><span class="codicon codicon-plug"></span> ${c.info.label}</div>${items}${texts}`;
  }

  private drawLog(r: { first: number; count: number; offset: number }): void {
    const c = this.capture;
    if (!c) return;
    const end = Math.min(c.ws.length, r.first + r.count);
    const rows: TemplateResult[] = [];
    for (let i = r.first; i < end; i++) {
      const e = c.ws[i];
      const op = OPNAMES[e.opcode] ?? `0x${e.opcode.toString(16)}`;
      let preview: string;
      if (e.opcode === 1) preview = decodeUtf8(e.data.subarray(0, 400));
      else if (e.opcode === 8) preview = e.data.length >= 2 ? `${(e.data[0] << 8) | e.data[1]} ${decodeUtf8(e.data.subarray(2))}` : '(no code)';
      else preview = Array.from(e.data.subarray(0, 48), (b) => HEX2[b]).join(' ') + (e.data.length > 48 ? ' …' : '');
      rows.push(
        html`<div class="wsrow ${e.dir}" role="listitem" style=${styleMap({ transform: `translateY(${r.offset + (i - r.first) * 24}px)` })}>
          <span class="d" aria-hidden="true">${e.dir === 'c2s' ? '→' : '←'}</span><span class="sr-only">${e.dir === 'c2s' ? 'sent' : 'received'}, </span><span class="t">+${formatMs(e.t - c.info.t)}</span><span class="op ${op}">${op}</span
          ><span class="len">${formatBytes(e.data.length)}</span><span class="pv">${preview}</span>
        </div>`,
      );
    }
    render(rows.length ? rows : html`<div class="empty" role="listitem">No messages yet.</div>`, this.log.viewport);
  }
}
