// The playground's keys, written once for the panel's dialog and VS Code's
// Accessibility Help: the text lists every section and every key of the data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEYBOARD_HELP_TITLE, PLAYGROUND_KEYBOARD_HELP, keyboardHelpText } from '../../../server-core/protocol/keyboard-help.js';

test('the plain text has the title, every section and every entry', () => {
  const text = keyboardHelpText();
  assert.ok(text.startsWith(`${KEYBOARD_HELP_TITLE}\n`));
  for (const s of PLAYGROUND_KEYBOARD_HELP) {
    assert.ok(text.includes(`\n${s.where}:\n`), s.where);
    for (const e of s.entries) assert.ok(text.includes(`- ${e.keys}: ${e.does}\n`), e.keys);
  }
});

test('the keys the issue asks for are documented', () => {
  const text = keyboardHelpText();
  for (const key of ['Ctrl+Enter (Cmd+Enter on macOS)', 'Alt+1, Alt+2, Alt+3', 'Ctrl+Home, Ctrl+End', 'Delete', '← → in Side']) assert.ok(text.includes(key), key);
});
