import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  environmentNames,
  loadEnvironmentFiles,
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
