// The composer: HTTP requests, WebSocket sessions and raw TCP bytes. It only
// builds FromWebview messages; the host sends them and the inspector shows
// what happened. Its fields are kept in the panel state so they survive
// hide/show and reloads.
import type { FromWebview, HeaderRow, HistoryEntry, HttpRequestSpec, ToWebview, WsSendKind } from '../../server-core/protocol/playground.js';
import { fromBase64, fromEscapedText, fromHex, toBase64, toEscapedText, utf8 } from './bytes-util.js';
import { esc } from './virtual.js';

export type ComposerMode = 'http' | 'ws' | 'raw';

export interface ComposerState {
  mode: ComposerMode;
  http: HttpRequestSpec;
  ws: {
    url: string;
    protocols: string;
    headers: string;
    autoPong: boolean;
    kind: 'text' | 'hex' | 'base64' | 'ping' | 'pong';
    text: string;
    closeCode: string;
    closeReason: string;
    advanced: boolean;
    adv: { fin: boolean; rsv1: boolean; rsv2: boolean; rsv3: boolean; opcode: string; mask: boolean; fragments: string; enc: 'text' | 'hex'; payload: string };
  };
  raw: { host: string; port: string; enc: 'text' | 'hex'; text: string; drip: boolean; dripSize: string; dripMs: string; halfClose: boolean };
}

