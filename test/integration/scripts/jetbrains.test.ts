// The JetBrains HTTP Client API in a real script worker: each call of the
// documented surface (client, request, response), pre-request versus
// response-handler differences, and positions mapped into the `.http` file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ScriptRunner } from '../../../server-core/scripts/index.js';
import type { ScriptJob, ScriptResponseInput, ScriptResult } from '../../../server-core/scripts/index.js';

let runner: ScriptRunner;
before(() => {
  runner = new ScriptRunner();
});
after(() => runner.dispose());

const request = {
  method: 'POST',
  url: 'http://127.0.0.1:8080/users?id=7',
  headers: [
    ['Content-Type', 'application/json'],
    ['Authorization', 'Bearer abc'],
    ['X-Twice', 'one'],
    ['x-twice', 'two'],
  ] as [string, string][],
  body: '{"name":"ada"}',
  raw: {
    url: 'http://{{host}}/users?id={{id}}',
    headers: [
      ['Content-Type', 'application/json'],
      ['Authorization', 'Bearer {{token}}'],
      ['X-Twice', 'one'],
      ['x-twice', '{{second}}'],
    ] as [string, string][],
    body: '{"name":"{{name}}"}',
  },
};

function jsonResponse(body: string, over: Partial<ScriptResponseInput> = {}): ScriptResponseInput {
  return {
    status: 200,
    headers: [
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ],
    body: Buffer.from(body),
    durationMs: 12,
    ...over,
  };
}

function pre(source: string, extra: Partial<ScriptJob> = {}): Promise<ScriptResult> {
  return runner.run({ kind: 'jetbrains-pre', source, request, ...extra });
}
function handler(source: string, response = jsonResponse('{"id": 7, "tags": ["x"]}'), extra: Partial<ScriptJob> = {}): Promise<ScriptResult> {
  return runner.run({ kind: 'jetbrains-response', source, request, response, ...extra });
}
function logs(r: ScriptResult): string[] {
  return r.logs.map((l) => l.text);
}
function noError(r: ScriptResult): void {
  assert.equal(r.error, undefined, r.error?.message);
}

test('client.global: set, get, isEmpty, clear, clearAll — changes in order and the store after', async () => {
  const r = await handler(
    `client.log(client.global.isEmpty(), client.global.get('old'), client.global.get('none'));
     client.global.set('token', response.body.id);
     client.global.set('obj', { a: [1, 2] });
     client.log(client.global.get('token'), client.global.get('obj').a[1], client.global.isEmpty());
     client.global.clear('old');
     client.global.clearAll();
     client.global.set('last', 'x');`,
    undefined,
    { globals: { old: 'kept?' } },
  );
  noError(r);
  assert.deepEqual(logs(r), ['false kept? null', '7 2 false']);
  assert.deepEqual(r.globalChanges, [
    { op: 'set', name: 'token', value: 7 },
    { op: 'set', name: 'obj', value: { a: [1, 2] } },
    { op: 'clear', name: 'old' },
    { op: 'clearAll' },
    { op: 'set', name: 'last', value: 'x' },
  ]);
  assert.deepEqual(r.globals, { last: 'x' });
});

test('client.global.set refuses what cannot be kept, at the line of the call', async () => {
  const r = await handler(`client.log('before');\nclient.global.set('f', () => 1);`);
  assert.equal(r.error?.code, 'SCRIPT_ERROR');
  assert.match(r.error!.message, /client\.global\.set\("f", …\): only plain data can be kept .* not a function/);
  assert.equal(r.error?.line, 2);
  assert.deepEqual(r.globalChanges, []);
});

test('client.test runs after the handler, in order, with pass / fail, message and lines', async () => {
  const r = await handler(
    [
      "client.log('handler start');",
      "client.test('status is 200', function () {",
      "  client.log('in test 1');",
      "  client.assert(response.status === 200, 'Response status is not 200');",
      '});',
      "client.test('body has id 8', () => {",
      "  client.assert(response.body.id === 8, 'id is ' + response.body.id);",
      '});',
      "client.test('throws', () => { null.x; });",
      "client.log('handler end');",
    ].join('\n'),
    undefined,
    { lineOffset: 20, columnOffset: 3, filename: 'api.http' },
  );
  noError(r);
  assert.deepEqual(logs(r), ['handler start', 'handler end', 'in test 1']);
  assert.deepEqual(
    r.tests.map((t) => [t.name, t.passed, t.message, t.line, t.failureLine]),
    [
      ['status is 200', true, undefined, 22, undefined],
      ['body has id 8', false, 'id is 7', 26, 27],
      ['throws', false, "Cannot read properties of null (reading 'x')", 29, 29],
    ],
  );
  assert.equal(r.ok, false);
});

