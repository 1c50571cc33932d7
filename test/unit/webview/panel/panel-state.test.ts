// The panel state read forward: a version 1 state (one composer) becomes one
// request tab; drafts saved by an older version get the fields they lack;
// anything unreadable starts afresh; split sizes out of range are dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readState } from '../../../../webview/panel/panel-state.js';
import { typeaheadPick } from '../../../../webview/panel/composer/select-keys.js';
import { METHODS } from '../../../../webview/panel/composer/http-form.js';

test('a version 1 state becomes one request tab with its fields', () => {
  const v1 = { v: 1, tab: 1, selected: 'c1', composer: { mode: 'ws', http: { method: 'POST', url: 'http://127.0.0.1:9/x', headers: [], body: { kind: 'none' } }, ws: { url: 'ws://127.0.0.1:9/ws/echo' } } };
  const s = readState(v1);
  assert.equal(s.v, 2);
  assert.equal(s.tabs.length, 1);
  const [t] = s.tabs;
  assert.deepEqual([t.mode, t.http.method, t.http.url, t.ws.url, t.ws.autoPong, t.repeat.order], ['ws', 'POST', 'http://127.0.0.1:9/x', 'ws://127.0.0.1:9/ws/echo', true, 'parallel']);
  assert.match(t.id, /^tab-/);
  assert.deepEqual([s.active, s.tab, s.selected, s.row], [t.id, 1, 'c1', null]);
  assert.deepEqual(s.filter, { text: '', types: [], errors: false });
});

test('version 2: tabs, the active one, splits in range, the filter; duplicates get their own id', () => {
  const tab = (id: string) => ({ id, mode: 'http', http: { method: 'GET', url: `http://h/${id}`, headers: [], body: { kind: 'none' } } });
  const s = readState({ v: 2, tabs: [tab('a'), tab('b'), tab('a')], active: 'b', splits: { left: 0.3, top: 2, net: 0.5 }, filter: { text: 'x', types: ['ws', 'bogus'], errors: true } });
  assert.deepEqual(s.tabs.map((t) => t.http.url), ['http://h/a', 'http://h/b', 'http://h/a']);
  assert.equal(new Set(s.tabs.map((t) => t.id)).size, 3);
  assert.equal(s.active, 'b');
  assert.deepEqual(s.splits, { left: 0.3, net: 0.5 });
  assert.deepEqual(s.filter, { text: 'x', types: ['ws'], errors: true });
});

test('nothing usable: a fresh state with one default tab', () => {
  for (const junk of [undefined, null, 'x', { v: 2, tabs: [{ nope: 1 }] }, { v: 9 }]) {
    const s = readState(junk);
    assert.equal(s.tabs.length, 1, JSON.stringify(junk));
    assert.equal(s.tabs[0].mode, 'http');
  }
});

test('the method picker types ahead as a native select does', () => {
  assert.equal(typeaheadPick(METHODS, 'GET', 'p'), 'POST');
  assert.equal(typeaheadPick(METHODS, 'POST', 'pp'), 'PUT', 'the same letter again: the next one');
  assert.equal(typeaheadPick(METHODS, 'PUT', 'ppp'), 'PATCH');
  assert.equal(typeaheadPick(METHODS, 'GET', 'pa'), 'PATCH', 'two letters: the first that starts with them');
  assert.equal(typeaheadPick(METHODS, 'GET', 'd'), 'DELETE');
  assert.equal(typeaheadPick(METHODS, 'GET', 'z'), undefined);
});
