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
