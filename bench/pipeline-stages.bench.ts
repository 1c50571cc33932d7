// What recording each request's pipeline (stages and route; docs/pipeline.md)
// costs, measured with wrk on keep-alive small GETs (c=50) in one run,
// alternating servers round by round:
//   on     — a `request` listener, stages recorded (what the extension and the
//            playground run: the capture keeps each record)
//   off    — the same listener, `recordStages: false`
//   quiet  — no listener (nothing is recorded: the default of `wireplay serve`
//            without a log)
//   off2   — a second `off` process: off2 / off is this run's noise floor (an
//            A/A pair), the yardstick for "no more than noise"
//   node   — node:http with a 'request' handler that does the same work (the anchor)
// The figures that matter are on / off next to off2 / off, in throughput and in
// CPU time per request (read from /proc, steadier than throughput on a shared
// machine); node:http says what the run was worth.
//
// Each server runs in its own child process, pinned to CPU 0 with taskset when
// there are ≥ 2 CPUs; wrk is pinned to the other CPU. About a minute.
//
// --profile: a second measure that does not depend on throughput settling: the
// `on` and `off` servers (bundled with esbuild, since a profiler under tsx's
// loader slows them a hundredfold) each run under `node --cpu-prof` with wrk,
// and the bench prints the share of the server's busy CPU samples spent in
// request-stages.ts and in clock reads. on − off is what recording costs.
//
//   node --import tsx bench/pipeline-stages.bench.ts [--seconds N] [--rounds N] [--record-only] [--profile]
//   (child roles: --role on|off|quiet|node, used by the bench itself)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer as createHttpServer } from 'node:http';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

const BODY = 'hello world\n';
const ROLES = ['on', 'off', 'off2', 'quiet', 'node'] as const;
type Role = (typeof ROLES)[number];

