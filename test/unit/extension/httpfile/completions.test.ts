import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHttpFile } from '../../../../server-core/httpfile/parse-http-file.js';
import { completionEntries, completionPlace } from '../../../../extension/httpfile/completions.js';

const text = ['@base = http://x', '', '# @name login', 'POST {{base}}/login', 'Content-Type: application/json', 'Acc', '', '{"a": "{{ba', '', '###', '# @na', 'G', ''].join('\n');
const file = parseHttpFile(text);
const lines = text.split('\n');
const at = (line: number) => completionPlace(file, lines, line, lines[line].length);

test('the place under the cursor decides what is offered', () => {
  assert.deepEqual(at(5), { place: 'header', typed: 'Acc' });
  assert.deepEqual(at(7), { place: 'variable', typed: 'ba' });
  assert.deepEqual(at(10), { place: 'metadata', typed: 'na' });
  assert.deepEqual(at(11), { place: 'request-line', typed: 'G' });
  assert.deepEqual(completionPlace(file, lines, 2, 0), { place: 'request-line', typed: '' });
  assert.equal(completionPlace(file, lines, 8, 0).place, 'none');
});

test('variables: the file, the environments (naming them), dynamic variables and named requests', () => {
  const items = completionEntries('variable', file, { environments: { $shared: { token: 't' }, dev: { host: 'a' }, prod: { host: 'b' } }, selected: 'dev' });
  const byLabel = new Map(items.map((i) => [i.label, i]));
  assert.equal(byLabel.get('base')?.kind, 'variable');
  assert.equal(byLabel.get('host')?.detail, 'environments: dev, prod');
  assert.equal(byLabel.get('token')?.kind, 'environment-variable');
  assert.ok(byLabel.has('$uuid') && byLabel.has('$dotenv') && byLabel.has('$randomInt'));
  assert.ok(byLabel.has('login.response.body.$'));
});

test('request lines offer methods and the WEBSOCKET, WS and RAW keywords; header lines offer header names', () => {
  const methods = completionEntries('request-line', file, { environments: {} }).map((i) => i.label);
  assert.ok(['GET', 'POST', 'WEBSOCKET', 'WS', 'RAW'].every((m) => methods.includes(m)));
  const headers = completionEntries('header', file, { environments: {} });
  assert.equal(headers.find((h) => h.label === 'Content-Type')?.insertText, 'Content-Type: ');
});
