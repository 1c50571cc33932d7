// The composer's HTTP form: the request bar (method, URL, Send, and Cancel
// while anything is in flight), then its sections (http-sections.ts): headers,
// body, options (time limit, redirects), "Send ×N" (in parallel, or one after
// the other, so the server's queue can be shown from here), the exact bytes it
// will send (asked of the host as http.preview, a moment after the last
// change) and the history. A URL the sender would have to guess at is refused
// here, with the reason under the field, before anything is sent.
import { html, nothing, type TemplateResult } from 'lit';
import { live } from 'lit/directives/live.js';
import type { HeaderRow, HistoryEntry, HttpRequestSpec, ToWebview } from '../../../server-core/protocol/playground.js';
import { httpUrlProblem } from '../../../server-core/protocol/url-rules.js';
import { fromBase64, toBase64 } from '../bytes-util.js';
import { field, option, type ComposerHost } from './fields.js';
import { bodyEditor, headerRows, historyItems, previewContent, type HttpSectionsHost } from './http-sections.js';
import { nativeSelectKeys } from './select-keys.js';
import { newId, type ComposerState } from './state.js';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT'];
const BODY_KINDS = ['none', 'text', 'json', 'form', 'file'] as const;
/** Most requests one "Send ×N" sends. */
export const MAX_REPEAT = 100;

export class HttpForm implements HttpSectionsHost {
  autoHeaders: HeaderRow[] = [];
  private previewTimer: ReturnType<typeof setTimeout> | undefined;
  private previewReq = '';
  private preview: { bytes: Uint8Array | null; error?: string } | undefined;
  /** Requests in flight from this tab. */
  private readonly inflight = new Set<string>();
  /** "Send ×N in sequence": how many are still to go after the one in flight. */
  private queued = 0;
  private history: HistoryEntry[] = [];
  /** Shown under the URL after a refused send (the URL's problem is shown as typed anyway). */
  private refused = false;

  constructor(
    private readonly state: ComposerState,
    readonly host: ComposerHost,
  ) {}

  get busy(): boolean {
    return this.inflight.size > 0 || this.queued > 0;
  }

  handle(m: ToWebview): void {
    switch (m.type) {
      case 'http.preview':
        if (m.reqId !== this.previewReq) return;
        this.autoHeaders = m.autoHeaders;
        this.preview = m.error ? { bytes: null, error: m.error } : { bytes: fromBase64(m.bytes) };
        break;
      case 'http.response':
      case 'http.error':
        if (!this.inflight.delete(m.reqId)) return;
        // In sequence: the next one goes once this one is answered (or has failed).
        if (this.queued > 0) {
          this.queued--;
          this.post();
        }
        break;
      case 'history':
        this.history = m.entries;
        break;
      default:
        return;
    }
    this.host.update();
  }

  setHistory(entries: HistoryEntry[]): void {
    this.history = entries;
    this.host.update();
  }

  /** The form was (re)shown: its preview is asked for at once. */
  shown(): void {
    this.schedulePreview(0);
  }

  /** Sends the request (another may still be in flight: each goes on its own connection). */
  send(): void {
    if (this.check()) this.post();
  }

  /** "Send ×N": `count` copies, all at once or each after the previous one's answer. */
  sendMany(count = Number(this.state.repeat.count), order = this.state.repeat.order): void {
    const n = Math.floor(count);
    if (!(n >= 1 && n <= MAX_REPEAT)) return this.host.announce(`Send ×N takes a number from 1 to ${MAX_REPEAT}.`);
    if (!this.check()) return;
    if (order === 'sequence') {
      this.queued += n - 1;
      this.post();
    } else for (let i = 0; i < n; i++) this.post();
    this.host.announce(`Sending ${n} requests ${order === 'sequence' ? 'one after the other' : 'at once'}.`);
  }

  /** Cancels every request of this tab in flight, and those still waiting their turn. */
  cancel(): void {
    this.queued = 0;
    for (const reqId of this.inflight) this.host.post({ type: 'http.cancel', reqId });
    this.host.update();
  }

