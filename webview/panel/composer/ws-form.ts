// The composer's WebSocket form: URL, subprotocols, extra handshake headers
// and auto-pong; then a message (text, hex, base64, ping or pong), a close with
// code and reason, and the frame composer, which builds any frame, invalid
// ones included (bits, opcode, mask, fragments). It drives one session at a
// time: the one it connected, or the one the host attached (a WEBSOCKET block
// of a .http file), whose origin it names.
import { html, nothing, type TemplateResult } from 'lit';
import type { HeaderRow, ToWebview, WsSendKind } from '../../../server-core/protocol/playground.js';
import { wsUrlProblem } from '../../../server-core/protocol/url-rules.js';
import { fromBase64, fromHex, toBase64, utf8 } from '../bytes-util.js';
import { check, field, option, type ComposerHost } from './fields.js';
import { newId, type ComposerState } from './state.js';

const OPCODE_NAMES = ['continuation', 'text', 'binary', '', '', '', '', '', 'close', 'ping', 'pong'];

export class WsForm {
  /** `source`: where a session opened by the host comes from (a .http file and line). */
  private session: { id: string; state: string; source?: string } | null = null;
  /** What the last ws.state said went wrong, shown with the state. */
  private stateNote: string | undefined;
  /** Why the last message or frame could not be built. */
  private error = '';
  /** A connect was refused for its URL: the reason stays under the field. */
  private refused = false;

  constructor(
    private readonly state: ComposerState,
    private readonly host: ComposerHost,
  ) {}

  get isOpen(): boolean {
    return this.session?.state === 'open';
  }

  /** The session this form drives, if any, and whether it is still alive. */
  get sessionId(): string | undefined {
    return this.session?.id;
  }

  get live(): boolean {
    const s = this.session?.state;
    return s === 'open' || s === 'connecting' || s === 'closing';
  }

  handle(m: ToWebview): void {
    switch (m.type) {
      case 'ws.attached': {
        // The host opened this session (or re-announces it after a reload): show it here, ready to type into.
        const same = this.session?.id === m.sessionId;
        this.session = { id: m.sessionId, state: same ? this.session!.state : m.resumed ? 'open' : 'connecting', ...(m.source ? { source: m.source } : {}) };
        this.stateNote = undefined;
        this.state.ws.url = m.url;
        this.state.ws.protocols = m.protocols.join(', ');
        if (!m.resumed) this.state.mode = 'ws';
        this.host.save();
        break;
      }
      case 'ws.state':
        if (this.session?.id !== m.sessionId) return;
        this.session.state = m.state;
        this.stateNote = m.error ?? (m.state === 'closed' && m.code ? `closed ${m.code} ${m.reason ?? ''}` : undefined);
        break;
      default:
        return;
    }
    this.host.update();
  }

