// User routes on a live server: reload on save through fs.watch (plain writes and
// an editor's atomic rename), broken saves that keep the previous routes serving,
// .mjs syntax errors located by line (through `node --check`), throwing handlers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router } from '../../../server-core/router/router.js';
import { registerDemoRoutes } from '../../../server-core/routes/demo-routes.js';
import { loadUserRoutes, UserRoutesWatcher, routesFilesIn, type UserRoutesEvents } from '../../../server-core/routes/user-routes.js';
import { serveHandler, type TestServer } from '../../support/handler-server.js';

let dir: string;
let server: TestServer;
let router: Router;
let watcher: UserRoutesWatcher;
const handlerErrors: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wireplay-user-live-'));
  router = new Router();
  registerDemoRoutes(router);
  router.on('handlerError', (e) => handlerErrors.push(`${e.path}: ${(e.error as Error).message}`));
  writeFileSync(join(dir, 'wireplay.routes.json'), '{ "routes": [ { "path": "/hello", "body": "v1" } ] }');
  watcher = new UserRoutesWatcher(router, { files: routesFilesIn(dir), allowCode: true, debounceMs: 30 });
  await watcher.start();
  server = await serveHandler(router.handle);
});

after(async () => {
  watcher?.dispose();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const text = async (path: string) => {
  const res = await fetch(server.url + path);
  return `${res.status} ${await res.text()}`;
};

/** Resolves with the next event of that kind for that file. */
function next<K extends keyof UserRoutesEvents>(event: K, file: string): Promise<UserRoutesEvents[K]> {
  return new Promise((resolve) => {
    const d = watcher.on(event, (payload) => {
      if (payload.file !== file) return;
      d.dispose();
      resolve(payload);
    });
  });
}

test('the initial JSON routes are served next to the built-ins', async () => {
  assert.equal(await text('/hello'), '200 v1');
  assert.equal((await fetch(server.url + '/status/201')).status, 201);
});

test('saving the JSON file reloads it; a broken save keeps the previous routes serving', async () => {
  const file = join(dir, 'wireplay.routes.json');
  let reloaded = next('reloaded', file);
  writeFileSync(file, '{ "routes": [ { "path": "/hello", "body": "v2" } ] }');
  await reloaded;
  assert.equal(await text('/hello'), '200 v2');

  const failed = next('error', file);
  writeFileSync(file, '{ "routes": [\n  { "path": "/hello", "body": "v3" }\n  { "path": "/other" }\n] }');
  const { errors } = await failed;
  assert.deepEqual([errors[0].code, errors[0].line, errors[0].column], ['JSON_SYNTAX', 3, 3]);
  assert.equal(await text('/hello'), '200 v2', 'still the last good routes');

  // An editor's atomic save: write a temporary file, rename it over the original.
  reloaded = next('reloaded', file);
  writeFileSync(join(dir, '.tmp-save'), '{ "routes": [ { "path": "/hello", "body": "v4" } ] }');
  renameSync(join(dir, '.tmp-save'), file);
  await reloaded;
  assert.equal(await text('/hello'), '200 v4');
});

test('an .mjs file appears, reloads on save with fresh code, and throws without crashing', async () => {
  const file = join(dir, 'wireplay.routes.mjs');
  let reloaded = next('reloaded', file);
  writeFileSync(file, `export default { 'GET /code': (req, res) => res.end('code v1') };\n`);
  await reloaded;
  assert.equal(await text('/code'), '200 code v1');

  reloaded = next('reloaded', file);
  writeFileSync(
    file,
    `export default {
  'GET /code': (req, res) => res.end('code v2'),
  'GET /throws': () => { throw new Error('user bug'); },
};
`,
  );
  await reloaded;
  assert.equal(await text('/code'), '200 code v2', 'the module was imported afresh');
  const res = await fetch(server.url + '/throws');
  assert.equal(res.status, 500);
  await res.arrayBuffer();
  assert.deepEqual(handlerErrors, ['/throws: user bug']);
  assert.equal(await text('/hello'), '200 v4', 'the server keeps serving');
});

test('an .mjs syntax error is reported with its line and column; the previous code keeps serving', async () => {
  const file = join(dir, 'wireplay.routes.mjs');
  const failed = next('error', file);
  writeFileSync(file, `export default {\n  'GET /code': (req, res) => {\n    res.end('x' +);\n  },\n};\n`);
  const { errors } = await failed;
  assert.equal(errors[0].code, 'MODULE_SYNTAX');
  assert.match(errors[0].message, /SyntaxError/);
  assert.deepEqual([errors[0].line, errors[0].column], [3, 18]);
  assert.equal(await text('/code'), '200 code v2');
});

test('loadUserRoutes reports an .mjs syntax error on its own too', async () => {
  const other = mkdtempSync(join(tmpdir(), 'wireplay-mjs-syntax-'));
  try {
    const file = join(other, 'wireplay.routes.mjs');
    writeFileSync(file, `const ok = 1;\nexport default {\n  'GET /a': (req, res) => res.end(,\n};\n`);
    const { errors } = await loadUserRoutes(file, { allowCode: true });
    assert.equal(errors[0].line, 3);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});
