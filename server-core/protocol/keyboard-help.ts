// The playground's keys, as data: one list that the panel shows in its
// "Keyboard help" dialog (webview/panel/keyboard-help-dialog.ts) and that
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

export const KEYBOARD_HELP_TITLE = 'Wireplay Playground: keyboard and screen reader help';

export const PLAYGROUND_KEYS: readonly KeyHelpSection[] = [
  {
    where: 'Everywhere in the playground',
    keys: [
      { keys: 'Tab / Shift+Tab', does: 'moves between controls in the order they are shown: request tabs, request bar, composer, divider, network list, inspector; every control, the hex view, the tree and the timeline take focus and show a focus ring' },
      { keys: 'Alt+1 / Alt+2 / Alt+3 / Alt+4', does: "opens the Parsed, Bytes, Timeline or Pipeline view of the inspector (Pipeline: the server's stages for the selected request)" },
      { keys: 'Alt+Shift+C', mac: 'Option+Shift+C', does: 'opens "Compare the three": the same chat over polling HTTP, SSE + POST and WebSocket, side by side (Run starts it; the SSE tab\'s Compare the three button opens it too)' },
      { keys: 'Alt+F1', does: 'opens this help (in the browser page: the Keys dialog; the Keys button in the top bar does the same)' },
    ],
  },
  {
    where: 'Request tabs',
    keys: [
      { keys: 'Left / Right, Home / End', does: 'opens the previous, next, first or last request tab' },
      { keys: 'Delete', does: 'closes the focused request tab (the last one stays)' },
      { keys: 'Enter / Space', does: 'on New: opens a new request tab' },
    ],
  },
  {
    where: 'Composer',
    keys: [
      { keys: 'Ctrl+Enter', mac: 'Cmd+Enter', does: 'sends from any field: the HTTP request, the WebSocket message (or connects), the event stream (connects), the raw bytes' },
      { keys: 'Escape', does: 'cancels the HTTP requests of this tab in flight' },
      { keys: 'Left / Right', does: 'in the mode bar: HTTP, WebSocket, SSE or Raw TCP' },
      { keys: 'Enter / Space', does: 'in the mode bar: selects the mode' },
      { keys: 'Up / Down, letters', does: 'in Method, closed: the previous or next method, or the one starting with the letters typed (P: POST, P again: PUT); Alt+Down or Space opens the list' },
    ],
  },
  {
    where: 'Dividers',
    keys: [{ keys: 'Left / Right (Up / Down when stacked), Home / End', does: 'resizes the two sides; the size is remembered' }],
  },
  {
    where: 'Network list',
    keys: [
      { keys: 'Up / Down, Page Up / Page Down, Home / End', does: 'moves the selection; the inspector shows the selected request' },
      { keys: 'Enter', does: 'moves to the inspector of the selected request' },
      { keys: 'P', does: "opens the server's Pipeline view of the selected request (a request the Wireplay server handled; the pipeline icon in its row does the same)" },
      { keys: 'Left / Right', does: 'on the side switch: the client or the server side of the same connection' },
    ],
  },
  {
    where: 'Inspector tabs',
    keys: [{ keys: 'Left / Right, then Enter or Space', does: 'moves between Parsed, Bytes, Timeline and Pipeline, then opens the one focused' }],
  },
  {
    where: 'Pipeline view',
    keys: [
      { keys: 'Tab, then Enter', does: "on a stage's Show bytes: selects that stage's bytes in the Bytes view (the focus moves to the tree); on Open FILE:LINE (VS Code): opens the route's source in the editor" },
    ],
  },
  {
    where: 'Parsed view',
    keys: [{ keys: 'Enter / Space', does: 'opens or closes a section (Timing, Headers, Body)' }],
  },
  {
    where: 'Hex view (Bytes)',
    keys: [
      { keys: 'Left / Right', does: 'moves one byte back or forward; the byte, its direction and the field under the cursor are announced' },
      { keys: 'Up / Down', does: 'moves one row (16 bytes) up or down' },
      { keys: 'Page Up / Page Down', does: 'moves one screen up or down' },
      { keys: 'Home / End', does: 'goes to the start or the end of the row' },
      { keys: 'Ctrl+Home / Ctrl+End', mac: 'Cmd+Home / Cmd+End', does: 'goes to the first or the last byte of the connection' },
      { keys: 'Enter', does: 'selects the field under the cursor in the dissection tree' },
      { keys: 'Tab', does: 'leaves the hex view (it never keeps the focus)' },
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
      { keys: 'P', does: "opens the request's Pipeline view (Shift+click does the same)" },
      { keys: 'Left / Right', does: 'on the mode switch: Concurrent or Sequential' },
    ],
  },
];

/** The help as plain text, with the keys of the platform it is shown on. */
export function keyboardHelpText(options: { mac?: boolean } = {}): string {
  const lines = [
    KEYBOARD_HELP_TITLE,
    '',
    'New WebSocket messages and finished responses are announced through a polite live region, at most one announcement every second and a half. Colours follow the VS Code theme, high contrast included; a status or a direction is never told by colour alone.',
    '',
  ];
  for (const section of PLAYGROUND_KEYS) {
    lines.push(`${section.where}:`);
    for (const k of section.keys) lines.push(`  ${options.mac && k.mac ? k.mac : k.keys}: ${k.does}.`);
    lines.push('');
  }
  return lines.join('\n');
}
