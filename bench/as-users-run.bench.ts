// The server as users run it, against its anchors, in one run:
//   cli  — `wireplay serve` as a process (dist/cli.js, built by `npm run bench`),
//          request log on (stderr, a pipe drained by `cat`, as a terminal would),
//          a wireplay.routes.json route for the small GET, --root for /files/*;
//   ext  — the server as the extension runs it: in-process, its capture attached
//          to a 64 MiB CaptureStore that keeps bytes only, as ServerController's, the capture and request
//          events feeding the sidebar's TrafficModel, the log sink kept in memory
//          (the output channel's stand-in);
//   node — the anchor: node:http serving the same bytes, with `ws` (bufferutil)
//          on the same port for the WebSocket rows.
// Scenarios: keep-alive GET (c=50), pipelined ×16 (c=50), a new connection per
// request (c=50), a 1 MiB file through /files/* (c=10) — wrk, as the other HTTP
// benches; WebSocket echo at 16 B, 64 KiB and 1 MiB (50 connections, one message
// in flight each, the `ws` client with bufferutil as load); RSS per idle
// connection (1,000 keep-alive HTTP connections, then 1,000 WebSocket ones, each
// on a fresh process, after a warm-up of 2,000 requests, and 1,000 echoes, on 20
// connections). Every server is pinned to CPU 0 and the load (wrk, and this
// process for the WebSocket client) to CPU 1 when taskset and 2 CPUs allow.
// Servers alternate turn by turn, rotating who goes first; throughput is the best
// of the rounds (HTTP) or the median (WebSocket). Timings decide nothing here.
//
//   node --import tsx bench/as-users-run.bench.ts [--seconds N] [--rounds N] [--idle N] [--only WORD,…]
//   (--only: keep-alive, pipelined, connection, static, ws, memory, parser)
//   --base DIR: an A/B in the same run — the first column is then not `wireplay serve` but the ext role of
//   another checkout DIR (`git archive main | tar -x -C DIR`, node_modules linked), its "base" build.
//   (child role: --role ext, used by the bench itself; the anchor is bench/support/anchor-server.mjs)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
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
const ANCHOR = join(ROOT_DIR, 'bench', 'support', 'anchor-server.mjs');
const SMALL_BODY = 'hello world\n';
const FILE_SIZE = 1024 * 1024;

// ---------------------------------------------------------------------------
// The child role ext (the cli side is dist/cli.js itself, the anchor bench/support/anchor-server.mjs). Each prints
// `PORT <n>` when listening; the preloaded probe answers SIGUSR2 with `MEM {…}`.

async function runRole(role: string, root: string): Promise<void> {
  if (role === 'ext') {
    const { createWireplayServer, CaptureStore } = await import('../server-core/index.js');
    const { TrafficModel } = await import('../extension/server/traffic-model.js');
    // What the extension's output channel would receive (its last lines, bounded).
    const logLines: string[] = [];
    const server = createWireplayServer({
      root,
      routesFile: join(root, 'wireplay.routes.json'),
      log: (level, message) => {
        logLines.push(`${level} ${message}`);
        if (logLines.length > 2000) logLines.splice(0, 1000);
      },
    });
    // As ServerController does: one store for the window, the traffic model fed from the same events.
    const store = new CaptureStore({ maxBytes: 64 * 1024 * 1024, dissect: false });
    store.attach(server.capture);
    const traffic = new TrafficModel();
    server.capture.on('open', (e) => traffic.opened(e));
    // As ServerController declares it: the traffic model copies what it keeps (util/emitter.ts, ListenerOptions).
    server.capture.on('chunk', (e) => traffic.chunk(e), { copies: true });
    server.capture.on('close', (e) => traffic.closed(e));
    server.capture.on('switch', (e) => traffic.switched(e));
    server.events.on('request', (e) =>
      traffic.exchange({ connectionId: e.connectionId, index: e.index, method: e.method, target: e.target, status: e.status, durationMs: e.durationMs }),
    );
    const { port } = await server.listen();
    process.stdout.write(`PORT ${port}\n`);
  }
}

// ---------------------------------------------------------------------------
// The driver

type Mem = { rss: number; heapUsed: number; heapTotal: number; arrayBuffers: number };

interface Child {
  name: string;
  proc: ChildProcess;
  port: number;
  nextMem(): Promise<Mem>;
  stop(): Promise<void>;
}

