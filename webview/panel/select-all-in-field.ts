// Ctrl+A (Cmd+A) in a text field selects the field's text, now, in the page.
//
// Inside VS Code the webview's frame forwards every key to the workbench, and
// the workbench answers Ctrl+A with its own "select all", sent back to the
// frame as a message (execCommand('selectAll')). That answer arrives a moment
// later: a key typed in between is selected by it, and the next key replaces
// it, so "Ctrl+A, type http://…" could leave "ttp://…" in the URL field (seen
// in test/vscode/playground-walk.test.ts on a loaded machine). The browser
// already selects the field's text on the keydown itself; keeping that keydown
// from reaching the frame's forwarder (a listener on the window, after the
// document's) leaves only that synchronous selection. Other keys, and Ctrl+A
// outside text fields, reach VS Code as before.
export function keepSelectAllInFields(doc: Document): void {
  doc.addEventListener('keydown', (e) => {
    if (e.key.toLowerCase() !== 'a' || !(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
    if (isTextControl(e.composedPath()[0])) e.stopPropagation();
  });
}

function isTextControl(target: EventTarget | undefined): boolean {
  if (target instanceof HTMLTextAreaElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return ['text', 'search', 'url', 'email', 'password', 'number', 'tel', ''].includes(target.type);
}
