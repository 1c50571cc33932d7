// The composer's HTTP form: method and URL, a header table (with the headers
// the sender adds by itself shown greyed, each one switchable off), the body
// (none, text, JSON, form fields or a file), the exact bytes it will send
// (asked of the host as http.preview, a moment after the last change), send
// and cancel, and the history of what was sent.
import { html, nothing, type TemplateResult } from 'lit';
import type { HeaderRow, HistoryEntry, HttpRequestSpec, ToWebview } from '../../../server-core/protocol/playground.js';
import { fromBase64, toBase64, toEscapedText } from '../bytes-util.js';
import { check, field, option, type ComposerHost } from './fields.js';
import { newId, type ComposerState } from './state.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT'];
const BODY_KINDS = ['none', 'text', 'json', 'form', 'file'] as const;
/** Bytes of the preview shown; the rest is counted. */
const PREVIEW_LIMIT = 8192;

/** The preview's text, its escapes (\r \n \t \xNN \\) marked so they stand out from the bytes. */
function markedEscapes(text: string): (string | TemplateResult)[] {
  const out: (string | TemplateResult)[] = [];
  let last = 0;
  for (const m of text.matchAll(/\\r|\\n|\\t|\\x[0-9a-f]{2}|\\\\/g)) {
    if (m.index! > last) out.push(text.slice(last, m.index));
    out.push(html`<span class="esc">${m[0]}</span>`);
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Whether a JSON body parses, said under it (it is sent as typed either way). */
function jsonCheck(body: HttpRequestSpec['body']): { text: string; error: boolean } {
  if (body.kind !== 'json' || !body.text?.trim()) return { text: '', error: false };
  try {
    JSON.parse(body.text);
    return { text: 'Valid JSON.', error: false };
  } catch (err) {
    return { text: `Not valid JSON: ${(err as Error).message}. It will be sent as typed.`, error: true };
  }
}

export class HttpForm {
  private autoHeaders: HeaderRow[] = [];
  private previewTimer: ReturnType<typeof setTimeout> | undefined;
  private previewReq = '';
  private preview: { bytes: Uint8Array | null; error?: string } | undefined;
  /** The request in flight (one at a time). */
  private inflight: string | null = null;
  private history: HistoryEntry[] = [];

  constructor(
    private readonly state: ComposerState,
    private readonly host: ComposerHost,
  ) {}

  get busy(): boolean {
    return this.inflight !== null;
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
        if (m.reqId !== this.inflight) return;
        this.inflight = null;
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

  send(): void {
    if (this.inflight) return;
    this.inflight = newId('req');
    this.host.post({ type: 'http.send', reqId: this.inflight, spec: structuredClone(this.state.http) });
    this.host.update();
  }

  cancel(): void {
    if (this.inflight) this.host.post({ type: 'http.cancel', reqId: this.inflight });
  }

  template(): TemplateResult {
    const h = this.state.http;
    const changed = () => this.schedulePreview();
    return html`<div class="row req-row">
        <vscode-single-select class="method" aria-label="Method" ${field(this.host, h.method, (v) => (h.method = v), changed)}>
          ${METHODS.map((m) => option(m, m, h.method))}
        </vscode-single-select>
        <vscode-textfield class="url grow" placeholder="http://127.0.0.1:8080/" aria-label="URL" ${field(this.host, h.url, (v) => (h.url = v), changed)}></vscode-textfield>
        <vscode-button class="send" icon="send" title="Send (Ctrl+Enter)" ?disabled=${this.inflight !== null} @click=${() => this.send()}>Send</vscode-button>
        <vscode-button class="cancel" secondary icon="stop-circle" title="Cancel (Escape)" ?disabled=${this.inflight === null} @click=${() => this.cancel()}>Cancel</vscode-button>
      </div>
      <section class="sect">
        <h3>Headers <vscode-button class="add-header" secondary icon="add" title="Add a header" @click=${() => this.addHeader()}>Add</vscode-button></h3>
        <table class="header-table" aria-label="Request headers">
          <tbody>
            ${this.headerRows()}
          </tbody>
        </table>
      </section>
      <section class="sect">
        <h3>Body</h3>
        <div class="body-kinds" role="radiogroup" aria-label="Body kind">
          ${BODY_KINDS.map((k) => html`<label><input type="radio" name="bodykind" value=${k} ${check(this.host, h.body.kind === k, () => this.setBodyKind(k))} /> ${k}</label>`)}
        </div>
        <div class="body-editor">${this.bodyEditor()}</div>
      </section>
      <section class="sect">
        <h3>Exact bytes that will be sent</h3>
        <pre class="preview" aria-label="Request bytes preview" tabindex="0">${this.previewContent()}</pre>
      </section>
      <section class="sect">
        <h3>History <vscode-button class="clear-history" secondary icon="clear-all" title="Clear history" @click=${() => this.host.post({ type: 'history.clear' })}>Clear</vscode-button></h3>
        <ul class="history" aria-label="Sent requests">
          ${this.historyItems()}
        </ul>
      </section>`;
  }

  private headerRows(): TemplateResult | TemplateResult[] {
    const h = this.state.http;
    const rows: TemplateResult[] = [];
    const changed = () => this.schedulePreview();
    h.headers.forEach((row, i) => {
      if (row.auto) return;
      rows.push(html`<tr>
        <td><input type="checkbox" class="hon" aria-label="Send this header" ${check(this.host, row.enabled, (v) => (row.enabled = v), changed)} /></td>
        <td><input class="hname" placeholder="Name" aria-label="Header name" ${field(this.host, row.name, (v) => (row.name = v), changed)} /></td>
        <td><input class="hvalue" placeholder="Value" aria-label="Header value" ${field(this.host, row.value, (v) => (row.value = v), changed)} /></td>
        <td>
          <button class="icon-btn hdel" title="Remove header" aria-label="Remove header" @click=${() => this.removeHeader(i)}><span class="codicon codicon-close"></span></button>
        </td>
      </tr>`);
    });
    // Headers the sender adds by itself: shown greyed, with a switch to leave them out.
    const suppressed = new Set(h.headers.filter((r) => r.auto && !r.enabled).map((r) => r.name.toLowerCase()));
    const autos = [...this.autoHeaders.filter((a) => !suppressed.has(a.name.toLowerCase())), ...h.headers.filter((r) => r.auto && !r.enabled)];
    for (const a of autos) {
      const off = suppressed.has(a.name.toLowerCase());
      rows.push(html`<tr class="auto ${off ? 'off' : ''}">
        <td><input type="checkbox" class="aon" aria-label="Let the sender add ${a.name}" ${check(this.host, !off, (on) => this.setAuto(a.name, on))} /></td>
        <td><span class="aname">${a.name}</span></td>
        <td><span class="avalue">${off ? '(not sent)' : a.value}</span> <span class="badge">auto</span></td>
        <td></td>
      </tr>`);
    }
    return rows.length ? rows : html`<tr><td colspan="4" class="note">No headers.</td></tr>`;
  }

  private bodyEditor(): TemplateResult | typeof nothing {
    const b = this.state.http.body;
    const changed = () => {
      this.host.update();
      this.schedulePreview();
    };
    switch (b.kind) {
      case 'none':
        return nothing;
      case 'text':
      case 'json': {
        const verdict = jsonCheck(b);
        return html`<vscode-textarea
            class="btext"
            rows="6"
            resize="vertical"
            aria-label="Body"
            placeholder=${b.kind === 'json' ? '{ "hello": "world" }' : 'Body text'}
            ${field(this.host, b.text ?? '', (v) => (b.text = v), changed)}
          ></vscode-textarea>
          <div class="json-check note ${verdict.error ? 'errtext' : ''}">${verdict.text}</div>`;
      }
      case 'form': {
        const form = (b.form ??= []);
        const preview = () => this.schedulePreview();
        return html`<table class="form-table">
            <tbody>
              ${form.map(
                (f, i) => html`<tr>
                  <td><input class="fname" aria-label="Field name" ${field(this.host, f.name, (v) => (f.name = v), preview)} /></td>
                  <td><input class="fvalue" aria-label="Field value" ${field(this.host, f.value, (v) => (f.value = v), preview)} /></td>
                  <td><button class="icon-btn fdel" aria-label="Remove field" @click=${() => this.removeField(i)}><span class="codicon codicon-close"></span></button></td>
                </tr>`,
              )}
            </tbody>
          </table>
          <vscode-button class="add-field" secondary icon="add" @click=${() => this.addField()}>Add field</vscode-button>`;
      }
      case 'file':
        return html`<input type="file" class="bfile" aria-label="Body file" @change=${(e: Event) => void this.readFile(e)} />
          <span class="note">${b.fileName ? `${b.fileName} (${fromBase64(b.fileBase64 ?? '').length} bytes)` : 'No file chosen.'}</span>`;
    }
  }

  private previewContent(): TemplateResult | (string | TemplateResult)[] {
    const p = this.preview;
    if (!p) return [];
    if (!p.bytes) return html`<span class="errtext">${p.error ?? 'cannot build the request'}</span>`;
    const more = p.bytes.length - PREVIEW_LIMIT;
    return [...markedEscapes(toEscapedText(p.bytes.subarray(0, PREVIEW_LIMIT))), ...(more > 0 ? ['\n', html`<span class="note">… ${more} more bytes</span>`] : [])];
  }

  private historyItems(): TemplateResult | TemplateResult[] {
    if (!this.history.length) return html`<li class="note">Nothing sent yet.</li>`;
    return this.history
      .slice(-50)
      .reverse()
      .map(
        (e) => html`<li>
          <button class="hist" title="Load into the composer" @click=${() => this.load(e)}>
            <span class="method">${e.spec.method}</span> ${e.spec.url} ${e.status ? html`<span class="st s${String(e.status)[0]}">${e.status}</span>` : nothing}
          </button>
        </li>`,
      );
  }

  private load(e: HistoryEntry): void {
    this.state.http = structuredClone(e.spec);
    this.host.save();
    this.host.update();
    this.schedulePreview(0);
  }

  private addHeader(): void {
    this.state.http.headers.push({ name: '', value: '', enabled: true });
    this.host.save();
    this.host.update();
    const names = document.querySelectorAll<HTMLElement>('.header-table .hname');
    names[names.length - 1]?.focus();
  }

  private removeHeader(i: number): void {
    this.state.http.headers.splice(i, 1);
    this.host.save();
    this.host.update();
    this.schedulePreview();
  }

  private setAuto(name: string, on: boolean): void {
    const h = this.state.http;
    h.headers = h.headers.filter((r) => !(r.auto && r.name.toLowerCase() === name.toLowerCase()));
    if (!on) h.headers.push({ name, value: '', enabled: false, auto: true });
    this.host.save();
    this.host.update();
    this.schedulePreview(0);
  }

  private setBodyKind(kind: HttpRequestSpec['body']['kind']): void {
    this.state.http.body.kind = kind;
    this.host.save();
    this.host.update();
    this.schedulePreview();
  }

  private addField(): void {
    (this.state.http.body.form ??= []).push({ name: '', value: '' });
    this.host.save();
    this.host.update();
  }

  private removeField(i: number): void {
    this.state.http.body.form?.splice(i, 1);
    this.host.save();
    this.host.update();
    this.schedulePreview();
  }

  private async readFile(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const b = this.state.http.body;
    b.fileName = file.name;
    b.fileBase64 = toBase64(new Uint8Array(await file.arrayBuffer()));
    this.host.save();
    this.host.update();
    this.schedulePreview(0);
  }

  private schedulePreview(delay = 150): void {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => {
      this.previewReq = newId('pv');
      this.host.post({ type: 'http.preview', reqId: this.previewReq, spec: structuredClone(this.state.http) });
    }, delay);
  }
}

