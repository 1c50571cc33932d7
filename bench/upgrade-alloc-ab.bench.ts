// A/B of what an idle connection costs `wireplay serve`: two builds of the CLI
// (a base checkout's dist/ and this tree's) and the anchor (node:http + `ws`,
// bench/support/anchor-server.mjs), each on a fresh process per round, rounds
// alternating and rotating who goes first, servers pinned to CPU 0 and this
// process (the load) to CPU 1. Each round does idleMemory()'s warm-up from
// bench/as-users-run.bench.ts (2,000 requests on 20 connections, and for
// WebSocket 1,000 echoes on 20 more), then opens N idle connections (keep-alive
// HTTP after one GET, or WebSocket upgrades of /ws/echo) and reports per
// connection: the JS bytes allocated while they opened (what the young
// generation absorbs — steadier than RSS on a shared machine), heap kept,
// heap reserved (heapTotal), RSS, and the scavenges run. The counts come from
// bench/support/alloc-probe.cjs (v8.GCProfiler). Medians of the rounds.
//
//   node --import tsx bench/upgrade-alloc-ab.bench.ts --base /tmp/base [--kind ws|http|both] [--count 1000] [--rounds 3] [--no-anchor]
//        [--spaces]  each round's per-space (new, old, …) reserved/used/physical growth per connection
//        [--serve-args "--quiet"]  extra `wireplay serve` arguments for both builds
//        [--node-args "--trace-gc-nvp"]  extra node flags for every server (diagnostics; their output is printed)
// (--base DIR: a checkout with dist/ built, e.g. `git archive main | tar -x -C DIR`, node_modules linked,
// `node scripts/build.mjs` there.)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
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
const PROBE = join(ROOT_DIR, 'bench', 'support', 'alloc-probe.cjs');
const ANCHOR = join(ROOT_DIR, 'bench', 'support', 'anchor-server.mjs');
const base = arg('base', '');
if (!base) throw new Error('--base /path/to/base/checkout is required (its dist/ built)');
const builds = [
  { name: 'base', cli: join(base, 'dist', 'cli.js') },
  { name: 'new', cli: join(ROOT_DIR, 'dist', 'cli.js') },
  ...(process.argv.includes('--no-anchor') ? [] : [{ name: 'anchor', cli: ANCHOR }]),
];
const count = Number(arg('count', '1000'));
const rounds = Number(arg('rounds', '3'));
const kindArg = arg('kind', 'ws');
const kinds = (kindArg === 'both' ? ['http', 'ws'] : [kindArg]) as ('http' | 'ws')[];
/** --node-args "--trace-gc": extra flags for the servers (their output lines are printed, prefixed). */
const extraNodeArgs = arg('node-args', '').split(' ').filter(Boolean);
/** --serve-args "--quiet": extra arguments for both builds' `wireplay serve` (e.g. to see what the request log costs). */
const serveArgs = arg('serve-args', '').split(' ').filter(Boolean);
const pinnedOk = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pin = (cpu: string, cmd: string, args: string[]): [string, string[]] => (pinnedOk ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args]);

interface Mem {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  allocated: number;
  scavenges: number;
  markCompacts: number;
  newSpace: number;
  spaces: Record<string, [number, number, number]>;
}

async function start(name: string, cli: string, root: string): Promise<{ proc: ChildProcess; port: number; mem(): Promise<Mem> }> {
  const serverArgs = cli === ANCHOR ? [root, 'hello world\n'] : ['serve', '--root', root, '--routes', join(root, 'wireplay.routes.json'), ...serveArgs];
  const [cmd, args] = pin('0', process.execPath, ['--expose-gc', '--require', PROBE, ...extraNodeArgs, cli, ...serverArgs]);
  // The request log goes to a pipe drained by `cat`, as in bench/as-users-run.bench.ts.
  const proc = spawn('bash', ['-c', 'exec "$@" 2> >(exec cat > /dev/null)', 'bash', cmd, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let memWaiter: ((m: Mem) => void) | null = null;
  let onPort!: (p: number) => void;
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const m = /^Wireplay listening on http:\/\/[^:]+:(\d+)/.exec(line) ?? /^PORT (\d+)/.exec(line);
    if (m) onPort(Number(m[1]));
    else if (line.startsWith('MEM ') && memWaiter) memWaiter(JSON.parse(line.slice(4)));
    else if (extraNodeArgs.length > 0) process.stdout.write(`[${name.split('/').slice(-3).join('/')}] ${line}\n`);
  });
  const port = await new Promise<number>((resolve, reject) => {
    onPort = resolve;
    proc.once('exit', (code) => reject(new Error(`${name} exited ${code}`)));
  });
  return { proc, port, mem: () => new Promise((resolve) => ((memWaiter = resolve), proc.kill('SIGUSR2'))) };
}

