import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Emitter } from '../../../../server-core/util/emitter.js';
import type { CaptureEvents } from '../../../../server-core/capture/types.js';
import type { QueueEvent } from '../../../../server-core/server/scheduler.js';
import { readSettings, type WireplaySettings } from '../../../../extension/config/settings-model.js';
import type { ServerFactory, ServerHandle, ServerStartOptions } from '../../../../extension/server/server-api.js';
import { ServerController, type ControllerEnvironment } from '../../../../extension/server/server-controller.js';

/** A server that never touches a socket: listen() succeeds or fails as told. */
function fakeFactory(behaviour: { fail?: string; routeProblems?: string[] } = {}) {
  const created: { options: ServerStartOptions; handle: ServerHandle; capture: Emitter<CaptureEvents>; queue: Emitter<{ job: QueueEvent }>; closed: boolean; mode: string; reloads?: number }[] = [];
  const factory: ServerFactory = async (options) => {
    const capture = new Emitter<CaptureEvents>();
    const queue = new Emitter<{ job: QueueEvent }>();
    const entry = { options, capture, queue, closed: false, mode: options.mode } as (typeof created)[number];
    entry.handle = {
      listen: async () => {
        if (behaviour.fail) throw Object.assign(new Error(behaviour.fail), { code: behaviour.fail });
        const port = options.port || 40000 + created.length;
        return { host: options.host, port, url: `http://${options.host}:${port}` };
      },
      close: async () => {
        entry.closed = true;
      },
      setMode: (m) => {
        entry.mode = m;
      },
      onCapture: (e, l) => capture.on(e, l),
      onQueue: (l) => queue.on('job', l),
      onExchange: () => ({ dispose() {} }),
      routes: () => [{ method: 'GET', path: '/', source: 'built-in' }],
      onRoutesChanged: () => ({ dispose() {} }),
      openConnections: () => 0,
      reloadRoutes: async () => {
        entry.reloads = (entry.reloads ?? 0) + 1;
        return behaviour.routeProblems ?? [];
      },
    };
    created.push(entry);
    return entry.handle;
  };
  return { factory, created };
}

function env(over: Partial<WireplaySettings> = {}, folder?: string, trusted = true) {
  const warnings: string[] = [];
  const e: ControllerEnvironment = {
    settings: () => ({ ...readSettings(() => undefined), ...over }),
    workspaceFolder: () => folder,
    isTrusted: () => trusted,
    warnOnce: (_k, m) => warnings.push(m),
  };
  return { env: e, warnings };
}

const log = { info() {}, warn() {}, error() {} };

test('start, already running, stop: states and the handle closed', async () => {
  const { factory, created } = fakeFactory();
  const folder = mkdtempSync(join(tmpdir(), 'wp-ctl-'));
  const c = new ServerController(factory, env({}, folder).env, log);
  const states: string[] = [];
  c.onState((s) => states.push(s));
  const r = await c.start();
  assert.equal(r.ok, true);
  assert.equal(c.state, 'running');
  assert.equal(created[0].options.staticRoot, folder);
  assert.equal(created[0].options.host, '127.0.0.1');
  const again = await c.start();
  assert.equal(again.ok && again.alreadyRunning, true);
  assert.equal(created.length, 1);
  assert.equal(await c.stop(), true);
  assert.equal(created[0].closed, true);
  assert.deepEqual(states, ['starting', 'running', 'stopping', 'stopped']);
  assert.equal(await c.stop(), false, 'stopping twice says so');
  await c.dispose();
  rmSync(folder, { recursive: true, force: true });
});

test('a taken port is reported as portInUse with the port', async () => {
  const { factory } = fakeFactory({ fail: 'EADDRINUSE' });
  const c = new ServerController(factory, env({ port: 8080 }).env, log);
  const r = await c.start();
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'portInUse');
  assert.equal(!r.ok && r.reason === 'portInUse' && r.port, 8080);
  assert.equal(c.state, 'failed');
  await c.dispose();
});

test('no workspace: a temporary static root, and a note that says so', async () => {
  const { factory, created } = fakeFactory();
  const c = new ServerController(factory, env().env, log);
  const r = await c.start();
  assert.ok(r.ok);
  assert.match(r.notes.join(' '), /No folder is open/);
  assert.match(created[0].options.staticRoot, /wireplay-root-/);
  assert.ok(c.view().notices.length > 0);
  await c.dispose();
});

