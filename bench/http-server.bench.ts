// The HTTP server against node:http, serving the same routes, measured with
// wrk (Debian) in one run, alternating servers round by round:
//   keep-alive small GET (c=50), pipelined GET (depth 16, a wrk Lua script),
//   a new connection per request, a 1 MiB static file, and RSS per idle
//   connection with 1,000 idle keep-alive connections.
// The ceiling: a bare `net` server that writes a fixed response per request
// without parsing (one write per read, so a pipelined batch gets one write).
//
// Every server runs in its own child process, pinned to CPU 0 with taskset
// when there are ≥ 2 CPUs; wrk is pinned to the other CPU. Bounded to about
// two minutes. Figures depend on the machine and its load: compare the ratios.
//
//   node --import tsx bench/http-server.bench.ts [--seconds N] [--rounds N] [--only WORD,…]
//   (--only keeps the scenarios whose name contains a word: keep-alive, pipelined,
//   connection, static, plain, memory)
//   (child roles: --role wireplay|node|bare, used by the bench itself)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { createReadStream, stat } from 'node:fs';
import { once } from 'node:events';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

const SMALL_BODY = 'hello world\n';
const FILE_SIZE = 1024 * 1024;

// ---------------------------------------------------------------------------
// Child roles: each prints `PORT <n>` on stdout when listening.

async function runRole(role: string, root: string): Promise<void> {
  // The driver sends SIGUSR2 before reading RSS, so garbage does not blur the per-connection figure.
  // On SIGUSR2: collect garbage, then report memory as one `MEM {…}` line.
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('SIGUSR2', () => {
    gc?.();
    setTimeout(() => {
      gc?.();
      const m = process.memoryUsage();
      process.stdout.write(`MEM ${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external })}\n`);
    }, 200);
  });
  if (role === 'wireplay') {
    const { createWireplayServer } = await import('../server-core/index.js');
    const server = createWireplayServer({
      root,
      limits: { keepAliveTimeout: 120_000, headersTimeout: 120_000, maxConnections: 10_000 },
    });
    server.router!.get('/small', (_req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(SMALL_BODY);
    });
    // The same file as /files/big.bin, streamed the way the node:http side does it
    // (stat, fs.createReadStream), to tell the server core from the static handler.
    const file = join(root, 'big.bin');
    server.router!.get('/plain/big.bin', (_req, res) => {
      stat(file, (err, st) => {
        if (err) {
          res.statusCode = 404;
          res.end();
          return;
        }
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', st.size);
        res.setHeader('Last-Modified', st.mtime.toUTCString());
        const rs = createReadStream(file);
        rs.on('data', (chunk) => {
          if (!res.write(chunk as Buffer)) {
            rs.pause();
            void res.drain().then(() => rs.resume());
          }
        });
        rs.on('end', () => res.end());
      });
    });
    const { port } = await server.listen();
    process.stdout.write(`PORT ${port}\n`);
  } else if (role === 'node') {
    const file = join(root, 'big.bin');
    const server = createHttpServer((req, res) => {
      if (req.url === '/small') {
        res.setHeader('Content-Type', 'text/plain');
        res.end(SMALL_BODY);
      } else if (req.url === '/files/big.bin') {
        // Like any static server (and Wireplay's): stat per request, then stream.
        stat(file, (err, st) => {
          if (err) {
            res.statusCode = 404;
            res.end();
            return;
          }
          res.setHeader('Content-Type', 'application/octet-stream');
          res.setHeader('Content-Length', st.size);
          res.setHeader('Last-Modified', st.mtime.toUTCString());
          createReadStream(file).pipe(res);
        });
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    server.keepAliveTimeout = 120_000;
    server.headersTimeout = 120_000;
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      process.stdout.write(`PORT ${typeof a === 'object' && a ? a.port : 0}\n`);
    });
  } else if (role === 'bare') {
    const response = Buffer.from(
      `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${SMALL_BODY.length}\r\n\r\n${SMALL_BODY}`,
      'latin1',
    );
    const server = createNetServer((socket) => {
      socket.setNoDelay(true);
      let tail = 0; // bytes of a partial "\r\n\r\n" match carried over
      socket.on('data', (chunk: Buffer) => {
        let n = 0;
        for (let i = 0; i < chunk.length; i++) {
          const b = chunk[i];
          if ((tail === 0 || tail === 2) && b === 13) tail++;
          else if ((tail === 1 || tail === 3) && b === 10) {
            tail++;
            if (tail === 4) {
              n++;
              tail = 0;
            }
          } else tail = b === 13 ? 1 : 0;
        }
        if (n === 1) socket.write(response);
        else if (n > 1) {
          const out = Buffer.allocUnsafe(response.length * n);
          for (let i = 0; i < n; i++) response.copy(out, i * response.length);
          socket.write(out);
        }
      });
      socket.on('error', () => {});
    });
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      process.stdout.write(`PORT ${typeof a === 'object' && a ? a.port : 0}\n`);
    });
  }
}