test('client.assert outside a test fails the script at its line', async () => {
  const r = await handler("\n\nclient.assert(response.status === 404, 'expected a 404');", undefined, { lineOffset: 5 });
  assert.equal(r.error?.code, 'SCRIPT_ERROR');
  assert.equal(r.error?.message, 'AssertionError: expected a 404');
  assert.equal(r.error?.line, 8);
  const ok = await handler('client.assert(true); client.assert(1, "truthy is fine");');
  noError(ok);
});

test('client.log prints its arguments, objects as JSON', async () => {
  const r = await handler("client.log('a', 1, true, null, undefined, { b: [1] }, [2]);");
  assert.deepEqual(logs(r), ['a 1 true null undefined {\n  "b": [\n    1\n  ]\n} [\n  2\n]']);
  assert.equal(r.logs[0]!.level, 'log');
});

test('client.exit ends the script: later lines do not run, tests declared before it do', async () => {
  const r = await handler("client.test('declared before', () => {});\nclient.log('one');\nclient.exit();\nclient.log('two');\nclient.test('declared after', () => {});");
  noError(r);
  assert.equal(r.exitRequested, true);
  assert.deepEqual(logs(r), ['one']);
  assert.deepEqual(r.tests.map((t) => [t.name, t.passed]), [['declared before', true]]);
  const inTest = await handler("client.test('a', () => { client.exit(); });\nclient.test('b', () => {});");
  assert.equal(inTest.exitRequested, true);
  assert.deepEqual(inTest.tests, [], 'exit inside a test stops the tests');
  const pre = await runner.run({ kind: 'jetbrains-pre', source: "request.variables.set('a', 1);\nclient.exit();\nrequest.variables.set('b', 2);", request });
  assert.deepEqual([pre.exitRequested, pre.variables], [true, { a: 1 }]);
});

test('request.variables in a pre-request script: set, get, isEmpty, clear, clearAll', async () => {
  const r = await pre(
    `client.log(request.variables.isEmpty(), request.variables.get('fromFile'), request.variables.get('none'));
     request.variables.set('a', 'x');
     request.variables.set('b', 2);
     request.variables.set('c', true);
     request.variables.clear('c');
     client.log(request.variables.get('a'), request.variables.get('b'), request.variables.get('c'));`,
    { variables: { fromFile: 'f' } },
  );
  noError(r);
  assert.deepEqual(logs(r), ['false f null', 'x 2 null']);
  assert.deepEqual(r.variables, { a: 'x', b: 2 });
  const all = await pre("request.variables.set('a', 1); request.variables.clearAll(); client.log(request.variables.isEmpty());");
  assert.deepEqual(all.variables, {});
  assert.deepEqual(logs(all), ['true']);
  const fromFile = await pre("request.variables.clear('fromFile');", { variables: { fromFile: 'f' } });
  assert.match(fromFile.error!.message, /comes from the file or the environment/);
});

test('request.variables.set is pre-request only; the handler is told to use client.global', async () => {
  const r = await handler("client.log(request.variables.get('v'));\nrequest.variables.set('x', 1);", undefined, { variables: { v: 'seen' } });
  assert.deepEqual(logs(r), ['seen']);
  assert.match(r.error!.message, /request\.variables\.set is only available in pre-request scripts .* use client\.global\.set/);
  assert.equal(r.error!.line, 2);
});

test('request.environment.get', async () => {
  const r = await pre("client.log(request.environment.get('host'), request.environment.get('nope'));", { environment: { host: 'example.com' } });
  assert.deepEqual(logs(r), ['example.com null']);
});

test('request.method, url, body and headers as documented, raw and substituted', async () => {
  const r = await pre(
    `client.log(request.method);
     client.log(request.url.getRaw(), request.url.tryGetSubstituted(), request.url());
     client.log(request.body.getRaw(), request.body.tryGetSubstituted(), request.body());
     const auth = request.headers.findByName('authorization');
     client.log(auth.name, auth.getRawValue(), auth.tryGetSubstitutedValue(), auth.value());
     client.log(request.headers.all().map(h => h.name + '=' + h.getRawValue()).join(';'));
     client.log(request.headers.findByName('nope'));`,
    { variables: { host: '127.0.0.1:8080', name: 'ada' }, environment: { token: 'abc' } },
  );
  noError(r);
  assert.deepEqual(logs(r), [
    'POST',
    'http://{{host}}/users?id={{id}} http://127.0.0.1:8080/users?id={{id}} http://127.0.0.1:8080/users?id=7',
    '{"name":"{{name}}"} {"name":"ada"} {"name":"ada"}',
    'Authorization Bearer {{token}} Bearer abc Bearer abc',
    'Content-Type=application/json;Authorization=Bearer {{token}};X-Twice=one;x-twice={{second}}',
    'null',
  ]);
});

