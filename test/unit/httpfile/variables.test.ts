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
  assert.deepEqual(substitute('{{url}}/x', c), { text: 'http://b:8080/x', unresolved: [] });
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
