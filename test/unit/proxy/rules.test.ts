// The rule matcher and validation, pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePathPattern, compileRules, matchRule, pathOfTarget, ProxyRuleError } from '../../../server-core/proxy/rules.js';

test('path patterns: literal, * within a segment, ** across segments', () => {
  const cases: [string, string, boolean][] = [
    ['/health', '/health', true],
    ['/health', '/healthz', false],
    ['/items/*', '/items/1', true],
    ['/items/*', '/items/1/parts', false],
    ['/items/*', '/items/', true],
    ['/api/**', '/api', true],
    ['/api/**', '/api/', true],
    ['/api/**', '/api/a/b/c', true],
    ['/api/**', '/apix', false],
    ['/**/edit', '/a/b/edit', true],
    ['/*.json', '/data.json', true],
    ['/*.json', '/dataxjson', false],
    ['/a+b', '/a+b', true],
    ['/a+b', '/aab', false],
  ];
  for (const [pattern, path, expected] of cases) assert.equal(compilePathPattern(pattern)(path), expected, `${pattern} ~ ${path}`);
});

test('the path of a request target: query dropped, absolute form reduced to its path', () => {
  assert.equal(pathOfTarget('/a/b?x=1'), '/a/b');
  assert.equal(pathOfTarget('http://h:1/a?b'), '/a');
  assert.equal(pathOfTarget('http://h:1'), '/');
  assert.equal(pathOfTarget('*'), '');
  assert.equal(pathOfTarget('h:443'), '');
});

test('the first enabled matching rule wins; method filters; disabled rules are skipped', () => {
  const rules = compileRules([
    { id: 'off', enabled: false, path: '/**', respond: { status: 500 } },
    { id: 'post', path: '/items/*', method: 'POST', latencyMs: 10 },
    { id: 'any', path: '/items/**', bytesPerSecond: 100 },
  ]);
  assert.equal(matchRule(rules, 'POST', '/items/1?x')?.id, 'post');
  assert.equal(matchRule(rules, 'GET', '/items/1')?.id, 'any');
  assert.equal(matchRule(rules, 'GET', '/other'), undefined);
  assert.equal(matchRule([], 'GET', '/'), undefined);
});

test('bad rules are refused with the rule and the field named', () => {
  const bad: [unknown, RegExp][] = [
    [{ path: '/a' }, /rule 1: needs an id/],
    [{ id: 'a', path: 'a' }, /rule 1 \(a\): path must be a pattern starting with \//],
    [{ id: 'a', path: '/a', method: 'G T' }, /method "G T" is not a method/],
    [{ id: 'a', path: '/a', latencyMs: -1 }, /latencyMs must be an integer/],
    [{ id: 'a', path: '/a', bytesPerSecond: 0 }, /bytesPerSecond must be an integer from 1/],
    [{ id: 'a', path: '/a', dropAfterBytes: 1.5 }, /dropAfterBytes/],
    [{ id: 'a', path: '/a', respond: { status: 101 } }, /respond.status must be a final status/],
    [{ id: 'a', path: '/a', respond: { status: 200, contentType: 'a\r\nb' } }, /contentType must be one line/],
  ];
  for (const [rule, message] of bad) assert.throws(() => compileRules([rule as never]), (err: Error) => err instanceof ProxyRuleError && message.test(err.message), String(message));
  assert.throws(() => compileRules([{ id: 'x', path: '/' }, { id: 'x', path: '/' }]), /rule 2 \(x\): the id x is used twice/);
});