  /** The request bar: method, URL, Send (and Cancel while busy). */
  barTemplate(): TemplateResult {
    const h = this.state.http;
    const changed = () => this.changed();
    const problem = httpUrlProblem(h.url);
    const n = this.inflight.size + this.queued;
    return html`<vscode-single-select class="method" .label=${'Method'} title="Method (↑ ↓ or type its first letters)" ${field(this.host, h.method, (v) => (h.method = v), changed)}>
        ${METHODS.map((m) => option(m, m, h.method))}
      </vscode-single-select>
      <vscode-textfield
        class="url grow"
        placeholder="http://127.0.0.1:8080/"
        .label=${'URL'}
        ?invalid=${problem !== undefined && (this.refused || h.url.trim() !== '')}
        ${field(this.host, h.url, (v) => ((h.url = v), (this.refused = false)), changed)}
      ></vscode-textfield>
      <vscode-button class="send" icon="send" title="Send (Ctrl+Enter)" @click=${() => this.send()}>Send</vscode-button>
      ${n
        ? html`<vscode-button class="cancel" secondary icon="stop-circle" title="Cancel ${n} in flight (Escape)" @click=${() => this.cancel()}>Cancel${n > 1 ? ` ${n}` : ''}</vscode-button>`
        : nothing}`;
  }

  /** What the bar shows under itself: why the URL cannot be sent. */
  barNote(): TemplateResult | typeof nothing {
    const problem = httpUrlProblem(this.state.http.url);
    if (problem === undefined || (!this.refused && this.state.http.url.trim() === '')) return nothing;
    return html`<span class="codicon codicon-error" aria-hidden="true"></span> ${problem}`;
  }

  template(): TemplateResult {
    const h = this.state.http;
    const r = this.state.repeat;
    return html`<section class="sect">
        <h2 id="h-headers">Headers <vscode-button class="add-header" secondary icon="add" title="Add a header" @click=${() => this.addHeader()}>Add</vscode-button></h2>
        <table class="header-table" aria-label="Request headers">
          <tbody>
            ${headerRows(this, h)}
          </tbody>
        </table>
      </section>
      <section class="sect">
        <h2 id="h-body">Body</h2>
        <div class="body-kinds" role="radiogroup" aria-labelledby="h-body">
          ${BODY_KINDS.map(
            (k) => html`<label><input type="radio" name="bodykind" class="bodykind" value=${k} .checked=${live(h.body.kind === k)} @change=${() => this.setBodyKind(k)} /> ${k}</label>`,
          )}
        </div>
        <div class="body-editor">${bodyEditor(this, h.body)}</div>
      </section>
      <details class="sect options">
        <summary>Options and Send ×N</summary>
        <div class="row">
          <label>Time limit (ms) <vscode-textfield class="timeout" type="number" min="1" placeholder="none" .label=${'Time limit in milliseconds'} ${field(this.host, h.timeoutMs ? String(h.timeoutMs) : '', (v) => this.setTimeout(v))}></vscode-textfield></label>
          <label><input type="checkbox" class="follow" .checked=${live(!!h.followRedirects)} @change=${(e: Event) => this.setFollow((e.target as HTMLInputElement).checked)} /> Follow redirects</label>
        </div>
        <div class="row repeat">
          <label>Send <vscode-textfield class="repeat-count" type="number" min="1" max=${MAX_REPEAT} .label=${'How many times'} ${field(this.host, r.count, (v) => (r.count = v))}></vscode-textfield> times</label>
          <vscode-single-select class="repeat-order" .label=${'In parallel or in sequence'} ${field(this.host, r.order, (v) => (r.order = v as 'parallel' | 'sequence'))}>
            ${option('parallel', 'in parallel', r.order)}${option('sequence', 'in sequence', r.order)}
          </vscode-single-select>
          <vscode-button class="send-many" secondary icon="run-all" title="Send the request this many times" @click=${() => this.sendMany()}>Send ×${r.count || 'N'}</vscode-button>
        </div>
      </details>
      <section class="sect">
        <h2 id="h-preview">Exact bytes that will be sent</h2>
        <pre class="preview" role="region" aria-labelledby="h-preview" tabindex="0">${previewContent(this.preview)}</pre>
      </section>
      <section class="sect">
        <h2 id="h-history">History <vscode-button class="clear-history" secondary icon="clear-all" title="Clear history" @click=${() => this.host.post({ type: 'history.clear' })}>Clear</vscode-button></h2>
        <ul class="history" aria-labelledby="h-history">
          ${historyItems(this, this.history)}
        </ul>
      </section>`;
  }

