// A/B of the WebSocket echo path through `wireplay serve`: two builds of the
// CLI (an old `dist/` kept aside, and this tree's) side by side in one run,
// alternating turn by turn, servers pinned to CPU 0 and this process (the `ws`
// client with bufferutil, the load) to CPU 1. For each size it prints
// messages/s and, steadier on a shared machine, each server's CPU time per
// echoed message (utime + stime from /proc/PID/stat across the turn). With
// --memory it also opens 1,000 idle WebSocket connections on a fresh process of
// each build (after the same warm-up as bench/as-users-run.bench.ts) and prints
// RSS and heap per connection (and, with --anchor, for `ws`). Throughput alone decides nothing here.
//
//   node --import tsx bench/ws-serve-ab.bench.ts --base /path/to/old/dist [--seconds N] [--rounds N]
//        [--sizes 16,65536,1048576] [--memory] [--anchor] [--node-args "--trace-gc"]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const ROOT_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const PROBE = join(ROOT_DIR, 'bench', 'support', 'mem-probe.cjs');
const base = arg('base', '');
if (!base) throw new Error('--base /path/to/old/dist is required');
const ANCHOR = join(ROOT_DIR, 'bench', 'support', 'anchor-server.mjs');
const builds = [
  { name: 'base', cli: join(base, 'cli.js') },
  { name: 'new', cli: join(ROOT_DIR, 'dist', 'cli.js') },
  // --anchor: `ws` + bufferutil (bench/support/anchor-server.mjs) as a third server.
  ...(process.argv.includes('--anchor') ? [{ name: 'ws', cli: ANCHOR }] : []),
];
const seconds = Number(arg('seconds', '2'));
const rounds = Number(arg('rounds', '3'));
const sizes = arg('sizes', '16,65536,1048576').split(',').filter(Boolean).map(Number);
const extraNodeArgs = arg('node-args', '').split(' ').filter(Boolean);
const pinnedOk = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pin = (cpu: string, cmd: string, args: string[]): [string, string[]] => (pinnedOk ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args]);

interface Server {
  name: string;
  proc: ChildProcess;
  port: number;
  mem(): Promise<{ rss: number; heapUsed: number }>;
}