// The driver re-runs itself pinned to the load CPU, where availableParallelism() would say 1: the count
// of the machine's CPUs comes down in the environment so the servers are still pinned to CPU 0.
const cpus = Number(process.env.WIREPLAY_BENCH_CPUS ?? availableParallelism());
const haveTaskset = cpus >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const SERVER_CPU = '0';
const LOAD_CPU = cpus >= 2 ? '1' : '0';

function pinned(cpu: string, cmd: string, args: string[]): [string, string[]] {
  return haveTaskset ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args];
}

async function startChild(name: 'cli' | 'ext' | 'node', root: string): Promise<Child> {
  const nodeArgs = ['--expose-gc', '--require', PROBE];
  let proc: ChildProcess;
  if (name === 'cli' && BASE_DIR) {
    // --base: the base build's extension mode stands in the first column.
    const script = join(BASE_DIR, 'bench', 'as-users-run.bench.ts');
    const [cmd, args] = pinned(SERVER_CPU, process.execPath, [...nodeArgs, '--import', 'tsx', script, '--role', 'ext', '--root', root]);
    proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  } else if (name === 'cli') {
    // stderr (the request log) goes to a pipe that `cat` drains, as a terminal would; `exec` keeps
    // the server's pid the child's pid.
    const [cmd, args] = pinned(SERVER_CPU, process.execPath, [
      ...nodeArgs,
      join(ROOT_DIR, 'dist', 'cli.js'),
      'serve',
      '--root',
      root,
      '--routes',
      join(root, 'wireplay.routes.json'),
    ]);
    proc = spawn('bash', ['-c', 'exec "$@" 2> >(exec cat > /dev/null)', 'bash', cmd, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  } else if (name === 'node') {
    // Plain node, no loader, as users run node:http and ws (see the script's header).
    const [cmd, args] = pinned(SERVER_CPU, process.execPath, [...nodeArgs, ANCHOR, root, SMALL_BODY]);
    proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  } else {
    const [cmd, args] = pinned(SERVER_CPU, process.execPath, [...nodeArgs, '--import', 'tsx', fileURLToPath(import.meta.url), '--role', name, '--root', root]);
    proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  }

  let memWaiters: ((m: Mem) => void)[] = [];
  let portLine!: (p: number) => void;
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    if (line.startsWith('MEM ')) {
      const m = JSON.parse(line.slice(4)) as Mem;
      const ws = memWaiters;
      memWaiters = [];
      for (const w of ws) w(m);
    } else if (line.startsWith('PORT ')) portLine(Number(line.slice(5)));
    else {
      const m = /^Wireplay listening on http:\/\/[^:]+:(\d+)/.exec(line);
      if (m) portLine(Number(m[1]));
    }
  });
  const port = await new Promise<number>((resolve, reject) => {
    portLine = resolve;
    proc.once('exit', (code) => reject(new Error(`${name} server exited ${code}`)));
  });
  return {
    name,
    proc,
    port,
    nextMem: () =>
      new Promise<Mem>((resolve) => {
        memWaiters.push(resolve);
        proc.kill('SIGUSR2');
      }),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await once(proc, 'exit');
    },
  };
}