test('a non-loopback host warns; the mode switches live', async () => {
  const { factory, created } = fakeFactory();
  const e = env({ host: '0.0.0.0' }, tmpdir());
  const c = new ServerController(factory, e.env, log);
  await c.start();
  assert.equal(e.warnings.length, 1);
  c.setMode('sequential');
  assert.equal(created[0].mode, 'sequential');
  assert.equal(c.view().mode, 'sequential');
  await c.dispose();
});

test('untrusted workspace: a .mjs routes file is not loaded, and the view says why; JSON is', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'wp-ctl-'));
  writeFileSync(join(folder, 'wireplay.routes.mjs'), 'export default {}');
  const { factory, created } = fakeFactory();
  const c = new ServerController(factory, env({}, folder, false).env, log);
  await c.start();
  assert.equal(created[0].options.allowCodeRoutes, false);
  assert.match(c.routesView().problem ?? '', /not trusted/);
  await c.dispose();
  rmSync(join(folder, 'wireplay.routes.mjs'));
  writeFileSync(join(folder, 'wireplay.routes.json'), '{}');
  const d = new ServerController(factory, env({}, folder, false).env, log);
  await d.start();
  assert.equal(created[1].options.routesFile, join(folder, 'wireplay.routes.json'));
  assert.equal(d.routesView().problem, undefined);
  await d.dispose();
  rmSync(folder, { recursive: true, force: true });
});

test('capture events feed the traffic model; dispose closes and refuses new starts', async () => {
  const { factory, created } = fakeFactory();
  const c = new ServerController(factory, env({}, tmpdir()).env, log);
  await c.start();
  created[0].capture.emit('open', {
    connectionId: 'x', side: 'server', protocol: 'http', tls: false,
    local: { address: '127.0.0.1', port: 1 }, remote: { address: '127.0.0.1', port: 2 }, t: 0, wallTime: 0,
  });
  assert.equal(c.openConnections, 1);
  await c.dispose();
  assert.equal(created[0].closed, true);
  assert.equal(c.openConnections, 0);
  const r = await c.start();
  assert.equal(r.ok, false);
});

test('a new wireplay.capture.maxBytes applies to the running capture at once', async () => {
  const { factory, created } = fakeFactory();
  const c = new ServerController(factory, env({ captureMaxBytes: 1 << 20 }, tmpdir()).env, log);
  await c.start();
  created[0].capture.emit('open', {
    connectionId: 'x', side: 'server', protocol: 'http', tls: false,
    local: { address: '127.0.0.1', port: 1 }, remote: { address: '127.0.0.1', port: 2 }, t: 0, wallTime: 0,
  });
  created[0].capture.emit('chunk', { connectionId: 'x', dir: 'c2s', t: 1, bytes: Buffer.alloc(4096, 1) });
  created[0].capture.emit('chunk', { connectionId: 'x', dir: 'c2s', t: 2, bytes: Buffer.alloc(4096, 2) });
  assert.equal(c.store!.getConnection('x')!.stats.droppedBytes, 0);
  c.setCaptureMaxBytes(5000);
  assert.equal(c.store!.maxBytes, 5000);
  assert.ok(c.store!.totalBytes <= 5000, `within the new cap (${c.store!.totalBytes})`);
  assert.ok(c.store!.getConnection('x')!.stats.droppedBytes > 0, 'the oldest bytes went at once');
  await c.dispose();
});

test("the window's capture store keeps the bytes and dissects nothing (the playground dissects its own copy)", async () => {
  const { factory, created } = fakeFactory();
  const c = new ServerController(factory, env({}, tmpdir()).env, log);
  await c.start();
  created[0].capture.emit('open', {
    connectionId: 'x', side: 'server', protocol: 'http', tls: false,
    local: { address: '127.0.0.1', port: 1 }, remote: { address: '127.0.0.1', port: 2 }, t: 0, wallTime: 0,
  });
  const request = Buffer.from('GET /a HTTP/1.1\r\nHost: h\r\n\r\n');
  created[0].capture.emit('chunk', { connectionId: 'x', dir: 'c2s', t: 1, bytes: request });
  const heard: unknown[] = [];
  c.store!.events.on('message', (m) => heard.push(m));
  created[0].capture.emit('chunk', { connectionId: 'x', dir: 'c2s', t: 2, bytes: request });
  assert.deepEqual(c.store!.messages('x'), []);
  assert.deepEqual(heard, []);
  const kept = c.store!.connection('x')!.entries.map((e) => (e.kind === 'data' ? e.bytes.toString('latin1') : ''));
  assert.deepEqual(kept, [request.toString('latin1'), request.toString('latin1')]);
  await c.dispose();
});

