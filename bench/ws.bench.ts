// WebSocket: the Wireplay server against the `ws` package (with its native
// bufferutil, and without it: WS_NO_BUFFER_UTIL=1), in one run, alternating
// servers turn by turn:
//   echo round trips (binary messages of 16 B, 1 KiB, 64 KiB and 1 MiB; 50
//   connections, one message in flight on each): messages/s and MB/s;
//   handshakes per second (50 concurrent openers, each opening and closing);
//   RSS per idle connection with 1,000 open connections.
// On a small machine the single load process is the bottleneck long before the
// servers are, so the table also gives each server's own CPU time per round trip
// (process.cpuUsage() of the server child across the turn): the fairer figure.
// Compression is off on both sides (it measures zlib, not WebSocket).
// Each server runs in its own child process (pinned to CPU 0 with taskset when
// there are ≥ 2 CPUs); the load comes from this process through the `ws` client,
// the same for every server. Bounded to about two minutes.
//
//   node --import tsx bench/ws.bench.ts [--seconds N] [--rounds N] [--sizes 16,1024,...]
//   (child roles: --role wireplay|ws, used by the bench itself)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import WebSocket, { WebSocketServer } from 'ws';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

// ---------------------------------------------------------------------------
// Child roles: print `PORT <n>`, answer `rss` on stdin with `RSS <bytes>`.

async function runRole(role: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  let port: number;
  if (role === 'wireplay') {
    const { createWireplayServer } = await import('../server-core/server/wireplay-server.js');
    const server = createWireplayServer({
      handler: (_req, res) => {
        res.statusCode = 404;
        res.end();
      },
      limits: { maxConnections: 10_000 },
      webSocketRoutes: [{ path: '/echo', route: { handler: { onMessage: (peer, m) => peer.send(m.data, { binary: m.binary }) } } }],
      webSocket: { perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 },
    });
    port = (await server.listen()).port;
  } else {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    await once(wss, 'listening');
    port = (wss.address() as { port: number }).port;
  }
  process.stdout.write(`PORT ${port}\n`);
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'cpu') {
      const u = process.cpuUsage();
      process.stdout.write(`CPU ${u.user + u.system}\n`);
    } else if (line === 'rss') {
      gc?.();
      gc?.();
      process.stdout.write(`RSS ${process.memoryUsage().rss}\n`);
    }
  });
}

// ---------------------------------------------------------------------------
// Driver.

interface Server {
  name: string;
  role: string;
  env: Record<string, string>;
}

const SERVERS: Server[] = [
  { name: 'wireplay', role: 'wireplay', env: {} },
  { name: 'ws+bufferutil', role: 'ws', env: {} },
  { name: 'ws (no bufferutil)', role: 'ws', env: { WS_NO_BUFFER_UTIL: '1' } },
];

class Child {
  private lines: string[] = [];
  private waiters: ((l: string) => void)[] = [];
  port = 0;
  constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      const w = this.waiters.shift();
      if (w) w(l);
      else this.lines.push(l);
    });
  }
  next(): Promise<string> {
    const l = this.lines.shift();
    return l !== undefined ? Promise.resolve(l) : new Promise((r) => this.waiters.push(r));
  }
  async rss(): Promise<number> {
    this.proc.stdin!.write('rss\n');
    const l = await this.next();
    return Number(l.split(' ')[1]);
  }
  /** CPU time used by the server process so far, µs. */
  async cpu(): Promise<number> {
    this.proc.stdin!.write('cpu\n');
    return Number((await this.next()).split(' ')[1]);
  }
  async stop(): Promise<void> {
    this.proc.kill();
    if (this.proc.exitCode === null) await once(this.proc, 'exit');
  }
}

async function start(s: Server): Promise<Child> {
  const pin = availableParallelism() >= 2 && spawnSync('taskset', ['--version']).status === 0;
  const args = ['--expose-gc', '--import', 'tsx', 'bench/ws.bench.ts', '--role', s.role];
  const proc = pin
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...s.env } })
    : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...s.env } });
  const c = new Child(proc);
  const line = await c.next();
  c.port = Number(/^PORT (\d+)$/.exec(line)![1]);
  return c;
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function echo(child: Child, size: number, seconds: number): Promise<{ msgs: number; mbs: number; cpuPerMsg: number }> {
  const url = `ws://127.0.0.1:${child.port}/echo`;
  const sockets = await Promise.all(Array.from({ length: 50 }, () => open(url)));
  const payload = Buffer.alloc(size, 0x61);
  let count = 0;
  let running = true;
  for (const ws of sockets) {
    ws.on('message', () => {
      count++;
      if (running) ws.send(payload);
    });
  }
  // Warm up briefly, then count.
  for (const ws of sockets) ws.send(payload);
  await new Promise((r) => setTimeout(r, 300));
  const c0 = count;
  const cpu0 = await child.cpu();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu1 = await child.cpu();
  const n = count - c0;
  const dt = (performance.now() - t0) / 1000;
  running = false;
  await Promise.all(sockets.map((ws) => new Promise((r) => (ws.once('close', r), ws.terminate()))));
  // A round trip moves the payload twice over the wire.
  return { msgs: n / dt, mbs: (n * size * 2) / dt / 1e6, cpuPerMsg: (cpu1 - cpu0) / n };
}

