// The HTTP form's sections below the request bar, as templates over the form's
// state: the header table (the user's rows, then the headers the sender adds by
// itself, greyed, each switchable off), the body editor (none, text, JSON, form
// fields, a file), the exact bytes preview and the history (a failed send is
// marked, in words, not only in colour).
import { html, nothing, type TemplateResult } from 'lit';
import type { HeaderRow, HistoryEntry, HttpRequestSpec } from '../../../server-core/protocol/playground.js';
import { fromBase64, toEscapedText } from '../bytes-util.js';
import { check, field, type ComposerHost } from './fields.js';

/** Bytes of the preview shown; the rest is counted. */
const PREVIEW_LIMIT = 8192;

/** What the sections need of the form. */
export interface HttpSectionsHost {
  readonly host: ComposerHost;
  readonly autoHeaders: HeaderRow[];
  /** Redraw and ask for the preview again (delay 0: at once). */
  changed(delay?: number): void;
  removeHeader(i: number): void;
  setAuto(name: string, on: boolean): void;
  addField(): void;
  removeField(i: number): void;
  readFile(e: Event): void;
  load(e: HistoryEntry): void;
}

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

export function headerRows(f: HttpSectionsHost, spec: HttpRequestSpec): TemplateResult | TemplateResult[] {
  const rows: TemplateResult[] = [];
  const changed = () => f.changed();
  spec.headers.forEach((row, i) => {
    if (row.auto) return;
    rows.push(html`<tr>
      <td><input type="checkbox" class="hon" aria-label="Send header ${i + 1}" ${check(f.host, row.enabled, (v) => (row.enabled = v), changed)} /></td>
      <td><input class="hname" placeholder="Name" aria-label="Header ${i + 1} name" ${field(f.host, row.name, (v) => (row.name = v), changed)} /></td>
      <td><input class="hvalue" placeholder="Value" aria-label="Header ${i + 1} value" ${field(f.host, row.value, (v) => (row.value = v), changed)} /></td>
      <td>
        <button class="icon-btn hdel" title="Remove header ${i + 1}" aria-label="Remove header ${i + 1}" @click=${() => f.removeHeader(i)}><span class="codicon codicon-close" aria-hidden="true"></span></button>
      </td>
    </tr>`);
  });
  // Headers the sender adds by itself: shown greyed, with a switch to leave them out.
  const suppressed = new Set(spec.headers.filter((r) => r.auto && !r.enabled).map((r) => r.name.toLowerCase()));
  const autos = [...f.autoHeaders.filter((a) => !suppressed.has(a.name.toLowerCase())), ...spec.headers.filter((r) => r.auto && !r.enabled)];
  for (const a of autos) {
    const off = suppressed.has(a.name.toLowerCase());
    rows.push(html`<tr class="auto ${off ? 'off' : ''}">
      <td><input type="checkbox" class="aon" aria-label="Let the sender add ${a.name}" ${check(f.host, !off, (on) => f.setAuto(a.name, on))} /></td>
      <td><span class="aname">${a.name}</span></td>
      <td><span class="avalue">${off ? '(not sent)' : a.value}</span> <span class="badge">auto</span></td>
      <td></td>
    </tr>`);
  }
  return rows.length ? rows : html`<tr><td colspan="4" class="note">No headers.</td></tr>`;
}

export function bodyEditor(f: HttpSectionsHost, body: HttpRequestSpec['body']): TemplateResult | typeof nothing {
  switch (body.kind) {
    case 'none':
      return nothing;
    case 'text':
    case 'json': {
      const verdict = jsonCheck(body);
      return html`<vscode-textarea
          class="btext"
          rows="6"
          resize="vertical"
          .label=${'Body'}
          placeholder=${body.kind === 'json' ? '{ "hello": "world" }' : 'Body text'}
          ${field(f.host, body.text ?? '', (v) => (body.text = v), () => f.changed())}
        ></vscode-textarea>
        <div class="json-check note ${verdict.error ? 'errtext' : ''}" role="status">${verdict.text}</div>`;
    }
    case 'form': {
      const form = (body.form ??= []);
      const preview = () => f.changed();
      return html`<table class="form-table">
          <tbody>
            ${form.map(
              (x, i) => html`<tr>
                <td><input class="fname" aria-label="Field ${i + 1} name" ${field(f.host, x.name, (v) => (x.name = v), preview)} /></td>
                <td><input class="fvalue" aria-label="Field ${i + 1} value" ${field(f.host, x.value, (v) => (x.value = v), preview)} /></td>
                <td><button class="icon-btn fdel" aria-label="Remove field ${i + 1}" @click=${() => f.removeField(i)}><span class="codicon codicon-close" aria-hidden="true"></span></button></td>
              </tr>`,
            )}
          </tbody>
        </table>
        <vscode-button class="add-field" secondary icon="add" @click=${() => f.addField()}>Add field</vscode-button>`;
    }
    case 'file':
      return html`<input type="file" class="bfile" aria-label="Body file" @change=${(e: Event) => f.readFile(e)} />
        <span class="note">${body.fileName ? `${body.fileName} (${fromBase64(body.fileBase64 ?? '').length} bytes)` : 'No file chosen.'}</span>`;
  }
}

export function previewContent(preview: { bytes: Uint8Array | null; error?: string } | undefined): TemplateResult | (string | TemplateResult)[] {
  if (!preview) return [];
  if (!preview.bytes) return html`<span class="errtext">${preview.error ?? 'cannot build the request'}</span>`;
  const more = preview.bytes.length - PREVIEW_LIMIT;
  return [...markedEscapes(toEscapedText(preview.bytes.subarray(0, PREVIEW_LIMIT))), ...(more > 0 ? ['\n', html`<span class="note">… ${more} more bytes</span>`] : [])];
}

export function historyItems(f: HttpSectionsHost, history: readonly HistoryEntry[]): TemplateResult | TemplateResult[] {
  if (!history.length) return html`<li class="note">Nothing sent yet.</li>`;
  return history
    .slice(-50)
    .reverse()
    .map((e) => {
      const mark = e.error
        ? html`<span class="st failed"><span class="codicon codicon-error" aria-hidden="true"></span> failed</span>`
        : e.status
          ? html`<span class="st s${String(e.status)[0]}">${e.status}</span>`
          : nothing;
      return html`<li>
        <button class="hist ${e.error ? 'failed' : ''}" title=${e.error ? `${e.error} — load into the composer` : 'Load into the composer'} @click=${() => f.load(e)}>
          <span class="method">${e.spec.method}</span> <span class="hurl">${e.spec.url}</span> ${mark}
        </button>
      </li>`;
    });
}