test('connection ids stay unique across restarts', async () => {
  const { factory, created } = fakeFactory();
  const c = new ServerController(factory, env({}, tmpdir()).env, log);
  const seen: string[] = [];
  c.capture.on('open', (e) => seen.push(e.connectionId));
  const opened = (i: number) =>
    created[i].capture.emit('open', {
      connectionId: 'srv-1', side: 'server', protocol: 'http', tls: false,
      local: { address: '127.0.0.1', port: 1 }, remote: { address: '127.0.0.1', port: 2 }, t: 0, wallTime: 0,
    });
  await c.start();
  opened(0);
  await c.restart();
  opened(1);
  assert.deepEqual(seen, ['srv-1', 'srv-1@2']);
  assert.deepEqual(c.traffic.connectionRows().map((r) => r.id), ['srv-1', 'srv-1@2']);
  // Chunks, the close and a request event after the close keep the renamed id.
  const later: string[] = [];
  c.capture.on('chunk', (e) => later.push(`chunk ${e.connectionId}`));
  c.capture.on('close', (e) => later.push(`close ${e.connectionId}`));
  created[1].capture.emit('chunk', { connectionId: 'srv-1', dir: 'c2s', t: 1, bytes: Buffer.from('GET / HTTP/1.1\r\n\r\n') });
  created[1].capture.emit('chunk', { connectionId: 'srv-1', dir: 's2c', t: 2, bytes: Buffer.from('HTTP/1.1 200 OK\r\n\r\n') });
  created[1].capture.emit('close', { connectionId: 'srv-1', t: 3 });
  created[1].capture.emit('chunk', { connectionId: 'srv-1', dir: 's2c', t: 4, bytes: Buffer.from('x') });
  assert.deepEqual(later, ['chunk srv-1@2', 'chunk srv-1@2', 'close srv-1@2', 'chunk srv-1@2']);
  const row = c.traffic.connectionRows().find((r) => r.id === 'srv-1@2')!;
  assert.equal(row.bytesIn, 18);
  assert.ok(row.closedAt !== undefined);
  await c.dispose();
});

test('queue events are relayed for the playground with the same connection ids as the capture', async () => {
  const { factory, created } = fakeFactory();
  const c = new ServerController(factory, env({}, tmpdir()).env, log);
  const seen: string[] = [];
  c.queue.on('job', (e) => seen.push(`${e.type} ${e.connectionId}#${e.index}`));
  const job = (i: number, type: QueueEvent['type']) =>
    created[i].queue.emit('job', { type, connectionId: 'srv-1', index: 1, method: 'GET', target: '/', queuedAt: 1, position: 0, queueLength: 0, mode: 'sequential' });
  await c.start();
  job(0, 'queued');
  await c.restart();
  job(0, 'finished');
  job(1, 'started');
  assert.deepEqual(seen, ['queued srv-1#1', 'started srv-1@2#1'], 'the stopped server is no longer heard; the second one is renamed');
  await c.dispose();
});

test('reloadRoutes: the running server reloads and reports its problems; no server, nothing to reload', async () => {
  const { factory, created } = fakeFactory({ routeProblems: ['wireplay.routes.json:1:40: trailing comma before ]'] });
  const c = new ServerController(factory, env().env, log);
  assert.equal(await c.reloadRoutes(), undefined, 'not running');
  await c.start();
  assert.deepEqual(await c.reloadRoutes(), ['wireplay.routes.json:1:40: trailing comma before ]']);
  assert.equal(created[0].reloads, 1);
  await c.stop();
  assert.equal(await c.reloadRoutes(), undefined);
  await c.dispose();
});
