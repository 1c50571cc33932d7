// One request tab's composer: HTTP requests, WebSocket sessions, event
// streams and raw TCP bytes, one form each (http-form.ts, ws-form.ts,
// sse-form.ts, raw-form.ts). It draws two parts the App places: the bar (the
// HTTP / WebSocket / SSE / Raw TCP tabs and the
// full-width request line: method, URL, Send) and the body (headers, body,
// preview, history…). It only builds FromWebview messages; the host sends them
// and the inspector shows what happened. Its fields are its tab's draft
// (state.ts), kept with the panel state. Drawn with lit: a redraw patches the
// fields in place, so focus and what is being typed stay put.
import { html, render, type TemplateResult } from 'lit';
import type { ComposerLoad, FromWebview, HistoryEntry, ToWebview } from '../../../server-core/protocol/playground.js';
import { div } from '../../shared/dom.js';
import { fromBase64 } from '../bytes-util.js';
import { isTyping, type ComposerHost } from './fields.js';
import { HttpForm } from './http-form.js';
import { RawForm } from './raw-form.js';
import { defaultComposerState, type ComposerMode, type ComposerState } from './state.js';
import { WsForm } from './ws-form.js';
import { SseForm } from './sse-form.js';

export { defaultComposerState, type ComposerMode, type ComposerState } from './state.js';

const MODES: readonly { mode: ComposerMode; label: string; icon: string }[] = [
  { mode: 'http', label: 'HTTP', icon: 'globe' },
  { mode: 'ws', label: 'WebSocket', icon: 'plug' },
  { mode: 'sse', label: 'SSE', icon: 'broadcast' },
  { mode: 'raw', label: 'Raw TCP', icon: 'terminal' },
];

/** What a composer needs of the App. */
export interface ComposerEnv {
  post(m: FromWebview): void;
  save(): void;
  announce(text: string): void;
  /** The composer's drawing changed what its tab shows (its label, whether it is busy). */
  changed(): void;
}

export class Composer {
  /** The mode tabs and the request line. */
  readonly bar: HTMLDivElement;
  /** The sections under it. */
  readonly el: HTMLDivElement;
  readonly http: HttpForm;
  readonly ws: WsForm;
  readonly raw: RawForm;
  readonly sse: SseForm;
  private pendingFocus: { selector: string; which: 'first' | 'last' } | undefined;

