// package.json's menus against the tree items: every `viewItem` a menu names is
// one the views produce, every row with a menu-worthy context value has a
// menu, and every command a menu runs is declared. A typo on either side would
// otherwise be a context menu that silently never shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionRow, TrafficRow } from '../../../../server-core/protocol/sidebar.js';
import { proxyItems } from '../../../../extension/views/proxy-items.js';
import { routeItems } from '../../../../extension/views/route-items.js';
import { connectionItems, trafficItems } from '../../../../extension/views/traffic-items.js';
import { serverItems, type ItemModel } from '../../../../extension/views/tree-model.js';

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../../../package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; menus: Record<string, { command: string; when?: string }[]> };
};

function all(items: readonly ItemModel[]): ItemModel[] {
  return items.flatMap((i) => [i, ...all(i.children ?? [])]);
}

/** Every context value the four views can produce, from rows of every kind. */
function contextValues(): Set<string> {
  const conn: ConnectionRow = { id: 'c', protocol: 'http', peer: '127.0.0.1:1', openedAt: 0, bytesIn: 0, bytesOut: 0 };
  const http: TrafficRow = { id: 'c#1', connectionId: 'c', kind: 'http', method: 'GET', target: '/', status: 200, startedAt: 0, done: true };
  const ws: TrafficRow = { ...http, id: 'c#2', kind: 'ws', method: 'WS', status: 101 };
  const proxied: TrafficRow = { ...http, id: 'p#1', connectionId: 'p', proxy: { origin: 'http://127.0.0.1:3000', upstreamId: 'u', outcome: 'complete' } };
  const items = [
    ...(['running', 'stopped', 'failed', 'starting', 'stopping'] as const).flatMap((state) =>
      proxyItems({ state, url: 'http://127.0.0.1:1', target: 'http://127.0.0.1:3000', rules: [{ id: 'a', enabled: true, summary: '/a → 503' }, { id: 'b', enabled: false, summary: '/b +5 ms' }] }),
    ),
    ...trafficItems([proxied]),
    ...(['running', 'stopped', 'failed', 'starting', 'stopping'] as const).flatMap((state) => serverItems({ state, url: 'http://h', mode: 'concurrent', notices: [] })),
    ...connectionItems([conn, { ...conn, id: 'd', closedAt: 1 }], [http, ws]).items,
    ...trafficItems([http, ws]),
    ...routeItems({ running: false, file: '/w/wireplay.routes.json', routes: [{ method: 'GET', path: '/a', source: 'routes-file' }, { method: 'GET', path: '/b', source: 'built-in' }], problems: [{ message: 'x', line: 1 }] }).items,
  ];
  return new Set(all(items).flatMap((i) => (i.contextValue ? [i.contextValue] : [])));
}

/** The viewItem tests of a when clause: `viewItem == x` and `viewItem =~ /re/`. */
function viewItemTests(when: string): ((value: string) => boolean)[] {
  const tests: ((value: string) => boolean)[] = [];
  for (const m of when.matchAll(/viewItem == ([\w.-]+)/g)) tests.push((v) => v === m[1]);
  for (const m of when.matchAll(/viewItem =~ \/(.+?)\/(?=\s|$)/g)) {
    const re = new RegExp(m[1]);
    tests.push((v) => re.test(v));
  }
  return tests;
}

test('every viewItem a context menu names is produced by a view, and every produced one has a menu', () => {
  const values = contextValues();
  // The sidebar's four views (the Scratch Requests view belongs to the .http support).
  const menus = manifest.contributes.menus['view/item/context'].filter((m) => !/wireplay\.scratches/.test(m.when ?? ''));
  assert.ok(menus.length > 0);
  for (const m of menus) {
    const tests = viewItemTests(m.when ?? '');
    assert.ok(tests.length > 0, `${m.command}: a viewItem test in "${m.when}"`);
    for (const t of tests) assert.ok([...values].some(t), `${m.command} when "${m.when}" matches no row`);
  }
  // Rows that are only containers or notes have no context value; a server starting or stopping has nothing to offer.
  for (const v of [...values].filter((x) => !/\.(starting|stopping)$/.test(x))) assert.ok(menus.some((m) => viewItemTests(m.when ?? '').some((t) => t(v))), `no context menu for viewItem ${v}`);
});

test('every command a menu or a row runs is declared', () => {
  const declared = new Set(manifest.contributes.commands.map((c) => c.command));
  for (const [where, list] of Object.entries(manifest.contributes.menus)) for (const m of list) assert.ok(declared.has(m.command), `${where}: ${m.command}`);
  const rowCommands = new Set<string>();
  const http: TrafficRow = { id: 'c#1', connectionId: 'c', kind: 'http', method: 'GET', target: '/', status: 200, startedAt: 0, done: true };
  for (const i of all([...serverItems({ state: 'running', url: 'http://h', mode: 'concurrent', notices: [] }), ...trafficItems([http], 0), ...routeItems({ running: false, routes: [], problems: [] }).items])) {
    if (i.command) rowCommands.add(i.command.id);
  }
  for (const id of rowCommands) assert.ok(declared.has(id), id);
});