export function defaultComposerState(serverUrl: string | null): ComposerState {
  const base = serverUrl ?? 'http://127.0.0.1:8080';
  const u = new URL(base);
  return {
    mode: 'http',
    http: { method: 'GET', url: `${base.replace(/\/$/, '')}/`, headers: [], body: { kind: 'none', text: '', form: [] } },
    ws: {
      url: `${base.replace(/^http/, 'ws').replace(/\/$/, '')}/ws/echo`,
      protocols: '',
      headers: '',
      autoPong: true,
      kind: 'text',
      text: 'hello',
      closeCode: '1000',
      closeReason: 'bye',
      advanced: false,
      adv: { fin: true, rsv1: false, rsv2: false, rsv3: false, opcode: '1', mask: true, fragments: '1', enc: 'text', payload: 'hello' },
    },
    raw: { host: u.hostname, port: u.port || '80', enc: 'text', text: 'GET / HTTP/1.1\\r\\nHost: ' + u.host + '\\r\\n\\r\\n', drip: false, dripSize: '1', dripMs: '50', halfClose: false },
  };
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT'];

let idCounter = 0;
export function newId(prefix: string): string {
  idCounter++;
  return `${prefix}-${Date.now().toString(36)}-${idCounter}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

type Field = HTMLElement & { value: string };

/** An option, pre-selected in the markup (a select's value set before its options upgrade can be lost). */
function opt(value: string, label: string, current: string): string {
  return `<vscode-option value="${esc(value)}"${value === current ? ' selected' : ''}>${esc(label)}</vscode-option>`;
}
type Check = HTMLElement & { checked: boolean };

export class Composer {
  readonly el: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private autoHeaders: HeaderRow[] = [];
  private previewTimer: ReturnType<typeof setTimeout> | undefined;
  private previewReq = '';
  private inflight: string | null = null;
  private history: HistoryEntry[] = [];
  /** `source`: where a session opened by the host comes from (a .http file and line). */
  private wsSession: { id: string; state: string; source?: string } | null = null;
  private rawSession: { id: string; state: string } | null = null;

  constructor(
    private state: ComposerState,
    private readonly post: (m: FromWebview) => void,
    private readonly save: () => void,
  ) {
    this.el = document.createElement('div');
    this.el.className = 'composer';
    this.el.innerHTML = `
      <div class="mode-bar" role="tablist" aria-label="What to send">
        <button role="tab" class="mode" id="mode-http" aria-controls="composer-panel" data-mode="http"><span class="codicon codicon-globe"></span> HTTP</button>
        <button role="tab" class="mode" id="mode-ws" aria-controls="composer-panel" data-mode="ws"><span class="codicon codicon-plug"></span> WebSocket</button>
        <button role="tab" class="mode" id="mode-raw" aria-controls="composer-panel" data-mode="raw"><span class="codicon codicon-terminal"></span> Raw TCP</button>
      </div>
      <div class="composer-body" id="composer-panel" role="tabpanel"></div>`;
    this.body = this.el.querySelector('.composer-body')!;
    for (const b of this.el.querySelectorAll<HTMLButtonElement>('.mode')) b.addEventListener('click', () => this.setMode(b.dataset.mode as ComposerMode));
    this.el.querySelector('.mode-bar')!.addEventListener('keydown', (e) => {
      const ke = e as KeyboardEvent;
      if (ke.key !== 'ArrowRight' && ke.key !== 'ArrowLeft') return;
      const modes: ComposerMode[] = ['http', 'ws', 'raw'];
      const i = (modes.indexOf(this.state.mode) + (ke.key === 'ArrowRight' ? 1 : 2)) % 3;
      this.setMode(modes[i]);
      this.el.querySelector<HTMLButtonElement>(`.mode[data-mode="${modes[i]}"]`)!.focus();
    });
    this.el.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        this.primaryAction();
      } else if (e.key === 'Escape' && this.inflight) this.cancel();
    });
    this.render();
  }

  get mode(): ComposerMode {
    return this.state.mode;
  }

  setServerUrl(url: string | null): void {
    if (!url) return;
    const def = defaultComposerState(url);
    // Only follow the server when the user has not typed another URL.
    if (!this.state.http.url || /^http:\/\/127\.0\.0\.1:\d+\/?$/.test(this.state.http.url)) this.state.http.url = def.http.url;
    if (!this.state.ws.url || /^ws:\/\/127\.0\.0\.1:\d+\/ws\/echo$/.test(this.state.ws.url)) this.state.ws.url = def.ws.url;
    if (this.state.raw.host === '127.0.0.1') this.state.raw.port = def.raw.port;
    this.render();
  }

  setMode(mode: ComposerMode): void {
    this.state.mode = mode;
    this.save();
    this.render();
  }

  /** Ctrl+Enter: send in the current mode. */
  primaryAction(): void {
    if (this.state.mode === 'http') this.sendHttp();
    else if (this.state.mode === 'ws') {
      if (this.wsSession && this.wsSession.state === 'open') this.sendWs();
      else this.connectWs();
    } else this.sendRaw();
  }

  handle(m: ToWebview): void {
    switch (m.type) {
      case 'http.preview':
        if (m.reqId !== this.previewReq) return;
        this.autoHeaders = m.autoHeaders;
        this.renderHeaders();
        this.renderPreview(m.error ? null : fromBase64(m.bytes), m.error);
        break;
      case 'http.response':
      case 'http.error':
        if (m.reqId === this.inflight) {
          this.inflight = null;
          this.renderSendState();
        }
        break;
      case 'history':
        this.history = m.entries;
        this.renderHistory();
        break;
      case 'ws.attached': {
        // The host opened this session (or re-announces it after a reload): show it here, ready to type into.
        const same = this.wsSession?.id === m.sessionId;
        this.wsSession = { id: m.sessionId, state: same ? this.wsSession!.state : m.resumed ? 'open' : 'connecting', ...(m.source ? { source: m.source } : {}) };
        this.state.ws.url = m.url;
        this.state.ws.protocols = m.protocols.join(', ');
        if (!m.resumed) this.state.mode = 'ws';
        this.save();
        this.render();
        break;
      }
      case 'ws.state':
        if (this.wsSession?.id === m.sessionId) {
          this.wsSession.state = m.state;
          this.renderWsState(m.error ?? (m.state === 'closed' && m.code ? `closed ${m.code} ${m.reason ?? ''}` : undefined));
        }
        break;
      case 'raw.state':
        if (this.rawSession?.id === m.sessionId) {
          this.rawSession.state = m.state;
          this.renderRawState(m.error);
        }
        break;
      default:
        break;
    }
  }

  setHistory(entries: HistoryEntry[]): void {
    this.history = entries;
    this.renderHistory();
  }

  // ------------------------------------------------------------------ rendering

  private render(): void {
    for (const b of this.el.querySelectorAll<HTMLButtonElement>('.mode')) {
      const on = b.dataset.mode === this.state.mode;
      b.classList.toggle('on', on);
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    }
    this.body.setAttribute('aria-labelledby', `mode-${this.state.mode}`);
    if (this.state.mode === 'http') this.renderHttp();
    else if (this.state.mode === 'ws') this.renderWs();
    else this.renderRaw();
  }

  private bindField(sel: string, get: () => string, set: (v: string) => void, after?: () => void): void {
    const el = this.body.querySelector<Field>(sel);
    if (!el) return;
    el.value = get();
    const on = () => {
      set(el.value);
      this.save();
      after?.();
    };
    el.addEventListener('input', on);
    el.addEventListener('change', on);
  }

  private bindCheck(sel: string, get: () => boolean, set: (v: boolean) => void, after?: () => void): void {
    const el = this.body.querySelector<Check>(sel);
    if (!el) return;
    el.checked = get();
    el.addEventListener('change', () => {
      set(el.checked);
      this.save();
      after?.();
    });
  }

  private renderHttp(): void {
    const h = this.state.http;
    this.body.innerHTML = `
      <div class="row req-row">
        <vscode-single-select class="method" aria-label="Method">${METHODS.map((m) => opt(m, m, h.method)).join('')}</vscode-single-select>
        <vscode-textfield class="url grow" placeholder="http://127.0.0.1:8080/" aria-label="URL"></vscode-textfield>
        <vscode-button class="send" icon="send" title="Send (Ctrl+Enter)">Send</vscode-button>
        <vscode-button class="cancel" secondary icon="stop-circle" title="Cancel (Escape)" disabled>Cancel</vscode-button>
      </div>
      <section class="sect">
        <h3>Headers <vscode-button class="add-header" secondary icon="add" title="Add a header">Add</vscode-button></h3>
        <table class="header-table" aria-label="Request headers"><tbody></tbody></table>
      </section>
      <section class="sect">
        <h3>Body</h3>
        <div class="body-kinds" role="radiogroup" aria-label="Body kind">
          ${(['none', 'text', 'json', 'form', 'file'] as const).map((k) => `<label><input type="radio" name="bodykind" value="${k}"${h.body.kind === k ? ' checked' : ''}> ${k}</label>`).join('')}
        </div>
        <div class="body-editor"></div>
      </section>
      <section class="sect">
        <h3>Exact bytes that will be sent</h3>
        <pre class="preview" aria-label="Request bytes preview" tabindex="0"></pre>
      </section>
      <section class="sect">
        <h3>History <vscode-button class="clear-history" secondary icon="clear-all" title="Clear history">Clear</vscode-button></h3>
        <ul class="history" aria-label="Sent requests"></ul>
      </section>`;
    const method = this.body.querySelector<Field>('.method')!;
    method.value = h.method;
    method.addEventListener('change', () => {
      h.method = method.value;
      this.save();
      this.schedulePreview();
    });
    this.bindField('.url', () => h.url, (v) => (h.url = v), () => this.schedulePreview());
    this.body.querySelector('.send')!.addEventListener('click', () => this.sendHttp());
    this.body.querySelector('.cancel')!.addEventListener('click', () => this.cancel());
    this.body.querySelector('.add-header')!.addEventListener('click', () => {
      h.headers.push({ name: '', value: '', enabled: true });
      this.save();
      this.renderHeaders();
      const rows = this.body.querySelectorAll<HTMLElement>('.header-table .hname');
      rows[rows.length - 1]?.focus();
    });
    this.body.querySelector('.clear-history')!.addEventListener('click', () => this.post({ type: 'history.clear' }));
    for (const r of this.body.querySelectorAll<HTMLInputElement>('input[name="bodykind"]')) {
      r.addEventListener('change', () => {
        h.body.kind = r.value as HttpRequestSpec['body']['kind'];
        this.save();
        this.renderBodyEditor();
        this.schedulePreview();
      });
    }
    this.renderHeaders();
    this.renderBodyEditor();
    this.renderHistory();
    this.renderSendState();
    this.schedulePreview(0);
  }

  private renderHeaders(): void {
    const tbody = this.body.querySelector('.header-table tbody');
    if (!tbody) return;
    const h = this.state.http;
    const rows: string[] = [];
    h.headers.forEach((row, i) => {
      if (row.auto) return;
      rows.push(
        `<tr data-i="${i}"><td><input type="checkbox" class="hon" aria-label="Send this header"${row.enabled ? ' checked' : ''}></td>` +
          `<td><input class="hname" placeholder="Name" aria-label="Header name" value="${esc(row.name)}"></td>` +
          `<td><input class="hvalue" placeholder="Value" aria-label="Header value" value="${esc(row.value)}"></td>` +
          `<td><button class="icon-btn hdel" title="Remove header" aria-label="Remove header"><span class="codicon codicon-close"></span></button></td></tr>`,
      );
    });
    // Headers the sender adds by itself: shown greyed, with a switch to leave them out.
    const suppressed = new Set(h.headers.filter((r) => r.auto && !r.enabled).map((r) => r.name.toLowerCase()));
    const autos = [...this.autoHeaders.filter((a) => !suppressed.has(a.name.toLowerCase())), ...h.headers.filter((r) => r.auto && !r.enabled)];
    for (const a of autos) {
      const off = suppressed.has(a.name.toLowerCase());
      rows.push(
        `<tr class="auto${off ? ' off' : ''}" data-auto="${esc(a.name)}"><td><input type="checkbox" class="aon" aria-label="Let the sender add ${esc(a.name)}"${off ? '' : ' checked'}></td>` +
          `<td><span class="aname">${esc(a.name)}</span></td><td><span class="avalue">${off ? '(not sent)' : esc(a.value)}</span> <span class="badge">auto</span></td><td></td></tr>`,
      );
    }
    tbody.innerHTML = rows.join('') || '<tr><td colspan="4" class="note">No headers.</td></tr>';
    for (const tr of tbody.querySelectorAll<HTMLTableRowElement>('tr[data-i]')) {
      const i = Number(tr.dataset.i);
      const row = h.headers[i];
      tr.querySelector<HTMLInputElement>('.hon')!.addEventListener('change', (e) => {
        row.enabled = (e.target as HTMLInputElement).checked;
        this.save();
        this.schedulePreview();
      });
      tr.querySelector<HTMLInputElement>('.hname')!.addEventListener('input', (e) => {
        row.name = (e.target as HTMLInputElement).value;
        this.save();
        this.schedulePreview();
      });
      tr.querySelector<HTMLInputElement>('.hvalue')!.addEventListener('input', (e) => {
        row.value = (e.target as HTMLInputElement).value;
        this.save();
        this.schedulePreview();
      });
      tr.querySelector('.hdel')!.addEventListener('click', () => {
        h.headers.splice(i, 1);
        this.save();
        this.renderHeaders();
        this.schedulePreview();
      });
    }
    for (const tr of tbody.querySelectorAll<HTMLTableRowElement>('tr[data-auto]')) {
      const name = tr.dataset.auto!;
      tr.querySelector<HTMLInputElement>('.aon')!.addEventListener('change', (e) => {
        const on = (e.target as HTMLInputElement).checked;
        h.headers = h.headers.filter((r) => !(r.auto && r.name.toLowerCase() === name.toLowerCase()));
        if (!on) h.headers.push({ name, value: '', enabled: false, auto: true });
        this.save();
        this.renderHeaders();
        this.schedulePreview(0);
      });
    }
  }

  private renderBodyEditor(): void {
    const ed = this.body.querySelector<HTMLDivElement>('.body-editor');
    if (!ed) return;
    const b = this.state.http.body;
    switch (b.kind) {
      case 'none':
        ed.innerHTML = '';
        break;
      case 'text':
      case 'json':
        ed.innerHTML = `<vscode-textarea class="btext" rows="6" resize="vertical" aria-label="Body" placeholder="${b.kind === 'json' ? '{ "hello": "world" }' : 'Body text'}"></vscode-textarea><div class="json-check note"></div>`;
        this.bindField('.btext', () => b.text ?? '', (v) => (b.text = v), () => {
          this.checkJson();
          this.schedulePreview();
        });
        this.checkJson();
        break;
      case 'form': {
        b.form ??= [];
        ed.innerHTML = `<table class="form-table"><tbody>${b.form
          .map((f, i) => `<tr data-i="${i}"><td><input class="fname" aria-label="Field name" value="${esc(f.name)}"></td><td><input class="fvalue" aria-label="Field value" value="${esc(f.value)}"></td><td><button class="icon-btn fdel" aria-label="Remove field"><span class="codicon codicon-close"></span></button></td></tr>`)
          .join('')}</tbody></table><vscode-button class="add-field" secondary icon="add">Add field</vscode-button>`;
        ed.querySelector('.add-field')!.addEventListener('click', () => {
          b.form!.push({ name: '', value: '' });
          this.save();
          this.renderBodyEditor();
        });
        for (const tr of ed.querySelectorAll<HTMLTableRowElement>('tr[data-i]')) {
          const f = b.form[Number(tr.dataset.i)];
          tr.querySelector<HTMLInputElement>('.fname')!.addEventListener('input', (e) => ((f.name = (e.target as HTMLInputElement).value), this.save(), this.schedulePreview()));
          tr.querySelector<HTMLInputElement>('.fvalue')!.addEventListener('input', (e) => ((f.value = (e.target as HTMLInputElement).value), this.save(), this.schedulePreview()));
          tr.querySelector('.fdel')!.addEventListener('click', () => {
            b.form!.splice(Number(tr.dataset.i), 1);
            this.save();
            this.renderBodyEditor();
            this.schedulePreview();
          });
        }
        break;
      }
      case 'file':
        ed.innerHTML = `<input type="file" class="bfile" aria-label="Body file"> <span class="note">${b.fileName ? `${esc(b.fileName)} (${fromBase64(b.fileBase64 ?? '').length} bytes)` : 'No file chosen.'}</span>`;
        ed.querySelector<HTMLInputElement>('.bfile')!.addEventListener('change', async (e) => {
          const file = (e.target as HTMLInputElement).files?.[0];
          if (!file) return;
          b.fileName = file.name;
          b.fileBase64 = toBase64(new Uint8Array(await file.arrayBuffer()));
          this.save();
          this.renderBodyEditor();
          this.schedulePreview(0);
        });
        break;
    }
  }

  private checkJson(): void {
    const b = this.state.http.body;
    const out = this.body.querySelector('.json-check');
    if (!out) return;
    if (b.kind !== 'json' || !b.text?.trim()) {
      out.textContent = '';
      return;
    }
    try {
      JSON.parse(b.text);
      out.textContent = 'Valid JSON.';
      out.classList.remove('errtext');
    } catch (err) {
      out.textContent = `Not valid JSON: ${(err as Error).message}. It will be sent as typed.`;
      out.classList.add('errtext');
    }
  }

  private schedulePreview(delay = 150): void {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => {
      this.previewReq = newId('pv');
      this.post({ type: 'http.preview', reqId: this.previewReq, spec: structuredClone(this.state.http) });
    }, delay);
  }

  private renderPreview(bytes: Uint8Array | null, error?: string): void {
    const pre = this.body.querySelector('.preview');
    if (!pre) return;
    if (!bytes) {
      pre.innerHTML = `<span class="errtext">${esc(error ?? 'cannot build the request')}</span>`;
      return;
    }
    const limit = 8192;
    const text = toEscapedText(bytes.subarray(0, limit));
    pre.innerHTML = esc(text).replace(/\\r|\\n|\\t|\\x[0-9a-f]{2}|\\\\/g, (m) => `<span class="esc">${m}</span>`) + (bytes.length > limit ? `\n<span class="note">… ${bytes.length - limit} more bytes</span>` : '');
  }

  private renderSendState(): void {
    const send = this.body.querySelector<HTMLElement & { disabled: boolean }>('.send');
    const cancel = this.body.querySelector<HTMLElement & { disabled: boolean }>('.cancel');
    if (send) send.disabled = this.inflight !== null;
    if (cancel) cancel.disabled = this.inflight === null;
  }

  private renderHistory(): void {
    const ul = this.body.querySelector('.history');
    if (!ul) return;
    ul.innerHTML =
      this.history
        .slice(-50)
        .reverse()
        .map((e) => `<li><button class="hist" data-id="${esc(e.id)}" title="Load into the composer"><span class="method">${esc(e.spec.method)}</span> ${esc(e.spec.url)} ${e.status ? `<span class="st s${String(e.status)[0]}">${e.status}</span>` : ''}</button></li>`)
        .join('') || '<li class="note">Nothing sent yet.</li>';
    for (const b of ul.querySelectorAll<HTMLButtonElement>('.hist')) {
      b.addEventListener('click', () => {
        const e = this.history.find((x) => x.id === b.dataset.id);
        if (!e) return;
        this.state.http = structuredClone(e.spec);
        this.save();
        this.renderHttp();
      });
    }
  }

  sendHttp(): void {
    if (this.inflight) return;
    this.inflight = newId('req');
    this.post({ type: 'http.send', reqId: this.inflight, spec: structuredClone(this.state.http) });
    this.renderSendState();
  }

  private cancel(): void {
    if (!this.inflight) return;
    this.post({ type: 'http.cancel', reqId: this.inflight });
  }

  // ------------------------------------------------------------------ WebSocket

  private renderWs(): void {
    const w = this.state.ws;
    this.body.innerHTML = `
      <div class="row req-row">
        <vscode-textfield class="wsurl grow" placeholder="ws://127.0.0.1:8080/echo" aria-label="WebSocket URL"></vscode-textfield>
        <vscode-button class="connect" icon="plug">Connect</vscode-button>
        <vscode-button class="disconnect" secondary icon="debug-disconnect" title="Drop the TCP connection">Disconnect</vscode-button>
      </div>
      <div class="row">
        <vscode-textfield class="protocols grow" placeholder="Subprotocols, comma-separated (e.g. chat, superchat)" aria-label="Subprotocols"></vscode-textfield>
        <vscode-checkbox class="autopong">Auto-pong</vscode-checkbox>
      </div>
      <vscode-textarea class="wsheaders" rows="2" placeholder="Extra headers, one per line: Name: value" aria-label="Extra headers"></vscode-textarea>
      <div class="ws-state note" aria-live="polite">Not connected.</div>
      <section class="sect">
        <h3>Message</h3>
        <div class="row">
          <vscode-single-select class="wskind" aria-label="Message kind">
            ${opt('text', 'Text', w.kind)}${opt('hex', 'Binary (hex)', w.kind)}${opt('base64', 'Binary (base64)', w.kind)}${opt('ping', 'Ping', w.kind)}${opt('pong', 'Pong', w.kind)}
          </vscode-single-select>
          <vscode-button class="wssend" icon="send" title="Send (Ctrl+Enter)">Send</vscode-button>
        </div>
        <vscode-textarea class="wstext" rows="3" aria-label="Message payload"></vscode-textarea>
        <div class="wserr errtext"></div>
      </section>
      <section class="sect">
        <h3>Close</h3>
        <div class="row">
          <vscode-textfield class="closecode" aria-label="Close code" placeholder="1000"></vscode-textfield>
          <vscode-textfield class="closereason grow" aria-label="Close reason" placeholder="reason"></vscode-textfield>
          <vscode-button class="wsclose" secondary icon="close">Send close</vscode-button>
        </div>
      </section>
      <details class="sect adv"${w.advanced ? ' open' : ''}>
        <summary>Frame composer (advanced: may build invalid frames on purpose)</summary>
        <div class="adv-body"></div>
      </details>`;
    this.bindField('.wsurl', () => w.url, (v) => (w.url = v));
    this.bindField('.protocols', () => w.protocols, (v) => (w.protocols = v));
    this.bindField('.wsheaders', () => w.headers, (v) => (w.headers = v));
    this.bindCheck('.autopong', () => w.autoPong, (v) => (w.autoPong = v), () => {
      if (this.wsSession) this.post({ type: 'ws.autoPong', sessionId: this.wsSession.id, enabled: w.autoPong });
    });
    this.bindField('.wskind', () => w.kind, (v) => (w.kind = v as ComposerState['ws']['kind']));
    this.bindField('.wstext', () => w.text, (v) => (w.text = v));
    this.bindField('.closecode', () => w.closeCode, (v) => (w.closeCode = v));
    this.bindField('.closereason', () => w.closeReason, (v) => (w.closeReason = v));
    const a = w.adv;
    // The frame composer is built when its <details> opens: selects built while hidden do not show their value.
    const renderAdv = () => {
      const box = this.body.querySelector<HTMLDivElement>('.adv-body')!;
      box.innerHTML = w.advanced
        ? `
        <div class="row bits">
          <vscode-checkbox class="fin">FIN</vscode-checkbox><vscode-checkbox class="rsv1">RSV1</vscode-checkbox><vscode-checkbox class="rsv2">RSV2</vscode-checkbox><vscode-checkbox class="rsv3">RSV3</vscode-checkbox><vscode-checkbox class="mask">MASK</vscode-checkbox>
        </div>
        <div class="row">
          <label>Opcode <vscode-single-select class="opcode" aria-label="Opcode">${Array.from({ length: 16 }, (_, i) => `<vscode-option value="${i}"${String(i) === w.adv.opcode ? ' selected' : ''}>0x${i.toString(16)} ${['continuation', 'text', 'binary', '', '', '', '', '', 'close', 'ping', 'pong'][i] || 'reserved'}</vscode-option>`).join('')}</vscode-single-select></label>
          <label>Fragments <vscode-textfield class="fragments" type="number" min="1" max="1000" aria-label="Fragment into N frames"></vscode-textfield></label>
          <label>Payload as <vscode-single-select class="advenc" aria-label="Payload encoding">${opt('text', 'text', w.adv.enc)}${opt('hex', 'hex', w.adv.enc)}</vscode-single-select></label>
        </div>
        <vscode-textarea class="advpayload" rows="3" aria-label="Frame payload"></vscode-textarea>
        <vscode-button class="advsend" icon="send">Send frame(s)</vscode-button>`
        : '';
      if (!w.advanced) return;
      this.bindCheck('.fin', () => a.fin, (v) => (a.fin = v));
      this.bindCheck('.rsv1', () => a.rsv1, (v) => (a.rsv1 = v));
      this.bindCheck('.rsv2', () => a.rsv2, (v) => (a.rsv2 = v));
      this.bindCheck('.rsv3', () => a.rsv3, (v) => (a.rsv3 = v));
      this.bindCheck('.mask', () => a.mask, (v) => (a.mask = v));
      this.bindField('.opcode', () => a.opcode, (v) => (a.opcode = v));
      this.bindField('.fragments', () => a.fragments, (v) => (a.fragments = v));
      this.bindField('.advenc', () => a.enc, (v) => (a.enc = v as 'text' | 'hex'));
      this.bindField('.advpayload', () => a.payload, (v) => (a.payload = v));
      box.querySelector('.advsend')!.addEventListener('click', () => this.sendFrame());
      this.renderWsState();
    };
    this.body.querySelector('details.adv')!.addEventListener('toggle', (e) => {
      w.advanced = (e.target as HTMLDetailsElement).open;
      this.save();
      renderAdv();
    });
    renderAdv();
    this.body.querySelector('.connect')!.addEventListener('click', () => this.connectWs());
    this.body.querySelector('.disconnect')!.addEventListener('click', () => {
      if (this.wsSession) this.post({ type: 'ws.disconnect', sessionId: this.wsSession.id });
    });
    this.body.querySelector('.wssend')!.addEventListener('click', () => this.sendWs());
    this.body.querySelector('.wsclose')!.addEventListener('click', () => {
      if (!this.wsSession) return;
      const code = w.closeCode.trim() === '' ? undefined : Number(w.closeCode);
      this.post({ type: 'ws.close', sessionId: this.wsSession.id, code: Number.isInteger(code) ? code : undefined, reason: w.closeReason });
    });
    this.renderWsState();
  }

  connectWs(): void {
    const w = this.state.ws;
    const headers: HeaderRow[] = w.headers
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const i = l.indexOf(':');
        return { name: (i < 0 ? l : l.slice(0, i)).trim(), value: i < 0 ? '' : l.slice(i + 1).trim(), enabled: true };
      });
    const id = newId('ws');
    this.wsSession = { id, state: 'connecting' };
    this.post({ type: 'ws.connect', sessionId: id, url: w.url, protocols: w.protocols.split(',').map((p) => p.trim()).filter(Boolean), headers, autoPong: w.autoPong });
    this.renderWsState();
  }

  private wsError(msg: string): void {
    const el = this.body.querySelector('.wserr');
    if (el) el.textContent = msg;
  }

  sendWs(): void {
    if (!this.wsSession) return this.wsError('Connect first.');
    const w = this.state.ws;
    let data: Uint8Array;
    let kind: WsSendKind;
    try {
      if (w.kind === 'hex') (data = fromHex(w.text)), (kind = 'binary');
      else if (w.kind === 'base64') (data = fromBase64(w.text)), (kind = 'binary');
      else (data = utf8(w.text)), (kind = w.kind);
    } catch (err) {
      return this.wsError((err as Error).message);
    }
    this.wsError('');
    this.post({ type: 'ws.send', sessionId: this.wsSession.id, kind, data: toBase64(data) });
  }

  private sendFrame(): void {
    if (!this.wsSession) return this.wsError('Connect first.');
    const a = this.state.ws.adv;
    let payload: Uint8Array;
    try {
      payload = a.enc === 'hex' ? fromHex(a.payload) : utf8(a.payload);
    } catch (err) {
      return this.wsError((err as Error).message);
    }
    const fragments = Math.max(1, Math.min(1000, Math.floor(Number(a.fragments) || 1)));
    this.post({
      type: 'ws.frame',
      sessionId: this.wsSession.id,
      frame: { fin: a.fin, rsv1: a.rsv1, rsv2: a.rsv2, rsv3: a.rsv3, opcode: Number(a.opcode) & 15, mask: a.mask, payload: toBase64(payload), fragments },
    });
  }

  private renderWsState(error?: string): void {
    const el = this.body.querySelector('.ws-state');
    if (!el) return;
    const s = this.wsSession?.state ?? 'idle';
    el.className = `ws-state note state-${s}`;
    const from = this.wsSession?.source ? ` (opened from ${this.wsSession.source})` : '';
    el.textContent = s === 'idle' ? 'Not connected.' : `${s[0].toUpperCase()}${s.slice(1)}${from}${error ? ` — ${error}` : ''}`;
    const open = s === 'open';
    for (const sel of ['.wssend', '.wsclose', '.advsend', '.disconnect']) {
      const b = this.body.querySelector<HTMLElement & { disabled: boolean }>(sel);
      if (b) b.disabled = !open && !(sel === '.disconnect' && s === 'closing');
    }
    const c = this.body.querySelector<HTMLElement & { disabled: boolean }>('.connect');
    if (c) c.disabled = open || s === 'connecting';
  }

  // ------------------------------------------------------------------ raw TCP

  private renderRaw(): void {
    const r = this.state.raw;
    this.body.innerHTML = `
      <div class="row req-row">
        <vscode-textfield class="rhost grow" aria-label="Host" placeholder="127.0.0.1"></vscode-textfield>
        <vscode-textfield class="rport" aria-label="Port" placeholder="8080"></vscode-textfield>
        <vscode-button class="rsend" icon="send" title="Send (Ctrl+Enter)">Send</vscode-button>
        <vscode-button class="rclose" secondary icon="close" title="Close the connection">Close</vscode-button>
      </div>
      <div class="row">
        <label>Bytes as <vscode-single-select class="renc" aria-label="Encoding">${opt('text', 'text with escapes (\\r \\n \\t \\0 \\xNN)', r.enc)}${opt('hex', 'hex', r.enc)}</vscode-single-select></label>
      </div>
      <vscode-textarea class="rtext mono" rows="8" aria-label="Bytes to send"></vscode-textarea>
      <div class="rinfo note"></div>
      <div class="row">
        <vscode-checkbox class="rdrip">Drip-feed</vscode-checkbox>
        <label>bytes <vscode-textfield class="rdripsize" type="number" min="1" aria-label="Bytes per piece"></vscode-textfield></label>
        <label>every ms <vscode-textfield class="rdripms" type="number" min="0" aria-label="Milliseconds between pieces"></vscode-textfield></label>
      </div>
      <div class="row"><vscode-checkbox class="rhalf">Half-close after sending (FIN, keep reading)</vscode-checkbox></div>
      <div class="raw-state note" aria-live="polite"></div>`;
    this.bindField('.rhost', () => r.host, (v) => (r.host = v));
    this.bindField('.rport', () => r.port, (v) => (r.port = v));
    this.bindField('.renc', () => r.enc, (v) => (r.enc = v as 'text' | 'hex'), () => this.rawInfo());
    this.bindField('.rtext', () => r.text, (v) => (r.text = v), () => this.rawInfo());
    this.bindCheck('.rdrip', () => r.drip, (v) => (r.drip = v));
    this.bindField('.rdripsize', () => r.dripSize, (v) => (r.dripSize = v));
    this.bindField('.rdripms', () => r.dripMs, (v) => (r.dripMs = v));
    this.bindCheck('.rhalf', () => r.halfClose, (v) => (r.halfClose = v));
    this.body.querySelector('.rsend')!.addEventListener('click', () => this.sendRaw());
    this.body.querySelector('.rclose')!.addEventListener('click', () => {
      if (this.rawSession) this.post({ type: 'raw.close', sessionId: this.rawSession.id });
    });
    this.rawInfo();
    this.renderRawState();
  }

  private rawBytes(): Uint8Array {
    const r = this.state.raw;
    return r.enc === 'hex' ? fromHex(r.text) : fromEscapedText(r.text);
  }

  private rawInfo(): void {
    const el = this.body.querySelector('.rinfo');
    if (!el) return;
    try {
      const n = this.rawBytes().length;
      el.textContent = `${n} byte${n === 1 ? '' : 's'}`;
      el.classList.remove('errtext');
    } catch (err) {
      el.textContent = (err as Error).message;
      el.classList.add('errtext');
    }
  }

  sendRaw(): void {
    const r = this.state.raw;
    let bytes: Uint8Array;
    try {
      bytes = this.rawBytes();
    } catch (err) {
      this.rawInfo();
      return;
    }
    const port = Number(r.port);
    const reuse = this.rawSession && (this.rawSession.state === 'open' || this.rawSession.state === 'connecting');
    const id = reuse ? this.rawSession!.id : newId('raw');
    if (!reuse) this.rawSession = { id, state: 'connecting' };
    this.post({
      type: 'raw.send',
      sessionId: id,
      host: r.host.trim(),
      port,
      data: toBase64(bytes),
      drip: r.drip ? { chunkSize: Math.max(1, Number(r.dripSize) || 1), intervalMs: Math.max(0, Number(r.dripMs) || 0) } : undefined,
      halfClose: r.halfClose,
    });
    this.renderRawState();
  }

  private renderRawState(error?: string): void {
    const el = this.body.querySelector('.raw-state');
    if (!el) return;
    const s = this.rawSession?.state;
    el.textContent = s ? `Connection ${s}${error ? ` — ${error}` : ''}. ${s === 'open' ? 'Send again to write more bytes on the same connection.' : ''}` : '';
  }
}
