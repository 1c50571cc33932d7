import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listingFromFile, listingFromServer, parseProblem, routesFileFor } from '../../../../extension/views/routes-listing.js';
import { routeItems } from '../../../../extension/views/route-items.js';
import { relativeTo } from '../../../../extension/views/tree-model.js';

const dir = mkdtempSync(join(tmpdir(), 'wireplay-routes-listing-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function folderWith(files: Record<string, string>): string {
  const folder = join(dir, `ws${++n}`);
  mkdirSync(folder);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

test('stopped: the routes of wireplay.routes.json are listed with the built-ins, and a built-in it hides says so', async () => {
  const folder = folderWith({
    'wireplay.routes.json': JSON.stringify({ routes: [{ path: '/hello', body: 'hi' }, { method: 'GET', path: '/headers', status: 204 }] }),
  });
  const file = routesFileFor('', folder);
  assert.equal(file, join(folder, 'wireplay.routes.json'));
  const listing = await listingFromFile(file);
  assert.equal(listing.running, false);
  assert.deepEqual(listing.problems, []);
  const mine = listing.routes.filter((r) => r.source === 'routes-file').map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(mine, ['GET /hello', 'GET /headers']);
  const builtIn = listing.routes.filter((r) => r.source === 'built-in');
  assert.ok(builtIn.some((r) => r.path === '/echo'), 'the built-ins are listed');
  assert.ok(builtIn.some((r) => r.method === 'WS' && r.path === '/ws/echo'), 'and the WebSocket built-ins');
  assert.match(builtIn.find((r) => r.path === '/headers')!.description!, /hidden by a route of the routes file/);

  const { items, count } = routeItems(listing, relativeTo(folder));
  assert.equal(count, listing.routes.length);
  assert.deepEqual(items.map((i) => [i.label, i.description]), [
    ['wireplay.routes.json', '2 routes · server stopped'],
    ['Built-in', `${builtIn.length} routes`],
  ]);
  assert.deepEqual(items[0].children?.map((c) => c.label), ['GET /hello', 'GET /headers']);
  assert.equal(items[0].children?.[0].command?.id, 'wireplay.revealRoutesLocation');
  assert.equal(items[1].children?.find((c) => c.label === 'GET /headers')?.icon?.id, 'eye-closed');
});

test('stopped: a broken file lists its problem once, at its line, with a workspace-relative path, and no routes of its own', async () => {
  const folder = folderWith({ 'wireplay.routes.json': '{ "routes": [\n  { "path": "/a", "status": 200 }\n  oops\n] }\n' });
  const listing = await listingFromFile(routesFileFor('', folder));
  assert.equal(listing.routes.filter((r) => r.source === 'routes-file').length, 0);
  assert.equal(listing.problems.length, 1);
  assert.equal(listing.problems[0].line, 3);
  const { items } = routeItems(listing, relativeTo(folder));
  const problems = items[0].children!.filter((c) => c.id.startsWith('routes.problem'));
  assert.equal(problems.length, 1);
  assert.match(problems[0].label, /^line 3, column \d+: /);
  assert.doesNotMatch(problems[0].label, new RegExp(folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no absolute path');
  assert.deepEqual(problems[0].ref, { file: listing.file, line: 3, column: listing.problems[0].column });
  assert.equal(items[0].description, '1 problem · server stopped');
});

test('stopped: a .mjs routes file is not run to list it; it says its routes are listed while the server runs', async () => {
  const marker = join(dir, 'ran.txt');
  const folder = folderWith({ 'wireplay.routes.mjs': `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default {};\n` });
  const listing = await listingFromFile(routesFileFor('', folder));
  assert.equal(existsSync(marker), false, 'the module was not imported');
  assert.match(listing.note ?? '', /^Listed while the server runs/);
  const { items } = routeItems(listing);
  assert.equal(items[0].description, 'not listed · server stopped');
});

test('the routes file a start would load: the setting (relative to the folder, or absolute), else the first routes file there', () => {
  const folder = folderWith({ 'wireplay.routes.mjs': 'export default {}' });
  assert.equal(routesFileFor('', folder), join(folder, 'wireplay.routes.mjs'));
  assert.equal(routesFileFor('api/routes.json', folder), join(folder, 'api/routes.json'));
  assert.equal(routesFileFor('/abs/r.json', folder), '/abs/r.json');
  assert.equal(routesFileFor('rel.json', undefined), undefined);
  assert.equal(routesFileFor('', folderWith({})), undefined);
});

test('no routes file: one row offers to create it; a named file that does not exist says so', async () => {
  const none = routeItems(await listingFromFile(undefined));
  assert.deepEqual(none.items.map((i) => i.label), ['No routes file', 'Built-in']);
  assert.equal(none.items[0].command?.id, 'wireplay.openRoutesFile');
  assert.equal(none.items[1].collapsible, 'expanded');
  const missing = await listingFromFile(join(dir, 'nope.json'));
  assert.equal(missing.missing, true);
  assert.ok(routeItems(missing).items[0].children?.some((c) => c.id === 'routes.missing'));
});

test('running: the server\'s routes and its problem, located in the file', () => {
  const file = '/ws/app/wireplay.routes.json';
  const listing = listingFromServer({ routes: [{ method: 'GET', path: '/a', source: 'routes-file' }], file, problem: `${file}:3:5: expected ","` });
  assert.deepEqual(listing.problems, [{ line: 3, column: 5, message: 'expected ","' }]);
  const { items } = routeItems(listing, relativeTo('/ws/app'));
  assert.equal(items[0].description, '1 problem');
  assert.deepEqual(parseProblem('something else', file), { message: 'something else' });
  assert.deepEqual(parseProblem(`${file}: cannot read`, file), { message: `${file}: cannot read` });
});
