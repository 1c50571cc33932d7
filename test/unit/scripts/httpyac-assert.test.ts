// `??` assertions on the host: reading the line (every condition spelling
// httpYac documents), the test names, converting the expected text, each
// condition, and evaluating status / header / duration / body targets without
// running code (the sandbox given here refuses every call; the JavaScript and
// regular-expression cases are in test/integration/scripts/httpyac.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  checkPredicate,
  convertExpected,
  evaluateHttpYacAssertion,
  parseHttpYacAssertion,
  substituteExpected,
  type AssertionSandbox,
  type ParsedAssertion,
} from '../../../server-core/scripts/httpyac-assert.js';
import type { SandboxResponse } from '../../../server-core/scripts/sandbox-input.js';

function parsed(line: string): ParsedAssertion {
  const r = parseHttpYacAssertion(line);
  if (!r.ok) throw new Error(r.message);
  return r.assertion;
}

const lines: Array<[line: string, target: string, argument: string | undefined, predicate: string, expected: string | undefined, name: string]> = [
  ['?? status == 200', 'status', undefined, '==', '200', 'status == 200'],
  ['??status === 200', 'status', undefined, '==', '200', 'status == 200'],
  ['?? status equals 200', 'status', undefined, '==', '200', 'status == 200'],
  ['?? status != 201', 'status', undefined, '!=', '201', 'status != 201'],
  ['?? status !== 201', 'status', undefined, '!=', '201', 'status != 201'],
  ['?? status not equals 201', 'status', undefined, '!=', '201', 'status != 201'],
  ['?? status > 199', 'status', undefined, '>', '199', 'status > 199'],
  ['?? status >= 200', 'status', undefined, '>=', '200', 'status >= 200'],
  ['?? status <= 200', 'status', undefined, '<=', '200', 'status <= 200'],
  ['?? duration < 500', 'duration', undefined, '<', '500', 'duration < 500'],
  ['?? duration firstByte < 100', 'duration', 'firstByte', '<', '100', 'firstByte < 100'],
  ['?? status startsWith 20', 'status', undefined, 'startsWith', '20', 'status startsWith 20'],
  ['?? status endsWith 00', 'status', undefined, 'endsWith', '00', 'status endsWith 00'],
  ['?? header content-type includes json', 'header', 'content-type', 'includes', 'json', 'content-type includes json'],
  ['?? header content-type contains json', 'header', 'content-type', 'includes', 'json', 'content-type includes json'],
  ['?? header range exists', 'header', 'range', 'exists', undefined, 'range exists'],
  ['?? header range isTrue', 'header', 'range', 'exists', undefined, 'range exists'],
  ['?? header range isFalse', 'header', 'range', 'isFalse', undefined, 'range isFalse'],
  ['?? status isNumber', 'status', undefined, 'isNumber', undefined, 'status isNumber'],
  ['?? body active isBoolean', 'body', 'active', 'isBoolean', undefined, 'active isBoolean'],
  ['?? header content-type isString', 'header', 'content-type', 'isString', undefined, 'content-type isString'],
  ['?? body links isArray', 'body', 'links', 'isArray', undefined, 'links isArray'],
  ['?? status matches ^\\d+', 'status', undefined, 'matches', '^\\d+', 'status matches ^\\d+'],
  ['?? body sha256 abc=', 'body', undefined, 'sha256', 'abc=', 'body sha256 abc='],
  ['?? body sha512 abc=', 'body', undefined, 'sha512', 'abc=', 'body sha512 abc='],
  ['?? body md5 abc=', 'body', undefined, 'md5', 'abc=', 'body md5 abc='],
  ['?? body $.id exists', 'body', '$.id', 'exists', undefined, '$.id exists'],
  ['?? body includes slide', 'body', undefined, 'includes', 'slide', 'body includes slide'],
  ['?? js response.parsedBody.slideshow.slides[0].title == Wake up to WonderWidgets!', 'js', 'response.parsedBody.slideshow.slides[0].title', '==', 'Wake up to WonderWidgets!', 'response.parsedBody.slideshow.slides[0].title == Wake up to WonderWidgets!'],
  ['status == 200', 'status', undefined, '==', '200', 'status == 200'],
  ['?? header x-contains-note exists', 'header', 'x-contains-note', 'exists', undefined, 'x-contains-note exists'],
];

