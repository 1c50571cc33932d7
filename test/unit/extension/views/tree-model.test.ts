import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessibleName, bytes, clock, duration, relativeTo, serverItems } from '../../../../extension/views/tree-model.js';

test('the Server view: state with the URL, the mode, then the notes; the URL row opens the browser', () => {
  const items = serverItems({ state: 'running', url: 'http://127.0.0.1:8123', host: '127.0.0.1', port: 8123, mode: 'sequential', notices: ['a note'] });
  assert.deepEqual(
    items.map((i) => [i.id, i.label, i.description]),
    [
      ['server.state', 'Running', 'http://127.0.0.1:8123'],
      ['server.mode', 'Mode: sequential', 'one at a time'],
      ['server.note.0', 'a note', undefined],
    ],
  );
  assert.equal(items[0].contextValue, 'wireplay.server.running');
  assert.equal(items[0].command?.id, 'wireplay.openServerInBrowser');
  assert.equal(accessibleName(items[0]), 'Running, http://127.0.0.1:8123. The server is listening; activate to open it in the browser');
  assert.deepEqual(items[0].icon, { id: 'circle-filled', color: 'testing.iconPassed' });
});

test('a failed start says why once, as an error; a routes problem shown in the Routes view is not repeated here', () => {
  const routes = '/ws/app/wireplay.routes.mjs was not loaded: this workspace is not trusted';
  const items = serverItems(
    { state: 'failed', mode: 'concurrent', message: 'Port 8080 on 127.0.0.1 is already in use.', notices: [routes, 'No folder is open'] },
    { shownElsewhere: [routes], relative: relativeTo('/ws/app') },
  );
  assert.deepEqual(
    items.map((i) => i.label),
    ['Failed to start', 'Mode: concurrent', 'Port 8080 on 127.0.0.1 is already in use.', 'No folder is open'],
  );
  assert.equal(items[2].icon?.id, 'error');
  assert.equal(accessibleName(items[2]), 'Port 8080 on 127.0.0.1 is already in use. Error');
  assert.equal(items[3].icon?.id, 'info');
  assert.equal(items[0].contextValue, 'wireplay.server.failed');
  // A message that is also a notice is listed once.
  const once = serverItems({ state: 'running', url: 'http://h', mode: 'concurrent', message: 'temp root', notices: ['temp root'] });
  assert.equal(once.filter((i) => i.label === 'temp root').length, 1);
});

test('paths under the workspace folder become workspace-relative, wherever they are in a message', () => {
  const rel = relativeTo('/home/me/api/');
  assert.equal(rel('/home/me/api/wireplay.routes.json:3:5: unexpected token'), 'wireplay.routes.json:3:5: unexpected token');
  assert.equal(rel('see /home/me/api/sub/a.json and /home/me/api/b.json'), 'see sub/a.json and b.json');
  assert.equal(rel('/home/me/apiary/x.json'), '/home/me/apiary/x.json', 'a sibling folder with the same prefix is left alone');
  assert.equal(relativeTo('C:\\ws')('C:\\ws\\wireplay.routes.json'), 'wireplay.routes.json');
  assert.equal(relativeTo(undefined)('/a/b'), '/a/b');
});

test('sizes, durations and times of day as the rows write them', () => {
  assert.deepEqual([0, 1023, 1024, 1536, 5 * 1024 * 1024].map(bytes), ['0 B', '1023 B', '1.0 KiB', '1.5 KiB', '5.0 MiB']);
  assert.deepEqual([0.25, 3.14159, 42.4, 1500].map(duration), ['250 µs', '3.1 ms', '42 ms', '1.50 s']);
  assert.equal(clock(new Date(2024, 0, 2, 9, 5, 7).getTime()), '09:05:07');
});
