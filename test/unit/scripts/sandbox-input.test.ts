// What the sandbox is given: content types read, bodies decoded with their
// charset, JSON decided from the type, and malformed jobs refused with the
// first problem named (BAD_INPUT) instead of being half-run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BadScriptInput,
  checkJob,
  decodeBody,
  headerValues,
  isJsonMimeType,
  parseContentType,
  prepareSandboxInput,
} from '../../../server-core/scripts/sandbox-input.js';
import type { ScriptJob } from '../../../server-core/scripts/types.js';

const limits = { maxLogBytes: 1000, maxTests: 10, maxEvents: 100 };

test('content types', () => {
  assert.deepEqual(parseContentType('Application/JSON; Charset="UTF-8"'), { mimeType: 'application/json', charset: 'utf-8' });
  assert.deepEqual(parseContentType('text/plain;format=flowed'), { mimeType: 'text/plain', charset: '' });
  assert.deepEqual(parseContentType(undefined), { mimeType: '', charset: '' });
  for (const t of ['application/json', 'text/json', 'application/problem+json', 'application/vnd.api+json']) assert.equal(isJsonMimeType(t), true, t);
  for (const t of ['text/plain', 'application/jsonl', 'application/json-seq', '']) assert.equal(isJsonMimeType(t), false, t);
});

test('header values are found case-insensitively, in order', () => {
  assert.deepEqual(headerValues([['A', '1'], ['b', '2'], ['a', '3']], 'a'), ['1', '3']);
});

test('bodies decode with their charset; an unknown one falls back to UTF-8 and says so', () => {
  assert.deepEqual(decodeBody(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'iso-8859-1'), { text: 'café', charset: 'iso-8859-1' });
  assert.deepEqual(decodeBody(Buffer.from('café'), ''), { text: 'café', charset: 'utf-8' });
  const unknown = decodeBody(Buffer.from('x'), 'klingon');
  assert.equal(unknown.text, 'x');
  assert.equal(unknown.charset, 'utf-8');
  assert.match(unknown.warning!, /charset "klingon" is not known/);
  assert.deepEqual(decodeBody(undefined, ''), { text: '', charset: 'utf-8' });
});

test('the sandbox input: raw parts default to the sent ones, JSON decided from the type', () => {
  const { data, warnings } = prepareSandboxInput(
    {
      kind: 'jetbrains-response',
      source: '',
      request: { method: 'POST', url: 'http://h/x', headers: [['A', '1']], body: 'b', raw: { url: 'http://{{host}}/x' } },
      response: { status: 201, headers: [['Content-Type', 'application/problem+json']], body: Buffer.from('{"a":1}'), durationMs: 3 },
      variables: { v: { deep: [1] } },
      environment: { host: 'h' },
    },
    'jetbrains-response',
    limits,
  );
  assert.deepEqual(warnings, []);
  assert.deepEqual(data.request, { method: 'POST', url: 'http://h/x', headers: [['A', '1']], body: 'b', raw: { url: 'http://{{host}}/x', headers: [['A', '1']], body: 'b' } });
  assert.equal(data.response!.isJson, true);
  assert.equal(data.response!.bodyText, '{"a":1}');
  assert.equal(data.response!.durationMs, 3);
  assert.equal(data.response!.stream, null);
  assert.deepEqual(data.variables, { v: { deep: [1] } });
  assert.deepEqual(JSON.parse(JSON.stringify(data)), data, 'the input is plain JSON');
});

const badJobs: Array<[what: string, job: unknown, message: RegExp]> = [
  ['unknown kind', { kind: 'postman', source: '' }, /Unknown script kind "postman"/],
  ['no source', { kind: 'httpyac-script' }, /job.source must be the script text/],
  ['negative offset', { kind: 'httpyac-script', source: '', lineOffset: -1 }, /lineOffset must be a whole number/],
  ['zero timeout', { kind: 'httpyac-script', source: '', timeoutMs: 0 }, /timeoutMs must be a positive number/],
];
for (const [what, job, message] of badJobs) {
  test(`refused job: ${what}`, () => {
    assert.throws(() => checkJob(job as ScriptJob), (e: unknown) => e instanceof BadScriptInput && e.code === 'BAD_INPUT' && message.test(e.message));
  });
}

const badInputs: Array<[what: string, job: Partial<ScriptJob>, message: RegExp]> = [
  ['response handler without response', { kind: 'jetbrains-response' }, /needs the response/],
  ['header not a pair', { request: { method: 'GET', url: 'u', headers: [['A'] as never] } }, /request.headers\[0\] must be a \[name, value\] pair/],
  ['status not a number', { response: { status: '200' as never, headers: [] } }, /status must be a whole number/],
  ['body of the wrong type', { response: { status: 200, headers: [], body: 5 as never } }, /body must be bytes/],
  ['a variable that JSON cannot carry', { variables: { f: (() => 1) as never } }, /variables.f is a function/],
  ['NaN', { globals: { n: NaN } }, /globals.n is NaN/],
  ['a class instance', { variables: { d: new Map() as never } }, /variables.d holds an object that is not plain data/],
  ['an environment value that is not text', { environment: { port: 8080 as never } }, /environment.port must be a string/],
  ['stream mode', { response: { status: 200, headers: [], stream: { mode: 'frames' as never } } }, /stream.mode must be "messages" or "lines"/],
];
for (const [what, partial, message] of badInputs) {
  test(`refused input: ${what}`, () => {
    const job = { kind: 'jetbrains-pre', source: '', ...partial } as ScriptJob;
    assert.throws(() => prepareSandboxInput(job, job.kind as 'jetbrains-pre', limits), (e: unknown) => e instanceof BadScriptInput && message.test(e.message));
  });
}
