// The playground's keys, written once: the panel shows them in its "Keyboard
// help" dialog (webview/panel/keyboard-help-dialog.ts), and VS Code's
// Accessibility Help for the playground (an Alt+F1-style command on the
// extension side) shows keyboardHelpText(). Plain data and a plain function:
// both the webview and the extension import this file.

export interface KeyHelpEntry {
  /** The keys, as written for people ("Ctrl+Enter", "↑ ↓"). */
  keys: string;
  /** What they do. */
  does: string;
}

export interface KeyHelpSection {
  /** Where the keys work. */
  where: string;
  entries: readonly KeyHelpEntry[];
}

export const KEYBOARD_HELP_TITLE = 'Wireplay Playground: keyboard';

export const PLAYGROUND_KEYBOARD_HELP: readonly KeyHelpSection[] = [
  {
    where: 'Everywhere in the playground',
    entries: [
      { keys: 'Tab, Shift+Tab', does: 'Move between controls, in the order they appear: request tabs, request bar, composer, divider, network list, inspector.' },
      { keys: 'Alt+1, Alt+2, Alt+3', does: 'Show the Parsed, Bytes or Timeline view.' },
      { keys: 'Alt+F1', does: 'Show this help (in VS Code: the Accessibility Help command; in the browser page: this dialog). The Keyboard help button in the top bar does the same.' },
    ],
  },
  {
    where: 'Request tabs',
    entries: [
      { keys: '← →, Home, End', does: 'Open the previous, next, first or last request tab.' },
      { keys: 'Delete', does: 'Close the focused request tab (the last one stays).' },
      { keys: 'Enter or Space on New request', does: 'Open a new request tab.' },
    ],
  },
  {
    where: 'Composer',
    entries: [
      { keys: 'Ctrl+Enter (Cmd+Enter on macOS)', does: 'From any field: send the request, connect or send the WebSocket message, or send the raw bytes.' },
      { keys: 'Escape', does: 'Cancel the HTTP requests of this tab that are in flight.' },
      { keys: '← → in "What to send"', does: 'Switch between HTTP, WebSocket and Raw TCP.' },
      { keys: '↑ ↓, letters, in Method', does: 'Pick the previous or next method, or the one starting with the letters typed (P: POST, P again: PUT). Alt+↓ or Space opens the list.' },
    ],
  },
  {
    where: 'Dividers',
    entries: [{ keys: '← → (↑ ↓ when stacked), Home, End', does: 'Resize the two sides; the size is remembered.' }],
  },
  {
    where: 'Network list',
    entries: [
      { keys: '↑ ↓, Page Up, Page Down, Home, End', does: 'Move the selection; the inspector shows the selected request.' },
      { keys: 'Enter', does: 'Move to the inspector of the selected request.' },
      { keys: '← → in Side', does: 'Show the client side or the server side of the same connection.' },
    ],
  },
  {
    where: 'Inspector',
    entries: [
      { keys: '← → then Enter or Space', does: 'On the inspector tabs: choose Parsed, Bytes or Timeline.' },
      { keys: 'Enter or Space', does: 'On a Parsed section (Timing, Headers, Body): open or close it.' },
    ],
  },
  {
    where: 'Bytes: hex view',
    entries: [
      { keys: '← →', does: 'Move one byte. The byte, its direction and the field it belongs to are announced.' },
      { keys: '↑ ↓, Page Up, Page Down', does: 'Move one row (16 bytes) or one page.' },
      { keys: 'Home, End; Ctrl+Home, Ctrl+End', does: 'Start or end of the row; first or last byte of the connection.' },
      { keys: 'Enter', does: 'Select the field under the cursor in the dissection tree.' },
      { keys: 'Tab', does: 'Leave the hex view (it never keeps the focus).' },
    ],
  },
  {
    where: 'Bytes: dissection tree',
    entries: [
      { keys: '↑ ↓, Home, End, Page Up, Page Down', does: 'Move the selection; its bytes are selected in the hex view.' },
      { keys: '→ ←', does: 'Expand or collapse, or go to the parent.' },
      { keys: 'Enter or Space', does: 'Expand or collapse.' },
    ],
  },
  {
    where: 'Timeline',
    entries: [
      { keys: '← → on its toolbar', does: 'Switch between Connection and Server queue.' },
      { keys: '↑ ↓, Home, End, then Enter', does: 'Connection: select a message, and open it in the Bytes view.' },
      { keys: '← → ↑ ↓, Home, End, then Enter', does: 'Server queue: move through the requests in time order; Enter shows its connection.' },
      { keys: '← → on the mode switch', does: 'Concurrent or Sequential.' },
    ],
  },
];

/** The help as plain text (VS Code's Accessibility Help shows text). */
export function keyboardHelpText(): string {
  const lines = [KEYBOARD_HELP_TITLE, ''];
  for (const s of PLAYGROUND_KEYBOARD_HELP) {
    lines.push(`${s.where}:`);
    for (const e of s.entries) lines.push(`- ${e.keys}: ${e.does}`);
    lines.push('');
  }
  return lines.join('\n').trimEnd() + '\n';
}
