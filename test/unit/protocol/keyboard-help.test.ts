// The playground's keys, written once for the panel's Keys dialog and VS
// Code's Playground Accessibility Help: the text lists every section and key,
// with the platform's modifier, and the keys the panel has are all there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEYBOARD_HELP_TITLE, PLAYGROUND_KEYS, keyboardHelpText } from '../../../server-core/protocol/keyboard-help.js';

test("the help lists every section and key, with the platform's modifier", () => {
  const text = keyboardHelpText();
  assert.ok(text.startsWith(`${KEYBOARD_HELP_TITLE}\n`));
  for (const section of PLAYGROUND_KEYS) {
    assert.ok(text.includes(`${section.where}:`), section.where);
    for (const k of section.keys) assert.ok(text.includes(`  ${k.keys}: ${k.does}.`), k.keys);
  }
  assert.match(text, /Ctrl\+Enter: sends from any field/);
  assert.match(keyboardHelpText({ mac: true }), /Cmd\+Enter: sends from any field/);
  assert.match(keyboardHelpText({ mac: true }), /Cmd\+Home \/ Cmd\+End: goes to the first or the last byte/);
  assert.match(text, /Alt\+F1: opens this help/);
});

test("the hex view's keys are there: byte by byte, and the field under the cursor is announced", () => {
  const hex = PLAYGROUND_KEYS.find((s) => /^Hex view/.test(s.where));
  assert.ok(hex);
  assert.ok(hex.keys.some((k) => k.keys === 'Left / Right' && /one byte/.test(k.does) && /announced/.test(k.does)));
  assert.ok(hex.keys.some((k) => k.keys === 'Tab' && /never keeps the focus/.test(k.does)), 'no trap');
});

test('the request tabs, the network list, the side switch and the method picker have their keys', () => {
  const text = keyboardHelpText();
  for (const s of ['Request tabs:', '  Delete: closes the focused request tab', 'Network list:', 'on the side switch', 'in Method, closed']) assert.ok(text.includes(s), s);
});

test("docs/playground.md's Keyboard table lists every key of the help, with what it does", () => {
  const doc = readFileSync(join(import.meta.dirname, '../../../docs/playground.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Keyboard\n'), doc.indexOf('\n## ', doc.indexOf('## Keyboard\n') + 1));
  for (const s of PLAYGROUND_KEYS) {
    for (const k of s.keys) {
      const row = `| ${k.keys}${k.mac ? ` (${k.mac} on macOS)` : ''} | ${s.where} | ${k.does} |`;
      assert.ok(section.includes(row), `docs/playground.md lacks the row: ${row}`);
    }
  }
});