  constructor(
    readonly state: ComposerState,
    private readonly env: ComposerEnv,
  ) {
    this.bar = div('request-bar');
    this.el = div('composer');
    const host: ComposerHost = {
      post: (m) => env.post(m),
      save: () => env.save(),
      update: () => this.update(),
      announce: (t) => env.announce(t),
      focus: (selector, which = 'first') => {
        this.pendingFocus = { selector, which };
        this.update();
      },
    };
    this.http = new HttpForm(state, host);
    this.ws = new WsForm(state, host);
    this.raw = new RawForm(state, host);
    this.sse = new SseForm(state, host);
    for (const part of [this.bar, this.el]) {
      part.addEventListener('keydown', (e) => {
        if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
          e.preventDefault();
          this.primaryAction();
        } else if (e.key === 'Escape' && this.state.mode === 'http' && this.http.busy) this.http.cancel();
      });
    }
    this.update();
  }

  get id(): string {
    return this.state.id;
  }

  get mode(): ComposerMode {
    return this.state.mode;
  }

  /** A short name for the tab: the method and path, the WebSocket path, or host:port. */
  get title(): string {
    const s = this.state;
    const path = (url: string) => {
      try {
        const u = new URL(url.includes('://') ? url : `http://${url}`);
        return `${u.pathname}${u.search}` || '/';
      } catch {
        return url.trim() || '(no URL)';
      }
    };
    if (s.mode === 'ws') return `WS ${path(s.ws.url)}`;
    if (s.mode === 'raw') return `TCP ${s.raw.host}:${s.raw.port}`;
    return `${s.http.method} ${path(s.http.url)}`;
  }

  /** Something of this tab is in flight or open (a request, a session). */
  get busy(): boolean {
    return this.http.busy || this.ws.live;
  }

  /** Ctrl+Enter: send in the current mode (a WebSocket that is not open connects). */
  primaryAction(): void {
    if (this.state.mode === 'http') this.http.send();
    else if (this.state.mode === 'ws') {
      if (this.ws.isOpen) this.ws.send();
      else this.ws.connect();
    } else if (this.state.mode === 'sse') this.sse.connect();
    else this.raw.send();
  }

  /** A host message: each form takes what concerns it. */
  handle(m: ToWebview): void {
    this.http.handle(m);
    this.ws.handle(m);
    this.raw.handle(m);
    this.sse.handle(m);
  }

  /** The first field of the request line (the URL, or the host), for when the tab is opened. */
  focusFirstField(): void {
    const sel = ({ http: '.url', ws: '.wsurl', sse: '.sseurl', raw: '.rhost' } as const)[this.state.mode];
    const field = this.bar.querySelector<HTMLElement & { updateComplete?: Promise<unknown> }>(sel);
    // A text field just placed draws its input a moment later; the focus goes there once it exists.
    void Promise.resolve(field?.updateComplete).then(() => {
      if (this.bar.isConnected) field?.focus();
    });
  }

  setServerUrl(url: string | null): void {
    if (!url) return;
    const def = defaultComposerState(url);
    // Only follow the server when the user has not typed another URL, and never into a field being typed in.
    const typing = (selector: string) => isTyping(this.bar.querySelector(selector));
    const s = this.state;
    if ((!s.http.url || /^http:\/\/127\.0\.0\.1:\d+\/?$/.test(s.http.url)) && !typing('.url')) s.http.url = def.http.url;
    if ((!s.ws.url || /^ws:\/\/127\.0\.0\.1:\d+\/ws\/echo$/.test(s.ws.url)) && !typing('.wsurl')) s.ws.url = def.ws.url;
    if (s.raw.host === '127.0.0.1' && !typing('.rport')) s.raw.port = def.raw.port;
    const sse = (s.sse ??= def.sse!);
    if (/^http:\/\/127\.0\.0\.1:\d+\/sse\/ticker$/.test(sse.url) && !typing('.sseurl')) sse.url = def.sse!.url;
    this.update();
    if (s.mode === 'http') this.http.shown();
  }

  /** Edit and Resend: the request replaces what the form held (the user asked for it), and its form is shown. */
  load(request: ComposerLoad): void {
    if (request.raw) this.raw.load(request.raw.host, request.raw.port, fromBase64(request.raw.data));
    if (request.http) this.state.http = structuredClone(request.http);
    this.state.mode = request.mode;
    this.env.save();
    this.update();
    if (request.mode === 'http') this.http.shown();
  }

  setHistory(entries: HistoryEntry[]): void {
    this.http.setHistory(entries);
  }

  setMode(mode: ComposerMode): void {
    if (mode === this.state.mode) return;
    this.state.mode = mode;
    this.env.save();
    this.update();
    if (mode === 'http') this.http.shown();
  }

  /** Draws the composer from its state (synchronously). */
  update(): void {
    const form = this.form();
    render(this.barTemplate(form), this.bar);
    render(html`<div class="composer-body" id="composer-panel" role="tabpanel" aria-labelledby="mode-${this.state.mode}">${form.template()}</div>`, this.el);
    if (this.state.mode === 'http') this.http.bindKeys(this.bar);
    const f = this.pendingFocus;
    if (f) {
      this.pendingFocus = undefined;
      const all = [...this.bar.querySelectorAll<HTMLElement>(f.selector), ...this.el.querySelectorAll<HTMLElement>(f.selector)];
      (f.which === 'last' ? all[all.length - 1] : all[0])?.focus();
    }
    this.env.changed();
  }

  private form(): HttpForm | WsForm | SseForm | RawForm {
    const mode = this.state.mode;
    return mode === 'http' ? this.http : mode === 'ws' ? this.ws : mode === 'sse' ? this.sse : this.raw;
  }

  private barTemplate(form: HttpForm | WsForm | SseForm | RawForm): TemplateResult {
    const mode = this.state.mode;
    const note = form.barNote();
    return html`<div class="mode-bar" role="tablist" aria-label="What to send" @keydown=${(e: KeyboardEvent) => this.onModeKey(e)}>
        ${MODES.map(
          (m) => html`<button
            role="tab"
            class="mode ${m.mode === mode ? 'on' : ''}"
            id="mode-${m.mode}"
            aria-controls="composer-panel"
            data-mode=${m.mode}
            aria-selected=${String(m.mode === mode)}
            tabindex=${m.mode === mode ? 0 : -1}
            @click=${() => this.setMode(m.mode)}
          >
            <span class="codicon codicon-${m.icon}" aria-hidden="true"></span> ${m.label}
          </button>`,
        )}
      </div>
      <div class="req-row" role="group" aria-label="Request">${form.barTemplate()}</div>
      <div class="bar-note errtext" id="bar-note-${this.state.id}" role="status">${note}</div>`;
  }

  private onModeKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const at = MODES.findIndex((m) => m.mode === this.state.mode);
    const i = e.key === 'Home' ? 0 : e.key === 'End' ? MODES.length - 1 : (at + (e.key === 'ArrowRight' ? 1 : MODES.length - 1)) % MODES.length;
    this.setMode(MODES[i].mode);
    this.bar.querySelector<HTMLButtonElement>(`.mode[data-mode="${MODES[i].mode}"]`)?.focus();
  }
}
