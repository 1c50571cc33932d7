import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router } from '../../../server-core/router/router.js';
import { loadUserRoutes as load, formatUserRouteError, UserRoutesWatcher, type LoadResult, type UserRouteError } from '../../../server-core/routes/user-routes.js';
import { fakeRequest, fakeResponse, type FakeRequestInit } from '../../support/fake-http.js';
import { within } from '../../support/within.js';

const dir = mkdtempSync(join(tmpdir(), 'wireplay-user-routes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** loadUserRoutes, with the `.mjs` workers stopped at the end. */
const loaded: LoadResult[] = [];
after(() => loaded.forEach((r) => r.dispose()));
async function loadUserRoutes(...args: Parameters<typeof load>): Promise<LoadResult> {
  const r = await load(...args);
  loaded.push(r);
  return r;
}
let n = 0;

/** Writes a routes file in its own folder (plus extra files) and returns its path. */
function routesFile(name: string, text: string, extra: Record<string, string> = {}): string {
  const folder = join(dir, `case${++n}`);
  mkdirSync(folder);
  for (const [rel, content] of Object.entries(extra)) {
    mkdirSync(join(folder, rel, '..'), { recursive: true });
    writeFileSync(join(folder, rel), content);
  }
  const file = join(folder, name);
  writeFileSync(file, text);
  return file;
}

async function call(router: Router, target: string, init: FakeRequestInit = {}) {
  const res = fakeResponse();
  await router.handle(fakeRequest(target, init), res);
  return res;
}

const quietRouter = () => new Router({ log: () => {} });

test('JSON: fixed responses, JSON bodies, methods, headers, files, folders and delays', async () => {
  const file = routesFile(
    'wireplay.routes.json',
    `{
  // comments are allowed
  "routes": [
    { "path": "/hello", "body": "Hello\\n" },
    { "path": "/api/users/:id", "body": { "id": 1, "name": "Ada" }, "description": "a user" },
    { "method": "POST", "path": "/things", "status": 201, "headers": { "Location": "/things/1", "X-Multi": ["a", "b"] } },
    { "method": ["PUT", "PATCH"], "path": "/things/:id", "status": 204 },
    { "method": "*", "path": "/anything", "bodyBase64": "AAEC" },
    { "path": "/logo", "file": "assets/logo.txt", "headers": { "Cache-Control": "max-age=60" } },
    { "path": "/site/*", "dir": "public" },
    { "path": "/slow", "delay": 5, "body": "late" },
    { "path": "/typed", "headers": { "Content-Type": "text/csv" }, "body": "a,b\\n" }
  ]
}
`,
    { 'assets/logo.txt': 'LOGO', 'public/index.html': '<p>public</p>', 'public/a.txt': 'A' },
  );
  const { routes, errors, missing } = await loadUserRoutes(file);
  assert.deepEqual(errors, []);
  assert.equal(missing, false);
  assert.equal(routes.length, 9);
  const router = quietRouter();
  router.setUserRoutes(routes);

  const hello = await call(router, '/hello');
  assert.equal(hello.statusCode, 200);
  assert.equal(hello.text, 'Hello\n');
  assert.equal(hello.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(hello.headers['content-length'], 6);

  const user = await call(router, '/api/users/7');
  assert.equal(user.headers['content-type'], 'application/json; charset=utf-8');
  assert.deepEqual(JSON.parse(user.text), { id: 1, name: 'Ada' });

  const created = await call(router, '/things', { method: 'POST' });
  assert.equal(created.statusCode, 201);
  assert.equal(created.headers.location, '/things/1');
  assert.deepEqual(created.headers['x-multi'], ['a', 'b']);
  assert.equal((await call(router, '/things', { method: 'GET' })).statusCode, 405, 'method defaults are exact');

  const patched = await call(router, '/things/3', { method: 'PATCH' });
  assert.equal(patched.statusCode, 204);
  assert.equal(patched.body.length, 0);

  const anything = await call(router, '/anything', { method: 'DELETE' });
  assert.deepEqual([...anything.body], [0, 1, 2]);
  assert.equal(anything.headers['content-type'], 'application/octet-stream');

  const logo = await call(router, '/logo');
  assert.equal(logo.text, 'LOGO');
  assert.equal(logo.headers['cache-control'], 'max-age=60', 'entry headers win over the static defaults');
  assert.equal(logo.headers['content-type'], 'text/plain; charset=utf-8');

  assert.equal((await call(router, '/site/')).text, '<p>public</p>');
  assert.equal((await call(router, '/site/a.txt')).text, 'A');

  assert.equal((await call(router, '/slow')).text, 'late');
  assert.equal((await call(router, '/typed')).headers['content-type'], 'text/csv');

  const kinds = router.describe().map((r) => `${r.method} ${r.pattern} ${r.source} ${r.kind}`);
  assert.ok(kinds.includes('GET /logo user static'));
  assert.ok(kinds.includes('PATCH,PUT /things/:id user http') || kinds.includes('PUT,PATCH /things/:id user http'), kinds.join('\n'));
  assert.equal(router.describe().find((r) => r.pattern === '/api/users/:id')?.description, 'a user');
});

test('JSON: a bare array of routes is accepted too', async () => {
  const file = routesFile('wireplay.routes.json', '[{ "path": "/x", "body": "x" }]');
  const { routes, errors } = await loadUserRoutes(file);
  assert.deepEqual(errors, []);
  assert.equal(routes.length, 1);
});

test('JSON syntax errors are reported with line and column', async () => {
  const cases: Array<[string, number, number, RegExp]> = [
    ['{\n  "routes": [\n    { "path": "/a", }\n  ]\n}\n', 3, 21, /trailing comma/],
    ['{\n  "routes": [\n    { "path": "/a" "body": "x" }\n  ]\n}', 3, 20, /expected ',' or '}'/],
    ['{\n  "routes": [\n    { path: "/a" }\n  ]\n}', 3, 7, /property name in double quotes/],
    ['{ "routes": [ { "path": \'/a\' } ] }', 1, 25, /double quotes/],
    ['{\n  "routes": [\n', 3, 1, /expected a value/],
    ['{ "routes": [] }\n}', 2, 1, /after the end/],
    ['{ "routes": [ { "path": "/a\n" } ] }', 1, 28, /newline inside quotes/],
    ['{ "routes": [], "routes": [] }', 1, 17, /duplicate key "routes"/],
    ['/* open', 1, 1, /unterminated comment/],
  ];
  for (const [text, line, column, message] of cases) {
    const { routes, errors } = await loadUserRoutes(routesFile('wireplay.routes.json', text));
    assert.equal(routes.length, 0);
    assert.equal(errors.length, 1, text);
    assert.equal(errors[0].code, 'JSON_SYNTAX');
    assert.match(errors[0].message, message, text);
    assert.deepEqual([errors[0].line, errors[0].column], [line, column], `${text}: ${errors[0].message}`);
  }
});

test('schema errors point at the offending value with a clear message', async () => {
  const text = `{
  "routes": [
    { "path": "/ok", "body": "fine" },
    { "path": "no-slash" },
    { "path": "/s", "status": 700 },
    { "path": "/t", "stauts": 200 },
    { "path": "/f", "file": "../outside.txt" },
    { "path": "/d", "dir": "public" },
    { "path": "/h", "headers": { "X-Bad": "a\\r\\nInjected: 1" } },
    { "path": "/b", "status": 204, "body": "no" },
    { "path": "/w", "delay": 99999999 },
    { "path": "/m", "method": "GE T" },
    { "path": "/both", "file": "a", "body": "b" },
    { "body": "no path" },
    { "path": "/ok", "body": "again" },
    42
  ],
  "extra": true
}
`;
  const { routes, errors } = await loadUserRoutes(routesFile('wireplay.routes.json', text));
  assert.equal(routes.length, 0, 'a file with errors yields no routes');
  const got = errors.map((e) => `${e.line}:${e.column} ${e.message}`);
  const expect: Array<[number, RegExp]> = [
    [4, /routes\[1\]\.path: .*must start with '\/'/],
    [5, /routes\[2\]\.status: must be an integer from 100 to 599/],
    [6, /routes\[3\]: unknown key "stauts"/],
    [7, /routes\[4\]\.file: "\.\.\/outside\.txt" must stay inside/],
    [8, /routes\[5\]: a "dir" route's path ends with "\/\*"/],
    [9, /CR, LF and NUL are not allowed/],
    [10, /a 204 response has no body/],
    [11, /routes\[8\]\.delay: must be an integer/],
    [12, /routes\[9\]\.method/],
    [13, /"body" cannot be used with "file"/],
    [14, /routes\[11\]: "path" is required/],
    [15, /duplicate route GET \/ok \(also routes\[0\]\)/],
    [16, /routes\[13\]: expected an object/],
    [18, /unknown top-level key "extra"/],
  ];
  for (const [line, re] of expect) {
    assert.ok(
      errors.some((e) => e.line === line && re.test(e.message)),
      `expected line ${line} ${re}; got:\n${got.join('\n')}`,
    );
  }
  assert.equal(errors.every((e) => e.code === 'INVALID_SCHEMA'), true);
  assert.match(formatUserRouteError(errors[0]), /wireplay\.routes\.json:\d+:\d+: /);
});

test('.mjs: handlers by "METHOD /path", GET by default, response objects and WebSocket endpoints', async () => {
  const file = routesFile(
    'wireplay.routes.mjs',
    `import { helper } from './helper.mjs';
export default {
  'GET /hello': (req, res) => { res.setHeader('Content-Type', 'text/plain'); res.end('hello ' + helper()); },
  '/users/:id': async (req, res) => { res.end(JSON.stringify(req.params)); },
  'POST,PUT /items': async (req, res) => { res.end('got ' + (await req.body()).toString()); },
  '* /any': (req, res) => res.end(req.method),
  'GET /fixed': { status: 202, body: { ok: true } },
  'WS /ws/mine': {
    onOpen(peer) { peer.send('welcome'); },
    onMessage(peer, message) { peer.send(message.data); },
  },
  'WS /ws/proto': { handler: { onMessage() { throw new Error('oops'); } }, protocols: ['chat'] },
};
`,
    { 'helper.mjs': 'export const helper = () => "from helper";\n' },
  );
  const { routes, errors } = await loadUserRoutes(file, { allowCode: true, log: () => {} });
  assert.deepEqual(errors, []);
  const router = quietRouter();
  router.setUserRoutes(routes);
  assert.equal((await call(router, '/hello')).text, 'hello from helper');
  assert.equal((await call(router, '/users/a%20b')).text, '{"id":"a b"}');
  assert.equal((await call(router, '/users/1', { method: 'POST' })).statusCode, 405);
  assert.equal((await call(router, '/items', { method: 'PUT', body: 'x' })).text, 'got x');
  assert.equal((await call(router, '/any', { method: 'BREW' })).text, 'BREW');
  const fixed = await call(router, '/fixed');
  assert.equal(fixed.statusCode, 202);
  assert.deepEqual(JSON.parse(fixed.text), { ok: true });

  // The callbacks run in the module's worker: what they send arrives a moment later.
  const ws = router.matchWebSocket('/ws/mine');
  assert.ok(ws);
  const sent: unknown[] = [];
  let arrived = () => {};
  const sentCount = (n: number, what: string) =>
    within(new Promise<void>((resolve) => (arrived = () => sent.length >= n && resolve())).finally(() => (arrived = () => {})), what);
  const peer = {
    send: (d: unknown) => (sent.push(d), arrived()),
    close: (code?: number) => (sent.push(`close ${code}`), arrived()),
  };
  const echoed = sentCount(2, 'the welcome and the echo');
  ws.route.handler.onOpen?.(peer as never, fakeRequest('/ws/mine'));
  ws.route.handler.onMessage?.(peer as never, { binary: false, data: Buffer.from('hi'), text: 'hi' });
  await echoed;
  assert.deepEqual(sent, ['welcome', Buffer.from('hi')]);
  const proto = router.matchWebSocket('/ws/proto');
  assert.deepEqual(proto?.route.protocols, ['chat']);
  sent.length = 0;
  const closed = sentCount(1, 'the close');
  const protoPeer = { ...peer };
  proto?.route.handler.onOpen?.(protoPeer as never, fakeRequest('/ws/proto'));
  proto?.route.handler.onMessage?.(protoPeer as never, { binary: false, data: Buffer.from('x'), text: 'x' });
  await closed;
  assert.deepEqual(sent, ['close 1011'], 'a throwing WebSocket callback closes that peer with 1011');
});

test('.mjs: a handler that throws gives 500 and a logged error; the router keeps serving', async () => {
  const file = routesFile(
    'wireplay.routes.mjs',
    `export default {
  'GET /boom': () => { throw new Error('kaboom'); },
  'GET /fine': (req, res) => res.end('fine'),
};
`,
  );
  const { routes } = await loadUserRoutes(file, { allowCode: true });
  const logged: string[] = [];
  const router = new Router({ log: (m, e) => logged.push(`${m} ${(e as Error).message}`) });
  router.setUserRoutes(routes);
  const boom = await call(router, '/boom');
  assert.equal(boom.statusCode, 500);
  assert.match(boom.text, /kaboom/);
  assert.deepEqual(logged, ['handler for GET /boom failed: kaboom']);
  assert.equal((await call(router, '/fine')).text, 'fine');
});

test('.mjs: an error while the module runs is reported with its line; bad keys and values too', async () => {
  const failing = routesFile('wireplay.routes.mjs', `const a = 1;\n\nnotDefined();\nexport default {};\n`);
  const r1 = await loadUserRoutes(failing, { allowCode: true });
  assert.equal(r1.errors[0].code, 'MODULE_FAILED');
  assert.match(r1.errors[0].message, /notDefined is not defined/);
  assert.equal(r1.errors[0].line, 3);

  const noDefault = routesFile('wireplay.routes.mjs', `export const routes = {};\n`);
  const r2 = await loadUserRoutes(noDefault, { allowCode: true });
  assert.match(r2.errors[0].message, /must `export default` an object/);

  const badKeys = routesFile(
    'wireplay.routes.mjs',
    `export default {
  'GET /ok': (req, res) => res.end(),
  'hello': (req, res) => res.end(),
  'GET /n': 42,
  'WS /ws/x': { onMesage() {} },
  'GET /obj': { status: 1000 },
};
`,
  );
  const r3 = await loadUserRoutes(badKeys, { allowCode: true });
  assert.equal(r3.routes.length, 0);
  const byLine = new Map(r3.errors.map((e) => [e.line, e.message]));
  assert.match(byLine.get(3) ?? '', /"hello": a key is "METHOD \/path"/);
  assert.match(byLine.get(4) ?? '', /"GET \/n": expected a handler function/);
  assert.match(byLine.get(5) ?? '', /unknown WebSocket callback "onMesage"/);
  assert.match(byLine.get(6) ?? '', /status: must be an integer from 100 to 599/);
});

test('allowCode false: .mjs is refused with a clear error, JSON is still served', async () => {
  const folder = join(dir, `case${++n}`);
  mkdirSync(folder);
  const json = join(folder, 'wireplay.routes.json');
  const mjs = join(folder, 'wireplay.routes.mjs');
  writeFileSync(json, '{ "routes": [ { "path": "/data", "body": "from json" } ] }');
  writeFileSync(mjs, `export default { 'GET /code': (req, res) => res.end('from code') };\n`);
  const refused = await loadUserRoutes(mjs);
  assert.equal(refused.errors[0].code, 'CODE_NOT_ALLOWED');
  assert.match(refused.errors[0].message, /runs code.*trusted workspace/);

  const router = quietRouter();
  const watcher = new UserRoutesWatcher(router, { files: [json, mjs], allowCode: false, watch: false });
  const errors: UserRouteError[] = [];
  watcher.on('error', (e) => errors.push(...e.errors));
  await watcher.start();
  assert.equal((await call(router, '/data')).text, 'from json');
  assert.equal((await call(router, '/code')).statusCode, 404);
  assert.deepEqual(errors.map((e) => e.code), ['CODE_NOT_ALLOWED']);

  await watcher.setAllowCode(true);
  assert.equal((await call(router, '/code')).text, 'from code');
  await watcher.setAllowCode(false);
  assert.equal((await call(router, '/code')).statusCode, 404, 'trust withdrawn: the code routes go');
  assert.equal((await call(router, '/data')).text, 'from json');
  watcher.dispose();
});

test('a broken reload keeps the previous routes serving; a fixed file replaces them', async () => {
  const file = routesFile('wireplay.routes.json', '{ "routes": [ { "path": "/v", "body": "v1" } ] }');
  const router = quietRouter();
  router.get('/builtin', (_req, res) => res.end('builtin'));
  const watcher = new UserRoutesWatcher(router, { files: [file], watch: false });
  const events: string[] = [];
  watcher.on('reloaded', (e) => events.push(`reloaded ${e.count}`));
  watcher.on('error', (e) => events.push(`error ${e.errors[0].line}:${e.errors[0].column}`));
  await watcher.start();
  assert.equal((await call(router, '/v')).text, 'v1');

  writeFileSync(file, '{ "routes": [ { "path": "/v", "body": "v2" ] }');
  const [broken] = await watcher.reload();
  assert.equal(broken.errors[0].code, 'JSON_SYNTAX');
  assert.equal((await call(router, '/v')).text, 'v1', 'the previous routes keep serving');
  assert.equal(watcher.errors().length, 1);

  writeFileSync(file, '{ "routes": [ { "path": "/v", "body": "v3" }, { "path": "/builtin", "body": "mine" } ] }');
  await watcher.reload();
  assert.equal((await call(router, '/v')).text, 'v3');
  assert.equal((await call(router, '/builtin')).text, 'mine', 'user routes win over built-ins');
  assert.equal(watcher.errors().length, 0);

  rmSync(file);
  const [gone] = await watcher.reload();
  assert.equal(gone.missing, true);
  assert.equal((await call(router, '/v')).statusCode, 404, 'a deleted file takes its routes with it');
  assert.equal((await call(router, '/builtin')).text, 'builtin');
  assert.deepEqual(events, ['reloaded 1', 'error 1:44', 'reloaded 2', 'reloaded 0']);
  watcher.dispose();
});

test('a missing file is not an error; an unknown extension is', async () => {
  const missing = await loadUserRoutes(join(dir, 'nope', 'wireplay.routes.json'));
  assert.deepEqual([missing.missing, missing.errors.length], [true, 0]);
  const other = await loadUserRoutes(join(dir, 'routes.yaml'));
  assert.equal(other.errors[0].code, 'UNSUPPORTED_FILE');
});

test('file and dir entries never leave the routes folder, even through symlinks', async () => {
  const folder = join(dir, `case${++n}`);
  mkdirSync(join(folder, 'inner'), { recursive: true });
  writeFileSync(join(dir, 'secret-outside.txt'), 'SECRET');
  symlinkSync(join('..', 'secret-outside.txt'), join(folder, 'link.txt'));
  symlinkSync('..', join(folder, 'up'));
  const file = join(folder, 'wireplay.routes.json');
  writeFileSync(file, '{ "routes": [ { "path": "/l", "file": "link.txt" }, { "path": "/up/*", "dir": "up" } ] }');
  const { routes, errors } = await loadUserRoutes(file);
  assert.deepEqual(errors, []);
  const router = quietRouter();
  router.setUserRoutes(routes);
  const l = await call(router, '/l');
  assert.equal(l.statusCode, 403);
  assert.ok(!l.text.includes('SECRET'));
  const up = await call(router, '/up/secret-outside.txt');
  assert.equal(up.statusCode, 403);
  assert.ok(!up.text.includes('SECRET'));
});

test('the examples in docs/routes.md load without errors', async () => {
  const doc = readFileSync(join(import.meta.dirname, '../../../docs/routes.md'), 'utf8');
  const blocks = [...doc.matchAll(/```(jsonc|js)\n([\s\S]*?)```/g)];
  assert.equal(blocks.length, 2);
  for (const [, lang, body] of blocks) {
    const name = lang === 'js' ? 'wireplay.routes.mjs' : 'wireplay.routes.json';
    const file = routesFile(name, body, { 'media/logo.png': 'png', 'public/index.html': '<p>hi</p>' });
    const { routes, errors } = await loadUserRoutes(file, { allowCode: true });
    assert.deepEqual(errors, [], name);
    assert.ok(routes.length >= 8, name);
  }
});