async function runRole(role: Role): Promise<void> {
  if (role === 'node') {
    const server = createHttpServer((_req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(BODY);
    });
    server.keepAliveTimeout = 120_000;
    server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${(server.address() as { port: number }).port}\n`));
    return;
  }
  const { createWireplayServer } = await import('../server-core/index.js');
  const server = createWireplayServer({ recordStages: role !== 'off' && role !== 'off2', limits: { keepAliveTimeout: 120_000, headersTimeout: 120_000 } });
  server.router!.get('/small/:name', (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.end(BODY);
  });
  if (role !== 'quiet') {
    // Reads what a log or the capture reads.
    let answered = 0;
    server.events.on('request', (e) => {
      if (e.route?.kind === 'code' && e.stages.lastResponseByte !== undefined) answered++;
    });
    process.on('SIGTERM', () => {
      process.stderr.write(answered > 0 || role === 'off' || role === 'off2' ? '' : `${role}: no request was recorded\n`);
      process.exit(0);
    });
  }
  const { port } = await server.listen();
  process.stdout.write(`PORT ${port}\n`);
}

interface Child {
  role: Role;
  proc: ChildProcess;
  port: number;
}

const cpus = availableParallelism();
const haveTaskset = cpus >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pinned = (cpu: string, cmd: string, args: string[]): [string, string[]] => (haveTaskset ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args]);
const LOAD_CPU = cpus >= 2 ? '1' : '0';

function portOf(proc: ChildProcess, role: Role): Promise<number> {
  let out = '';
  return new Promise<number>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`${role} server exited ${code}`)));
  });
}

async function startChild(role: Role): Promise<Child> {
  const [cmd, args] = pinned('0', process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--role', role]);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return { role, proc, port: await portOf(proc, role) };
}

interface Turn {
  rps: number;
  /** The server's CPU time (user + system) per request, µs. */
  cpuUs: number;
}

/** Clock ticks of user + system CPU time a process has used (Linux /proc). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of the line)
}
const TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

function wrk(child: Child, seconds: number): Turn {
  const [cmd, args] = pinned(LOAD_CPU, 'wrk', ['-t1', '-c50', `-d${seconds}s`, `http://127.0.0.1:${child.port}/small/world`]);
  const before = cpuTicks(child.proc.pid!);
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const ticks = cpuTicks(child.proc.pid!) - before;
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  if (/Non-2xx|Socket errors/.test(r.stdout)) throw new Error(`wrk saw errors:\n${r.stdout}`);
  const requests = Number(/(\d+) requests in/.exec(r.stdout)?.[1] ?? NaN);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN), cpuUs: ((ticks / TICKS_PER_S) * 1e6) / requests };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '3'));
  const rounds = Number(arg('rounds', '4'));
  console.log(`pipeline-stages bench: ${cpus} CPU(s), ${haveTaskset ? 'servers on CPU 0, wrk on CPU 1' : 'no pinning'}, ${rounds} rounds of ${seconds} s per server, keep-alive GET c=50`);
  const children: Child[] = [];
  try {
    for (const role of ROLES) children.push(await startChild(role));
    for (const c of children) wrk(c, 1); // warm-up
    const results = new Map<Role, Turn[]>(ROLES.map((r) => [r, []]));
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round so no server always runs first.
      for (let i = 0; i < children.length; i++) {
        const c = children[(i + round) % children.length];
        results.get(c.role)!.push(wrk(c, seconds));
      }
    }
    const rps = (r: Role) => results.get(r)!.map((t) => t.rps);
    const cpu = (r: Role) => results.get(r)!.map((t) => t.cpuUs);
    const m = (r: Role) => median(rps(r));
    const c = (r: Role) => median(cpu(r));
    console.log('\n| server | req/s (median) | rounds | CPU µs per request (median) | rounds |');
    console.log('| --- | ---: | --- | ---: | --- |');
    for (const r of ROLES) console.log(`| ${r} | ${fmt(m(r))} | ${rps(r).map(fmt).join(', ')} | ${c(r).toFixed(1)} | ${cpu(r).map((x) => x.toFixed(1)).join(', ')} |`);
    console.log(`\nthroughput  on / off: ${(m('on') / m('off')).toFixed(3)}×   noise floor off2 / off: ${(m('off2') / m('off')).toFixed(3)}×   on / quiet: ${(m('on') / m('quiet')).toFixed(3)}×   on / node:http: ${(m('on') / m('node')).toFixed(2)}×`);
    console.log(`CPU per request  on / off: ${(c('on') / c('off')).toFixed(3)}×   noise floor off2 / off: ${(c('off2') / c('off')).toFixed(3)}×   on − off: ${(c('on') - c('off')).toFixed(2)} µs`);
    // Paired per round: the servers of one round ran seconds apart, so the machine's drift
    // (other processes, a VM's neighbours) mostly cancels in the round's own ratio.
    const paired = (a: Role, b: Role) => median(rps(a).map((x, i) => x / rps(b)[i]));
    const pairedRange = (a: Role, b: Role) => {
      const rs = rps(a).map((x, i) => x / rps(b)[i]).sort((x, y) => x - y);
      return `${rs[0].toFixed(2)}–${rs[rs.length - 1].toFixed(2)}`;
    };
    console.log(`paired per round (median of the rounds' ratios)  on / off: ${paired('on', 'off').toFixed(3)}× (${pairedRange('on', 'off')})   noise floor off2 / off: ${paired('off2', 'off').toFixed(3)}× (${pairedRange('off2', 'off')})`);
    const spread = (r: Role) => (Math.max(...rps(r)) - Math.min(...rps(r))) / m(r);
    console.log(`round-to-round throughput spread (max − min) / median: on ${(spread('on') * 100).toFixed(1)}%, off ${(spread('off') * 100).toFixed(1)}%, off2 ${(spread('off2') * 100).toFixed(1)}%`);
  } finally {
    for (const c of children) c.proc.kill();
  }
  await recordCost();
}

/**
 * The record on its own, in this process: what one request's recording does (the
 * recorder, its clock reads, the JSON the event carries), so its cost per request
 * can be set against a request's time on the wire even when the machine is too busy
 * for wrk's figures to settle.
 */