for (const [line, target, argument, predicate, expected, name] of lines) {
  test(`reads: ${line}`, () => {
    const a = parsed(line);
    assert.deepEqual([a.target, a.argument, a.predicate, a.expected, a.name], [target, argument, predicate, expected, name]);
  });
}

const bad: Array<[line: string, code: string, message: RegExp]> = [
  ['?? status', 'SYNTAX_ERROR', /Cannot read the assertion "\?\? status"/],
  ['?? status 200', 'SYNTAX_ERROR', /conditions: ==/],
  ['?? status ==', 'SYNTAX_ERROR', /needs an expected value/],
  ['?? header exists', 'SYNTAX_ERROR', /needs a header name/],
  ['?? xpath /slideshow/@title == Sample', 'UNSUPPORTED', /xpath assertions are not supported/],
  ['?? protocol == HTTP/1.1', 'UNSUPPORTED', /Unknown assertion target "protocol".*status, header, body, duration, js/],
];
for (const [line, code, message] of bad) {
  test(`refuses: ${line}`, () => {
    const r = parseHttpYacAssertion(line);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.code, code);
    assert.match(r.message, message);
  });
}

test('the expected text takes the type of the actual value, as in httpYac', () => {
  assert.equal(convertExpected(200, '200'), 200);
  assert.equal(convertExpected(200, '200abc'), 200);
  assert.equal(convertExpected(200, 'abc'), undefined);
  assert.equal(convertExpected(true, 'TRUE'), true);
  assert.equal(convertExpected(false, 'false'), false);
  assert.equal(convertExpected('200', '200'), '200');
  assert.deepEqual(convertExpected({ a: 1 }, '{"a":1}'), { a: 1 });
  assert.equal(convertExpected({ a: 1 }, 'not json'), 'not json');
  assert.equal(convertExpected(null, 'null'), null);
  assert.equal(convertExpected(undefined, 'undefined'), undefined);
});

test('each condition', () => {
  const yes: Array<Parameters<typeof checkPredicate>> = [
    ['==', 200, 200],
    ['==', { a: [1] }, { a: [1] }],
    ['!=', 200, 201],
    ['>', 3, 2],
    ['>=', 3, 3],
    ['<', '2', 3],
    ['<=', 3, 3],
    ['startsWith', 'application/json', 'application'],
    ['endsWith', 204, '04'],
    ['includes', 'application/json; charset=utf-8', 'json'],
    ['includes', ['a=1', 'b=2'], 'b=2'],
    ['exists', 'x', undefined],
    ['isFalse', '', undefined],
    ['isFalse', undefined, undefined],
    ['isNumber', 1, undefined],
    ['isBoolean', false, undefined],
    ['isString', '', undefined],
    ['isArray', [], undefined],
  ];
  for (const args of yes) assert.equal(checkPredicate(...args), true, JSON.stringify(args));
  const no: Array<Parameters<typeof checkPredicate>> = [
    ['==', 200, 201],
    ['==', '200', 200],
    ['>', 'abc', 2],
    ['<', 2, undefined],
    ['startsWith', undefined, 'a'],
    ['includes', 'abc', 'd'],
    ['exists', undefined, undefined],
    ['exists', 0, undefined],
    ['isNumber', '1', undefined],
    ['isArray', {}, undefined],
  ];
  for (const args of no) assert.equal(checkPredicate(...args), false, JSON.stringify(args));
});

test('hashes compare base64 digests; the whole body hashes its bytes', () => {
  const bytes = Buffer.from([0xff, 0x00, 0x41]);
  const b64 = (alg: string, data: Buffer | string) => createHash(alg).update(data).digest('base64');
  assert.equal(checkPredicate('sha256', 'ignored', b64('sha256', bytes), bytes), true);
  assert.equal(checkPredicate('sha512', 'text', b64('sha512', 'text')), true);
  assert.equal(checkPredicate('md5', 'text', b64('md5', 'other')), false);
});

