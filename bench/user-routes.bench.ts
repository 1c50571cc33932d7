// User routes: what the hop to the routes worker costs. The same handler served
// three ways, in one run, alternating turn by turn:
//   worker    a wireplay.routes.mjs route (runs in the routes worker thread; the
//             request, its body and the response cross as messages)
//   built-in  the same function registered on the router (runs on the server's
//             event loop, as user routes did before they moved to a worker)
//   node      node:http with the same function body
// Scenarios (wrk, keep-alive): a small GET; a POST whose 16 KiB body the handler
// reads whole; a 256 KiB response written in 16 KiB pieces with write()/drain().
//
// Each server runs in its own child process pinned to CPU 0 (taskset, when there
// are ≥ 2 CPUs) — the routes worker thread shares that core, so its cost shows —
// and wrk is pinned to the other CPU. Besides requests per second the table gives
// each server's CPU time per request (process.cpuUsage() of the child, all its
// threads, across the turn): on 2 cores wrk sets much of the pace, CPU time does not.
//
//   node --import tsx bench/user-routes.bench.ts [--seconds N] [--rounds N]
//   (child roles: --role worker|builtin|node, used by the bench itself)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const option = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};

// The handlers, as one module text: the worker imports it as a routes file, the
// other two evaluate the same text, so all three run the very same functions.
const HANDLERS = `const piece = Buffer.alloc(16 * 1024, 97);
export default {
  'GET /small': (req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end('hello world\\n');
  },
  'POST /upload': async (req, res) => {
    const body = await req.body();
    res.end(String(body.length));
  },
  'GET /stream': async (req, res) => {
    res.setHeader('Content-Type', 'application/octet-stream');
    for (let i = 0; i < 16; i++) if (!res.write(piece)) await res.drain();
    res.end();
  },
};
`;

type Handler = (req: unknown, res: unknown) => unknown;

async function handlers(dir: string): Promise<Record<string, Handler>> {
  const file = join(dir, 'handlers.mjs');
  writeFileSync(file, HANDLERS);
  return ((await import(pathToFileURL(file).href)) as { default: Record<string, Handler> }).default;
}

// ---------------------------------------------------------------------------
// Child roles: print `PORT <n>`; answer `cpu` on stdin with `CPU <µs>`.

async function runRole(role: string, dir: string): Promise<void> {
  let port: number;
  if (role === 'node') {
    const h = await handlers(dir);
    // node:http's request and response stand in for Wireplay's: body() and drain() are the only differences.
    const server = createServer((req, res) => {
      const r = Object.assign(req, { body: () => new Promise<Buffer>((ok) => { const parts: Buffer[] = []; req.on('data', (c: Buffer) => parts.push(c)); req.on('end', () => ok(Buffer.concat(parts))); }) });
      const s = Object.assign(res, { drain: () => new Promise<void>((ok) => res.once('drain', ok)) });
      const key = `${req.method} ${req.url}`;
      if (h[key]) void h[key](r, s);
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    server.keepAliveTimeout = 120_000;
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as { port: number }).port;
  } else {
    const { createWireplayServer } = await import('../server-core/index.js');
    const limits = { keepAliveTimeout: 120_000, headersTimeout: 120_000 };
    const file = join(dir, 'wireplay.routes.mjs');
    writeFileSync(file, HANDLERS);
    const server =
      role === 'worker'
        ? createWireplayServer({ routesFile: file, allowCode: true, limits })
        : createWireplayServer({ limits });
    if (role === 'builtin') {
      const h = await handlers(dir);
      for (const [key, fn] of Object.entries(h)) {
        const [method, path] = key.split(' ');
        server.router!.add(method, path, fn as never);
      }
    }
    port = (await server.listen()).port;
  }
  process.stdout.write(`PORT ${port}\n`);
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line !== 'cpu') return;
    const u = process.cpuUsage();
    process.stdout.write(`CPU ${u.user + u.system}\n`);
  });
}

// ---------------------------------------------------------------------------
// The driver

const cpus = availableParallelism();
const taskset = cpus >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const onCpu = (cpu: number, cmd: string, args: string[]): [string, string[]] => (taskset ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args]);

