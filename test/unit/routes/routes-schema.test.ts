// The JSON Schema of wireplay.routes.json and the loader agree. A corpus of valid
// files passes the schema (checked by ajv, an independent draft-07 implementation,
// and by server-core's own validator) and loads without errors; every invalid case
// is refused by all three. The few rules a schema cannot say (a route twice, a
// parameter twice, a path that climbs out later) are listed apart: the schema lets
// them through and the loader refuses them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parseJsonWithPositions } from '../../../server-core/routes/json-positions.js';
import { routesSchema } from '../../../server-core/routes/route-entry.js';
import { SchemaUnsupportedError, SchemaValidator } from '../../../server-core/routes/schema/json-schema.js';
import { loadUserRoutes } from '../../../server-core/routes/user-routes.js';
// @ts-expect-error: a plain .mjs script without types
import { schemaModuleText, SCHEMA_FILE, MODULE_FILE } from '../../../schemas/build-schema-module.mjs';

const root = join(import.meta.dirname, '../../..');
const schemaText = readFileSync(SCHEMA_FILE as string, 'utf8');
const schema = JSON.parse(schemaText) as object;

// ajv ships with the packaging tool (@vscode/vsce); VS Code's own keywords are annotations to it.
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
for (const k of ['errorMessage', 'patternErrorMessage', 'markdownDescription', 'defaultSnippets']) ajv.addKeyword(k);
const ajvValidate = ajv.compile(schema);

const dir = mkdtempSync(join(tmpdir(), 'wireplay-routes-schema-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function loaderErrors(text: string): Promise<string[]> {
  const file = join(dir, `case-${++n}`, 'wireplay.routes.json');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(file, '..'));
  writeFileSync(file, text);
  const r = await loadUserRoutes(file);
  return r.errors.map((e) => `${e.code} ${e.message}`);
}

const route = (entry: Record<string, unknown>) => JSON.stringify({ routes: [entry] });

const VALID: string[] = [
  '{ "routes": [] }',
  '[]',
  '[{ "path": "/" }]',
  '{ "$schema": "./schemas/wireplay.routes.schema.json", "routes": [{ "path": "/x", "body": "x" }] }',
  route({ path: '/hello', body: 'Hello\n' }),
  route({ path: '/api/users/:id', body: { id: 1, tags: ['a'], ok: true, none: null }, description: 'a user' }),
  route({ path: '/trailing/', status: 200 }),
  route({ path: '/a:b/c', body: 'a literal segment may hold a colon' }),
  route({ path: '/caf%C3%A9', body: 'percent-encoded literal' }),
  route({ method: 'POST', path: '/things', status: 201, headers: { Location: '/things/1', 'X-Count': 3, 'X-Multi': ['a', 'b'] } }),
  route({ method: ['PUT', 'patch'], path: '/things/:id', status: 204 }),
  route({ method: '*', path: '/anything', bodyBase64: 'AAEC' }),
  route({ method: ['*'], path: '/any2' }),
  route({ path: '/b64', bodyBase64: 'QUJD\nREVG\n==', headers: { 'Content-Type': 'image/gif' } }),
  route({ path: '/empty-b64', bodyBase64: '' }),
  route({ path: '/logo', file: 'media/logo.png', headers: { 'Cache-Control': 'max-age=60' } }),
  route({ path: '/here', file: './a.txt' }),
  route({ path: '/site/*', dir: 'public' }),
  route({ path: '/all/*', dir: '.' }),
  route({ path: '/slow', delay: 60000, body: 'late' }),
  route({ path: '/now', delay: 0, file: 'a.txt' }),
  route({ path: '/info', status: 101 }),
  route({ path: '/nm', status: 304, headers: { ETag: '"x"' } }),
  route({ path: '/json-string-body', body: '' }),
  route({ path: '/number-body', body: 42 }),
  '{\n  // comments are allowed\n  "routes": [ /* here too */ { "path": "/c" } ]\n}',
];

