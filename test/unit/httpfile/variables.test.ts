import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPath, substitute, type VariableContext } from '../../../server-core/httpfile/variables.js';

function ctx(over: Partial<VariableContext> = {}): VariableContext {
  return {
    fileVariables: [],
    environment: {},
    exchanges: new Map(),
    processEnv: {},
    dotenv: {},
    now: () => new Date('2026-01-02T03:04:05.000Z'),
    ...over,
  };
}

test('file variables nest, win over the environment, and the last definition wins', () => {
  const c = ctx({
    fileVariables: [
      { name: 'host', value: 'a', line: 0 },
      { name: 'url', value: 'http://{{host}}:{{port}}', line: 1 },
      { name: 'host', value: 'b', line: 2 },
    ],
    environment: { port: '8080', host: 'env-host' },
  });
  const r = substitute('{{url}}/x', c);
  assert.deepEqual({ text: r.text, unresolved: r.unresolved }, { text: 'http://b:8080/x', unresolved: [] });
  // JetBrains would take the environment's host: said, not hidden.
  assert.deepEqual(r.divergences.map((d) => d.expression), ['host']);
});

test('unknown and self-referencing variables are reported and left in place', () => {
  const c = ctx({ fileVariables: [{ name: 'loop', value: '{{loop}}', line: 0 }] });
  const r = substitute('{{nope}} {{loop}}', c);
  assert.equal(r.text, '{{nope}} {{loop}}');
  assert.deepEqual(r.unresolved.map((u) => u.expression), ['nope', 'loop']);
  assert.match(r.unresolved[0].reason, /not defined/);
  assert.match(r.unresolved[1].reason, /refers to itself/);
});

test('dynamic variables of both dialects', () => {
  const c = ctx({ processEnv: { HOME_DIR: '/h' }, dotenv: { SECRET: 's3' }, environment: { which: 'HOME_DIR' } });
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(substitute('{{$uuid}}', c).text, uuid);
  assert.match(substitute('{{$guid}}', c).text, uuid);
  assert.match(substitute('{{$random.uuid}}', c).text, uuid);
  assert.equal(substitute('{{$timestamp}}', c).text, String(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000));
  assert.equal(substitute('{{$timestamp -1 d}}', c).text, String(Date.UTC(2026, 0, 1, 3, 4, 5) / 1000));
  assert.equal(substitute('{{$isoTimestamp}}', c).text, '2026-01-02T03:04:05.000Z');
  assert.equal(substitute('{{$datetime rfc1123}}', c).text, 'Fri, 02 Jan 2026 03:04:05 GMT');
  for (let i = 0; i < 50; i++) {
    const n = Number(substitute('{{$randomInt 5 8}}', c).text);
    assert.ok(n >= 5 && n < 8, String(n));
    const m = Number(substitute('{{$random.integer(1, 3)}}', c).text);
    assert.ok(m >= 1 && m < 3, String(m));
  }
  assert.equal(substitute('{{$processEnv HOME_DIR}}', c).text, '/h');
  assert.equal(substitute('{{$processEnv %which}}', c).text, '/h');
  assert.equal(substitute('{{$dotenv SECRET}}', c).text, 's3');
  const missing = substitute('{{$processEnv NOPE}} {{$bogus}}', c);
  assert.deepEqual(missing.unresolved.map((u) => u.expression), ['$processEnv NOPE', '$bogus']);
});

test('response and request references: JSONPath into the body, headers case-insensitively', () => {
  const exchanges = new Map([
    [
      'login',
      {
        request: { headers: [['X-Req', 'r1'] as const], body: '{"user":"ada"}' },
        response: { status: 200, headers: [['Set-Token', 'abc'] as const], body: '{"token":"t-1","items":[{"id":7}]}' },
      },
    ],
  ]);
  const c = ctx({ exchanges });
  assert.equal(substitute('{{login.response.body.$.token}}', c).text, 't-1');
  assert.equal(substitute('{{login.response.body.$.items[0].id}}', c).text, '7');
  assert.equal(substitute('{{login.response.body.$.items}}', c).text, '[{"id":7}]');
  assert.equal(substitute('{{login.response.headers.set-token}}', c).text, 'abc');
  assert.equal(substitute('{{login.request.body.$.user}}', c).text, 'ada');
  assert.equal(substitute('{{login.response.body.*}}', c).text, '{"token":"t-1","items":[{"id":7}]}');
  const r = substitute('{{other.response.body.$.x}} {{login.response.body.$.nope}}', c);
  assert.match(r.unresolved[0].reason, /no request named "other"/);
  assert.match(r.unresolved[1].reason, /matches nothing/);
});