interface Server {
  role: string;
  proc: ChildProcess;
  port: number;
  cpuMicros(): Promise<number>;
}

async function start(role: string, dir: string): Promise<Server> {
  const [cmd, args] = onCpu(0, process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--role', role, '--dir', dir]);
  const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = () => new Promise<string>((ok) => waiting.push(ok));
  const first = await Promise.race([nextLine(), new Promise<string>((_, fail) => proc.once('exit', (code) => fail(new Error(`${role} exited ${code}`))))]);
  const port = Number(/^PORT (\d+)$/.exec(first)?.[1]);
  return {
    role,
    proc,
    port,
    async cpuMicros() {
      const line = nextLine();
      proc.stdin!.write('cpu\n');
      return Number(/^CPU (\d+)$/.exec(await line)?.[1]);
    },
  };
}

function load(url: string, seconds: number, script: string | undefined): number {
  const [cmd, args] = onCpu(cpus >= 2 ? 1 : 0, 'wrk', ['-t1', '-c50', `-d${seconds}s`, ...(script ? ['-s', script] : []), url]);
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  if (/Non-2xx|Socket errors/.test(r.stdout)) console.log(`  ${url}: ${/(Socket errors:.*|Non-2xx.*)/.exec(r.stdout)![0]}`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—');

async function main(): Promise<void> {
  const seconds = Number(option('seconds', '2'));
  const rounds = Number(option('rounds', '3'));
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-user-routes-bench-'));
  const post = join(dir, 'post.lua');
  writeFileSync(post, `wrk.method = "POST"\nwrk.body = string.rep("x", 16384)\nwrk.headers["Content-Type"] = "application/octet-stream"\n`);
  const servers: Server[] = [];
  const cleanup = () => {
    for (const s of servers) s.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (const role of ['worker', 'builtin', 'node']) servers.push(await start(role, dir));
  console.log(
    `user-routes bench: ${cpus} CPU(s), ${taskset ? 'servers (and their routes worker) pinned to CPU 0, wrk to CPU 1' : 'no pinning'}, ` +
      `${rounds} round(s) × ${seconds} s per scenario and server, c=50, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  const scenarios = [
    { name: 'small GET', path: '/small', script: undefined },
    { name: 'POST, 16 KiB body read whole', path: '/upload', script: post },
    { name: '256 KiB written in 16 KiB pieces', path: '/stream', script: undefined },
  ];
  const rows: string[][] = [];
  for (const s of scenarios) {
    const best = new Map<string, { rps: number; cpu: number }>();
    for (const server of servers) load(`http://127.0.0.1:${server.port}${s.path}`, 1, s.script); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const server of r % 2 === 0 ? servers : [...servers].reverse()) {
        const before = await server.cpuMicros();
        const rps = load(`http://127.0.0.1:${server.port}${s.path}`, seconds, s.script);
        const cpu = (await server.cpuMicros()) - before;
        const perRequest = cpu / (rps * seconds);
        const prev = best.get(server.role);
        if (!prev || rps > prev.rps) best.set(server.role, { rps, cpu: Math.min(perRequest, prev?.cpu ?? Infinity) });
        else prev.cpu = Math.min(prev.cpu, perRequest);
      }
    }
    const [w, b, n] = ['worker', 'builtin', 'node'].map((role) => best.get(role)!);
    rows.push([s.name, fmt(w.rps), fmt(b.rps), fmt(n.rps), `${fmt(w.rps / b.rps, 2)}×`, `${fmt(w.rps / n.rps, 2)}×`, `${fmt(w.cpu, 1)} / ${fmt(b.cpu, 1)} / ${fmt(n.cpu, 1)}`]);
  }
  // Markdown, ready for BENCHMARKS.md.
  console.log('| scenario | worker req/s | built-in req/s | node:http req/s | worker ÷ built-in | worker ÷ node:http | CPU µs/req (worker / built-in / node) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

const role = option('role', '');
(role ? runRole(role, option('dir', '')) : main().then(() => process.exit(0))).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