/** Refused by the schema (both validators) and by the loader. */
const INVALID: string[] = [
  '42',
  '"routes"',
  '{ "routes": {} }',
  '{ "routes": [], "extra": true }',
  '{ "$schema": 5, "routes": [] }',
  '{}',
  '[42]',
  '[[]]',
  route({ body: 'no path' }),
  route({ path: 'no-slash' }),
  route({ path: 5 }),
  route({ path: '/a/*/b' }),
  route({ path: '/a*' }),
  route({ path: '/:1' }),
  route({ path: '/:' }),
  route({ path: '//x' }),
  route({ path: '/t', stauts: 200 }),
  route({ path: '/m', method: 'GE T' }),
  route({ path: '/m', method: '' }),
  route({ path: '/m', method: [] }),
  route({ path: '/m', method: ['GET', 1] }),
  route({ path: '/m', method: 7 }),
  route({ path: '/d', description: 5 }),
  route({ path: '/s', status: 99 }),
  route({ path: '/s', status: 600 }),
  route({ path: '/s', status: '200' }),
  route({ path: '/s', status: 200.5 }),
  route({ path: '/h', headers: [] }),
  route({ path: '/h', headers: 'X: 1' }),
  route({ path: '/h', headers: { 'Bad Name': 'x' } }),
  route({ path: '/h', headers: { 'X-Bad': 'a\r\nInjected: 1' } }),
  route({ path: '/h', headers: { 'X-Bad': ['ok', 'a\nb'] } }),
  route({ path: '/h', headers: { 'X-Bad': 'nul\u0000' } }),
  route({ path: '/h', headers: { 'X-Bad': { a: 1 } } }),
  route({ path: '/h', headers: { 'X-Bad': true } }),
  route({ path: '/h', headers: { 'X-Bad': [null] } }),
  route({ path: '/b', bodyBase64: '***' }),
  route({ path: '/b', bodyBase64: 'AA===' }),
  route({ path: '/b', bodyBase64: 5 }),
  route({ path: '/b', body: 'x', bodyBase64: 'AA==' }),
  route({ path: '/f', file: '' }),
  route({ path: '/f', file: 5 }),
  route({ path: '/f', file: '../outside.txt' }),
  route({ path: '/f', file: '..' }),
  route({ path: '/f', file: '/etc/passwd' }),
  route({ path: '/f/*', dir: '../up' }),
  route({ path: '/f', file: 'a', dir: 'b' }),
  route({ path: '/f', file: 'a', status: 200 }),
  route({ path: '/f', file: 'a', body: 'b' }),
  route({ path: '/f', file: 'a', bodyBase64: 'AA==' }),
  route({ path: '/d/*', dir: 'a', status: 200 }),
  route({ path: '/d/*', dir: 'a', body: 'b' }),
  route({ path: '/d', dir: 'public' }),
  route({ path: '/s', status: 204, body: 'no' }),
  route({ path: '/s', status: 304, bodyBase64: 'AA==' }),
  route({ path: '/s', status: 101, body: '' }),
  route({ path: '/w', delay: -1 }),
  route({ path: '/w', delay: 60001 }),
  route({ path: '/w', delay: 1.5 }),
  route({ path: '/w', delay: '10' }),
];

