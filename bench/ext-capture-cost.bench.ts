// The extension's capture path alone, without sockets: what one small request costs the window-wide
// CaptureStore (64 MiB, bytes only, as ServerController's) and the sidebar's TrafficModel, fed as the
// extension feeds them (capture open/chunk/close/switch and pipeline events, the request event), in one
// build against another. The server's own work is not in it (as-users-run.bench.ts measures the whole),
// so an A/B of this part stays readable on a loaded machine: CPU time per request (process.cpuUsage of a
// child that does nothing else), the builds alternating child by child, the median of the rounds.
//
//   node --import tsx bench/ext-capture-cost.bench.ts --base DIR [--rounds 5] [--requests 200000]
//   (DIR: another checkout, `git archive main | tar -x -C DIR`, node_modules linked)
//   Two patterns: keep-alive (50 connections, each request a c2s and an s2c chunk) and a new connection
//   per request (open, the two chunks, close).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

const REQUEST = 'GET /small HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\n\r\n';
const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nDate: Mon, 07 Dec 2026 23:00:00 GMT\r\n\r\nhello world\n');

async function child(dir: string, pattern: string, requests: number): Promise<void> {
  const core = await import(pathToFileURL(join(dir, 'server-core', 'index.js')).href);
  const { TrafficModel } = await import(pathToFileURL(join(dir, 'extension', 'server', 'traffic-model.js')).href);
  const capture = new core.Emitter();
  const requestEvents = new core.Emitter();
  const store = new core.CaptureStore({ maxBytes: 64 * 1024 * 1024, dissect: false });
  store.attach(capture);
  const traffic = new TrafficModel();
  capture.on('open', (e: never) => traffic.opened(e));
  capture.on('chunk', (e: never) => traffic.chunk(e));
  capture.on('close', (e: never) => traffic.closed(e));
  requestEvents.on('request', (e: { connectionId: string; index: number; method: string; target: string; status: number; durationMs: number }) =>
    traffic.exchange({ connectionId: e.connectionId, index: e.index, method: e.method, target: e.target, status: e.status, durationMs: e.durationMs }),
  );
  const local = { address: '127.0.0.1', port: 8080 };
  let nextId = 1;
  const open = (): string => {
    const id = `srv-${nextId++}`;
    const now = performance.now();
    capture.emit('open', { connectionId: id, side: 'server', protocol: 'http', tls: false, local, remote: { address: '127.0.0.1', port: 40000 + (nextId % 20000) }, t: now, wallTime: Date.now() });
    return id;
  };
  const stages = {};
  const one = (id: string, index: number): void => {
    // A socket read is a fresh buffer each time; the response is the route's prepared bytes.
    capture.emit('chunk', { connectionId: id, dir: 'c2s', t: performance.now(), bytes: Buffer.from(REQUEST, 'latin1') });
    capture.emit('chunk', { connectionId: id, dir: 's2c', t: performance.now(), bytes: RESPONSE });
    const entry = { connectionId: id, index, method: 'GET', target: '/small', status: 200, bytes: RESPONSE.length, durationMs: 0.05, stages, route: { pattern: '/small', kind: 'json' } };
    if (requestEvents.hasListeners('request')) requestEvents.emit('request', entry);
    if (capture.hasListeners('pipeline')) capture.emit('pipeline', { connectionId: id, index, t: performance.now(), method: entry.method, target: entry.target, status: entry.status, stages, route: entry.route });
  };
  const run = (n: number): void => {
    if (pattern === 'keep-alive') {
      const ids = Array.from({ length: 50 }, open);
      for (let i = 0; i < n; i++) one(ids[i % 50], Math.floor(i / 50) + 1);
      for (const id of ids) capture.emit('close', { connectionId: id, t: performance.now() });
    } else {
      for (let i = 0; i < n; i++) {
        const id = open();
        one(id, 1);
        capture.emit('close', { connectionId: id, t: performance.now() });
      }
    }
  };
  run(Math.min(requests, 50_000)); // warm-up: the JIT, and the store's ring and traffic rows at their bounds
  const u0 = process.cpuUsage();
  run(requests);
  const u = process.cpuUsage(u0);
  process.stdout.write(`${((u.user + u.system) * 1000) / requests}\n`);
}

async function main(): Promise<void> {
  const base = arg('base', '');
  if (!base) throw new Error('--base DIR is required');
  const rounds = Number(arg('rounds', '5'));
  const requests = arg('requests', '200000');
  const self = fileURLToPath(import.meta.url);
  const here = join(self, '..', '..');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const pattern of ['keep-alive', 'new-connection']) {
    const ns: Record<string, number[]> = { base: [], new: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? (['base', 'new'] as const) : (['new', 'base'] as const);
      for (const side of order) {
        const dir = side === 'base' ? base : here;
        const out = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', dir, '--pattern', pattern, '--requests', requests], { cwd: here, encoding: 'utf8' });
        if (out.status !== 0) throw new Error(`${side} ${pattern}: ${out.stderr}`);
        ns[side].push(Number(out.stdout.trim()));
      }
    }
    const b = median(ns.base);
    const n = median(ns.new);
    console.log(`${pattern}: capture path CPU per request (median of ${rounds}, ns): base ${b.toFixed(0)} [${ns.base.map((x) => x.toFixed(0)).join(' ')}], new ${n.toFixed(0)} [${ns.new.map((x) => x.toFixed(0)).join(' ')}] (${((n / b - 1) * 100).toFixed(0)}%)`);
  }
}

const childDir = arg('child', '');
if (childDir) void child(childDir, arg('pattern', 'keep-alive'), Number(arg('requests', '200000')));
else await main();
