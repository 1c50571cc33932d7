// The composer: HTTP requests, WebSocket sessions, event streams and raw TCP
// bytes, one form each (http-form.ts, ws-form.ts, sse-form.ts, raw-form.ts)
// under a tab strip. It only
// builds FromWebview messages; the host sends them and the inspector shows
// what happened. Its fields are kept in the panel state (state.ts) so they
// survive hide/show and reloads. Drawn with lit: a redraw patches the fields
// in place, so focus and what is being typed stay put.
import { html, render, type TemplateResult } from 'lit';
import type { ComposerLoad, FromWebview, HistoryEntry, ToWebview } from '../../../server-core/protocol/playground.js';
import { fromBase64 } from '../bytes-util.js';
import type { ComposerHost } from './fields.js';
import { HttpForm } from './http-form.js';
import { RawForm } from './raw-form.js';
import { defaultComposerState, type ComposerMode, type ComposerState } from './state.js';
import { WsForm } from './ws-form.js';
import { SseForm } from './sse-form.js';
import { div } from '../../shared/dom.js';

export { defaultComposerState, type ComposerMode, type ComposerState } from './state.js';

const MODES: readonly { mode: ComposerMode; label: string; icon: string }[] = [
  { mode: 'http', label: 'HTTP', icon: 'globe' },
  { mode: 'ws', label: 'WebSocket', icon: 'plug' },
  { mode: 'sse', label: 'SSE', icon: 'broadcast' },
  { mode: 'raw', label: 'Raw TCP', icon: 'terminal' },
];

export class Composer {
  readonly el: HTMLDivElement;
  private readonly http: HttpForm;
  private readonly ws: WsForm;
  private readonly raw: RawForm;
  private readonly sse: SseForm;

  constructor(
    private readonly state: ComposerState,
    post: (m: FromWebview) => void,
    private readonly save: () => void,
  ) {
    this.el = div('composer');
    const host: ComposerHost = { post, save, update: () => this.update() };
    this.http = new HttpForm(state, host);
    this.ws = new WsForm(state, host);
    this.raw = new RawForm(state, host);
    this.sse = new SseForm(state, host);
    this.el.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
        e.preventDefault();
        this.primaryAction();
      } else if (e.key === 'Escape' && this.http.busy) this.http.cancel();
    });
    this.update();
    if (state.mode === 'http') this.http.shown();
  }

  get mode(): ComposerMode {
    return this.state.mode;
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

  /** A host message: each form takes what concerns it (a session the host attached brings the WebSocket form forward). */
  handle(m: ToWebview): void {
    this.http.handle(m);
    this.ws.handle(m);
    this.raw.handle(m);
    this.sse.handle(m);
  }

  setServerUrl(url: string | null): void {
    if (!url) return;
    const def = defaultComposerState(url);
    // Only follow the server when the user has not typed another URL, and never into a field being typed in.
    const typing = (selector: string) => this.el.querySelector(selector)?.matches(':focus-within') ?? false;
    if ((!this.state.http.url || /^http:\/\/127\.0\.0\.1:\d+\/?$/.test(this.state.http.url)) && !typing('.url')) this.state.http.url = def.http.url;
    if ((!this.state.ws.url || /^ws:\/\/127\.0\.0\.1:\d+\/ws\/echo$/.test(this.state.ws.url)) && !typing('.wsurl')) this.state.ws.url = def.ws.url;
    if (this.state.raw.host === '127.0.0.1' && !typing('.rport')) this.state.raw.port = def.raw.port;
    const sse = (this.state.sse ??= def.sse!);
    if (/^http:\/\/127\.0\.0\.1:\d+\/sse\/ticker$/.test(sse.url) && !typing('.sseurl')) sse.url = def.sse!.url;
    this.update();
    if (this.state.mode === 'http') this.http.shown();
  }

  /** Edit and Resend: the request replaces what the form held (the user asked for it), and its form is shown. */
  load(request: ComposerLoad): void {
    if (request.raw) this.raw.load(request.raw.host, request.raw.port, fromBase64(request.raw.data));
    if (request.http) this.state.http = structuredClone(request.http);
    this.state.mode = request.mode;
    this.save();
    this.update();
    if (request.mode === 'http') this.http.shown();
  }

  setHistory(entries: HistoryEntry[]): void {
    this.http.setHistory(entries);
  }

  setMode(mode: ComposerMode): void {
    if (mode === this.state.mode) return;
    this.state.mode = mode;
    this.save();
    this.update();
    if (mode === 'http') this.http.shown();
  }

  /** Draws the composer from its state (synchronously). */
  update(): void {
    render(this.template(), this.el);
  }

  private template(): TemplateResult {
    const mode = this.state.mode;
    const form = mode === 'http' ? this.http : mode === 'ws' ? this.ws : mode === 'sse' ? this.sse : this.raw;
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
            <span class="codicon codicon-${m.icon}"></span> ${m.label}
          </button>`,
        )}
      </div>
      <div class="composer-body" id="composer-panel" role="tabpanel" aria-labelledby="mode-${mode}">${form.template()}</div>`;
  }

  private onModeKey(e: KeyboardEvent): void {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = (MODES.findIndex((m) => m.mode === this.state.mode) + (e.key === 'ArrowRight' ? 1 : MODES.length - 1)) % MODES.length;
    this.setMode(MODES[i].mode);
    this.el.querySelector<HTMLButtonElement>(`.mode[data-mode="${MODES[i].mode}"]`)?.focus();
  }
}