  connect(): void {
    const w = this.state.ws;
    const problem = wsUrlProblem(w.url);
    if (problem !== undefined) {
      this.refused = true;
      this.host.update();
      this.host.announce(`Not connected: ${problem}`);
      this.host.focus('.wsurl');
      return;
    }
    const headers: HeaderRow[] = w.headers
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const i = l.indexOf(':');
        return { name: (i < 0 ? l : l.slice(0, i)).trim(), value: i < 0 ? '' : l.slice(i + 1).trim(), enabled: true };
      });
    const id = newId('ws');
    this.session = { id, state: 'connecting' };
    this.stateNote = undefined;
    this.host.post({ type: 'ws.connect', sessionId: id, url: w.url, protocols: w.protocols.split(',').map((p) => p.trim()).filter(Boolean), headers, autoPong: w.autoPong });
    this.host.update();
  }

  send(): void {
    if (!this.session) return this.fail('Connect first.');
    const w = this.state.ws;
    let data: Uint8Array;
    let kind: WsSendKind;
    try {
      if (w.kind === 'hex') (data = fromHex(w.text)), (kind = 'binary');
      else if (w.kind === 'base64') (data = fromBase64(w.text)), (kind = 'binary');
      else (data = utf8(w.text)), (kind = w.kind);
    } catch (err) {
      return this.fail((err as Error).message);
    }
    this.fail('');
    this.host.post({ type: 'ws.send', sessionId: this.session.id, kind, data: toBase64(data) });
  }

  /** The request bar: URL, Connect, Disconnect. */
  barTemplate(): TemplateResult {
    const w = this.state.ws;
    const s = this.session?.state ?? 'idle';
    const open = s === 'open';
    return html`<vscode-textfield
        class="wsurl grow"
        placeholder="ws://127.0.0.1:8080/echo"
        .label=${'WebSocket URL'}
        ?invalid=${this.refused && wsUrlProblem(w.url) !== undefined}
        ${field(this.host, w.url, (v) => ((w.url = v), (this.refused = false)))}
      ></vscode-textfield>
      <vscode-button class="connect" icon="plug" title="Connect (Ctrl+Enter)" ?disabled=${open || s === 'connecting'} @click=${() => this.connect()}>Connect</vscode-button>
      <vscode-button class="disconnect" secondary icon="debug-disconnect" title="Drop the TCP connection" ?disabled=${!open && s !== 'closing'} @click=${() => this.sessionMessage('ws.disconnect')}
        >Disconnect</vscode-button
      >`;
  }

  barNote(): TemplateResult | typeof nothing {
    const problem = this.refused ? wsUrlProblem(this.state.ws.url) : undefined;
    return problem === undefined ? nothing : html`<span class="codicon codicon-error" aria-hidden="true"></span> ${problem}`;
  }

  template(): TemplateResult {
    const w = this.state.ws;
    const s = this.session?.state ?? 'idle';
    const open = s === 'open';
    const from = this.session?.source ? ` (opened from ${this.session.source})` : '';
    const stateText = s === 'idle' ? 'Not connected.' : `${s[0].toUpperCase()}${s.slice(1)}${from}${this.stateNote ? ` — ${this.stateNote}` : ''}`;
    const h = this.host;
    return html`<div class="row">
        <vscode-textfield class="protocols grow" placeholder="Subprotocols, comma-separated (e.g. chat, superchat)" .label=${'Subprotocols'} ${field(h, w.protocols, (v) => (w.protocols = v))}></vscode-textfield>
        <vscode-checkbox class="autopong" ${check(h, w.autoPong, (v) => (w.autoPong = v), () => this.autoPongChanged())}>Auto-pong</vscode-checkbox>
      </div>
      <vscode-textarea class="wsheaders" rows="2" placeholder="Extra headers, one per line: Name: value" .label=${'Extra headers'} ${field(h, w.headers, (v) => (w.headers = v))}></vscode-textarea>
      <div class="ws-state note state-${s}" role="status">${stateText}</div>
      <section class="sect">
        <h2 id="h-message">Message</h2>
        <div class="row">
          <vscode-single-select class="wskind" .label=${'Message kind'} ${field(h, w.kind, (v) => (w.kind = v as ComposerState['ws']['kind']))}>
            ${option('text', 'Text', w.kind)}${option('hex', 'Binary (hex)', w.kind)}${option('base64', 'Binary (base64)', w.kind)}${option('ping', 'Ping', w.kind)}${option('pong', 'Pong', w.kind)}
          </vscode-single-select>
          <vscode-button class="wssend" icon="send" title="Send (Ctrl+Enter)" ?disabled=${!open} @click=${() => this.send()}>Send</vscode-button>
        </div>
        <vscode-textarea class="wstext" rows="3" .label=${'Message payload'} ${field(h, w.text, (v) => (w.text = v))}></vscode-textarea>
        <div class="wserr errtext" role="status">${this.error}</div>
      </section>
      <section class="sect">
        <h2 id="h-close">Close</h2>
        <div class="row">
          <vscode-textfield class="closecode" .label=${'Close code'} placeholder="1000" ${field(h, w.closeCode, (v) => (w.closeCode = v))}></vscode-textfield>
          <vscode-textfield class="closereason grow" .label=${'Close reason'} placeholder="reason" ${field(h, w.closeReason, (v) => (w.closeReason = v))}></vscode-textfield>
          <vscode-button class="wsclose" secondary icon="close" ?disabled=${!open} @click=${() => this.close()}>Send close</vscode-button>
        </div>
      </section>
      <details class="sect adv" ?open=${w.advanced} @toggle=${(e: Event) => this.toggleAdvanced((e.target as HTMLDetailsElement).open)}>
        <summary>Frame composer (advanced: may build invalid frames on purpose)</summary>
        <div class="adv-body">${w.advanced ? this.frameComposer(open) : nothing}</div>
      </details>`;
  }

  /** Built only while its <details> is open: selects built while hidden do not show their value. */
  private frameComposer(open: boolean): TemplateResult {
    const a = this.state.ws.adv;
    const bit = (cls: 'fin' | 'rsv1' | 'rsv2' | 'rsv3' | 'mask', label: string) =>
      html`<vscode-checkbox class=${cls} ${check(this.host, a[cls], (v) => (a[cls] = v))}>${label}</vscode-checkbox>`;
    const h = this.host;
    return html`<div class="row bits">${bit('fin', 'FIN')}${bit('rsv1', 'RSV1')}${bit('rsv2', 'RSV2')}${bit('rsv3', 'RSV3')}${bit('mask', 'MASK')}</div>
      <div class="row">
        <label
          >Opcode
          <vscode-single-select class="opcode" .label=${'Opcode'} ${field(h, a.opcode, (v) => (a.opcode = v))}>
            ${Array.from({ length: 16 }, (_, i) => option(String(i), `0x${i.toString(16)} ${OPCODE_NAMES[i] || 'reserved'}`, a.opcode))}
          </vscode-single-select></label
        >
        <label
          >Fragments
          <vscode-textfield class="fragments" type="number" min="1" max="1000" .label=${'Fragment into N frames'} ${field(h, a.fragments, (v) => (a.fragments = v))}></vscode-textfield
        ></label>
        <label
          >Payload as
          <vscode-single-select class="advenc" .label=${'Payload encoding'} ${field(h, a.enc, (v) => (a.enc = v as 'text' | 'hex'))}>${option('text', 'text', a.enc)}${option('hex', 'hex', a.enc)}</vscode-single-select></label
        >
      </div>
      <vscode-textarea class="advpayload" rows="3" .label=${'Frame payload'} ${field(h, a.payload, (v) => (a.payload = v))}></vscode-textarea>
      <vscode-button class="advsend" icon="send" ?disabled=${!open} @click=${() => this.sendFrame()}>Send frame(s)</vscode-button>`;
  }

  private sendFrame(): void {
    if (!this.session) return this.fail('Connect first.');
    const a = this.state.ws.adv;
    let payload: Uint8Array;
    try {
      payload = a.enc === 'hex' ? fromHex(a.payload) : utf8(a.payload);
    } catch (err) {
      return this.fail((err as Error).message);
    }
    const fragments = Math.max(1, Math.min(1000, Math.floor(Number(a.fragments) || 1)));
    this.host.post({
      type: 'ws.frame',
      sessionId: this.session.id,
      frame: { fin: a.fin, rsv1: a.rsv1, rsv2: a.rsv2, rsv3: a.rsv3, opcode: Number(a.opcode) & 15, mask: a.mask, payload: toBase64(payload), fragments },
    });
  }

  private close(): void {
    if (!this.session) return;
    const w = this.state.ws;
    const code = w.closeCode.trim() === '' ? undefined : Number(w.closeCode);
    this.host.post({ type: 'ws.close', sessionId: this.session.id, code: Number.isInteger(code) ? code : undefined, reason: w.closeReason });
  }

  private sessionMessage(type: 'ws.disconnect'): void {
    if (this.session) this.host.post({ type, sessionId: this.session.id });
  }

  private autoPongChanged(): void {
    if (this.session) this.host.post({ type: 'ws.autoPong', sessionId: this.session.id, enabled: this.state.ws.autoPong });
  }

  private toggleAdvanced(open: boolean): void {
    if (open === this.state.ws.advanced) return;
    this.state.ws.advanced = open;
    this.host.save();
    this.host.update();
  }

  private fail(message: string): void {
    this.error = message;
    this.host.update();
  }
}
