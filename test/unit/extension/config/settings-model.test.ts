import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopback, needsRestart, readSettings } from '../../../../extension/config/settings-model.js';

test('defaults when nothing is set', () => {
  const s = readSettings(() => undefined);
  assert.equal(s.host, '127.0.0.1');
  assert.equal(s.port, 0);
  assert.equal(s.mode, 'concurrent');
  assert.equal(s.staticRoot, '');
  assert.equal(s.autoStart, false);
  assert.equal(s.captureMaxBytes, 64 * 1024 * 1024);
  assert.equal(s.wsMaxMessageBytes, 64 * 1024 * 1024);
  assert.deepEqual(s.limits, {});
});

test('reads and validates each value', () => {
  const values: Record<string, unknown> = {
    host: ' 0.0.0.0 ',
    port: 8080,
    mode: 'sequential',
    'limits.maxHeaderBytes': 4096,
    'limits.maxConnections': -1,
    'limits.keepAliveTimeout': 'soon',
    environments: { dev: { host: 'x', n: 1 }, bad: 'no' },
  };
  const s = readSettings((k) => values[k]);
  assert.equal(s.host, '0.0.0.0');
  assert.equal(s.port, 8080);
  assert.equal(s.mode, 'sequential');
  assert.deepEqual(s.limits, { maxHeaderBytes: 4096 });
  assert.deepEqual(s.environments, { dev: { host: 'x' } });
  assert.equal(readSettings((k) => (k === 'port' ? 70000 : undefined)).port, 0);
  assert.equal(readSettings((k) => (k === 'port' ? 1.5 : undefined)).port, 0);
  assert.equal(readSettings((k) => (k === 'mode' ? 'parallel' : undefined)).mode, 'concurrent');
});

test('loopback hosts need no warning', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) assert.equal(isLoopback(h), true, h);
  for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com']) assert.equal(isLoopback(h), false, h);
});

test('the mode applies live; listener settings need a restart', () => {
  assert.deepEqual(needsRestart((k) => k === 'mode'), []);
  assert.deepEqual(needsRestart((k) => k === 'port' || k === 'limits.maxBodyBytes'), ['port', 'limits.maxBodyBytes']);
});

test('wireplay.routes.*: the size cap and the handler time limit, applied at the next start', () => {
  assert.deepEqual(readSettings(() => undefined).routesLimits, {}, "unset: server-core's defaults");
  const values: Record<string, unknown> = { 'routes.maxFileBytes': 1_000_000, 'routes.handlerTimeoutMs': 2500.7 };
  assert.deepEqual(readSettings((k) => values[k]).routesLimits, { maxFileBytes: 1_000_000, handlerTimeoutMs: 2500 });
  assert.deepEqual(readSettings((k) => (k === 'routes.maxFileBytes' ? -5 : k === 'routes.handlerTimeoutMs' ? 'soon' : undefined)).routesLimits, {});
  assert.deepEqual(needsRestart((k) => k === 'routes.maxFileBytes' || k === 'routes.handlerTimeoutMs'), ['routes.maxFileBytes', 'routes.handlerTimeoutMs']);
});

test('wireplay.proxy.*: the target as written (trimmed), a port in range or 0; neither asks the server to restart', () => {
  const defaults = { target: '', port: 0, insecure: false, passMalformed: false, timeoutMs: 30_000, rewriteHost: false, xForwarded: false, rules: [] };
  assert.deepEqual(readSettings(() => undefined).proxy, defaults);
  const rules = [{ id: 'x', path: '/a', latencyMs: 5 }];
  const values: Record<string, unknown> = { 'proxy.target': ' http://127.0.0.1:3000 ', 'proxy.port': 8899, 'proxy.insecure': true, 'proxy.timeoutMs': 0, 'proxy.rules': rules };
  assert.deepEqual(readSettings((k) => values[k]).proxy, { ...defaults, target: 'http://127.0.0.1:3000', port: 8899, insecure: true, timeoutMs: 0, rules });
  assert.deepEqual(readSettings((k) => (k === 'proxy.rules' ? { not: 'a list' } : undefined)).proxy.rules, [], 'not a list: none (the schema says so in the editor)');
  assert.equal(readSettings((k) => (k === 'proxy.timeoutMs' ? -1 : undefined)).proxy.timeoutMs, 30_000);
  assert.equal(readSettings((k) => (k === 'proxy.port' ? 70000 : undefined)).proxy.port, 0);
  assert.deepEqual(needsRestart((k) => k.startsWith('proxy')), []);
});
