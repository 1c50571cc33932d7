// Wireplay's proxy (capture on: every byte of both legs stored and dissected)
// against the `http-proxy` npm package (a node:http reverse proxy with a
// keep-alive agent) and against the app directly, in one run, measured with
// wrk (Debian), alternating round by round:
//   keep-alive GET of a small body (c=50), 1 MiB responses (c=10), and the
//   added latency: p50 of one connection doing one request at a time (c=1),
//   minus the direct p50. A second Wireplay column records as the extension
//   does (into a store that keeps bytes only: the window's store, whose readers
//   all read bytes), a third has no capture: what the forwarding costs apart
//   from recording and dissecting.
//
// The app (node:http) and each proxy run in their own child process. With
// ≥ 2 CPUs the throughput scenarios pin the proxies to CPU 0, the app and wrk
// to CPU 1 (steadier on a shared machine). The c=1 latency is measured twice:
// pinned apart like that (every exchange through a proxy then crosses CPUs
// four times, direct none), and unpinned, every process free to run on any CPU
// as users run it (the children's affinity is widened with `taskset -a -p`).
// The target is judged on the unpinned row (docs/proxy.md, BENCHMARKS.md).
// Bounded to about two minutes. Figures depend on the machine and its load:
// compare the ratios, and read the load average printed with them.
//
//   node --import tsx bench/proxy.bench.ts [--seconds N] [--rounds N] [--only WORD,…] [--targets KEY,…] [--same-cpu] [--base DIR] [--gc]
//   (--only: keep-alive, big, latency (both c=1 rows), unpinned (the judged c=1 row only))
//   (--targets: measure only these, direct always: wireplay, base, bytes, bytes-base, no-capture, http-proxy;
//   the others print as —. More rounds of fewer targets in the same time, for an A/B.)
//   --base DIR: an A/B in the same run — DIR is another checkout (`git archive main | tar -x -C DIR`, with
//   node_modules linked): its Wireplay proxy (capture on) and its bytes-only one join as "(base)" columns.
//   --gc: the Wireplay proxies run with --trace-gc; the mark-compacts (and scavenges) each one did over the
//   measured rounds are printed per scenario.
//   (child roles: --role app|wireplay|http-proxy, used by the bench itself)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Agent, createServer } from 'node:http';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

const SMALL_BODY = 'hello world\n';
const BIG = Buffer.alloc(1024 * 1024, 0x5a);

async function runRole(role: string, target: string): Promise<void> {
  const ready = (port: number) => process.stdout.write(`PORT ${port}\n`);
  // A normal exit on SIGINT, so a --cpu-prof run writes its profile.
  process.on('SIGINT', () => process.exit(0));
  if (role === 'app') {
    const server = createServer((req, res) => {
      if (req.url === '/big') {
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', BIG.length);
        res.end(BIG);
      } else {
        res.setHeader('Content-Type', 'text/plain');
        res.end(SMALL_BODY);
      }
    });
    server.keepAliveTimeout = 120_000;
    server.listen(0, '127.0.0.1', () => ready((server.address() as { port: number }).port));
  } else if (role.startsWith('wireplay')) {
    // wireplay: capture on as the CLI runs it (bytes kept, dissected when read or evicted); wireplay-bytes-only:
    // kept, not dissected (the extension's window store);
    // wireplay-no-capture: the forwarding alone.
    const { createWireplayProxy } = await import('../server-core/proxy/wireplay-proxy.js');
    const { CaptureStore } = await import('../server-core/capture/capture-store.js');
    const capture = role === 'wireplay' ? undefined : role === 'wireplay-bytes-only' ? new CaptureStore({ dissect: false }) : false;
    // The CLI's defaults (a 30 s response timeout, armed once per request; a 64 MiB capture store), as users run it.
    const proxy = createWireplayProxy({ target, capture });
    const a = await proxy.listen();
    ready(a.port);
  } else if (role === 'http-proxy') {
    const { default: httpProxy } = await import('http-proxy');
    const proxy = httpProxy.createProxyServer({ target, agent: new Agent({ keepAlive: true, maxSockets: 256 }) });
    proxy.on('error', (_err, _req, res) => {
      if ('writeHead' in res && !res.headersSent) res.writeHead(502);
      res.end();
    });
    const server = createServer((req, res) => proxy.web(req, res));
    server.keepAliveTimeout = 120_000;
    server.listen(0, '127.0.0.1', () => ready((server.address() as { port: number }).port));
  }
}

interface Child {
  name: string;
  proc: ChildProcess;
  port: number;
  /** With --gc: mark-compacts and scavenges the child reported so far (--trace-gc lines). */
  gc: { markCompacts: number; scavenges: number };
}

