// `npm run soak [-- --rounds N] [-- --log text|json|quiet]`: the long soak. Starts the real
// `wireplay serve` (dist/cli.js; build first), runs N rounds of the mixed workload
// (bench/soak/workload.ts; default 2,000 rounds, about half a million requests), reads the
// server's RSS after every round, and prints the figures BENCHMARKS.md records: what was
// done, the errors, RSS over the run, the bytes of stderr. Exit 1 on any error or when
// RSS grows more than 32 MiB after the first tenth of the run.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { SoakWorkload, rssOf } from './workload.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2000' }, log: { type: 'string', default: 'text' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 10) throw new Error('--rounds must be an integer ≥ 10');
const logArgs = values.log === 'quiet' ? ['--quiet'] : ['--log', values.log!];

const root = join(import.meta.dirname, '../..');
const MiB = 1024 * 1024;
const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;

const child = spawn(process.execPath, [join(root, 'dist/cli.js'), 'serve', '--port', '0', ...logArgs], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
let stderrBytes = 0;
let errorLines = 0;
child.stderr.setEncoding('utf8').on('data', (d: string) => {
  stderrBytes += Buffer.byteLength(d);
  errorLines += d.match(/^(error: |\{"time":"[^"]*","level":"error")/gm)?.length ?? 0;
});
let stdout = '';
const port = await new Promise<number>((resolve, reject) => {
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    const m = /^Wireplay listening on http:\/\/127\.0\.0\.1:(\d+)\n/.exec(stdout);
    if (m) resolve(Number(m[1]));
  });
  child.once('exit', (code) => reject(new Error(`wireplay serve exited ${code} before listening`)));
});

const load = new SoakWorkload(port);
await load.start();
const started = performance.now();
const rss: number[] = [];
const every = Math.max(1, Math.floor(rounds / 20));
for (let n = 0; n < rounds; n++) {
  await load.round(n);
  rss.push(rssOf(child.pid!));
  if ((n + 1) % every === 0) console.log(`round ${n + 1}/${rounds}: RSS ${mib(rss[n])}, ${load.counts.requests} requests, ${load.counts.errors} errors`);
}
await load.stop();
const seconds = (performance.now() - started) / 1000;
const exited = once(child, 'exit');
child.kill('SIGTERM');
const [code] = await exited;

const c = load.counts;
const tenth = Math.floor(rounds / 10);
const afterWarmup = Math.max(...rss.slice(tenth, tenth * 2));
const peak = Math.max(...rss);
const growth = Math.max(...rss.slice(tenth * 2)) - afterWarmup;
console.log(`
| figure | value |
| --- | --- |
| rounds | ${rounds} in ${seconds.toFixed(0)} s (log: ${values.log}) |
| HTTP requests | ${c.requests} (${c.pipelined} pipelined, ${c.newConnections} on a new connection each, ${c.uploads} chunked uploads) |
| WebSocket | ${c.wsEchoes} echoes, ${c.wsConnections} connections opened and closed |
| dropped mid-body / refused | ${c.dropped} / ${c.refused} |
| wrong answers / error lines | ${c.errors} / ${errorLines} |
| RSS | ${mib(rss[0])} after round 1, ${mib(afterWarmup)} peak of rounds ${tenth + 1}–${tenth * 2}, ${mib(peak)} peak, ${mib(rss.at(-1)!)} at the end |
| RSS growth after the first fifth | ${mib(growth)} |
| stderr | ${(stderrBytes / 1e6).toFixed(1)} MB (${(stderrBytes / Math.max(1, c.requests)).toFixed(0)} B per request) |
| exit on SIGTERM | ${code} |`);
if (c.errors > 0) console.log(`first errors: ${c.firstErrors.join('; ')}`);
process.exit(c.errors === 0 && errorLines === 0 && growth <= 32 * MiB && code === 0 ? 0 : 1);