// ---------------------------------------------------------------------------
// The driver

interface Child {
  name: string;
  proc: ChildProcess;
  port: number;
  /** The next `MEM` line from the child. */
  nextMem(): Promise<{ rss: number; heapUsed: number; external: number }>;
}

const cpus = availableParallelism();
const haveTaskset = cpus >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const SERVER_CPU = '0';
const LOAD_CPU = cpus >= 2 ? '1' : '0';

function pinned(cpu: string, cmd: string, args: string[]): [string, string[]] {
  return haveTaskset ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args];
}

async function startChild(name: string, root: string): Promise<Child> {
  const [cmd, args] = pinned(SERVER_CPU, process.execPath, ['--expose-gc', '--import', 'tsx', new URL(import.meta.url).pathname, '--role', name, '--root', root]);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let memWaiters: ((m: { rss: number; heapUsed: number; external: number }) => void)[] = [];
  proc.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    let nl;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line.startsWith('MEM ')) {
        const m = JSON.parse(line.slice(4));
        const ws = memWaiters;
        memWaiters = [];
        for (const w of ws) w(m);
      } else if (line.startsWith('PORT ')) portLine(Number(line.slice(5)));
    }
  });
  let portLine!: (p: number) => void;
  const port = await new Promise<number>((resolve, reject) => {
    portLine = resolve;
    proc.once('exit', (code) => reject(new Error(`${name} server exited ${code}`)));
  });
  const nextMem = () =>
    new Promise<{ rss: number; heapUsed: number; external: number }>((resolve) => {
      memWaiters.push(resolve);
      proc.kill('SIGUSR2');
    });
  return { name, proc, port, nextMem };
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

/** Memory per idle keep-alive connection on a fresh server: RSS and JS heap, before and after `count` connections. */
async function idleMemory(child: Child, count: number): Promise<{ rss: number; heap: number }> {
  // Warm the code paths with a few requests, settle, then measure.
  const warm = connect({ host: '127.0.0.1', port: child.port });
  await once(warm, 'connect');
  for (let i = 0; i < 20; i++) {
    warm.write('GET /small HTTP/1.1\r\nHost: bench\r\n\r\n');
    await once(warm, 'data');
  }
  warm.destroy();
  const before = await child.nextMem();
  const sockets: Socket[] = [];
  const batch = 100;
  for (let i = 0; i < count; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, async () => {
        const s = connect({ host: '127.0.0.1', port: child.port });
        s.on('error', () => {});
        await once(s, 'connect');
        sockets.push(s);
        s.write('GET /small HTTP/1.1\r\nHost: bench\r\n\r\n');
        await once(s, 'data');
      }),
    );
  }
  const after = await child.nextMem();
  for (const s of sockets) s.destroy();
  await new Promise((r) => setTimeout(r, 300));
  return { rss: (after.rss - before.rss) / count, heap: (after.heapUsed - before.heapUsed) / count };
}

