import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateFromSidebar } from '../../../server-core/protocol/sidebar.js';

test('accepts each well-formed sidebar message', () => {
  assert.deepEqual(validateFromSidebar({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(validateFromSidebar({ type: 'command', command: 'start' }), { type: 'command', command: 'start' });
  assert.deepEqual(validateFromSidebar({ type: 'openTraffic', id: 's1#2' }), { type: 'openTraffic', id: 's1#2' });
  assert.deepEqual(validateFromSidebar({ type: 'openUrl', url: 'http://127.0.0.1:8080/' }), { type: 'openUrl', url: 'http://127.0.0.1:8080/' });
});

test('rejects malformed, unknown and over-long messages', () => {
  for (const bad of [
    null,
    undefined,
    42,
    'ready',
    [],
    {},
    { type: 'nope' },
    { type: 'ready', extra: 1 },
    { type: 'command', command: 'rm -rf' },
    { type: 'command', command: 'toString' },
    { type: 'command' },
    { type: 'openTraffic', id: '' },
    { type: 'openTraffic', id: 'x'.repeat(201) },
    { type: 'openTraffic', id: 7 },
    { type: 'openUrl', url: 'javascript:alert(1)' },
    { type: 'openUrl', url: 'file:///etc/passwd' },
    { type: 'openUrl', url: 'http://a b' },
  ]) {
    assert.equal(validateFromSidebar(bad), null, JSON.stringify(bad));
  }
});
