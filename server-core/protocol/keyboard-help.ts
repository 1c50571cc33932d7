// The playground's keys, as data: one list that the panel can show and that
// "Wireplay: Playground Accessibility Help" (Alt+F1 in the playground) prints
// as text. A key added to the panel is added here, so the help never lies.
// Bundled into the webview too: no vscode, no node built-ins.

export interface KeyHelp {
  /** As written on Windows and Linux: `Ctrl+Enter`. */
  keys: string;
  /** As written on macOS, when it differs: `Cmd+Enter`. */
  mac?: string;
  does: string;
}

export interface KeyHelpSection {
  /** Where the keys work. */
  where: string;
  keys: readonly KeyHelp[];
}

export const PLAYGROUND_KEYS: readonly KeyHelpSection[] = [
  {
    where: 'Everywhere in the playground',
    keys: [
      { keys: 'Tab / Shift+Tab', does: 'moves between controls in the order they are shown; every control, the hex view, the tree and the timeline take focus and show a focus ring' },
      { keys: 'Alt+1 / Alt+2 / Alt+3', does: 'opens the Parsed, Bytes or Timeline view of the inspector' },
      { keys: 'Alt+F1', does: 'opens this help' },
    ],
  },
  {
    where: 'Composer',
    keys: [
      { keys: 'Ctrl+Enter', mac: 'Cmd+Enter', does: 'sends from any field: the HTTP request, the WebSocket message (or connects), the raw bytes' },
      { keys: 'Escape', does: 'cancels the HTTP request in flight' },
      { keys: 'Left / Right', does: 'in the mode bar: HTTP, WebSocket or Raw TCP' },
      { keys: 'Enter / Space', does: 'in the mode bar: selects the mode' },
    ],
  },
  {
    where: 'Inspector tabs',
    keys: [{ keys: 'Left / Right, then Enter or Space', does: 'moves between Parsed, Bytes and Timeline, then opens the one focused' }],
  },
  {
    where: 'Parsed view',
    keys: [{ keys: 'Enter / Space', does: 'opens or closes a section (Timing, Headers, Body)' }],
  },
  {
    where: 'Hex view (Bytes)',
    keys: [
      { keys: 'Left / Right', does: 'moves one byte back or forward; the field under the cursor is announced' },
      { keys: 'Up / Down', does: 'moves one row (16 bytes) up or down' },
      { keys: 'Page Up / Page Down', does: 'moves one screen up or down' },
      { keys: 'Home / End', does: 'goes to the first or the last byte of the connection' },
    ],
  },
  {
    where: 'Dissection tree (Bytes)',
    keys: [
      { keys: 'Up / Down, Home / End, Page Up / Page Down', does: 'moves the selection; its bytes are selected in the hex view as you go' },
      { keys: 'Right / Left', does: 'expands or collapses a field, or goes to its parent' },
      { keys: 'Enter / Space', does: 'expands or collapses' },
    ],
  },
  {
    where: 'Timeline',
    keys: [
      { keys: 'Up / Down, Home / End', does: 'selects a message' },
      { keys: 'Enter', does: 'opens the selected message in the Bytes view (the focus moves to its field in the tree)' },
      { keys: 'Left / Right', does: 'in the toolbar: the Connection or the Server queue view' },
    ],
  },
  {
    where: 'Server queue',
    keys: [
      { keys: 'Arrow keys, Home / End', does: 'move through the requests in time order' },
      { keys: 'Enter', does: "selects the request's connection" },
      { keys: 'Left / Right', does: 'on the mode switch: Concurrent or Sequential' },
    ],
  },
  {
    where: 'The divider between composer and inspector',
    keys: [{ keys: 'Left / Right', does: 'resizes the two' }],
  },
];

/** The help as plain text, with the keys of the platform it is shown on. */
export function keyboardHelpText(options: { mac?: boolean } = {}): string {
  const lines = [
    'Wireplay Playground: keyboard and screen reader help',
    '',
    'New messages and finished responses are announced through a polite live region. Colours follow the VS Code theme, high contrast included.',
    '',
  ];
  for (const section of PLAYGROUND_KEYS) {
    lines.push(`${section.where}:`);
    for (const k of section.keys) lines.push(`  ${options.mac && k.mac ? k.mac : k.keys}: ${k.does}.`);
    lines.push('');
  }
  return lines.join('\n');
}
