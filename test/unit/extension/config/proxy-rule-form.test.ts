// The answers of Add / Edit Proxy Rule… made into rules of wireplay.proxy.rules,
// and where they are written. Every rule the form builds goes through the
// proxy's own compileRules (a rule the form accepts is one the proxy takes);
// the boxes' messages are the proxy's; the body box's escapes round-trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileRules, matchRule } from '../../../../server-core/proxy/rules.js';
import {
  addTarget,
  bodyInputOf,
  buildRule,
  checkPathInput,
  effectsOf,
  idsOf,
  newRuleId,
  parseBodyInput,
  parseEffectNumber,
  pathInputOf,
  ruleLocation,
  scopeInForce,
  splitPathInput,
  withoutRule,
  withRule,
} from '../../../../extension/config/proxy-rule-form.js';

test('the path box: a pattern, or a method then a pattern; refused with the proxy’s own words', () => {
  assert.deepEqual(splitPathInput('/api/**'), { path: '/api/**' });
  assert.deepEqual(splitPathInput('  GET /search '), { method: 'GET', path: '/search' });
  assert.equal(checkPathInput('/api/**'), undefined);
  assert.equal(checkPathInput('GET /search'), undefined);
  assert.equal(checkPathInput('api/**'), 'Path must be a pattern starting with /.');
  assert.equal(checkPathInput('G(T /x'), 'Path must be a pattern starting with /.');
  assert.equal(checkPathInput('GET search'), 'Path must be a pattern starting with /.');
  assert.match(checkPathInput('   ') ?? '', /^Type a path pattern/);
  assert.equal(pathInputOf({ path: '/a', method: 'POST' }), 'POST /a');
  assert.equal(pathInputOf({ path: '/a' }), '/a');
});

test('the number boxes: digits only, in the bounds compileRules sets', () => {
  assert.deepEqual(parseEffectNumber('respond', '503'), { value: 503 });
  assert.deepEqual(parseEffectNumber('respond', '199'), { error: 'Respond.status must be a final status, 200 to 599.' });
  assert.deepEqual(parseEffectNumber('respond', 'abc'), { error: 'Type a status code, 200 to 599.' });
  assert.deepEqual(parseEffectNumber('latencyMs', '2000'), { value: 2000 });
  assert.deepEqual(parseEffectNumber('latencyMs', '600001'), { error: 'LatencyMs must be an integer from 0 to 600000.' });
  assert.deepEqual(parseEffectNumber('latencyMs', '1.5'), { error: 'Type a whole number (digits only).' });
  assert.deepEqual(parseEffectNumber('latencyMs', '-1'), { error: 'Type a whole number (digits only).' });
  assert.deepEqual(parseEffectNumber('bytesPerSecond', '0'), { error: 'BytesPerSecond must be an integer from 1 to 9007199254740991.' });
  assert.deepEqual(parseEffectNumber('dropAfterBytes', '0'), { value: 0 });
  assert.deepEqual(parseEffectNumber('dropAfterBytes', ' 300 '), { value: 300 });
});

test('the body box: JSON-like escapes, an unknown one refused; bodyInputOf is its inverse', () => {
  assert.deepEqual(parseBodyInput('down for maintenance\\n'), { value: 'down for maintenance\n' });
  assert.deepEqual(parseBodyInput('a\\tb\\\\c\\u00e9"q"'), { value: 'a\tb\\c\u00e9"q"' });
  assert.deepEqual(parseBodyInput('C:\\x'), { error: 'Unknown escape \\x at character 3: use \\n, \\r, \\t, \\\\ or \\uXXXX.' });
  assert.deepEqual(parseBodyInput('end\\'), { error: 'Unknown escape \\ at character 4: use \\n, \\r, \\t, \\\\ or \\uXXXX.' });
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (body) => {
      const shown = bodyInputOf(body);
      assert.ok(!/[\r\n]/.test(shown), 'one line');
      assert.deepEqual(parseBodyInput(shown), { value: body });
    }),
  );
});