test('jsonPath handles bracket keys and refuses malformed paths', () => {
  assert.equal(jsonPath({ 'a b': { c: [1, 2] } }, "$['a b'].c[1]"), 2);
  assert.equal(jsonPath({ a: 1 }, '$.a..b'), undefined);
  assert.equal(jsonPath([5], '$[0]'), 5);
});

test("a request region's own definition wins over the file's; another region's is found only outside httpYac, with a warning", () => {
  const base = {
    fileVariables: [{ name: 'token', value: 'file', line: 0 }],
    allVariables: [
      { name: 'token', value: 'file', line: 0 },
      { name: 'token', value: 'region-a', line: 3 },
      { name: 'other', value: 'only-in-b', line: 8 },
    ],
  };
  const a = ctx({ ...base, regionVariables: [{ name: 'token', value: 'region-a', line: 3 }] });
  assert.equal(substitute('{{token}}', a).text, 'region-a');
  assert.equal(substitute('{{token}}', ctx(base)).text, 'file');
  assert.equal(substitute('{{token}}', ctx({ ...base, dialect: 'rest-client' })).text, 'region-a', 'REST Client: the last definition in the file');
  const elsewhere = substitute('{{other}}', ctx(base));
  assert.equal(elsewhere.text, 'only-in-b');
  assert.match(elsewhere.divergences[0].message, /defined only in another request's region/);
  assert.match(substitute('{{other}}', ctx({ ...base, dialect: 'httpyac' })).unresolved[0].reason, /not defined/);
});

test('precedence: prompted and loop values, then the file, then --var, then the environment (JetBrains: --var, environment, file)', () => {
  const c = {
    fileVariables: [{ name: 'a', value: 'file', line: 0 }],
    cliVariables: { a: 'cli', b: 'cli' },
    environment: { a: 'env', b: 'env', c: 'env' },
  };
  assert.deepEqual(['{{a}}', '{{b}}', '{{c}}'].map((t) => substitute(t, ctx(c)).text), ['file', 'cli', 'env']);
  assert.deepEqual(['{{a}}', '{{b}}', '{{c}}'].map((t) => substitute(t, ctx({ ...c, dialect: 'jetbrains' })).text), ['cli', 'cli', 'env']);
  assert.equal(substitute('{{a}} {{$index}}', ctx({ ...c, locals: { a: 'prompted', $index: '2' } })).text, 'prompted 2');
});

test('REST Client: {{%name}} is percent-encoded; file values keep \\n unless the dialect is rest-client', () => {
  const c = { fileVariables: [{ name: 'q', value: 'a b&c/d', line: 0 }, { name: 'nl', value: 'x\\ny', line: 1 }] };
  assert.equal(substitute('{{%q}}', ctx(c)).text, 'a%20b%26c%2Fd');
  assert.equal(substitute('{{nl}}', ctx(c)).text, 'x\\ny');
  assert.equal(substitute('{{nl}}', ctx({ ...c, dialect: 'rest-client' })).text, 'x\ny');
});

test('httpYac: {{login.token}} is a field of the JSON body of the request named login', () => {
  const exchanges = new Map([['login', { response: { status: 200, headers: [], body: '{"token":"t","n":{"id":3}}' } }]]);
  assert.equal(substitute('{{login.token}}/{{login.n.id}}', ctx({ exchanges })).text, 't/3');
});

test('refused with their name: JavaScript expressions, XPath, JSONPath filters, Azure AD tokens, faker data', () => {
  const exchanges = new Map([['x', { response: { status: 200, headers: [], body: '{"a":[1]}' } }]]);
  const r = substitute('{{ Date.now() }} {{x.response.body.//a}} {{x.response.body.$.a[?(@>0)]}} {{$aadToken}} {{$random.address.city}}', ctx({ exchanges }));
  assert.deepEqual(r.unresolved.map((u) => u.code), ['unsupported', 'unsupported', 'unsupported', 'unsupported', 'unsupported']);
  assert.match(r.unresolved[0].reason, /JavaScript expression/);
  assert.match(r.unresolved[1].reason, /XPath/);
  assert.match(r.unresolved[3].reason, /^`\$aadToken` \(REST Client's Azure AD token\) is not supported$/);
});

test('a reference to a request that exists nowhere says so, with the names that do exist; one not sent yet says that', () => {
  const names = new Set(['login', 'me']);
  const nowhere = substitute('{{nope.response.body.$.a}}', ctx({ requestNames: names }));
  assert.equal(nowhere.unresolved[0].code, 'reference');
  assert.equal(nowhere.unresolved[0].reason, 'there is no request named "nope" in this file or the files it imports (named requests: login, me)');
  assert.match(substitute('{{login.response.body.$.a}}', ctx({ requestNames: names })).unresolved[0].reason, /has been sent yet/);
});
