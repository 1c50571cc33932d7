// The playground controller forwarding a real Wireplay server's queue: the
// scheduler's events reach the UI as queue.jobs (batched), mode switches as
// server.mode, and init carries the recent jobs for a UI that opens later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlaygroundController, type PlaygroundControllerOptions } from '../../../server-core/playground/controller.js';
import { serverQueueOf } from '../../../server-core/playground/queue-jobs.js';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import type { QueueJob, ToWebview } from '../../../server-core/protocol/playground.js';
import { logMessages } from './message-log.js';

type Msg<T extends ToWebview['type']> = Extract<ToWebview, { type: T }>;

async function harness(t: { after(fn: () => unknown): void }, mode: 'sequential' | 'concurrent', over: Partial<PlaygroundControllerOptions> = {}) {
  const server: WireplayServer = createWireplayServer({ host: '127.0.0.1', port: 0, mode });
  const base = (await server.listen()).url;
  const controller = new PlaygroundController({ serverUrl: () => base, serverCapture: server.capture, serverQueue: serverQueueOf(server), flushIntervalMs: 1, ...over });
  t.after(async () => {
    controller.dispose();
    await server.close();
  });
const { seen, until } = logMessages(controller, t);
  const all = <T extends ToWebview['type']>(type: T) => seen.filter((m): m is Msg<T> => m.type === type);
  /** The latest state of every job pushed so far, by connection#index. */
  const jobs = () => {
    const out = new Map<string, QueueJob>();
    for (const m of all('queue.jobs')) for (const j of m.jobs) out.set(`${j.connectionId}#${j.index}`, j);
    return [...out.values()];
  };
  const send = (reqId: string, path: string) => controller.receive({ type: 'http.send', reqId, spec: { method: 'GET', url: `${base}${path}`, headers: [], body: { kind: 'none' } } });
  return { server, controller, seen, until, all, jobs, send };
}

test('sequential: two /delay/300 on two connections are forwarded as queue jobs; the second starts after the first finished', { timeout: 20_000 }, async (t) => {
  const h = await harness(t, 'sequential');
  await Promise.all([h.send('a', '/delay/300?a'), h.send('b', '/delay/300?b')]);
  const done = () => h.jobs().filter((j) => j.target.startsWith('/delay/300') && j.finishedAt !== undefined);
  await h.until(() => done().length === 2, 'both requests finished in the queue jobs');
  const [first, second] = done().sort((x, y) => x.startedAt! - y.startedAt!);
  assert.notEqual(first.connectionId, second.connectionId, 'two connections');
  assert.equal(first.index, 1);
  assert.equal(second.index, 1);
  assert.ok(second.startedAt! >= first.finishedAt!, `second started ${second.startedAt} after the first finished ${first.finishedAt}`);
  assert.equal(second.waitedBehind, 0, 'the second was queued behind the one being handled');
  assert.equal(first.waitedBehind, undefined, 'the first started at once');
  assert.ok(second.queuedAt < first.finishedAt!, 'it was queued while the first ran');
  assert.deepEqual([first.mode, second.mode], ['sequential', 'sequential']);
  // The queued state itself was pushed before the job finished (batched pushes: at least one with no startedAt).
  assert.ok(
    h.all('queue.jobs').some((m) => m.jobs.some((j) => j.connectionId === second.connectionId && j.startedAt === undefined)),
    'a queued job was seen while it waited',
  );
  // Each push carries the host clock, so the UI can extend unfinished bars.
  assert.ok(h.all('queue.jobs').every((m) => m.now >= m.jobs[0].queuedAt));
  // The jobs belong to the server-side connections the capture announced.
  const serverConns = h.all('connection.opened').filter((m) => m.info.side === 'server').map((m) => m.info.connectionId);
  assert.ok(serverConns.includes(first.connectionId) && serverConns.includes(second.connectionId));
  // The playground's own connections are announced with their server side, through which the UI finds their jobs.
  const clients = h.all('http.started').map((m) => m.connectionId);
  const peerOf = (id: string) => h.all('connection.opened').filter((m) => m.info.connectionId === id).at(-1)?.info.peerConnectionId;
  assert.deepEqual(clients.map(peerOf).sort(), [first.connectionId, second.connectionId].sort());
});