test('{{variables}} in the expected text; unknown ones are named', () => {
  assert.deepEqual(substituteExpected('{{code}}', { code: 200 }), { text: '200', unknown: [] });
  assert.deepEqual(substituteExpected('Bearer {{ token }}', { token: 'abc' }), { text: 'Bearer abc', unknown: [] });
  assert.deepEqual(substituteExpected('{{nope}}', {}), { text: '{{nope}}', unknown: ['nope'] });
});

// ---- evaluation on the host
const noSandbox: AssertionSandbox = {
  evaluate: () => Promise.reject(new Error('this assertion should not need the sandbox')),
};

function response(over: Partial<SandboxResponse> = {}): SandboxResponse {
  return {
    status: 200,
    statusText: 'OK',
    httpVersion: '1.1',
    headers: [
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Set-Cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
      ['X-Dup', 'one'],
      ['x-dup', 'two'],
    ],
    bodyText: '{"id": 7, "form": {"email": "a@b"}, "links": [1, 2], "active": true, "slides": [{"title": "T"}]}',
    mimeType: 'application/json',
    charset: 'utf-8',
    isJson: true,
    durationMs: 42,
    timings: { firstByte: 5 },
    stream: null,
    ...over,
  };
}

async function check(line: string, over: Partial<SandboxResponse> = {}, variables = {}) {
  return evaluateHttpYacAssertion(parsed(line), { response: response(over), variables, sandbox: noSandbox, line: 12, column: 1 });
}

test('status, header, duration and body targets pass and fail without running code', async () => {
  const passing = [
    '?? status == 200',
    '?? status startsWith 2',
    '?? header content-type includes json',
    '?? header Content-Type == application/json; charset=utf-8',
    '?? header x-dup == one, two',
    '?? header set-cookie includes b=2',
    '?? header range isFalse',
    '?? duration < 500',
    '?? duration firstByte <= 5',
    '?? body includes "form"',
    '?? body $.id exists',
    '?? body $.id == 7',
    '?? body $.links isArray',
    '?? body $.links[*] includes 2',
    '?? body form.email == a@b',
    '?? body slides[0].title == T',
    '?? body active isBoolean',
    '?? body links.length == 2',
    '?? status == {{expected}}',
  ];
  for (const line of passing) {
    const { test: t, error } = await check(line, {}, { expected: 200 });
    assert.equal(error, undefined, line);
    assert.equal(t.passed, true, `${line}: ${t.message}`);
    assert.equal(t.line, 12);
  }
});

test('a failure says what was found and carries expected / actual', async () => {
  const { test: t } = await check('?? status == 201');
  assert.equal(t.passed, false);
  assert.equal(t.message, 'status (200) == 201');
  assert.equal(t.expected, '201');
  assert.equal(t.actual, '200');
  const missing = await check('?? header x-none exists');
  assert.equal(missing.test.message, 'x-none (undefined) exists');
  assert.equal(missing.test.expected, undefined);
});

test('what cannot be read fails with a reason, never passes', async () => {
  const notJson = await check('?? body $.id exists', { bodyText: '<html>', mimeType: 'text/html', isJson: false });
  assert.equal(notJson.test.passed, false);
  assert.match(notJson.test.message!, /The body is not JSON \(text\/html\)/);
  const filter = await check('?? body $.links[?(@ > 1)] exists');
  assert.equal(filter.error?.code, 'UNSUPPORTED');
  assert.match(filter.test.message!, /Filter expressions/);
  const noDuration = await check('?? duration < 500', { durationMs: null, timings: {} });
  assert.equal(noDuration.test.passed, false);
  assert.match(noDuration.test.message!, /duration of this exchange is not known/);
  const noStep = await check('?? duration tls < 5');
  assert.match(noStep.test.message!, /tls timing of this exchange is not known/);
  const badStep = await check('?? duration dns < 5');
  assert.match(badStep.test.message!, /Unknown duration step "dns"/);
  const unknownVariable = await check('?? status == {{code}}');
  assert.equal(unknownVariable.test.passed, false);
  assert.match(unknownVariable.test.message!, /Unknown variable \{\{code\}\}/);
});
