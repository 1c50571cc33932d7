// What the panel's modal dialogs share (Keyboard help, Compare the three): a
// native <dialog> opened modally, the focus moved into it, and given back on
// close (Escape or Close) to the control that had it before, inside shadow
// roots too.
export abstract class ModalDialog {
  readonly el: HTMLDialogElement;
  private opener: HTMLElement | null = null;

  /** `focusOnOpen`: the selector of the control inside the dialog that takes the focus when it opens. */
  constructor(className: string, labelledBy: string, private readonly focusOnOpen: string) {
    this.el = document.createElement('dialog');
    this.el.className = className;
    this.el.setAttribute('aria-labelledby', labelledBy);
    this.el.addEventListener('close', () => {
      this.opener?.focus();
      this.opener = null;
    });
  }

  get isOpen(): boolean {
    return this.el.open;
  }

  open(): void {
    if (this.el.open) return;
    this.opener = deepActive();
    this.el.showModal();
    this.el.querySelector<HTMLElement>(this.focusOnOpen)?.focus();
  }

  close(): void {
    if (this.el.open) this.el.close();
  }
}

/** The element that has the focus, inside shadow roots too. */
function deepActive(): HTMLElement | null {
  let a = document.activeElement as HTMLElement | null;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement as HTMLElement;
  return a;
}