async function recordCost(): Promise<void> {
  const { StageRecorder } = await import('../server-core/server/request-stages.js');
  const route = { method: 'GET', pattern: '/small/:name', source: 'builtin' as const, kind: 'http' as const, description: '', origin: { kind: 'code' as const } };
  const params = { name: 'world' };
  const n = 1_000_000;
  let sink = 0;
  const one = () => {
    const t = performance.now();
    const rec = new StageRecorder(t, t, false);
    rec.headParsed = performance.now();
    rec.bodyParsed = rec.headParsed;
    rec.handlerStart = performance.now();
    rec.routed(route, params);
    rec.handlerStarted();
    rec.responseBytes();
    rec.responseDone();
    const s = rec.stages();
    const r = rec.routeDecision();
    sink += (s.lastResponseByte ?? 0) + (r ? 1 : 0);
  };
  for (let i = 0; i < 100_000; i++) one(); // warm-up
  const best: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) one();
    best.push(((performance.now() - t0) * 1000) / n);
  }
  const us = Math.min(...best);
  console.log(`\none request's record on its own: ${us.toFixed(3)} µs (best of 5 × ${n.toLocaleString('en-US')}; ${sink > 0 ? 'checked' : 'empty'})`);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
}

/** Runs `role` from `bundle` under the CPU profiler with wrk for `seconds`; returns the profile. */
async function profileRole(bundle: string, dir: string, role: Role, seconds: number): Promise<CpuProfile> {
  const profDir = join(dir, role);
  const [cmd, args] = pinned('0', process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, bundle, '--role', role]);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const child: Child = { role, proc, port: await portOf(proc, role) };
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  wrk(child, 1); // warm-up
  wrk(child, seconds);
  proc.kill('SIGTERM'); // the role exits normally on SIGTERM, which writes the profile
  await exited;
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`${role}: no profile written`);
  return JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile;
}

/** Share of busy samples whose own frame is in request-stages.ts (by the bundle's lines) or a clock read. */
function recordingShare(profile: CpuProfile, lines: [number, number]): { recorder: number; clock: number; busy: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  let recorder = 0;
  let clock = 0;
  let busy = 0;
  for (const id of profile.samples) {
    const f = byId.get(id)!;
    if (f.functionName === '(idle)') continue;
    busy++;
    const line = f.lineNumber + 1;
    if (f.url.endsWith('.mjs') && line >= lines[0] && line < lines[1]) recorder++;
    else if (f.functionName === 'now' && !f.url.endsWith('.mjs')) clock++;
  }
  return { recorder, clock, busy };
}

async function profileMain(): Promise<void> {
  const seconds = Number(arg('seconds', '6'));
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-stages-prof-'));
  try {
    const bundle = join(dir, 'bench.mjs');
    const { build } = await import('esbuild');
    await build({ entryPoints: [fileURLToPath(import.meta.url)], bundle: true, platform: 'node', format: 'esm', outfile: bundle, external: ['esbuild'], logLevel: 'warning' });
    // esbuild marks each bundled module with a `// path` comment line: request-stages.ts runs to the next one.
    const text = readFileSync(bundle, 'utf8').split('\n');
    const start = text.indexOf('// server-core/server/request-stages.ts') + 1;
    const end = text.findIndex((l, i) => i >= start && /^\/\/ \S+\.ts$/.test(l)) + 1;
    if (start === 0 || end <= start) throw new Error('request-stages.ts not found in the bundle');
    console.log(`pipeline-stages profile: on and off under --cpu-prof, ${seconds} s of wrk c=50 each, ${haveTaskset ? 'pinned' : 'not pinned'}`);
    const shares: Record<string, ReturnType<typeof recordingShare>> = {};
    for (const role of ['on', 'off'] as const) shares[role] = recordingShare(await profileRole(bundle, dir, role, seconds), [start, end]);
    const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(2)}%`;
    for (const [role, s] of Object.entries(shares))
      console.log(`${role}: ${s.busy} busy samples; request-stages.ts ${pct(s.recorder, s.busy)}, clock reads ${pct(s.clock, s.busy)}, together ${pct(s.recorder + s.clock, s.busy)}`);
    const on = shares.on;
    const off = shares.off;
    console.log(`recording costs (on − off): ${(((on.recorder + on.clock) / on.busy - (off.recorder + off.clock) / off.busy) * 100).toFixed(2)}% of the server's busy CPU`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const role = arg('role', '');
if (role) void runRole(role as Role);
else
  (process.argv.includes('--record-only') ? recordCost() : process.argv.includes('--profile') ? profileMain() : main()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
