// httpYac in a real script worker: `{{ }}` blocks (exports, $cancel, top-level
// await, variables as globals, request edits, response fields, test() and its
// helpers, sleep, $global, console) and `??` assertions end to end, including
// the ones that need JavaScript or a regular expression.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ScriptRunner } from '../../../server-core/scripts/index.js';
import type { ScriptJob, ScriptResponseInput, ScriptResult } from '../../../server-core/scripts/index.js';

let runner: ScriptRunner;
before(() => {
  runner = new ScriptRunner();
});
after(() => runner.dispose());

const request = { method: 'GET', url: 'http://127.0.0.1:8080/json', headers: [['User-Agent', 'wireplay'], ['Accept', 'application/json']] as [string, string][] };
const body = '{"slideshow":{"title":"Sample","slides":[{"title":"Wake up to WonderWidgets!"}]},"ok":true}';
const response: ScriptResponseInput = {
  status: 200,
  statusText: 'OK',
  headers: [
    ['Content-Type', 'application/json'],
    ['X-Multi', 'a'],
    ['X-Multi', 'b'],
    ['Set-Cookie', 's=1'],
  ],
  body: Buffer.from(body),
  durationMs: 30,
};

function script(source: string, extra: Partial<ScriptJob> = {}): Promise<ScriptResult> {
  return runner.run({ kind: 'httpyac-script', source, request, ...extra });
}
function after_(source: string, extra: Partial<ScriptJob> = {}): Promise<ScriptResult> {
  return script(source, { response, ...extra });
}
function logs(r: ScriptResult): string[] {
  return r.logs.map((l) => l.text);
}

test('exports set variables: values, promises, top-level await; $cancel; what cannot be kept is a warning', async () => {
  const r = await script(`
    const date = new Date(0);
    exports.authDate = date.toUTCString();
    exports.count = 2;
    exports.nested = { list: [1, 'two'] };
    exports.later = (async () => { await sleep(1); return 'waited'; })();
    exports.awaited = await Promise.resolve('top-level');
    exports.helper = () => 1;
    exports.$cancel = true;
  `);
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.variables, { authDate: 'Thu, 01 Jan 1970 00:00:00 GMT', count: 2, nested: { list: [1, 'two'] }, later: 'waited', awaited: 'top-level' });
  assert.equal(r.cancelRequested, true);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /exports\.helper was not set: .*not a function/);
});

test('module.exports works like exports; a rejected exported promise fails the script', async () => {
  const r = await script('module.exports = { a: 1 };');
  assert.deepEqual(r.variables, { a: 1 });
  const failed = await script("exports.token = Promise.reject(new Error('login failed'));");
  assert.equal(failed.error?.message, 'login failed');
  assert.deepEqual(failed.variables, {});
});

test('variables in scope are globals; one named like a global is reported', async () => {
  const r = await script("console.info(host, port + 1, typeof user.name);", { variables: { host: 'example.com', port: 8080, user: { name: 'ada' }, JSON: 'shadow' } });
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.logs, [{ level: 'info', text: 'example.com 8081 string' }]);
  assert.match(r.warnings[0]!, /The variable JSON has the name of a global/);
});

test('the request can be edited before it is sent; the edit is returned', async () => {
  const r = await script("request.headers['User-Agent'] = undefined;\nrequest.headers['X-Sig'] = 'abc';\nrequest.url += '?signed=1';");
  assert.deepEqual(r.requestChanges, { method: 'GET', url: 'http://127.0.0.1:8080/json?signed=1', headers: [['Accept', 'application/json'], ['X-Sig', 'abc']] });
  const untouched = await script("console.log(request.method, request.url, request.headers.Accept);");
  assert.equal(untouched.requestChanges, undefined);
  assert.deepEqual(logs(untouched), ['GET http://127.0.0.1:8080/json application/json']);
});

test('response: statusCode, statusMessage, headers as Node.js has them, body, parsedBody, contentType, timings', async () => {
  const r = await after_(`
    console.log(response.statusCode, response.statusMessage, response.httpVersion);
    console.log(response.headers['content-type'], response.headers['x-multi'], JSON.stringify(response.headers['set-cookie']));
    console.log(typeof response.body, response.parsedBody.slideshow.title, response.contentType.mimeType, response.timings.total);
  `);
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(logs(r), ['200 OK 1.1', 'application/json a, b ["s=1"]', 'string Sample application/json 30']);
});

test('test(): pass, fail with the thrown message, async tests awaited; the helpers', async () => {
  const r = await after_(
    [
      "test('status code 200', () => { if (response.statusCode !== 200) throw new Error('not 200'); });",
      "test('title', () => { const e = new Error('title differs'); e.expected = 'X'; e.actual = response.parsedBody.slideshow.title; throw e; });",
      "test('async', async () => { await sleep(1); });",
      'test.status(200);',
      'test.status(404);',
      'test.totalTime(300);',
      "test.header('content-type', 'application/json');",
      "test.headerContains('content-type', 'json');",
      "test.headerContains('x-multi', 'z');",
      "test.responseBody({ nope: 1 });",
      'test.hasResponseBody();',
      'test.hasNoResponseBody();',
    ].join('\n'),
    { lineOffset: 100 },
  );
  assert.equal(r.error, undefined, r.error?.message);
  const byName = Object.fromEntries(r.tests.map((t) => [t.name, t]));
  assert.deepEqual(
    r.tests.map((t) => [t.name, t.passed]),
    [
      ['status code 200', true],
      ['title', false],
      ['response status equals to 200', true],
      ['response status equals to 404', false],
      ['total time exceeded 300', true],
      ['response header content-type equals application/json', true],
      ['response header content-type contains json', true],
      ['response header x-multi contains z', false],
      ['response body equals {"nope":1}', false],
      ['response body exists', true],
      ['response body does not exists', false],
      ['async', true],
    ],
  );
  assert.deepEqual([byName.title!.message, byName.title!.expected, byName.title!.actual, byName.title!.line], ['title differs', 'X', 'Sample', 102]);
  assert.deepEqual([byName['response status equals to 404']!.expected, byName['response status equals to 404']!.actual], ['404', '200']);
  assert.equal(byName['response status equals to 404']!.line, 105);
  assert.equal(r.ok, false);
});

