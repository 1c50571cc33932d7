// The proxy's own cost per exchange at c=1, without the scheduler: a raw TCP
// app (one fixed keep-alive response), Wireplay's proxy and a raw client doing
// one GET at a time, all in one process, so no exchange waits for another
// process to be woken or placed on a CPU. What it prints per exchange — user
// and system CPU time of the process (client and app are a few lines of raw
// socket code each) and wall time — moves much less with the machine's load
// than wrk's p50 (bench/proxy.bench.ts), so it is the A/B to read for a change
// to the proxy's per-hop work. It says nothing about wake-up latency.
//
//   node --import tsx bench/proxy-inproc.bench.ts [--base DIR] [--rounds N] [--exchanges N] [--capture on|none|both]
//   --base DIR: another checkout (`git archive main | tar -x -C DIR`, node_modules linked), measured in the
//   same run, alternating round by round with this one; each round is a fresh process.
//   (child role: --role run --dir DIR --capture MODE --exchanges N)
import { spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

const RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nKeep-Alive: timeout=5\r\n\r\nhello world\n');
const REQUEST = Buffer.from('GET /small HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: bench\r\n\r\n');

interface Result {
  userUs: number;
  sysUs: number;
  wallUs: number;
}

async function run(dir: string, capture: string, exchanges: number): Promise<Result> {
  const { createWireplayProxy } = await import(`${dir}/server-core/proxy/wireplay-proxy.ts`);
  // The app answers every read with one response: the client sends one request at a time.
  const app = createServer({ noDelay: true }, (s) => s.on('data', () => s.write(RESPONSE)));
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const port = (app.address() as { port: number }).port;
  const proxy = createWireplayProxy({ target: `http://127.0.0.1:${port}`, capture: capture === 'none' ? false : undefined });
  const address = await proxy.listen();
  const client = connect({ host: '127.0.0.1', port: address.port, noDelay: true });
  await new Promise((r) => client.once('connect', r));
  let left = 0;
  let done = (): void => {};
  let got = 0;
  client.on('data', (b: Buffer) => {
    got += b.length;
    if (got < RESPONSE.length) return;
    if (got > RESPONSE.length) throw new Error(`${got} bytes for one response`);
    got = 0;
    if (--left > 0) client.write(REQUEST);
    else done();
  });
  const round = (n: number) =>
    new Promise<void>((r) => {
      left = n;
      done = r;
      client.write(REQUEST);
    });
  await round(3000); // warm-up: compiled, capture store in use
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  await round(exchanges);
  const u = process.cpuUsage(u0);
  const wall = performance.now() - t0;
  client.destroy();
  proxy.dispose();
  await proxy.close();
  app.close();
  return { userUs: u.user / exchanges, sysUs: u.system / exchanges, wallUs: (wall * 1000) / exchanges };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const base = arg('base', '');
  const rounds = Number(arg('rounds', '5'));
  const exchanges = arg('exchanges', '20000');
  const modes = arg('capture', 'on') === 'both' ? ['on', 'none'] : [arg('capture', 'on')];
  const builds = [{ name: 'this checkout', dir: here }, ...(base ? [{ name: `base ${base}`, dir: resolve(base) }] : [])];
  const load = () => spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 3).join(' ');
  console.log(`proxy in-process c=1: ${rounds} round(s) × ${exchanges} exchanges per build and capture mode, load average ${load()}`);
  const results = new Map<string, Result[]>();
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? builds : [...builds].reverse();
    for (const mode of modes) {
      for (const b of order) {
        const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--role', 'run', '--dir', b.dir, '--capture', mode, '--exchanges', exchanges], { encoding: 'utf8', cwd: here });
        if (child.status !== 0) throw new Error(`${b.name} failed: ${child.stderr}`);
        const key = `${b.name}, capture ${mode}`;
        results.set(key, [...(results.get(key) ?? []), JSON.parse(child.stdout.trim().split('\n').pop()!) as Result]);
      }
    }
  }
  const f = (n: number) => n.toFixed(1);
  for (const [key, list] of results) {
    const rows = list.map((x) => `${f(x.userUs)}+${f(x.sysUs)}`).join(' / ');
    console.log(`${key}: CPU per exchange median ${f(median(list.map((x) => x.userUs + x.sysUs)))} µs (user ${f(median(list.map((x) => x.userUs)))}, system ${f(median(list.map((x) => x.sysUs)))}); wall ${f(median(list.map((x) => x.wallUs)))} µs; rounds (user+system): ${rows}`);
  }
  console.log(`load average after: ${load()}`);
}

if (arg('role', '') === 'run') {
  run(arg('dir', ''), arg('capture', 'on'), Number(arg('exchanges', '20000'))).then(
    (r) => {
      console.log(JSON.stringify(r));
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
} else main();