function openWs(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/echo`, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function round(cli: string, root: string, kind: 'http' | 'ws'): Promise<Record<string, number>> {
  const s = await start(cli, cli, root);
  try {
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
    if (kind === 'ws') {
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
    }
    const a = await s.mem();
    if (extraNodeArgs.length > 0) console.log('--- burst');
    const closers: (() => void)[] = [];
    for (let i = 0; i < count; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, count - i) }, async () => {
          if (kind === 'http') {
            const c: Socket = connect({ host: '127.0.0.1', port: s.port });
            c.on('error', () => {});
            await once(c, 'connect');
            c.write('GET /small HTTP/1.1\r\nHost: bench\r\n\r\n');
            await once(c, 'data');
            closers.push(() => c.destroy());
          } else {
            const w = await openWs(s.port);
            closers.push(() => w.terminate());
          }
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 300));
    const b = await s.mem();
    for (const c of closers) c();
    if (process.argv.includes('--spaces')) {
      const d = Object.keys(b.spaces).map((k) => `${k} ${f((b.spaces[k][0] - a.spaces[k][0]) / count / 1024)}/${f((b.spaces[k][1] - a.spaces[k][1]) / count / 1024)}/${f((b.spaces[k][2] - a.spaces[k][2]) / count / 1024)}`);
      console.log(`  new space reserved/physical KiB: before ${f(a.spaces.new_space[0] / 1024, 0)}/${f(a.spaces.new_space[2] / 1024, 0)}, after ${f(b.spaces.new_space[0] / 1024, 0)}/${f(b.spaces.new_space[2] / 1024, 0)}; allocated before ${f(a.allocated / 1048576)} MiB`);
      console.log(`  ${kind} ${cli.split('/').slice(-3).join('/')}: per conn KiB (reserved/used/physical): ${d.join('  ')}`);
    }
    // The probe's reading at `a` ran two forced collections after counting: they are not the burst's.
    return {
      alloc: (b.allocated - a.allocated) / count,
      heap: (b.heapUsed - a.heapUsed) / count,
      heapTotal: (b.heapTotal - a.heapTotal) / count,
      rss: (b.rss - a.rss) / count,
      scavenges: b.scavenges - a.scavenges,
      newSpaceKiB: b.newSpace / 1024,
    };
  } finally {
    s.proc.kill('SIGKILL');
  }
}

const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const f = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'wireplay-alloc-ab-'));
  writeFileSync(join(root, 'wireplay.routes.json'), JSON.stringify({ routes: [{ path: '/small', headers: { 'Content-Type': 'text/plain' }, body: 'hello world\n' }] }));
  writeFileSync(join(root, 'big.bin'), Buffer.alloc(1024));
  try {
    console.log(`upgrade-alloc-ab: ${pinnedOk ? 'servers on CPU 0, load on CPU 1' : 'no pinning'}, ${rounds} round(s) × ${count} connections, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    for (const kind of kinds) {
      const acc = new Map(builds.map((b) => [b.name, [] as Record<string, number>[]]));
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < builds.length; k++) {
          const b = builds[(k + r) % builds.length];
          acc.get(b.name)!.push(await round(b.cli, root, kind));
        }
      }
      for (const b of builds) {
        const xs = acc.get(b.name)!;
        const m = (key: string) => med(xs.map((x) => x[key]));
        console.log(
          `${kind.padEnd(4)} ${b.name.padEnd(6)} allocated ${f(m('alloc') / 1024).padStart(5)} KiB/conn  heap kept ${f(m('heap') / 1024).padStart(4)}  reserved ${f(m('heapTotal') / 1024).padStart(5)}  RSS ${f(m('rss') / 1024).padStart(5)} KiB/conn  scavenges ${f(m('scavenges'), 0).padStart(3)}  new space ${f(m('newSpaceKiB'), 0)} KiB   (alloc rounds: ${xs.map((x) => f(x.alloc / 1024)).join(', ')}; RSS rounds: ${xs.map((x) => f(x.rss / 1024)).join(', ')})`,
        );
      }
    }
    console.log(`load after ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (pinnedOk && process.env.WIREPLAY_AB_PINNED !== '1') {
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, WIREPLAY_AB_PINNED: '1' } });
  process.exit(r.status ?? 1);
} else
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