test('buildRule: the answered effects only, in the format the proxy takes; an edit keeps id, enabled and contentType', () => {
  const rule = buildRule({ path: '/api/**', respond: { status: 503, body: 'down\n' } }, ['teapot']);
  assert.deepEqual(rule, { id: 'api-503', path: '/api/**', respond: { status: 503, body: 'down\n' } });
  const [compiled] = compileRules([rule]);
  assert.equal(matchRule([compiled], 'GET', '/api/items?x=1'), rule);

  const combined = buildRule({ path: '/files/*', method: 'GET', latencyMs: 100, bytesPerSecond: 2000, dropAfterBytes: 300 }, []);
  assert.deepEqual(combined, { id: 'get-files-drop', path: '/files/*', method: 'GET', latencyMs: 100, bytesPerSecond: 2000, dropAfterBytes: 300 });
  assert.doesNotThrow(() => compileRules([combined]));

  const base = { id: 'keep', enabled: false, path: '/old', latencyMs: 5, respond: { status: 500, body: 'x', contentType: 'application/json' } };
  assert.deepEqual(effectsOf(base), ['respond', 'latencyMs']);
  assert.deepEqual(buildRule({ path: '/new', respond: { status: 502 } }, [], base), { id: 'keep', enabled: false, path: '/new', respond: { status: 502, contentType: 'application/json' } });
  // An empty body is no body.
  assert.deepEqual(buildRule({ path: '/x', respond: { status: 204, body: '' } }, []).respond, { status: 204 });
});

test('newRuleId: words of the path and the effect, made unique; every generated rule set is one the proxy takes', () => {
  assert.equal(newRuleId({ path: '/', latencyMs: 1 }, []), 'root-latency');
  assert.equal(newRuleId({ path: '/api/**', respond: { status: 503 } }, ['api-503', 'api-503-2']), 'api-503-3');
  assert.equal(newRuleId({ path: '/search', bytesPerSecond: 10 }, []), 'search-throttle');
  const answers = fc.record(
    {
      path: fc.stringMatching(/^\/[a-z*/.-]{0,12}$/),
      method: fc.constantFrom('GET', 'POST', 'PATCH'),
      latencyMs: fc.integer({ min: 0, max: 600_000 }),
      bytesPerSecond: fc.integer({ min: 1, max: 1e9 }),
      dropAfterBytes: fc.nat(),
      respond: fc.record({ status: fc.integer({ min: 200, max: 599 }), body: fc.string() }, { requiredKeys: ['status'] }),
    },
    { requiredKeys: ['path'] },
  );
  fc.assert(
    fc.property(fc.array(answers, { maxLength: 8 }), (all) => {
      let list: unknown[] = [];
      for (const a of all) list = withRule(list, buildRule(a, idsOf(list)));
      assert.equal(list.length, all.length);
      assert.doesNotThrow(() => compileRules(list as never));
    }),
  );
});

test('withRule / withoutRule: in place by id, appended otherwise; the other entries untouched', () => {
  const list = [{ id: 'a', path: '/a' }, 'not a rule', { id: 'b', path: '/b' }];
  assert.deepEqual(withRule(list, { id: 'b', path: '/bb' }), [{ id: 'a', path: '/a' }, 'not a rule', { id: 'b', path: '/bb' }]);
  assert.deepEqual(withRule(list, { id: 'c', path: '/c' }), [...list, { id: 'c', path: '/c' }]);
  assert.deepEqual(withoutRule(list, 'a'), ['not a rule', { id: 'b', path: '/b' }]);
  assert.deepEqual(idsOf(list), ['a', 'b']);
});

test('scopes: the most specific list is in force; Add writes the workspace when a folder is open, copying the user’s list when the workspace has none', () => {
  const user = [{ id: 'u', path: '/u' }];
  const ws = [{ id: 'w', path: '/w' }];
  assert.equal(scopeInForce({}), 'default');
  assert.equal(scopeInForce({ globalValue: user, workspaceValue: ws }), 'workspace');
  assert.equal(scopeInForce({ globalValue: user, workspaceValue: ws, workspaceFolderValue: [] }), 'workspaceFolder');

  assert.deepEqual(addTarget({}, true), { scope: 'workspace', list: [] });
  assert.deepEqual(addTarget({}, false), { scope: 'user', list: [] });
  assert.deepEqual(addTarget({ globalValue: user }, false), { scope: 'user', list: user });
  assert.deepEqual(addTarget({ globalValue: user }, true), { scope: 'workspace', list: user, copiedFrom: 'user' });
  assert.deepEqual(addTarget({ globalValue: user, workspaceValue: ws }, true), { scope: 'workspace', list: ws });
  assert.deepEqual(addTarget({ workspaceFolderValue: ws }, true), { blockedBy: 'workspaceFolder' });

  assert.deepEqual(ruleLocation({ globalValue: user, workspaceValue: ws }, 'w'), { scope: 'workspace', list: ws, rule: ws[0] });
  assert.deepEqual(ruleLocation({ globalValue: user }, 'u'), { scope: 'user', list: user, rule: user[0] });
  // A user rule hidden by the workspace's list is not in force: not what a row shows.
  assert.deepEqual(ruleLocation({ globalValue: user, workspaceValue: ws }, 'u'), { missing: true });
  assert.deepEqual(ruleLocation({ workspaceFolderValue: ws }, 'w'), { notWritable: 'workspaceFolder' });
});
