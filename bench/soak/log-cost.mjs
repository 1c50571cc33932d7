// node bench/soak/log-cost.mjs DIST/cli.js [serve flags]: CPU time of a `wireplay serve` process per
// pipelined request (utime+stime from /proc/PID/stat; stderr a drained pipe), 8 connections × 10,000
// requests in bursts of 16. Used to measure the request log's cost (BENCHMARKS.md, "Soak").
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
const [cli, ...extra] = process.argv.slice(2);
const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
child.stderr.resume();
const port = await new Promise((r) => child.stdout.on('data', (d) => { const m = /:(\d+)\n/.exec(String(d)); if (m) r(Number(m[1])); }));
const ticks = () => { const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
const burst = Buffer.from('GET /status/204 HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(16));
const PER_CONN = 10000, CONNS = 8;
const t0 = ticks();
await Promise.all(Array.from({ length: CONNS }, () => new Promise((resolve) => {
  const s = connect(port, '127.0.0.1');
  let got = 0, sent = 0;
  const send = () => { s.write(burst); sent += 16; };
  s.on('connect', send);
  s.on('data', (d) => { const n = String(d).split('HTTP/1.1 204').length - 1; got += n; if (got >= PER_CONN) { s.destroy(); resolve(); } else if (got === sent) send(); });
})));
const used = ticks() - t0;
console.log(`${extra.join(' ') || 'text'}: ${(used * 10 * 1000 / (PER_CONN * CONNS)).toFixed(1)} µs CPU per request (${used} ticks for ${PER_CONN * CONNS})`);
child.kill();
