// The composer's SSE form: URL, extra headers, the Last-Event-ID to start
// from and auto-reconnect; Connect and Disconnect; the session's state (with
// the wait before a reconnect) and a live list of its events (type, id, data,
// time). The host runs the session (server-core/playground/sse-sessions.ts)
// and sends its records in batches; the list keeps every count but draws only
// the latest SHOWN rows, so a stream of 100 000 events costs a redraw of a few
// hundred rows per batch, never 100 000 DOM nodes.
import { html, nothing, type TemplateResult } from 'lit';
import type { HeaderRow, SseRecordView, SseStateView, ToWebview } from '../../../server-core/protocol/playground.js';
import { check, field, type ComposerHost } from './fields.js';
import { newId, type ComposerState } from './state.js';
import { COMPARE_OPEN_EVENT } from '../compare-view.js';

/** Rows the list draws (the latest ones). */
export const SSE_SHOWN = 300;

export type SseFormState = NonNullable<ComposerState['sse']>;

export function defaultSseState(base: string): SseFormState {
  return { url: `${base.replace(/\/$/, '')}/sse/ticker`, headers: '', lastEventId: '', autoReconnect: true };
}

export class SseForm {
  private session: { id: string; state: SseStateView } | null = null;
  private rows: SseRecordView[] = [];
  private events = 0;
  private t0 = 0;
  private frame = 0;

  constructor(
    private readonly state: ComposerState,
    private readonly host: ComposerHost,
  ) {}

  private get s(): SseFormState {
    // A panel state saved before the SSE form existed has no fields for it.
    return (this.state.sse ??= defaultSseState('http://127.0.0.1:8080'));
  }

  get isOpen(): boolean {
    const st = this.session?.state.state;
    return st === 'open' || st === 'connecting' || st === 'waiting';
  }

  handle(m: ToWebview): void {
    if ((m.type !== 'sse.state' && m.type !== 'sse.records') || this.session?.id !== m.sessionId) return;
    if (m.type === 'sse.state') {
      const { type: _t, sessionId: _s, ...state } = m;
      this.session.state = state;
      // What a reconnect will send is what the user would type to resume: keep it in the field.
      if (state.lastEventId) this.s.lastEventId = state.lastEventId;
    } else {
      for (const r of m.records) if (r.kind === 'event') this.events++;
      this.rows.push(...m.records);
      if (this.rows.length > SSE_SHOWN * 2) this.rows.splice(0, this.rows.length - SSE_SHOWN);
    }
    // Many batches in a frame: one redraw.
    if (!this.frame) this.frame = requestAnimationFrame(() => ((this.frame = 0), this.host.update()));
  }

  connect(): void {
    const s = this.s;
    const headers: HeaderRow[] = s.headers
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const i = l.indexOf(':');
        return { name: (i < 0 ? l : l.slice(0, i)).trim(), value: i < 0 ? '' : l.slice(i + 1).trim(), enabled: true };
      });
    const id = newId('sse');
    this.session = { id, state: { state: 'connecting', connection: 1, lastEventId: s.lastEventId } };
    this.rows = [];
    this.events = 0;
    this.t0 = performance.now();
    this.host.post({ type: 'sse.connect', sessionId: id, url: s.url.trim(), headers, lastEventId: s.lastEventId, autoReconnect: s.autoReconnect });
    this.host.save();
    this.host.update();
  }

  disconnect(): void {
    if (this.session) this.host.post({ type: 'sse.disconnect', sessionId: this.session.id });
  }

  /** The request bar: URL, Connect, Disconnect. */
  barTemplate(): TemplateResult {
    const s = this.s;
    const h = this.host;
    return html`<vscode-textfield class="sseurl grow" .label=${'Event stream URL'} placeholder="http://127.0.0.1:8080/sse/ticker" ${field(h, s.url, (v) => (s.url = v))}></vscode-textfield>
      <vscode-button class="sseconnect" icon="plug" title="Connect (Ctrl+Enter)" @click=${() => this.connect()}>Connect</vscode-button>
      <vscode-button class="ssedisconnect" secondary icon="debug-disconnect" title="Disconnect" ?disabled=${!this.isOpen} @click=${() => this.disconnect()}>Disconnect</vscode-button>`;
  }

  barNote(): typeof nothing {
    return nothing;
  }

  template(): TemplateResult {
    const s = this.s;
    const h = this.host;
    const shown = this.rows.slice(-SSE_SHOWN);
    return html`<vscode-textarea class="sseheaders" rows="2" placeholder="Extra headers, one per line: Name: value" aria-label="Extra headers" ${field(h, s.headers, (v) => (s.headers = v))}></vscode-textarea>
      <div class="row">
        <label>Last-Event-ID <vscode-textfield class="sselastid" aria-label="Last-Event-ID" placeholder="(none)" ${field(h, s.lastEventId, (v) => (s.lastEventId = v))}></vscode-textfield></label>
        <vscode-checkbox class="ssereconnect" ${check(h, s.autoReconnect, (v) => (s.autoReconnect = v))}>Reconnect after a drop (as EventSource)</vscode-checkbox>
      </div>
      <div class="row sse-compare">
        <vscode-button class="ssecompare" secondary icon="split-horizontal" title="The same chat over polling, SSE + POST and WebSocket, side by side (Alt+Shift+C)"
          @click=${(e: Event) => e.target?.dispatchEvent(new CustomEvent(COMPARE_OPEN_EVENT, { bubbles: true, composed: true }))}>Compare the three</vscode-button>
      </div>
      <div class="sse-state note" aria-live="polite">${this.stateText()}</div>
      <div class="sse-count note">${this.events} event${this.events === 1 ? '' : 's'}${this.rows.length > SSE_SHOWN ? ` — the latest ${SSE_SHOWN} records shown` : ''}</div>
      <div class="sse-list mono" role="log" aria-label="Events" tabindex="0" data-session=${this.session?.id ?? ''}>
        ${shown.map((r) => this.row(r))}
      </div>`;
  }

  private row(r: SseRecordView): TemplateResult {
    const t = `${((r.t - this.t0) / 1000).toFixed(3)} s`;
    if (r.kind === 'event') return html`<div class="sse-row"><span class="sse-t">${t}</span> <span class="sse-type">${r.type}</span> <span class="sse-id">${r.id ? `#${r.id}` : ''}</span> <span class="sse-data">${r.data}</span></div>`;
    if (r.kind === 'comment') return html`<div class="sse-row dim"><span class="sse-t">${t}</span> <span class="sse-type">:</span> ${r.text}</div>`;
    return html`<div class="sse-row dim"><span class="sse-t">${t}</span> <span class="sse-type">retry</span> ${r.ms} ms</div>`;
  }

  private stateText(): string {
    const st = this.session?.state;
    if (!st) return '';
    const conn = `connection ${st.connection}${st.previousConnectionId ? ` (reconnects ${st.previousConnectionId})` : ''}`;
    switch (st.state) {
      case 'connecting':
        return `Connecting — ${conn}${st.lastEventId ? `, Last-Event-ID: ${st.lastEventId}` : ''}`;
      case 'open':
        return `Open — ${conn}, ${st.status ?? 200}`;
      case 'waiting':
        return `Dropped (${st.reason ?? 'the stream ended'}); reconnecting in ${st.delay ?? 0} ms with Last-Event-ID: ${st.lastEventId || '(none)'}`;
      case 'closed':
        return `Closed — ${st.reason ?? ''}${st.code ? ` (${st.code})` : ''}`;
    }
  }
}
