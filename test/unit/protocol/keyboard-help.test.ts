import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PLAYGROUND_KEYS, keyboardHelpText } from '../../../server-core/protocol/keyboard-help.js';

test('the help lists every section and key, with the platform\'s modifier', () => {
  const text = keyboardHelpText();
  for (const section of PLAYGROUND_KEYS) {
    assert.ok(text.includes(`${section.where}:`), section.where);
    for (const k of section.keys) assert.ok(text.includes(`  ${k.keys}: ${k.does}.`), k.keys);
  }
  assert.match(text, /Ctrl\+Enter: sends from any field/);
  assert.match(keyboardHelpText({ mac: true }), /Cmd\+Enter: sends from any field/);
  assert.match(text, /Alt\+F1: opens this help/);
});

test('the hex view\'s keys are there: byte by byte, and the field under the cursor is announced', () => {
  const hex = PLAYGROUND_KEYS.find((s) => /^Hex view/.test(s.where));
  assert.ok(hex);
  assert.ok(hex.keys.some((k) => k.keys === 'Left / Right' && /one byte/.test(k.does) && /announced/.test(k.does)));
});