  /** Installs the method picker's keys once its element exists. */
  bindKeys(bar: HTMLElement): void {
    const method = bar.querySelector<HTMLElement & { value: string }>('vscode-single-select.method');
    if (method && !method.dataset.keys) {
      method.dataset.keys = '1';
      nativeSelectKeys(method, () => METHODS);
    }
  }

  // ---------------------------------------------------------------- what the sections call

  changed(delay?: number): void {
    this.schedulePreview(delay);
  }

  load(e: HistoryEntry): void {
    this.state.http = structuredClone(e.spec);
    this.host.save();
    this.host.update();
    this.schedulePreview(0);
  }

  removeHeader(i: number): void {
    this.state.http.headers.splice(i, 1);
    this.commit();
  }

  setAuto(name: string, on: boolean): void {
    const h = this.state.http;
    h.headers = h.headers.filter((r) => !(r.auto && r.name.toLowerCase() === name.toLowerCase()));
    if (!on) h.headers.push({ name, value: '', enabled: false, auto: true });
    this.commit(0);
  }

  addField(): void {
    (this.state.http.body.form ??= []).push({ name: '', value: '' });
    this.commit();
  }

  removeField(i: number): void {
    this.state.http.body.form?.splice(i, 1);
    this.commit();
  }

  readFile(e: Event): void {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    void file.arrayBuffer().then((buf) => {
      const b = this.state.http.body;
      b.fileName = file.name;
      b.fileBase64 = toBase64(new Uint8Array(buf));
      this.commit(0);
    });
  }

  // ---------------------------------------------------------------- internals

  /** The URL can be sent as written; else the reason is shown under it and announced, and the URL takes the focus. */
  private check(): boolean {
    const problem = httpUrlProblem(this.state.http.url);
    if (problem === undefined) return true;
    this.refused = true;
    this.host.update();
    this.host.announce(`Not sent: ${problem}`);
    this.host.focus('.url');
    return false;
  }

  private post(): void {
    const reqId = newId('req');
    this.inflight.add(reqId);
    this.host.post({ type: 'http.send', reqId, spec: structuredClone(this.state.http) });
    this.host.update();
  }

  private addHeader(): void {
    this.state.http.headers.push({ name: '', value: '', enabled: true });
    this.commit();
    this.host.focus('.header-table .hname', 'last');
  }

  private setBodyKind(kind: HttpRequestSpec['body']['kind']): void {
    this.state.http.body.kind = kind;
    this.commit();
  }

  private setTimeout(text: string): void {
    const n = Math.floor(Number(text));
    if (text.trim() === '' || !(n >= 1)) delete this.state.http.timeoutMs;
    else this.state.http.timeoutMs = Math.min(n, 3_600_000);
  }

  private setFollow(on: boolean): void {
    if (on) this.state.http.followRedirects = true;
    else delete this.state.http.followRedirects;
    this.commit();
  }

  /** Saves, redraws and asks for the preview again. */
  private commit(delay?: number): void {
    this.host.save();
    this.host.update();
    this.schedulePreview(delay);
  }

  private schedulePreview(delay = 150): void {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => {
      this.previewReq = newId('pv');
      this.host.post({ type: 'http.preview', reqId: this.previewReq, spec: structuredClone(this.state.http) });
    }, delay);
  }
}
