// What the composer's forms share: their way to the host and the panel
// state, and the two bindings of their controls to that state. `field` binds
// a text control (vscode-textfield, vscode-textarea, vscode-single-select, a
// native input) to a string, `check` a checkbox to a boolean: the control
// shows the state's value, and every keystroke or change is written back and
// saved. A redraw sets the control only when its value differs from what it
// holds, so drawing while the user types never moves the caret or drops a key;
// and it never sets a control the user has typed into since it took the focus
// (a state update from the host while a key is on its way must not win over
// that key: what the user typed is the truth until they leave the field).
import { html, noChange, type TemplateResult } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';
import type { FromWebview } from '../../../server-core/protocol/playground.js';

export interface ComposerHost {
  post(message: FromWebview): void;
  /** Saves the panel state (the composer's fields are in it). */
  save(): void;
  /** Draws the composer again, now (after a change its templates show). */
  update(): void;
  /** Says something through the panel's polite live region (a refused send, a batch started). */
  announce(text: string): void;
  /** Moves the focus to the composer's first (or last) control matching `selector`, after the next draw. */
  focus(selector: string, which?: 'first' | 'last'): void;
}

type ValueControl = HTMLElement & { value: string };

/** Controls typed into since they took the focus. */
const typed = new WeakSet<Element>();

/** True while the user is typing in this control (it has the focus and took a key since). */
export function isTyping(el: Element | null | undefined): boolean {
  return !!el && typed.has(el);
}
type CheckControl = HTMLElement & { checked: boolean };

/** A binding on one element: listens once, and always calls the setter of the latest draw. */
abstract class Binding<V> extends Directive {
  private latest: { host: ComposerHost; set: (v: V) => void; after?: () => void } | undefined;

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('a field binding goes on an element: <vscode-textfield ${field(…)}>');
  }

  protected abstract readonly events: readonly string[];
  protected abstract read(el: HTMLElement): V;
  protected abstract write(el: HTMLElement, value: V): void;

  render(_host: ComposerHost, _value: V, _set: (v: V) => void, _after?: () => void): unknown {
    return noChange;
  }

  override update(part: ElementPart, [host, value, set, after]: [ComposerHost, V, (v: V) => void, (() => void)?]): unknown {
    const el = part.element as HTMLElement;
    if (!this.latest) {
      const changed = () => {
        const l = this.latest!;
        l.set(this.read(el));
        l.host.save();
        l.after?.();
      };
      for (const e of this.events) el.addEventListener(e, changed);
      el.addEventListener('input', () => typed.add(el));
      el.addEventListener('focusin', () => typed.delete(el));
      el.addEventListener('focusout', () => typed.delete(el));
    }
    this.latest = { host, set, ...(after ? { after } : {}) };
    if (this.read(el) !== value && !typed.has(el)) this.write(el, value);
    return noChange;
  }
}

class FieldBinding extends Binding<string> {
  protected readonly events = ['input', 'change'];
  protected read(el: HTMLElement): string {
    return (el as ValueControl).value;
  }
  protected write(el: HTMLElement, value: string): void {
    (el as ValueControl).value = value;
  }
}

class CheckBinding extends Binding<boolean> {
  protected readonly events = ['change'];
  protected read(el: HTMLElement): boolean {
    return (el as CheckControl).checked;
  }
  protected write(el: HTMLElement, value: boolean): void {
    (el as CheckControl).checked = value;
  }
}

/** `<vscode-textfield ${field(host, state.url, (v) => (state.url = v), after)}>` */
export const field = directive(FieldBinding);
/** `<vscode-checkbox ${check(host, state.on, (v) => (state.on = v), after)}>` */
export const check = directive(CheckBinding);

/** An option, pre-selected in the markup (a select's value set before its options upgrade can be lost). */
export function option(value: string, label: string, current: string): TemplateResult {
  return html`<vscode-option value=${value} ?selected=${value === current}>${label}</vscode-option>`;
}