function printTable(rows: string[][]): void {
  const header = ['scenario', 'Wireplay req/s', 'node:http req/s', 'ratio', 'bare net (× node)', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '—';
}

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '2'));
  const rounds = Number(arg('rounds', '4'));
  const root = mkdtempSync(join(tmpdir(), 'wireplay-bench-'));
  writeFileSync(join(root, 'big.bin'), Buffer.alloc(FILE_SIZE, 0x5a));
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
  try {
    for (const name of ['wireplay', 'node', 'bare']) children.push(await startChild(name, root));
    const [wp, nd, bare] = children;
    console.log(
      `http-server bench: ${cpus} CPU(s), ${haveTaskset ? `servers pinned to CPU ${SERVER_CPU}, wrk to CPU ${LOAD_CPU}` : 'no pinning'}, ` +
        `${rounds} round(s) × ${seconds} s per scenario and server, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );

    type Scenario = { name: string; path: string; c: number; extra: string[]; servers: Child[]; target: string; wpPath?: string };
    const scenarios: Scenario[] = [
      { name: 'keep-alive GET c=50', path: '/small', c: 50, extra: [], servers: [wp, nd, bare], target: '≥ 1.5×' },
      { name: 'pipelined GET depth 16 c=50', path: '/small', c: 50, extra: ['-s', pipeline], servers: [wp, nd, bare], target: '≥ 4×' },
      { name: 'new connection per request c=50', path: '/small', c: 50, extra: ['-H', 'Connection: close'], servers: [wp, nd], target: '—' },
      // Before the static-file row: once the static handler (FileHandle streams) has run, the same
      // process streams the plain handler about 30% slower too, which would blur this row.
      { name: '1 MiB file, plain fs stream handler c=10', path: '/files/big.bin', wpPath: '/plain/big.bin', c: 10, extra: [], servers: [wp, nd], target: '(server core only)' },
      { name: '1 MiB static file c=10', path: '/files/big.bin', c: 10, extra: [], servers: [wp, nd], target: '≥ 1.0×' },
    ];
    // --only WORD[,WORD]: just the scenarios whose name contains one of the words ("memory" for the RSS rows).
    const only = arg('only', '').split(',').filter(Boolean);
    const wanted = (name: string) => only.length === 0 || only.some((w) => name.includes(w));
    const pathFor = (s: Scenario, child: Child) => (child.name === 'wireplay' && s.wpPath ? s.wpPath : s.path);
    const rows: string[][] = [];
    for (const s of scenarios) {
      if (!wanted(s.name)) continue;
      const results = new Map<string, { rps: number[]; mbps: number[]; errors: string[] }>();
      for (const child of s.servers) {
        results.set(child.name, { rps: [], mbps: [], errors: [] });
        wrk(`http://127.0.0.1:${child.port}${pathFor(s, child)}`, 1, s.c, s.extra); // warm-up
      }
      for (let r = 0; r < rounds; r++) {
        // Alternate the order each round so neither server always runs first.
        const order = r % 2 === 0 ? s.servers : [...s.servers].reverse();
        for (const child of order) {
          const m = wrk(`http://127.0.0.1:${child.port}${pathFor(s, child)}`, seconds, s.c, s.extra);
          const acc = results.get(child.name)!;
          acc.rps.push(m.rps);
          acc.mbps.push(m.mbps);
          if (m.errors) acc.errors.push(m.errors);
        }
      }
      const best = (name: string) => Math.max(...(results.get(name)?.rps ?? [NaN]));
      const w = best('wireplay');
      const n = best('node');
      const b = results.has('bare') ? best('bare') : NaN;
      const extraInfo = s.path.endsWith('.bin') ? ` (${fmt(Math.max(...results.get('wireplay')!.mbps))} vs ${fmt(Math.max(...results.get('node')!.mbps))} MB/s)` : '';
      rows.push([s.name, fmt(w), fmt(n), `${fmt(w / n, 2)}×`, Number.isFinite(b) ? `${fmt(b)} (${fmt(b / n, 2)}×)` : '—', s.target + extraInfo]);
      for (const [name, acc] of results) if (acc.errors.length) console.log(`  ${s.name} / ${name}: ${acc.errors.join('; ')}`);
    }

    // Memory on fresh servers (a server that just served wrk has a grown heap to fill first).
    for (const c of children.splice(0)) c.proc.kill('SIGKILL');
    if (only.length > 0 && !only.includes('memory')) {
      printTable(rows);
      return;
    }
    const idle = 1000;
    const memW = await idleMemory(await startChild('wireplay', root).then((c) => (children.push(c), c)), idle);
    const memN = await idleMemory(await startChild('node', root).then((c) => (children.push(c), c)), idle);
    rows.push([`RSS per idle keep-alive connection (${idle})`, `${fmt(memW.rss / 1024, 1)} KiB`, `${fmt(memN.rss / 1024, 1)} KiB`, `${fmt(memW.rss / memN.rss, 2)}×`, '—', '≤ 1.0×']);
    rows.push([`JS heap per idle keep-alive connection`, `${fmt(memW.heap / 1024, 1)} KiB`, `${fmt(memN.heap / 1024, 1)} KiB`, `${fmt(memW.heap / memN.heap, 2)}×`, '—', '']);

    printTable(rows);
  } finally {
    cleanup();
    process.removeListener('exit', cleanup);
  }
}

const role = arg('role', '');
if (role) void runRole(role, arg('root', ''));
else
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
