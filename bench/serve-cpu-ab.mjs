// CPU per request, A/B: two builds of `wireplay serve` (e.g. main's dist/ copied aside, and this
// branch's) and the node:http anchor (bench/support/anchor-server.mjs), started side by side and
// measured in alternating rounds in one run, as bench/as-users-run.bench.ts runs them (a
// wireplay.routes.json route for the small GET, --root, the request log on and drained by `cat`),
// each server pinned to CPU 0 and wrk to CPU 1. CPU per request is the server process's
// utime + stime (/proc/PID/stat) over the round divided by the requests wrk completed: steadier than
// throughput on a machine others share. Medians of the rounds; the per-round figures are printed.
//
//   node bench/serve-cpu-ab.mjs OLD/cli.js NEW/cli.js bench/support/anchor-server.mjs [SECONDS=2] [ROUNDS=3] [keep-alive,pipelined,connection]
//
// Linux only (/proc, taskset, wrk). Prints the load average before and after.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
const [oldCli, newCli, anchor, secs = '2', rounds = '3', only = 'keep-alive,pipelined'] = process.argv.slice(2);
const BODY = 'hello world\n';
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`load average before: ${load()}`);
const root = mkdtempSync(join(tmpdir(), 'httpfast-ab-'));
writeFileSync(join(root, 'big.bin'), Buffer.alloc(1024, 0x5a));
writeFileSync(join(root, 'wireplay.routes.json'), JSON.stringify({ routes: [{ path: '/small', headers: { 'Content-Type': 'text/plain' }, body: BODY }] }));
const lua = join(root, 'pipeline.lua');
writeFileSync(lua, `init = function(args)\n local r = {}\n for i = 1, 16 do r[i] = wrk.format(nil, "/small") end\n req = table.concat(r)\nend\nrequest = function() return req end\n`);
const kids = [];
process.on('exit', () => { for (const k of kids) try { k.proc.kill('SIGKILL'); } catch {} rmSync(root, { recursive: true, force: true }); });
async function start(name, args, viaBash) {
  const full = ['-c', '0', process.execPath, ...args];
  const proc = viaBash ? spawn('bash', ['-c', 'exec "$@" 2> >(exec cat > /dev/null)', 'bash', 'taskset', ...full], { stdio: ['ignore', 'pipe', 'inherit'] })
                       : spawn('taskset', full, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((res, rej) => {
    createInterface({ input: proc.stdout }).on('line', (l) => { const m = /^PORT (\d+)|listening on http:\/\/[^:]+:(\d+)/.exec(l); if (m) res(Number(m[1] ?? m[2])); });
    proc.once('exit', (c) => rej(new Error(name + ' exited ' + c)));
  });
  const k = { name, proc, port }; kids.push(k); return k;
}
const cpu = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8'); const p = f.slice(f.lastIndexOf(')') + 2).split(' '); return (Number(p[11]) + Number(p[12])) * 10; /* ms */ };
const servers = [
  await start('old', [oldCli, 'serve', '--root', root, '--routes', join(root, 'wireplay.routes.json')], true),
  await start('new', [newCli, 'serve', '--root', root, '--routes', join(root, 'wireplay.routes.json')], true),
  await start('node', [anchor, root, BODY], false),
];
for (const s of servers) { const r = await fetch(`http://127.0.0.1:${s.port}/small`); const t = await r.text(); if (t !== BODY) throw new Error(s.name + ' bad body'); }
const scen = [{ name: 'keep-alive', extra: [] }, { name: 'pipelined', extra: ['-s', lua] }, { name: 'connection', extra: ['-H', 'Connection: close'] }].filter((s) => only.includes(s.name));
const med = (a) => { const b = [...a].sort((x, y) => x - y); return b.length % 2 ? b[(b.length - 1) / 2] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2; };
for (const sc of scen) {
  const res = Object.fromEntries(servers.map((s) => [s.name, { rps: [], us: [] }]));
  // warm-up
  for (const s of servers) spawnSync('taskset', ['-c', '1', 'wrk', '-t1', '-c50', '-d1s', ...sc.extra, `http://127.0.0.1:${s.port}/small`]);
  for (let r = 0; r < Number(rounds); r++) {
    const order = r % 2 ? [...servers].reverse() : servers;
    for (const s of order) {
      const c0 = cpu(s.proc.pid);
      const o = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', '-c50', `-d${secs}s`, ...sc.extra, `http://127.0.0.1:${s.port}/small`], { encoding: 'utf8' });
      const c1 = cpu(s.proc.pid);
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(o.stdout)[1]);
      const n = Number(/(\d+) requests in/.exec(o.stdout)[1]);
      const err = /(Socket errors:.*|Non-2xx.*)/.exec(o.stdout)?.[0];
      if (err) console.log(s.name, err);
      res[s.name].rps.push(rps); res[s.name].us.push(((c1 - c0) * 1000) / n);
    }
  }
  console.log(`${sc.name} c=50 (${rounds} rounds × ${secs}s, median):`);
  for (const s of servers) console.log(`  ${s.name.padEnd(5)} ${med(res[s.name].rps).toFixed(0).padStart(7)} req/s  CPU ${med(res[s.name].us).toFixed(2)} µs/req   [cpu ${res[s.name].us.map((x) => x.toFixed(2)).join(' ')}]`);
  const n = res.node;
  console.log(`  ratio vs node: old ${(med(res.old.rps) / med(n.rps)).toFixed(2)}x thr, ${(med(n.us) / med(res.old.us)).toFixed(2)}x cpu;  new ${(med(res.new.rps) / med(n.rps)).toFixed(2)}x thr, ${(med(n.us) / med(res.new.us)).toFixed(2)}x cpu`);
}
console.log(`load average after: ${load()}`);
process.exit(0);