const cpus = availableParallelism();
const haveTaskset = cpus >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const PROXY_CPU = '0';
const APP_CPU = cpus >= 2 ? '1' : '0';

const ALL_CPUS = `0-${cpus - 1}`;

function pinned(cpu: string, cmd: string, args: string[]): [string, string[]] {
  return haveTaskset && cpu !== ALL_CPUS ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args];
}

/** Moves a running process, all its threads, to `cpu` (a list such as ALL_CPUS). */
function setAffinity(pid: number | undefined, cpu: string): void {
  if (!haveTaskset || pid === undefined) return;
  const r = spawnSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset -a -p ${cpu} ${pid} failed: ${r.stderr}`);
}

async function startChild(name: string, cpu: string, target = '', opts: { script?: string; traceGc?: boolean } = {}): Promise<Child> {
  const script = opts.script ?? new URL(import.meta.url).pathname;
  const flags = opts.traceGc ? ['--trace-gc'] : [];
  const [cmd, args] = pinned(cpu, process.execPath, [...flags, '--import', 'tsx', script, '--role', name, '--target', target]);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const gc = { markCompacts: 0, scavenges: 0 };
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    let resolved = false;
    proc.stdout!.on('data', (d: Buffer) => {
      const text = d.toString();
      if (!resolved) {
        out += text;
        const m = /PORT (\d+)\n/.exec(out);
        if (m) {
          resolved = true;
          resolve(Number(m[1]));
        }
      }
      // --trace-gc: one line per collection.
      gc.markCompacts += text.split('Mark-Compact').length - 1;
      gc.scavenges += text.split('Scavenge').length - 1;
    });
    proc.once('exit', (code) => reject(new Error(`${name} exited ${code}`)));
  });
  return { name, proc, port, gc };
}

interface WrkResult {
  rps: number;
  mbps: number;
  p50us: number;
  requests: number;
  errors: string;
  /** CPU time of the measured process (the proxy, or the app for direct) per request, µs. */
  cpuUsPerRequest: number;
  /** Mark-compacts and scavenges of the measured process during the run (--gc). */
  markCompacts: number;
  scavenges: number;
}

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

async function wrk(url: string, seconds: number, connections: number, measured?: Child, cpu = APP_CPU): Promise<WrkResult> {
  const [cmd, args] = pinned(cpu, 'wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
  const t0 = cpuTicks(measured?.proc.pid);
  const gc0 = { ...(measured?.gc ?? { markCompacts: 0, scavenges: 0 }) };
  // Asynchronously: the children's --trace-gc lines are read meanwhile.
  const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(cmd, args);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.once('close', (status) => resolve({ status, stdout, stderr }));
  });
  const ticks = cpuTicks(measured?.proc.pid) - t0;
  // The last GC lines of the run may still be in the pipe.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const markCompacts = (measured?.gc.markCompacts ?? 0) - gc0.markCompacts;
  const scavenges = (measured?.gc.scavenges ?? 0) - gc0.scavenges;
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
  const tr = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(r.stdout);
  const unit: Record<string, number> = { B: 1 / 1048576, KB: 1 / 1024, MB: 1, GB: 1024 };
  const mbps = tr ? Number(tr[1]) * (unit[tr[2]] ?? NaN) : NaN;
  const p = /^\s+50%\s+([\d.]+)(us|ms|s)\s*$/m.exec(r.stdout);
  const p50us = p ? Number(p[1]) * ({ us: 1, ms: 1000, s: 1e6 } as Record<string, number>)[p[2]] : NaN;
  const errors = /(Socket errors:.*|Non-2xx or 3xx responses:.*)/.exec(r.stdout)?.[0] ?? '';
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? NaN);
  return { rps, mbps, p50us, requests, errors, cpuUsPerRequest: (ticks * TICK_US) / requests, markCompacts, scavenges };
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—';
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '3'));
  const rounds = Number(arg('rounds', '3'));
  const children: Child[] = [];
  const cleanup = () => {
    for (const c of children) c.proc.kill('SIGKILL');
  };
  process.on('exit', cleanup);
  try {
    const app = await startChild('app', APP_CPU);
    children.push(app);
    const origin = `http://127.0.0.1:${app.port}`;
    const traceGc = process.argv.includes('--gc');
    const baseDir = arg('base', '');
    const baseScript = baseDir ? `${baseDir.replace(/\/$/, '')}/bench/proxy.bench.ts` : '';
    const wp = await startChild('wireplay', PROXY_CPU, origin, { traceGc });
    const wb = await startChild('wireplay-bytes-only', PROXY_CPU, origin, { traceGc });
    const wn = await startChild('wireplay-no-capture', PROXY_CPU, origin);
    const hp = await startChild('http-proxy', PROXY_CPU, origin);
    children.push(wp, wb, wn, hp);
    const base = baseScript
      ? [await startChild('wireplay', PROXY_CPU, origin, { script: baseScript, traceGc }), await startChild('wireplay-bytes-only', PROXY_CPU, origin, { script: baseScript, traceGc })]
      : [];
    children.push(...base);
    const targets: { name: string; port: number; proc: ChildProcess; child: Child }[] = [
      { name: 'Wireplay proxy', port: wp.port, proc: wp.proc, child: wp },
      ...(base.length ? [{ name: 'Wireplay proxy (base)', port: base[0].port, proc: base[0].proc, child: base[0] }] : []),
      { name: 'Wireplay, bytes only', port: wb.port, proc: wb.proc, child: wb },
      ...(base.length ? [{ name: 'Wireplay, bytes only (base)', port: base[1].port, proc: base[1].proc, child: base[1] }] : []),
      { name: 'Wireplay, no capture', port: wn.port, proc: wn.proc, child: wn },
      { name: 'http-proxy', port: hp.port, proc: hp.proc, child: hp },
      { name: 'direct', port: app.port, proc: app.proc, child: app },
    ];
    const withBase = base.length > 0;
    // --targets: measure only these (direct always); the others' cells print as —. Keys below.
    const targetKeys: Record<string, string> = {
      'Wireplay proxy': 'wireplay',
      'Wireplay proxy (base)': 'base',
      'Wireplay, bytes only': 'bytes',
      'Wireplay, bytes only (base)': 'bytes-base',
      'Wireplay, no capture': 'no-capture',
      'http-proxy': 'http-proxy',
      direct: 'direct',
    };
    const wanted = arg('targets', '');
    const measured = wanted === '' ? targets : targets.filter((x) => x.name === 'direct' || wanted.split(',').includes(targetKeys[x.name]));
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const only = arg('only', '');
    console.log(
      `proxy bench: ${cpus} CPU(s), ${haveTaskset ? `pinned rows: proxies on CPU ${PROXY_CPU}, app and wrk on CPU ${APP_CPU}; unpinned rows: every process on CPUs ${ALL_CPUS}` : 'no pinning'}, ` +
        `${rounds} round(s) × ${seconds} s per scenario and target, load average ${load}` +
        (withBase ? `; base build: ${baseDir}` : ''),
    );
    // Pinned scenarios first: the unpinned one widens every child's affinity for good.
    const scenarios = [
      { name: 'keep-alive GET c=50', path: '/small', c: 50, unpinned: false },
      { name: '1 MiB responses c=10', path: '/big', c: 10, unpinned: false },
      { name: 'one request at a time c=1, pinned apart', path: '/small', c: 1, unpinned: false },
      { name: 'one request at a time c=1, unpinned', path: '/small', c: 1, unpinned: true },
      // --same-cpu: a third placement, every process and wrk on CPU 0 (no cross-CPU wake-up for anyone:
      // what is left is each hop's own work and context switches).
      ...(process.argv.includes('--same-cpu') ? [{ name: 'one request at a time c=1, all on CPU 0', path: '/small', c: 1, unpinned: true, cpu: '0' }] : []),
    ].filter((s) => {
      if (only === '') return true;
      const words = only.split(',');
      const key = s.c === 50 ? 'keep-alive' : s.c === 10 ? 'big' : 'latency';
      return words.includes(key) || (words.includes('unpinned') && s.c === 1 && s.unpinned && !('cpu' in s));
    });
    const rows: string[][] = [];
    for (const s of scenarios) {
      const placement = ('cpu' in s ? s.cpu : undefined) ?? (s.unpinned ? ALL_CPUS : APP_CPU);
      if (s.unpinned) for (const c of children) setAffinity(c.proc.pid, placement);
      const wrkCpu = placement;
      const acc = new Map<string, WrkResult[]>(targets.map((x) => [x.name, []]));
      for (const x of measured) await wrk(`http://127.0.0.1:${x.port}${s.path}`, 1, s.c, undefined, wrkCpu); // warm-up
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? measured : [...measured].reverse();
        for (const x of order) acc.get(x.name)!.push(await wrk(`http://127.0.0.1:${x.port}${s.path}`, seconds, s.c, x.child, wrkCpu));
      }
      if (traceGc) {
        const gcOf = (name: string) => {
          const list = acc.get(name)!;
          const mc = list.reduce((n, m) => n + m.markCompacts, 0);
          const sc = list.reduce((n, m) => n + m.scavenges, 0);
          const req = list.reduce((n, m) => n + m.requests, 0);
          return `${name} ${mc} mark-compacts, ${sc} scavenges in ${fmt(req)} requests (${fmt((mc * 1000) / req, 2)} MC per 1,000)`;
        };
        console.log(`  ${s.name}, GC over the measured rounds: ${targets.filter((x) => x.name.startsWith('Wireplay') && !x.name.includes('no capture')).map((x) => gcOf(x.name)).join('; ')}`);
      }
      const best = (name: string, key: 'rps' | 'mbps') => Math.max(...acc.get(name)!.map((m) => m[key]));
      const median = (name: string) => {
        const v = acc.get(name)!.map((m) => m.p50us).sort((a, b) => a - b);
        return v[Math.floor(v.length / 2)];
      };
      for (const [name, list] of acc) for (const m of list) if (m.errors) console.log(`  ${s.name} / ${name}: ${m.errors}`);
      if (s.c === 1) {
        const d = median('direct');
        const cell = (name: string) => `${fmt(median(name))} µs (+${fmt((median(name) - d) / 1000, 3)} ms)`;
        const target = s.unpinned && !('cpu' in s) ? 'added p50 < 0.2 ms (judged here)' : '(for reference)';
        rows.push([`${s.name}: p50 latency`, cell('Wireplay proxy'), ...(withBase ? [cell('Wireplay proxy (base)')] : []), cell('Wireplay, bytes only'), ...(withBase ? [cell('Wireplay, bytes only (base)')] : []), cell('Wireplay, no capture'), cell('http-proxy'), `${fmt(d)} µs`, `${fmt(median('http-proxy') / median('Wireplay proxy'), 2)}×`, target]);
        // Every round, so the spread is visible next to the median.
        const all = (name: string) => acc.get(name)!.map((m) => fmt(m.p50us)).join(' / ');
        console.log(`  ${s.name}, p50 per round (µs): ${measured.map((x) => `${x.name} ${all(x.name)}`).join('; ')}`);
        // CPU time per exchange of the measured process (median of the rounds): steadier than a p50 on a shared machine.
        const cpuMedian = (name: string) => {
          const v = acc.get(name)!.map((m) => m.cpuUsPerRequest).sort((a, b) => a - b);
          return v[Math.floor(v.length / 2)];
        };
        console.log(`  ${s.name}, CPU per request (µs, median of the rounds): ${measured.map((x) => `${x.name} ${fmt(cpuMedian(x.name))}`).join('; ')} (direct: the app's)`);
      } else {
        const key = s.path === '/big' ? 'mbps' : 'rps';
        const unit = key === 'mbps' ? ' MB/s' : ' req/s';
        const cell = (name: string) => fmt(best(name, key)) + unit;
        const ratio = best('Wireplay proxy', key) / best('http-proxy', key);
        const baseRatio = withBase ? ` (base ${fmt(best('Wireplay proxy (base)', key) / best('http-proxy', key), 2)}×)` : '';
        rows.push([s.name, cell('Wireplay proxy'), ...(withBase ? [cell('Wireplay proxy (base)')] : []), cell('Wireplay, bytes only'), ...(withBase ? [cell('Wireplay, bytes only (base)')] : []), cell('Wireplay, no capture'), cell('http-proxy'), cell('direct'), `${fmt(ratio, 2)}×${baseRatio}`, '≥ 1.0× http-proxy']);
        // CPU per request is steadier than throughput on a shared machine: the median over the rounds.
        const cpu = (name: string) => {
          const v = acc.get(name)!.map((m) => m.cpuUsPerRequest).sort((a, b) => a - b);
          return v[Math.floor(v.length / 2)];
        };
        const cpuCell = (name: string) => `${fmt(cpu(name))} µs`;
        rows.push([`${s.name}: CPU per request`, cpuCell('Wireplay proxy'), ...(withBase ? [cpuCell('Wireplay proxy (base)')] : []), cpuCell('Wireplay, bytes only'), ...(withBase ? [cpuCell('Wireplay, bytes only (base)')] : []), cpuCell('Wireplay, no capture'), cpuCell('http-proxy'), `${cpuCell('direct')} (app)`, `${fmt(cpu('http-proxy') / cpu('Wireplay proxy'), 2)}×`, '(http-proxy ÷ Wireplay)']);
      }
    }
    const header = [
      'scenario',
      'Wireplay proxy (capture on)',
      ...(withBase ? ['base: capture on'] : []),
      'Wireplay, capture on as the extension (bytes only)',
      ...(withBase ? ['base: bytes only'] : []),
      'Wireplay, no capture',
      'http-proxy',
      'direct',
      'Wireplay (capture on) / http-proxy',
      'target',
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
    console.log(line(header));
    console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
    for (const r of rows) console.log(line(r));
    console.log('(latency row: Wireplay / http-proxy is http-proxy p50 ÷ Wireplay p50, higher is better for Wireplay)');
  } finally {
    cleanup();
    process.removeListener('exit', cleanup);
  }
}

const role = arg('role', '');
if (role) void runRole(role, arg('target', ''));
else
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