function wrk(url: string, seconds: number, connections: number, extra: string[] = []): { rps: number; mbps: number; errors: string } {
  const [cmd, args] = pinned(LOAD_CPU, 'wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, ...extra, url]);
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
  const tr = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(r.stdout);
  const unit: Record<string, number> = { B: 1 / 1048576, KB: 1 / 1024, MB: 1, GB: 1024 };
  const mbps = tr ? Number(tr[1]) * (unit[tr[2]] ?? NaN) : NaN;
  const errors = /(Socket errors:.*|Non-2xx or 3xx responses:.*)/.exec(r.stdout)?.[0] ?? '';
  return { rps, mbps, errors };
}

function openWs(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Echo round trips per second over 50 connections, one message in flight on each. */
/** utime + stime of a process, in clock ticks (Linux /proc; NaN elsewhere). */
function cpuTicks(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}
const TICK_US = 10_000; // USER_HZ is 100 on Linux

/** Echoed messages per second and, with `pid`, the server's CPU per echoed message (µs) over the measured time. */
async function wsEchoCpu(port: number, size: number, seconds: number, pid?: number): Promise<{ rate: number; cpuUs: number }> {
  const sockets = await Promise.all(Array.from({ length: 50 }, () => openWs(`ws://127.0.0.1:${port}/ws/echo`)));
  const payload = Buffer.alloc(size, 0x61);
  let count = 0;
  let running = true;
  for (const ws of sockets) {
    ws.on('message', () => {
      count++;
      if (running) ws.send(payload);
    });
  }
  for (const ws of sockets) ws.send(payload);
  await new Promise((r) => setTimeout(r, 300)); // warm-up
  const c0 = count;
  const t0 = performance.now();
  const ticks0 = cpuTicks(pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const n = count - c0;
  const ticks = cpuTicks(pid) - ticks0;
  const dt = (performance.now() - t0) / 1000;
  running = false;
  await Promise.all(sockets.map((ws) => new Promise((r) => (ws.once('close', r), ws.terminate()))));
  return { rate: n / dt, cpuUs: (ticks * TICK_US) / n };
}

/** RSS and heap growth per idle connection on a fresh server, after a warm-up and a settle. */
async function idleMemory(child: Child, count: number, kind: 'http' | 'ws'): Promise<{ rss: number; heap: number; heapTotal: number; buffers: number; closedEarly: number }> {
  // The warm-up runs the accept, request and (for WebSocket) upgrade and echo paths enough times for
  // V8 to optimise them: with one connection and 20 requests, the first optimising compiles happened
  // during the 1,000 connections, and the pages of the node binary they touched for the first time
  // (file-backed, shared, paid once per process: 3.9 MiB for `serve`, 0.1 for the anchor, which had
  // compiled its loader's code at start) were counted as 3.9 KiB per idle connection.
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      const warm = connect({ host: '127.0.0.1', port: child.port });
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
        const w = await openWs(`ws://127.0.0.1:${child.port}/ws/echo`);
        for (let i = 0; i < 50; i++) {
          w.send('warm');
          await once(w, 'message');
        }
        w.terminate();
      }),
    );
  }
  const before = await child.nextMem();
  let closedEarly = 0;
  const closers: (() => void)[] = [];
  for (let i = 0; i < count; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, async () => {
        if (kind === 'http') {
          const s: Socket = connect({ host: '127.0.0.1', port: child.port });
          s.on('error', () => {});
          s.on('close', () => closedEarly++);
          await once(s, 'connect');
          s.write('GET /small HTTP/1.1\r\nHost: bench\r\n\r\n');
          await once(s, 'data');
          closers.push(() => (s.removeAllListeners('close'), s.destroy()));
        } else {
          const ws = await openWs(`ws://127.0.0.1:${child.port}/ws/echo`);
          ws.on('close', () => closedEarly++);
          closers.push(() => (ws.removeAllListeners('close'), ws.terminate()));
        }
      }),
    );
  }
  await new Promise((r) => setTimeout(r, 300));
  const after = await child.nextMem();
  for (const c of closers) c();
  return { rss: (after.rss - before.rss) / count, heap: (after.heapUsed - before.heapUsed) / count, heapTotal: (after.heapTotal - before.heapTotal) / count, buffers: (after.arrayBuffers - before.arrayBuffers) / count, closedEarly };
}

const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  scenario: string;
  cli: string;
  ext: string;
  anchor: string;
  cliRatio: number;
  extRatio: number;
  target: string;
  /** true when higher ratios are better. */
  higher: boolean;
  goal: number;
}

/** --base: another checkout whose extension mode replaces `wireplay serve` in the first column. */
const BASE_DIR = arg('base', '');