/** What a schema cannot say: it lets these through, the loader refuses them. */
const LOADER_ONLY: Array<[string, RegExp]> = [
  [JSON.stringify({ routes: [{ path: '/dup', body: '1' }, { path: '/dup', body: '2' }] }), /duplicate route GET \/dup/],
  [JSON.stringify({ routes: [{ method: ['GET', 'POST'], path: '/x' }, { method: 'post', path: '/x' }] }), /duplicate route POST \/x/],
  [route({ path: '/:a/:a' }), /parameter :a appears twice/],
  [route({ path: '/%zz' }), /invalid percent-encoding/],
  [route({ path: '/f', file: 'a/../../outside.txt' }), /must stay inside the routes file's folder/],
];

const parse = (text: string) => parseJsonWithPositions(text).value;

test('the server-core module is the schema file, regenerated (node schemas/build-schema-module.mjs)', () => {
  assert.equal(readFileSync(MODULE_FILE as string, 'utf8'), (schemaModuleText as (t: string) => string)(schemaText), 'run: node schemas/build-schema-module.mjs');
});

test('package.json gives the schema to VS Code for wireplay.routes.json, as JSON with comments', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    contributes: { jsonValidation: Array<{ fileMatch: string; url: string }>; languages: Array<{ id: string; filenames?: string[] }> };
  };
  const entry = manifest.contributes.jsonValidation.find((v) => v.fileMatch === 'wireplay.routes.json');
  assert.ok(entry, 'a jsonValidation entry for wireplay.routes.json');
  assert.equal(join(root, entry.url), SCHEMA_FILE);
  assert.ok(manifest.contributes.languages.some((l) => l.id === 'jsonc' && l.filenames?.includes('wireplay.routes.json')), 'comments are allowed in the file');
  const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
  assert.match(ignore, /^!schemas\/wireplay\.routes\.schema\.json$/m, 'the schema is packaged');
});

test('every valid file passes the schema (ajv and server-core) and loads without errors', async () => {
  for (const text of VALID) {
    const value = parse(text);
    assert.equal(ajvValidate(value), true, `ajv refused ${text}: ${JSON.stringify(ajvValidate.errors)}`);
    assert.deepEqual(routesSchema.validate(value), [], text);
    assert.deepEqual(await loaderErrors(text), [], text);
  }
});

test('every invalid case is refused by the schema (ajv and server-core) and by the loader', async () => {
  for (const text of INVALID) {
    const value = parse(text);
    assert.equal(ajvValidate(value), false, `ajv accepted ${text}`);
    assert.notDeepEqual(routesSchema.validate(value), [], `server-core's validator accepted ${text}`);
    const errors = await loaderErrors(text);
    assert.ok(errors.length > 0 && errors.every((e) => e.startsWith('INVALID_SCHEMA')), `${text}: ${errors.join('; ')}`);
  }
});

test('the rules beyond a schema are the loader’s alone', async () => {
  for (const [text, message] of LOADER_ONLY) {
    const value = parse(text);
    assert.equal(ajvValidate(value), true, text);
    assert.deepEqual(routesSchema.validate(value), [], text);
    const errors = await loaderErrors(text);
    assert.ok(errors.some((e) => message.test(e)), `${text}: ${errors.join('; ')}`);
  }
});

test('the docs example is valid by the schema too', async () => {
  const doc = readFileSync(join(root, 'docs/routes.md'), 'utf8');
  const jsonc = /```jsonc\n([\s\S]*?)```/.exec(doc)![1];
  assert.equal(ajvValidate(parse(jsonc)), true, JSON.stringify(ajvValidate.errors));
});

test('the validator refuses a schema with a keyword it does not implement', () => {
  assert.throws(() => new SchemaValidator({ type: 'object', dependencies: { a: ['b'] } }), SchemaUnsupportedError);
  assert.throws(() => new SchemaValidator({ $ref: 'https://example.invalid/other.json' }), SchemaUnsupportedError);
});

test('messages come from the schema and name the place', () => {
  const errors = routesSchema.validate(parse(route({ path: '/f', file: 'a', body: 'b', status: 700, headers: { 'Bad Name': 1 } })));
  const byKeyword = errors.map((e) => `${e.keyword} ${e.pointer} → ${e.at}: ${e.message}`);
  assert.ok(byKeyword.includes('maximum /routes/0/status → /routes/0/status: must be an integer from 100 to 599'), byKeyword.join('\n'));
  assert.ok(byKeyword.includes('not /routes/0 → /routes/0/body: "body" cannot be used with "file"'), byKeyword.join('\n'));
  assert.ok(byKeyword.includes('not /routes/0 → /routes/0/status: "status" cannot be used with "file"'), byKeyword.join('\n'));
  assert.ok(byKeyword.includes('propertyNames/pattern /routes/0/headers → /routes/0/headers/Bad Name: "Bad Name" is not a valid header name'), byKeyword.join('\n'));
});
