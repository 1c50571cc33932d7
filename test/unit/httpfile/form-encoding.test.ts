import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFormBody, encodeUrlText } from '../../../server-core/httpfile/form-encoding.js';

test('encodeurl semantics: unsafe characters encoded as UTF-8, reserved ones and valid escapes kept, a stray % encoded', () => {
  assert.equal(encodeUrlText('a b"<>`{}é', 1), 'a%20b%22%3C%3E%60%7B%7D%C3%A9');
  assert.equal(encodeUrlText("!#$&'()*+,/:;=?@[]~_-.", 1), "!#$&'()*+,/:;=?@[]~_-.");
  assert.equal(encodeUrlText('100%25 and 5% off', 1), '100%25%20and%205%25%20off');
  assert.equal(encodeUrlText('a\\b^c|d', 1), 'a%5Cb%5Ec%7Cd');
  assert.equal(encodeUrlText('a\\b^c|d', 2), 'a\\b^c|d');
  assert.equal(encodeUrlText('\uD83D\uDE00 \uD800', 1), '%F0%9F%98%80%20%EF%BF%BD');
});

test('form bodies: & lines joined; the dialect decides the rest, and auto says when the tools disagree', () => {
  const warnings: string[] = [];
  const warn = (m: string) => warnings.push(m);
  assert.equal(encodeFormBody('name=foo\n&password=bar', 'auto', warn), 'name=foo&password=bar');
  assert.deepEqual(warnings, []);
  assert.equal(encodeFormBody('a = 1\n&b = 2', 'rest-client', warn), 'a%20=%201&b%20=%202');
  assert.equal(encodeFormBody('a = 1\n&b = 2', 'httpyac', warn), 'a=1&b=2');
  assert.equal(encodeFormBody('a=1\nb=2', 'rest-client', warn), 'a=1%0Ab=2');
  assert.equal(encodeFormBody('a=1\nb=2', 'httpyac', warn), 'a=1b=2');
  assert.equal(encodeFormBody('a=x y\n&b=2', 'jetbrains', warn), 'a=x y&b=2');
  assert.equal(encodeFormBody('a = 1\n&b = 2', 'auto', warn), 'a%20=%201&b%20=%202');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /encoded differently by the tools/);
});