async function start(name: string, cli: string, root: string): Promise<Server> {
  const serverArgs = cli === ANCHOR ? [root, 'hello world\n'] : ['serve', '--root', root, '--routes', join(root, 'wireplay.routes.json')];
  const [cmd, args] = pin('0', process.execPath, ['--expose-gc', '--require', PROBE, ...extraNodeArgs, cli, ...serverArgs]);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let memWaiter: ((m: { rss: number; heapUsed: number }) => void) | null = null;
  let onPort!: (p: number) => void;
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const m = /^Wireplay listening on http:\/\/[^:]+:(\d+)/.exec(line) ?? /^PORT (\d+)/.exec(line);
    if (m) onPort(Number(m[1]));
    else if (line.startsWith('MEM ') && memWaiter) memWaiter(JSON.parse(line.slice(4)));
    else if (extraNodeArgs.length > 0) process.stdout.write(`[${name}] ${line}\n`);
  });
  const port = await new Promise<number>((resolve, reject) => {
    onPort = resolve;
    proc.once('exit', (code) => reject(new Error(`${name} exited ${code}`)));
  });
  return {
    name,
    proc,
    port,
    mem: () =>
      new Promise((resolve) => {
        memWaiter = resolve;
        proc.kill('SIGUSR2');
      }),
  };
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function openWs(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/echo`, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function echo(s: Server, size: number): Promise<{ rate: number; cpuUs: number }> {
  const sockets = await Promise.all(Array.from({ length: 50 }, () => openWs(s.port)));
  const payload = Buffer.alloc(size, 0x61);
  let count = 0;
  let running = true;
  for (const ws of sockets) ws.on('message', () => (count++, running && ws.send(payload)));
  for (const ws of sockets) ws.send(payload);
  await new Promise((r) => setTimeout(r, 300));
  const c0 = count;
  const cpu0 = cpuSeconds(s.proc.pid!);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const n = count - c0;
  const cpu = cpuSeconds(s.proc.pid!) - cpu0;
  const dt = (performance.now() - t0) / 1000;
  running = false;
  await Promise.all(sockets.map((ws) => new Promise((r) => (ws.once('close', r), ws.terminate()))));
  return { rate: n / dt, cpuUs: (cpu / n) * 1e6 };
}

async function idle(s: Server, count: number): Promise<{ rss: number; heap: number }> {
  // The warm-up of bench/as-users-run.bench.ts: 20 connections × 100 keep-alive GETs, then 20 WebSocket
  // connections × 50 echoes.
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      const warm = connect({ host: '127.0.0.1', port: s.port });
      await once(warm, 'connect');
      for (let i = 0; i < 100; i++) {
        warm.write('GET /small HTTP/1.1\r\nHost: bench\r\n\r\n');
        await once(warm, 'data');
      }
      warm.destroy();
    }),
  );
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      const w = await openWs(s.port);
      for (let i = 0; i < 50; i++) {
        w.send('warm');
        await once(w, 'message');
      }
      w.terminate();
    }),
  );
  const before = await s.mem();
  const open: WebSocket[] = [];
  for (let i = 0; i < count; i += 100) open.push(...(await Promise.all(Array.from({ length: 100 }, () => openWs(s.port)))));
  await new Promise((r) => setTimeout(r, 300));
  const after = await s.mem();
  for (const w of open) w.terminate();
  return { rss: (after.rss - before.rss) / count, heap: (after.heapUsed - before.heapUsed) / count };
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'wireplay-ws-ab-'));
  writeFileSync(join(root, 'wireplay.routes.json'), JSON.stringify({ routes: [{ path: '/small', headers: { 'Content-Type': 'text/plain' }, body: 'hello world\n' }] }));
  const servers: Server[] = [];
  try {
    console.log(`ws-serve-ab: ${pinnedOk ? 'servers on CPU 0, load on CPU 1' : 'no pinning'}, ${rounds} round(s) × ${seconds} s, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    for (const b of builds) servers.push(await start(b.name, b.cli, root));
    for (const size of sizes) {
      const acc = new Map(servers.map((s) => [s.name, { rate: [] as number[], cpu: [] as number[] }]));
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < servers.length; k++) {
          const s = servers[(k + r) % servers.length];
          const m = await echo(s, size);
          acc.get(s.name)!.rate.push(m.rate);
          acc.get(s.name)!.cpu.push(m.cpuUs);
        }
      }
      for (const s of servers) {
        const a = acc.get(s.name)!;
        console.log(`echo ${size} B  ${s.name.padEnd(4)}  ${f(med(a.rate)).padStart(8)} msg/s  ${f(med(a.cpu), 1).padStart(7)} µs CPU/msg   (rounds: ${a.cpu.map((c) => f(c, 1)).join(', ')})`);
      }
    }
    // SIGTERM: a graceful exit, so that --cpu-prof and the like write their files.
    for (const s of servers.splice(0)) {
      s.proc.kill('SIGTERM');
      const t = setTimeout(() => s.proc.kill('SIGKILL'), 5000);
      if (s.proc.exitCode === null && s.proc.signalCode === null) await once(s.proc, 'exit');
      clearTimeout(t);
    }
    if (process.argv.includes('--memory')) {
      for (let r = 0; r < rounds; r++) {
        for (const b of r % 2 === 0 ? builds : [...builds].reverse()) {
          const s = await start(b.name, b.cli, root);
          servers.push(s);
          const m = await idle(s, 1000);
          console.log(`idle WebSocket  ${b.name.padEnd(4)}  RSS ${f(m.rss / 1024, 2)} KiB/conn  heap ${f(m.heap / 1024, 2)} KiB/conn`);
          s.proc.kill('SIGKILL');
          servers.splice(servers.indexOf(s), 1);
        }
      }
    }
    console.log(`load after ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  } finally {
    for (const s of servers) s.proc.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
}

if (pinnedOk && process.env.WIREPLAY_AB_PINNED !== '1') {
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, WIREPLAY_AB_PINNED: '1' } });
  process.exit(r.status ?? 1);
} else
  main().then(
    () => process.exit(0),
    (err) => (console.error(err), process.exit(1)),
  );
