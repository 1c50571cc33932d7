// The composer's raw TCP form: host and port, the exact bytes (text with
// escapes, or hex) and their count, optional drip-feed (a few bytes every few
// milliseconds) and half-close. Sending again while the connection is open
// writes more bytes on it.
import { html, type TemplateResult } from 'lit';
import type { ToWebview } from '../../../server-core/protocol/playground.js';
import { fromEscapedText, fromHex, toBase64, toEscapedText, toHex } from '../bytes-util.js';
import { check, field, option, type ComposerHost } from './fields.js';
import { newId, type ComposerState } from './state.js';

export class RawForm {
  private session: { id: string; state: string } | null = null;
  private stateError: string | undefined;

  constructor(
    private readonly state: ComposerState,
    private readonly host: ComposerHost,
  ) {}

  handle(m: ToWebview): void {
    if (m.type !== 'raw.state' || this.session?.id !== m.sessionId) return;
    this.session.state = m.state;
    this.stateError = m.error;
    this.host.update();
  }

  /** Puts these bytes in the form (Edit and Resend): as text with escapes when that reads back as the same bytes, else in hex. */
  load(host: string, port: number, bytes: Uint8Array): void {
    const r = this.state.raw;
    r.host = host;
    r.port = String(port);
    // One line: a line break typed in the field is itself a byte (fromEscapedText), so the display form's breaks cannot be used.
    const text = toEscapedText(bytes, false);
    const same = (() => {
      try {
        const back = fromEscapedText(text);
        return back.length === bytes.length && back.every((b, i) => b === bytes[i]);
      } catch {
        return false;
      }
    })();
    r.enc = same ? 'text' : 'hex';
    r.text = same ? text : toHex(bytes);
    r.drip = false;
    r.halfClose = false;
  }

  send(): void {
    const r = this.state.raw;
    let bytes: Uint8Array;
    try {
      bytes = this.bytes();
    } catch {
      // The count under the bytes says what is wrong.
      return this.host.update();
    }
    const reuse = this.session && (this.session.state === 'open' || this.session.state === 'connecting');
    const id = reuse ? this.session!.id : newId('raw');
    if (!reuse) this.session = { id, state: 'connecting' };
    this.stateError = undefined;
    this.host.post({
      type: 'raw.send',
      sessionId: id,
      host: r.host.trim(),
      port: Number(r.port),
      data: toBase64(bytes),
      drip: r.drip ? { chunkSize: Math.max(1, Number(r.dripSize) || 1), intervalMs: Math.max(0, Number(r.dripMs) || 0) } : undefined,
      halfClose: r.halfClose,
    });
    this.host.update();
  }

  template(): TemplateResult {
    const r = this.state.raw;
    const h = this.host;
    const redraw = () => this.host.update();
    const count = this.count();
    const s = this.session?.state;
    return html`<div class="row req-row">
        <vscode-textfield class="rhost grow" aria-label="Host" placeholder="127.0.0.1" ${field(h, r.host, (v) => (r.host = v))}></vscode-textfield>
        <vscode-textfield class="rport" aria-label="Port" placeholder="8080" ${field(h, r.port, (v) => (r.port = v))}></vscode-textfield>
        <vscode-button class="rsend" icon="send" title="Send (Ctrl+Enter)" @click=${() => this.send()}>Send</vscode-button>
        <vscode-button class="rclose" secondary icon="close" title="Close the connection" @click=${() => this.close()}>Close</vscode-button>
      </div>
      <div class="row">
        <label
          >Bytes as
          <vscode-single-select class="renc" aria-label="Encoding" ${field(h, r.enc, (v) => (r.enc = v as 'text' | 'hex'), redraw)}
            >${option('text', 'text with escapes (\\r \\n \\t \\0 \\xNN)', r.enc)}${option('hex', 'hex', r.enc)}</vscode-single-select
          ></label
        >
      </div>
      <vscode-textarea class="rtext mono" rows="8" aria-label="Bytes to send" ${field(h, r.text, (v) => (r.text = v), redraw)}></vscode-textarea>
      <div class="rinfo note ${count.error ? 'errtext' : ''}">${count.text}</div>
      <div class="row">
        <vscode-checkbox class="rdrip" ${check(h, r.drip, (v) => (r.drip = v))}>Drip-feed</vscode-checkbox>
        <label>bytes <vscode-textfield class="rdripsize" type="number" min="1" aria-label="Bytes per piece" ${field(h, r.dripSize, (v) => (r.dripSize = v))}></vscode-textfield></label>
        <label>every ms <vscode-textfield class="rdripms" type="number" min="0" aria-label="Milliseconds between pieces" ${field(h, r.dripMs, (v) => (r.dripMs = v))}></vscode-textfield></label>
      </div>
      <div class="row"><vscode-checkbox class="rhalf" ${check(h, r.halfClose, (v) => (r.halfClose = v))}>Half-close after sending (FIN, keep reading)</vscode-checkbox></div>
      <div class="raw-state note" aria-live="polite">${s ? `Connection ${s}${this.stateError ? ` — ${this.stateError}` : ''}. ${s === 'open' ? 'Send again to write more bytes on the same connection.' : ''}` : ''}</div>`;
  }

  private bytes(): Uint8Array {
    const r = this.state.raw;
    return r.enc === 'hex' ? fromHex(r.text) : fromEscapedText(r.text);
  }

  /** How many bytes the field holds, or why it holds none. */
  private count(): { text: string; error: boolean } {
    try {
      const n = this.bytes().length;
      return { text: `${n} byte${n === 1 ? '' : 's'}`, error: false };
    } catch (err) {
      return { text: (err as Error).message, error: true };
    }
  }

  private close(): void {
    if (this.session) this.host.post({ type: 'raw.close', sessionId: this.session.id });
  }
}