function printTables(rows: Row[]): void {
  for (const [side, title] of [
    ['cli', BASE_DIR ? `BASE BUILD (${BASE_DIR}) in-process as the extension runs it` : '`wireplay serve` (process, request log on)'],
    ['ext', 'in-process as the extension runs it (capture + request events on)'],
  ] as const) {
    console.log(`\n${title} vs its anchor, same run:`);
    console.log('| scenario | Wireplay | anchor | ratio | target | |');
    console.log('| --- | ---: | ---: | ---: | --- | --- |');
    for (const r of rows) {
      const ratio = side === 'cli' ? r.cliRatio : r.extRatio;
      const met = r.higher ? ratio >= r.goal : ratio <= r.goal;
      console.log(`| ${r.scenario} | ${side === 'cli' ? r.cli : r.ext} | ${r.anchor} | **${fmt(ratio, 2)}×** | ${r.target} | ${Number.isFinite(ratio) ? (met ? 'met' : 'missed') : ''} |`);
    }
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT_DIR, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `node scripts/build.mjs` first (npm run bench does)');
  const seconds = Number(arg('seconds', '2'));
  const rounds = Number(arg('rounds', '3'));
  const only = arg('only', '').split(',').filter(Boolean);
  const idleCount = Number(arg('idle', '1000'));
  const wanted = (name: string) => only.length === 0 || only.some((w) => name.includes(w));
  const root = mkdtempSync(join(tmpdir(), 'wireplay-bench-users-'));
  writeFileSync(join(root, 'big.bin'), Buffer.alloc(FILE_SIZE, 0x5a));
  writeFileSync(join(root, 'wireplay.routes.json'), JSON.stringify({ routes: [{ path: '/small', headers: { 'Content-Type': 'text/plain' }, body: SMALL_BODY }] }));
  const pipeline = join(root, 'pipeline.lua');
  writeFileSync(
    pipeline,
    `init = function(args)
  local r = {}
  for i = 1, 16 do r[i] = wrk.format(nil, "/small") end
  req = table.concat(r)
end
request = function() return req end
`,
  );
  const children: Child[] = [];
  const cleanup = () => {
    for (const c of children) c.proc.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  const rows: Row[] = [];
  const started = Date.now();
  try {
    for (const name of ['cli', 'ext', 'node'] as const) children.push(await startChild(name, root));
    // Each side must answer the same bytes before anything is measured.
    for (const c of children) {
      const res = await fetch(`http://127.0.0.1:${c.port}/small`);
      const body = await res.text();
      if (res.status !== 200 || body !== SMALL_BODY) throw new Error(`${c.name}: GET /small answered ${res.status} ${JSON.stringify(body.slice(0, 80))}`);
      const big = await fetch(`http://127.0.0.1:${c.port}/files/big.bin`);
      if (big.status !== 200 || (await big.arrayBuffer()).byteLength !== FILE_SIZE) throw new Error(`${c.name}: GET /files/big.bin answered ${big.status}`);
    }
    console.log(
      `as-users-run bench: ${cpus} CPU(s), ${haveTaskset ? `servers pinned to CPU ${SERVER_CPU}, load to CPU ${LOAD_CPU}` : 'no pinning'}, ` +
        `${rounds} round(s) × ${seconds} s, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}, Node ${process.version}`,
    );

    const http = [
      { name: 'keep-alive GET c=50', path: '/small', c: 50, extra: [] as string[], goal: 1.5 },
      { name: 'pipelined GET ×16 c=50', path: '/small', c: 50, extra: ['-s', pipeline], goal: 4 },
      { name: 'new connection per request c=50', path: '/small', c: 50, extra: ['-H', 'Connection: close'], goal: 1 },
      { name: 'static 1 MiB /files/* c=10', path: '/files/big.bin', c: 10, extra: [] as string[], goal: 1 },
    ];
    for (const s of http) {
      if (!wanted(s.name)) continue;
      const acc = new Map<string, { rps: number[]; mbps: number[] }>();
      for (const c of children) {
        acc.set(c.name, { rps: [], mbps: [] });
        wrk(`http://127.0.0.1:${c.port}${s.path}`, 1, s.c, s.extra); // warm-up
      }
      const cpuAcc = new Map<string, number[]>(children.map((c) => [c.name, []]));
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < children.length; k++) {
          const c = children[(k + r) % children.length];
          const ticks0 = cpuTicks(c.proc.pid);
          const m = wrk(`http://127.0.0.1:${c.port}${s.path}`, seconds, s.c, s.extra);
          cpuAcc.get(c.name)!.push(((cpuTicks(c.proc.pid) - ticks0) * TICK_US) / (m.rps * seconds));
          acc.get(c.name)!.rps.push(m.rps);
          acc.get(c.name)!.mbps.push(m.mbps);
          if (m.errors) console.log(`  ${s.name} / ${c.name}: ${m.errors}`);
        }
      }
      const best = (n: string) => Math.max(...acc.get(n)!.rps);
      console.log(`  ${s.name}: server CPU per request (median µs): ${children.map((c) => `${BASE_DIR && c.name === 'cli' ? 'base ext' : c.name} ${fmt(median(cpuAcc.get(c.name)!), 1)}`).join(', ')}`);
      const big = s.path.endsWith('.bin');
      const show = (n: string) => (big ? `${fmt(Math.max(...acc.get(n)!.mbps))} MB/s` : `${fmt(best(n))} req/s`);
      rows.push({
        scenario: s.name,
        cli: show('cli'),
        ext: show('ext'),
        anchor: `${show('node')} (node:http)`,
        cliRatio: best('cli') / best('node'),
        extRatio: best('ext') / best('node'),
        target: `≥ ${s.goal}×`,
        higher: true,
        goal: s.goal,
      });
      process.stderr.write(`${s.name} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    }

    if (wanted('ws')) {
      for (const size of [16, 65536, 1048576]) {
        const acc = new Map<string, number[]>(children.map((c) => [c.name, []]));
        const cpuAcc = new Map<string, number[]>(children.map((c) => [c.name, []]));
        for (let r = 0; r < rounds; r++) {
          for (let k = 0; k < children.length; k++) {
            const c = children[(k + r) % children.length];
            const e = await wsEchoCpu(c.port, size, seconds / 2, c.proc.pid);
            acc.get(c.name)!.push(e.rate);
            cpuAcc.get(c.name)!.push(e.cpuUs);
          }
        }
        const m = (n: string) => median(acc.get(n)!);
        const label = size >= 1048576 ? '1 MiB' : size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
        // CPU per echoed message is steadier than throughput on a shared machine (median over the rounds).
        console.log(`  echo ${label}: server CPU per message (median µs): ${children.map((c) => `${BASE_DIR && c.name === 'cli' ? 'base ext' : c.name} ${fmt(median(cpuAcc.get(c.name)!), 1)}`).join(', ')}`);
        rows.push({
          scenario: `WebSocket echo ${label}, 50 connections`,
          cli: `${fmt(m('cli'))} msg/s`,
          ext: `${fmt(m('ext'))} msg/s`,
          anchor: `${fmt(m('node'))} msg/s (ws + bufferutil)`,
          cliRatio: m('cli') / m('node'),
          extRatio: m('ext') / m('node'),
          target: '≥ 1.0×',
          higher: true,
          goal: 1,
        });
        process.stderr.write(`echo ${label} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
      }
    }
    for (const c of children.splice(0)) await c.stop();

    if (wanted('memory')) {
      for (const kind of ['http', 'ws'] as const) {
        const res = new Map<string, { rss: number; heap: number; heapTotal: number; buffers: number }>();
        for (const name of ['cli', 'ext', 'node'] as const) {
          const child = await startChild(name, root);
          children.push(child);
          const m = await idleMemory(child, idleCount, kind);
          if (m.closedEarly > 0) console.log(`  idle ${kind} / ${name}: ${m.closedEarly} connection(s) closed before the reading`);
          res.set(name, m);
          await child.stop();
          children.splice(children.indexOf(child), 1);
        }
        const kib = (n: string) => `${fmt(res.get(n)!.rss / 1024, 1)} KiB (heap ${fmt(res.get(n)!.heap / 1024, 1)} used / ${fmt(res.get(n)!.heapTotal / 1024, 1)} reserved, buffers ${fmt(res.get(n)!.buffers / 1024, 1)})`;
        rows.push({
          scenario: `RSS per idle ${kind === 'http' ? 'keep-alive HTTP' : 'WebSocket'} connection (${fmt(idleCount)})`,
          cli: kib('cli'),
          ext: kib('ext'),
          anchor: `${kib('node')} (${kind === 'http' ? 'node:http' : 'ws'})`,
          cliRatio: res.get('cli')!.rss / res.get('node')!.rss,
          extRatio: res.get('ext')!.rss / res.get('node')!.rss,
          target: '≤ 1.0× (lower is better)',
          higher: false,
          goal: 1,
        });
      }
    }
    printTables(rows);
    if (wanted('parser')) {
      // (e) the parser against llhttp (node's own) and http-parser-js, in this same run, on the server CPU.
      console.log('\nparser (bench/parser.bench.ts, same run):');
      const [cmd, args] = pinned(SERVER_CPU, process.execPath, ['--import', 'tsx', join(ROOT_DIR, 'bench', 'parser.bench.ts'), '--seconds', String(Math.max(4, seconds * 2))]);
      const r = spawnSync(cmd, args, { cwd: ROOT_DIR, stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`parser bench exited ${r.status ?? r.signal}`);
    }
    console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s, load average after ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
  } finally {
    cleanup();
    process.removeListener('exit', cleanup);
  }
}

const role = arg('role', '');
if (role) void runRole(role, arg('root', ''));
else if (haveTaskset && process.env.WIREPLAY_BENCH_PINNED !== '1') {
  // The WebSocket load is this process's `ws` client: run the driver itself on the load CPU.
  const r = spawnSync('taskset', ['-c', LOAD_CPU, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, WIREPLAY_BENCH_PINNED: '1', WIREPLAY_BENCH_CPUS: String(cpus) },
  });
  process.exit(r.status ?? 1);
} else
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