async function handshakes(port: number, seconds: number): Promise<number> {
  const url = `ws://127.0.0.1:${port}/echo`;
  let count = 0;
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (performance.now() < deadline) {
        const ws = await open(url);
        count++;
        ws.terminate();
        await once(ws, 'close');
      }
    }),
  );
  return count / ((performance.now() - t0) / 1000);
}

async function idleRss(child: Child): Promise<number> {
  const url = `ws://127.0.0.1:${child.port}/echo`;
  const before = await child.rss();
  const sockets: WebSocket[] = [];
  for (let i = 0; i < 1000; i += 50) sockets.push(...(await Promise.all(Array.from({ length: 50 }, () => open(url)))));
  await new Promise((r) => setTimeout(r, 500));
  const after = await child.rss();
  for (const ws of sockets) ws.terminate();
  return (after - before) / 1000;
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '1'));
  const rounds = Number(arg('rounds', '3'));
  const sizes = arg('sizes', '16,1024,65536,1048576').split(',').map(Number);
  const results = new Map<string, { echo: Map<number, { msgs: number; mbs: number; cpuPerMsg: number }[]>; hs: number[]; rss: number[] }>();
  for (const s of SERVERS) results.set(s.name, { echo: new Map(sizes.map((z) => [z, []])), hs: [], rss: [] });
  const started = Date.now();
  // The machine is shared and its load moves: all servers stay up, and every measurement
  // alternates between them in short turns (rotating who goes first), so drifts hit all alike.
  const children = new Map<string, Child>();
  for (const s of SERVERS) children.set(s.name, await start(s));
  try {
    for (const size of sizes) {
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < SERVERS.length; k++) {
          const s = SERVERS[(k + round) % SERVERS.length];
          results.get(s.name)!.echo.get(size)!.push(await echo(children.get(s.name)!, size, seconds));
        }
      }
      process.stderr.write(`echo ${size} B done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    }
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < SERVERS.length; k++) {
        const s = SERVERS[(k + round) % SERVERS.length];
        results.get(s.name)!.hs.push(await handshakes(children.get(s.name)!.port, seconds));
      }
    }
  } finally {
    for (const c of children.values()) await c.stop();
  }
  // Memory on fresh processes, so earlier load does not inflate the heap.
  for (let round = 0; round < 2; round++) {
    for (const s of SERVERS) {
      const fresh = await start(s);
      try {
        results.get(s.name)!.rss.push(await idleRss(fresh));
      } finally {
        await fresh.stop();
      }
    }
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const wp = results.get('wireplay')!;
  console.log(`\nWebSocket echo, 50 connections, binary messages, median of ${rounds} interleaved turns of ${seconds} s (loopback, \`ws\` client as load):`);
  console.log('| size | server | messages/s | MB/s | wireplay vs it | server CPU µs per round trip | wireplay CPU vs it |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const size of sizes) {
    const label = size >= 1024 * 1024 ? `${size / 1024 / 1024} MiB` : size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
    const w = median(wp.echo.get(size)!.map((x) => x.msgs));
    const wc = median(wp.echo.get(size)!.map((x) => x.cpuPerMsg));
    for (const s of SERVERS) {
      const xs = results.get(s.name)!.echo.get(size)!;
      const m = median(xs.map((x) => x.msgs));
      const mb = median(xs.map((x) => x.mbs));
      const c = median(xs.map((x) => x.cpuPerMsg));
      const self = s.name === 'wireplay';
      console.log(`| ${label} | ${s.name} | ${fmt(m)} | ${fmt(mb, 1)} | ${self ? '' : `${(w / m).toFixed(2)}×`} | ${fmt(c, 1)} | ${self ? '' : `${(wc / c).toFixed(2)}× (lower is better)`} |`);
    }
  }
  console.log('\n| measure | ' + SERVERS.map((s) => s.name).join(' | ') + ' | wireplay vs ws+bufferutil |');
  console.log('| --- |' + SERVERS.map(() => ' ---: |').join('') + ' ---: |');
  const hs = SERVERS.map((s) => median(results.get(s.name)!.hs));
  console.log(`| handshakes/s (50 openers) | ${hs.map((h) => fmt(h)).join(' | ')} | ${(hs[0] / hs[1]).toFixed(2)}× |`);
  const rss = SERVERS.map((s) => Math.min(...results.get(s.name)!.rss));
  console.log(`| RSS per idle connection (1,000) | ${rss.map((r) => `${fmt(r / 1024, 1)} KiB`).join(' | ')} | ${(rss[0] / rss[1]).toFixed(2)}× (lower is better) |`);
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

const role = arg('role', '');
if (role) await runRole(role);
else await main();
