// The in-panel "Keyboard help": a modal dialog listing the playground's keys,
// from the same text VS Code's Accessibility Help shows for the playground
// (server-core/protocol/keyboard-help.ts). Escape or Close shuts it, and the
// focus goes back where it was.
import { html, render } from 'lit';
import { KEYBOARD_HELP_TITLE, PLAYGROUND_KEYS, type KeyHelp } from '../../server-core/protocol/keyboard-help.js';
import { ModalDialog } from './modal-dialog.js';

/** The panel runs on a Mac: its keys are written as a Mac user presses them. */
const MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** The keys as this platform presses them; elsewhere than a Mac the Mac's keys follow, since a page may be read on another machine. */
function keysOf(k: KeyHelp): string {
  if (!k.mac) return k.keys;
  return MAC ? k.mac : `${k.keys} (${k.mac} on macOS)`;
}

export class KeyboardHelpDialog extends ModalDialog {
  constructor() {
    super('kbd-help', 'kbd-help-title', '.kbd-help-body');
    render(
      html`<div class="kbd-help-head">
          <h2 id="kbd-help-title">${KEYBOARD_HELP_TITLE}</h2>
          <vscode-button class="kbd-close" secondary icon="close" @click=${() => this.close()}>Close</vscode-button>
        </div>
        <div class="kbd-help-body" tabindex="0" aria-label="Keys">
          ${PLAYGROUND_KEYS.map(
            (s) => html`<section>
              <h3>${s.where}</h3>
              <table>
                <tbody>
                  ${s.keys.map((k) => html`<tr><th scope="row"><kbd>${keysOf(k)}</kbd></th><td>${k.does}</td></tr>`)}
                </tbody>
              </table>
            </section>`,
          )}
        </div>`,
      this.el,
    );
  }
}