test('tryGetSubstituted sees variables the script just set', async () => {
  const r = await pre("request.variables.set('id', 42); client.log(request.url.tryGetSubstituted());", { variables: { host: 'h' } });
  assert.deepEqual(logs(r), ['http://h/users?id=42']);
});

test('response.status, headers.valueOf / valuesOf (case-insensitive), contentType', async () => {
  const r = await handler(
    `client.log(response.status);
     client.log(response.headers.valueOf('content-type'), response.headers.valueOf('SET-COOKIE'), response.headers.valueOf('nope'));
     client.log(JSON.stringify(response.headers.valuesOf('Set-Cookie')), JSON.stringify(response.headers.valuesOf('nope')));
     client.log(response.contentType.mimeType, response.contentType.charset);`,
    jsonResponse('{}', { status: 201 }),
  );
  noError(r);
  assert.deepEqual(logs(r), ['201', 'application/json; charset=utf-8 a=1 null', '["a=1","b=2"] []', 'application/json utf-8']);
});

test('response.body: parsed JSON when the type says JSON (+json too), text otherwise', async () => {
  const json = await handler('client.log(typeof response.body, response.body.tags[0]);', jsonResponse('{"tags":["x"]}', { headers: [['Content-Type', 'application/vnd.api+json']] }));
  assert.deepEqual(logs(json), ['object x']);
  const text = await handler('client.log(typeof response.body, response.body);', jsonResponse('{"looks":"json"}', { headers: [['Content-Type', 'text/plain']] }));
  assert.deepEqual(logs(text), ['string {"looks":"json"}']);
  const latin1 = await handler('client.log(response.body, response.contentType.charset);', {
    status: 200,
    headers: [['Content-Type', 'text/plain; charset=ISO-8859-1']],
    body: Buffer.from([0x63, 0x61, 0x66, 0xe9]),
  });
  assert.deepEqual(logs(latin1), ['café iso-8859-1']);
  const broken = await handler('client.log(typeof response.body, response.body);', jsonResponse('{"oops"'));
  assert.deepEqual(logs(broken), ['string {"oops"']);
  assert.match(broken.warnings[0]!, /says application\/json but its body is not valid JSON/);
  const empty = await handler('client.log(JSON.stringify(response.body));', jsonResponse('', { status: 204 }));
  assert.deepEqual(logs(empty), ['""']);
  assert.deepEqual(empty.warnings, []);
});

test('a pre-request script has no response and no client.test', async () => {
  const r = await pre('client.log(typeof response);\nresponse.status');
  assert.deepEqual(logs(r), ['undefined']);
  assert.equal(r.error?.code, 'UNSUPPORTED');
  assert.match(r.error!.message, /response exists only after the request/);
  const t = await pre("client.test('x', () => {});");
  assert.match(t.error!.message, /client\.test is only available in response handler scripts/);
});

test('atob / btoa, console and top-level await', async () => {
  const r = await handler("client.log(btoa('user:pa55'), atob('dXNlcjpwYTU1'));\nconsole.warn('careful');\nconst v = await Promise.resolve(3);\nclient.log(v);");
  noError(r);
  assert.deepEqual(r.logs, [
    { level: 'log', text: 'dXNlcjpwYTU1 user:pa55' },
    { level: 'warn', text: 'careful' },
    { level: 'log', text: '3' },
  ]);
});

test('a syntax error is reported at its line in the file', async () => {
  const r = await handler("client.log('ok');\nclient.log('unclosed';", undefined, { lineOffset: 40, filename: 'api.http' });
  assert.equal(r.error?.code, 'SYNTAX_ERROR');
  assert.match(r.error!.message, /^SyntaxError: /);
  assert.equal(r.error?.line, 42);
  assert.deepEqual(r.logs, [], 'nothing ran');
  const open = await handler("client.test('x', () => {", undefined, { lineOffset: 40 });
  assert.match(open.error!.message, /not closed/);
  assert.equal(open.error?.line, 41);
});

test('hooks see logs and tests as they happen', async () => {
  const seen: string[] = [];
  const r = await runner.run(
    { kind: 'jetbrains-response', source: "client.log('a'); client.test('t', () => {});", request, response: jsonResponse('{}') },
    { onLog: (l) => seen.push(`log ${l.text}`), onTest: (t) => seen.push(`test ${t.name} ${t.passed}`) },
  );
  noError(r);
  assert.deepEqual(seen, ['log a', 'test t true']);
});

test('client.variables (the newer unified API) is named as not supported', async () => {
  const r = await pre("client.variables.global.get('x');");
  assert.match(r.error!.message, /client\.variables is not supported by Wireplay scripts yet; use client\.global/);
});
