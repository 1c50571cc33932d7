// What the composer's forms share: their way to the host and the panel
// state, and the field bindings of the @vscode-elements controls. A field
// shows the state's value and writes every keystroke back to it (`live`: the
// value is only set when it differs from what the control holds, so a redraw
// never moves the caret or drops what is being typed).
import { html, type TemplateResult } from 'lit';
import type { FromWebview } from '../../../server-core/protocol/playground.js';

export interface ComposerHost {
  post(message: FromWebview): void;
  /** Saves the panel state (the composer's fields are in it). */
  save(): void;
  /** Draws the composer again, now (after a change its templates show). */
  update(): void;
}

/** A control with a string value: vscode-textfield, vscode-textarea, vscode-single-select. */
export type ValueField = HTMLElement & { value: string };
export type CheckField = HTMLElement & { checked: boolean };

/** The handler of a text field's input and change events: the new value, then save. */
export function onValue(host: ComposerHost, set: (value: string) => void, after?: () => void): (e: Event) => void {
  return (e) => {
    set((e.target as ValueField).value);
    host.save();
    after?.();
  };
}

/** The handler of a checkbox's change event. */
export function onCheck(host: ComposerHost, set: (checked: boolean) => void, after?: () => void): (e: Event) => void {
  return (e) => {
    set((e.target as CheckField).checked);
    host.save();
    after?.();
  };
}

/** An option, pre-selected in the markup (a select's value set before its options upgrade can be lost). */
export function option(value: string, label: string, current: string): TemplateResult {
  return html`<vscode-option value=${value} ?selected=${value === current}>${label}</vscode-option>`;
}
