// What recording each request's pipeline (stages and route; docs/pipeline.md)
// costs, measured with wrk on keep-alive small GETs (c=50) in one run,
// alternating servers round by round:
//   on     — a `request` listener, stages recorded (what the extension and the
//            playground run: the capture keeps each record)
//   off    — the same listener, `recordStages: false`
//   quiet  — no listener (nothing is recorded: the default of `wireplay serve`
//            without a log)
//   node   — node:http with a 'request' handler that does the same work (the anchor)
// The figure that matters is on / off; node:http says what the run was worth.
//
// Each server runs in its own child process, pinned to CPU 0 with taskset when
// there are ≥ 2 CPUs; wrk is pinned to the other CPU. About a minute.
//
//   node --import tsx bench/pipeline-stages.bench.ts [--seconds N] [--rounds N] [--record-only]
//   (child roles: --role on|off|quiet|node, used by the bench itself)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createServer as createHttpServer } from 'node:http';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

const BODY = 'hello world\n';
const ROLES = ['on', 'off', 'quiet', 'node'] as const;
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
  const server = createWireplayServer({ recordStages: role !== 'off', limits: { keepAliveTimeout: 120_000, headersTimeout: 120_000 } });
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
      process.stderr.write(answered > 0 || role === 'off' ? '' : `${role}: no request was recorded\n`);
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

async function startChild(role: Role): Promise<Child> {
  const [cmd, args] = pinned('0', process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--role', role]);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`${role} server exited ${code}`)));
  });
  return { role, proc, port };
}

function wrk(port: number, seconds: number): number {
  const [cmd, args] = pinned(LOAD_CPU, 'wrk', ['-t1', '-c50', `-d${seconds}s`, `http://127.0.0.1:${port}/small/world`]);
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  if (/Non-2xx|Socket errors/.test(r.stdout)) throw new Error(`wrk saw errors:\n${r.stdout}`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? NaN);
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
    for (const c of children) wrk(c.port, 1); // warm-up
    const results = new Map<Role, number[]>(ROLES.map((r) => [r, []]));
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round so no server always runs first.
      for (let i = 0; i < children.length; i++) {
        const c = children[(i + round) % children.length];
        results.get(c.role)!.push(wrk(c.port, seconds));
      }
    }
    const m = (r: Role) => median(results.get(r)!);
    console.log('\n| server | req/s (median) | rounds |');
    console.log('| --- | ---: | --- |');
    for (const r of ROLES) console.log(`| ${r} | ${fmt(m(r))} | ${results.get(r)!.map(fmt).join(', ')} |`);
    console.log(`\nstages on / off: ${(m('on') / m('off')).toFixed(3)}×   on / quiet: ${(m('on') / m('quiet')).toFixed(3)}×   on / node:http: ${(m('on') / m('node')).toFixed(2)}×`);
    const spread = (r: Role) => (Math.max(...results.get(r)!) - Math.min(...results.get(r)!)) / m(r);
    console.log(`round-to-round spread (max − min) / median: on ${(spread('on') * 100).toFixed(1)}%, off ${(spread('off') * 100).toFixed(1)}%`);
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

const role = arg('role', '');
if (role) void runRole(role as Role);
else
  (process.argv.includes('--record-only') ? recordCost() : main()).catch((err) => {
    console.error(err);
    process.exit(1);
  });