test('init carries the mode and the recent jobs; the mode can be switched from the UI and is pushed', { timeout: 20_000 }, async (t) => {
  const h = await harness(t, 'sequential');
  await h.send('a', '/echo');
  await h.until(() => h.jobs().some((j) => j.finishedAt !== undefined), 'a finished job');
  await h.controller.receive({ type: 'ready', version: 1 });
  const init = h.all('init')[0];
  assert.equal(init.queue?.mode, 'sequential');
  assert.equal(init.queue?.canSetMode, true);
  assert.deepEqual(init.queue?.jobs.map((j) => [j.method, j.target, j.finishedAt !== undefined]), [['GET', '/echo', true]]);
  await h.controller.receive({ type: 'server.setMode', mode: 'concurrent' });
  assert.equal(h.server.mode, 'concurrent');
  await h.until(() => h.all('server.mode').length > 0, 'a server.mode message');
  assert.deepEqual(h.all('server.mode'), [{ type: 'server.mode', mode: 'concurrent', canSetMode: true }]);
  // A switch made on the server itself (not from the UI) is pushed too, once.
  h.server.setMode('sequential');
  h.controller.serverChanged();
  assert.deepEqual(h.all('server.mode').map((m) => m.mode), ['concurrent', 'sequential']);
});

test('concurrent mode: both requests are handled at once and nothing is queued', { timeout: 20_000 }, async (t) => {
  const h = await harness(t, 'concurrent');
  await Promise.all([h.send('a', '/delay/300?a'), h.send('b', '/delay/300?b')]);
  await h.until(() => h.jobs().filter((j) => j.finishedAt !== undefined).length === 2, 'two finished jobs');
  const [first, second] = h.jobs().sort((x, y) => x.startedAt! - y.startedAt!);
  assert.ok(second.startedAt! < first.finishedAt!, 'handled at the same time');
  assert.ok(h.jobs().every((j) => j.waitedBehind === undefined && j.mode === 'concurrent'));
});

test('bounded: queueJobLimit keeps only the most recent jobs; Clear forgets them', { timeout: 20_000 }, async (t) => {
  const h = await harness(t, 'concurrent', { queueJobLimit: 2 });
  for (const id of ['a', 'b', 'c']) await h.send(id, `/echo?${id}`);
  await h.until(() => h.jobs().filter((j) => j.finishedAt !== undefined).length === 3, 'three finished jobs');
  await h.controller.receive({ type: 'ready', version: 1 });
  assert.deepEqual(h.all('init')[0].queue?.jobs.map((j) => j.target), ['/echo?b', '/echo?c']);
  await h.controller.receive({ type: 'capture.clear' });
  await h.controller.receive({ type: 'ready', version: 1 });
  assert.deepEqual(h.all('init')[1].queue?.jobs, []);
});

test('a host without a server queue sends no queue in init, and refuses a mode switch with a notice', { timeout: 20_000 }, async (t) => {
  const controller = new PlaygroundController({});
  t.after(() => controller.dispose());
  const seen: ToWebview[] = [];
  controller.onMessage((m) => seen.push(m));
  await controller.receive({ type: 'ready', version: 1 });
  await controller.receive({ type: 'server.setMode', mode: 'sequential' });
  await controller.receive({ type: 'server.setMode', mode: 'parallel' });
  const init = seen.find((m): m is Msg<'init'> => m.type === 'init')!;
  assert.equal(init.queue, undefined);
  const notices = seen.filter((m): m is Msg<'notice'> => m.type === 'notice').map((m) => m.message);
  assert.match(notices[0], /cannot be switched/);
  assert.match(notices[1], /expected concurrent or sequential/);
});