test('test helpers need the response', async () => {
  const r = await script('test.status(200);');
  assert.match(r.error!.message, /test\.status\(\) needs the response/);
});

test('$global keeps values across runs; the changes are returned', async () => {
  const first = await after_('$global.token = response.parsedBody.slideshow.title; delete $global.old;', { globals: { old: 1, stays: 2 } });
  assert.deepEqual(first.globalChanges, [
    { op: 'set', name: 'token', value: 'Sample' },
    { op: 'clear', name: 'old' },
  ]);
  assert.deepEqual(first.globals, { stays: 2, token: 'Sample' });
  const second = await script('console.log($global.token);', { globals: first.globals });
  assert.deepEqual(logs(second), ['Sample']);
});

test('Node.js modules are named as unsupported', async () => {
  const r = await script("const { equal } = require('assert');");
  assert.equal(r.error?.code, 'UNSUPPORTED');
  assert.match(r.error!.message, /require is not defined: scripts run isolated, without Node\.js/);
  const region = await script('httpRegion.metaData');
  assert.match(region.error!.message, /httpYac's httpRegion is not supported by Wireplay scripts yet/);
});

// ---- ?? assertions through the runner
async function assertion(line: string, extra: Partial<ScriptJob> = {}): Promise<ScriptResult> {
  return runner.run({ kind: 'httpyac-assert', source: line, response, lineOffset: 9, ...extra });
}

test('?? assertions: every target, through the runner', async () => {
  const passing = [
    '?? status == 200',
    '?? header content-type includes json',
    '?? header x-multi == a, b',
    '?? body $.slideshow.title == Sample',
    '?? body $.slideshow.slides[*].title includes Wake up to WonderWidgets!',
    '?? body slideshow.slides[0].title == Wake up to WonderWidgets!',
    '?? body ok isTrue',
    '?? duration < 500',
    '?? js response.parsedBody.slideshow.slides[0].title == Wake up to WonderWidgets!',
    '?? js response.parsedBody.slideshow.slides.length > 0',
    '?? js typeof minimum isString',
    '?? body slideshow.slides.map(s => s.title).join() startsWith Wake',
    '?? status matches ^\\d{3}$',
    '?? header content-type matches ^application/',
    `?? body sha256 ${createHash('sha256').update(body).digest('base64')}`,
    `?? body md5 ${createHash('md5').update(body).digest('base64')}`,
    '?? status == {{expectedStatus}}',
  ];
  for (const line of passing) {
    const r = await assertion(line, { variables: { minimum: '1', expectedStatus: 200 } });
    assert.equal(r.error, undefined, `${line}: ${r.error?.message}`);
    assert.equal(r.tests.length, 1);
    assert.equal(r.tests[0]!.passed, true, `${line}: ${r.tests[0]!.message}`);
    assert.equal(r.tests[0]!.line, 10);
    assert.equal(r.ok, true);
  }
});

test('?? failures: message, expected and actual; unsupported forms fail with a reason', async () => {
  const failed = await assertion('?? js response.parsedBody.slideshow.title == Other');
  assert.equal(failed.ok, false);
  assert.equal(failed.error, undefined);
  assert.deepEqual([failed.tests[0]!.message, failed.tests[0]!.expected, failed.tests[0]!.actual], ['response.parsedBody.slideshow.title (Sample) == Other', 'Other', 'Sample']);
  const regex = await assertion('?? body matches ^nope');
  assert.equal(regex.tests[0]!.passed, false);
  const thrown = await assertion('?? js response.parsedBody.missing.deeper == 1');
  assert.equal(thrown.ok, false);
  assert.equal(thrown.error?.code, 'SCRIPT_ERROR');
  assert.match(thrown.tests[0]!.message!, /Cannot read properties of undefined \(reading 'deeper'\)/);
  assert.equal(thrown.error?.line, 10);
  for (const [line, code] of [
    ['?? xpath /slideshow/@title == Sample', 'UNSUPPORTED'],
    ['?? body $.slides[?(@.title)] exists', 'UNSUPPORTED'],
    ['?? status', 'SYNTAX_ERROR'],
  ] as const) {
    const r = await assertion(line);
    assert.equal(r.ok, false, line);
    assert.equal(r.error?.code, code, line);
    assert.equal(r.tests[0]!.passed, false, line);
    assert.equal(r.tests[0]!.line, 10, line);
  }
});

test('an assertion job without a response is refused', async () => {
  const r = await runner.run({ kind: 'httpyac-assert', source: '?? status == 200' });
  assert.equal(r.error?.code, 'BAD_INPUT');
});
