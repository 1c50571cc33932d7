import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  environmentNames,
  environmentsFor,
  findWorkspaceRoot,
  foldersUpTo,
  loadDotenv,
  loadEnvironmentFiles,
  stripJsonComments,
  mergeEnvironments,
  parseDotenv,
  selectEnvironment,
} from '../../../server-core/httpfile/environments.js';

test('JetBrains env files: private values win, $shared applies under each environment', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-env-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'http-client.env.json'), JSON.stringify({ $shared: { v: '1' }, dev: { host: 'dev.local', token: 'public', port: 8080 }, prod: { host: 'prod' } }));
  writeFileSync(join(dir, 'http-client.private.env.json'), JSON.stringify({ dev: { token: 'secret' } }));
  const { environments, errors } = await loadEnvironmentFiles(dir);
  assert.deepEqual(errors, []);
  assert.deepEqual(environmentNames(environments), ['dev', 'prod']);
  assert.deepEqual(selectEnvironment(environments, 'dev'), { v: '1', host: 'dev.local', token: 'secret', port: '8080' });
  assert.deepEqual(selectEnvironment(environments, undefined), { v: '1' });
});

test('a broken env file is reported by name and the other still loads', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-env-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'http-client.env.json'), '{ "dev": { "a": 1 }, }');
  writeFileSync(join(dir, 'http-client.private.env.json'), '{ "dev": { "b": "2" } }');
  const { environments, errors } = await loadEnvironmentFiles(dir);
  assert.equal(errors.length, 1);
  assert.match(errors[0], /^http-client\.env\.json: /);
  assert.deepEqual(environments, { dev: { b: '2' } });
});

test('settings environments merge over file environments variable by variable', () => {
  const merged = mergeEnvironments({ dev: { a: '1', b: '1' } }, { dev: { b: '2' }, ci: { c: '3' } });
  assert.deepEqual(merged, { dev: { a: '1', b: '2' }, ci: { c: '3' } });
});

test('.env parsing: comments, quotes, export', () => {
  assert.deepEqual(parseDotenv('# c\nA=1\nexport B="x\\ny"\nC=\'raw\\n\'\nD=v # trailing\n\nbad line'), { A: '1', B: 'x\ny', C: 'raw\\n', D: 'v' });
});

test("environment files are found from the file's folder up to the root: the nearer wins, a private file wins over a public one", async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'wireplay-env-up-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const deep = join(root, 'a', 'b');
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(root, 'http-client.env.json'), JSON.stringify({ dev: { far: 'root', both: 'root', secret: 'public' } }));
  writeFileSync(join(root, 'http-client.private.env.json'), JSON.stringify({ dev: { secret: 'private-root' } }));
  writeFileSync(join(root, 'a', 'http-client.env.json'), JSON.stringify({ dev: { both: 'a' }, only: {} }));
  const { environments, files } = await loadEnvironmentFiles(deep, root);
  assert.deepEqual(environments, { dev: { far: 'root', both: 'a', secret: 'private-root' }, only: {} });
  assert.equal(files.length, 3);
  assert.deepEqual(foldersUpTo(deep, root), [deep, join(root, 'a'), root]);
  assert.deepEqual(foldersUpTo(deep, join(tmpdir(), 'elsewhere')), [deep], 'a root that is not above the file: only its folder');
});

test('REST Client settings: rest-client.environmentVariables in .vscode/settings.json (comments allowed), {{$shared name}} in a value', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'wireplay-rc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, '.vscode'));
  mkdirSync(join(root, 'api'));
  writeFileSync(
    join(root, '.vscode', 'settings.json'),
    '{\n  // REST Client\n  "rest-client.environmentVariables": {\n    "$shared": { "version": "v1", },\n    "dev": { "url": "http://dev/{{$shared version}}" }\n  }\n}\n',
  );
  assert.equal(findWorkspaceRoot(join(root, 'api')), root);
  const { set, errors } = await environmentsFor(join(root, 'api'), root);
  assert.deepEqual(errors, []);
  assert.deepEqual(selectEnvironment(set, 'dev'), { version: 'v1', url: 'http://dev/v1' });
  assert.deepEqual(selectEnvironment(set, undefined), { version: 'v1' });
});

test('.env for $dotenv: the nearest folder that has one, .env.ENV before .env', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'wireplay-dotenv-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'sub'));
  writeFileSync(join(root, '.env'), 'A=root\n');
  writeFileSync(join(root, '.env.dev'), 'A=dev\n');
  assert.deepEqual(await loadDotenv(join(root, 'sub'), root), { A: 'root' });
  assert.deepEqual(await loadDotenv(join(root, 'sub'), root, 'dev'), { A: 'dev' });
  assert.deepEqual(await loadDotenv(join(root, 'sub'), join(root, 'sub')), {});
});

test('stripJsonComments keeps strings intact', () => {
  assert.deepEqual(JSON.parse(stripJsonComments('{"a": "// not a comment", /* x */ "b": [1,],}')), { a: '// not a comment', b: [1] });
});
