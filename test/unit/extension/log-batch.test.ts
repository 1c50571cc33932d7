// The extension's log writes request lines to the output channel in batches,
// not one channel call per request. A recording channel counts the calls; the
// server behind it is real (createServerHandle, as the extension starts it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, Agent } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatchedLog, type LogChannel } from '../../../extension/log-batch.js';
import { createServerHandle } from '../../../extension/server/core-server.js';

function recordingChannel() {
  const calls: { level: string; text: string }[] = [];
  const channel: LogChannel & { calls: typeof calls; disposed: boolean } = {
    calls,
    disposed: false,
    info: (text) => calls.push({ level: 'info', text }),
    warn: (text) => calls.push({ level: 'warn', text }),
    error: (text) => calls.push({ level: 'error', text }),
    debug: (text) => calls.push({ level: 'debug', text }),
    show: () => calls.push({ level: 'show', text: '' }),
    dispose() {
      this.disposed = true;
    },
  };
  return channel;
}

const lines = (calls: { level: string; text: string }[], level = 'info') =>
  calls.filter((c) => c.level === level).flatMap((c) => c.text.split('\n'));

test('info lines within one window go out in one channel call, in order', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const channel = recordingChannel();
  const log = createBatchedLog(channel, { windowMs: 25 });
  for (let i = 0; i < 100; i++) log.info(`line ${i}`);
  assert.equal(channel.calls.length, 0, 'nothing is written before the window ends');
  t.mock.timers.tick(25);
  assert.equal(channel.calls.length, 1);
  assert.deepEqual(lines(channel.calls), Array.from({ length: 100 }, (_, i) => `line ${i}`));
  log.info('later');
  t.mock.timers.tick(25);
  assert.equal(channel.calls.length, 2);
  assert.equal(channel.calls[1].text, 'later');
});

test('a full batch is written at once; warnings and errors keep the order of events', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const channel = recordingChannel();
  const log = createBatchedLog(channel, { windowMs: 25, maxBatch: 10 });
  for (let i = 0; i < 25; i++) log.info(`r${i}`);
  assert.equal(channel.calls.length, 2, 'two full batches of 10 written without waiting');
  log.warn('slow upstream');
  assert.deepEqual(
    channel.calls.map((c) => c.level),
    ['info', 'info', 'info', 'warn'],
    'the 5 waiting info lines go out before the warning',
  );
  log.error('boom');
  log.info('after');
  log.dispose();
  assert.deepEqual(channel.calls.map((c) => c.level), ['info', 'info', 'info', 'warn', 'error', 'info']);
  assert.equal(lines(channel.calls).length, 26);
  assert.ok(channel.disposed);
});

test('show() writes what waits before revealing the channel', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const channel = recordingChannel();
  const log = createBatchedLog(channel);
  log.info('a');
  log.show();
  assert.deepEqual(channel.calls.map((c) => c.level), ['info', 'show']);
});

test('N requests to the real server cost one channel write, not N', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'wireplay-log-batch-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const channel = recordingChannel();
  // A window longer than the test: only the batch size or an explicit flush writes.
  const log = createBatchedLog(channel, { windowMs: 600_000, maxBatch: 512 });
  const handle = await createServerHandle(
    {
      host: '127.0.0.1',
      port: 0,
      mode: 'concurrent',
      staticRoot: root,
      allowCodeRoutes: false,
      routesLimits: {} as never,
      limits: {},
      wsMaxMessageBytes: 1024 * 1024,
    },
    log,
  );
  const { port } = await handle.listen();
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  t.after(async () => {
    agent.destroy();
    await handle.close();
  });
  const N = 200;
  const get = () =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/echo?x=1', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  const statuses = await Promise.all(Array.from({ length: N }, get));
  assert.equal(statuses.length, N);
  // The server logs a request after its response went out: wait (bounded) until all N lines wait in the batch.
  const deadline = Date.now() + 5000;
  while (log.waiting < N) {
    if (Date.now() > deadline) assert.fail(`only ${log.waiting} of ${N} request lines reached the log (channel calls: ${channel.calls.length})`);
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(channel.calls.length, 0, 'no channel write while the batch fills');
  log.flush();
  assert.equal(lines(channel.calls).filter((l) => l.includes('GET /echo')).length, N);
  const infoCalls = channel.calls.filter((c) => c.level === 'info').length;
  assert.equal(infoCalls, 1, `${N} requests took ${infoCalls} channel writes (one per request would be ${N})`);
});
