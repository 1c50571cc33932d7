// Server-Sent Events: one event-stream route broadcasting to 100 listeners,
// Wireplay (sse/sse-route.ts + SseStream on its own server) against a plain
// node:http SSE server doing the same (res.write of the same frames, waiting
// for 'drain' likewise), in one run, alternating servers round by round:
//   events/s delivered: the server writes N events of 64 B of data to each of
//   the 100 listeners as fast as backpressure allows; timed from the command
//   to the moment every listener has read all N (events × listeners / s);
//   RSS per idle listener: 1,000 open streams, RSS after GC minus before.
// Each server runs in its own child process (pinned to CPU 0 with taskset
// when there are ≥ 2 CPUs); the listeners are raw sockets in this process,
// read through Wireplay's HTTP parser (the same cost for both servers).
// Bounded to about a minute.
//
//   node --import tsx bench/sse.bench.ts [--rounds N] [--events N] [--listeners N] [--idle N]
//   (child roles: --role wireplay|node, used by the bench itself)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { HttpMessageParser } from '../server-core/http/message-parser.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

const DATA = 'x'.repeat(64);

// ---------------------------------------------------------------------------
// Child roles: print `PORT <n>`; on stdin `burst N` (send N events to every
// open stream, then print `SENT`), `count` (`COUNT <open streams>`), `rss`.

interface Listener {
  /** Writes one event; false: wait for drain() before the next. */
  send(i: number): boolean;
  drain(): Promise<void>;
}

async function runRole(role: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const listeners = new Set<Listener>();
  let port: number;
  if (role === 'wireplay') {
    const { createWireplayServer } = await import('../server-core/server/wireplay-server.js');
    const { sseHandler } = await import('../server-core/sse/sse-route.js');
    const server = createWireplayServer({
      limits: { maxConnections: 10_000 },
      handler: sseHandler({
        onOpen(stream) {
          const l: Listener = { send: (i) => stream.send({ id: i, data: DATA }), drain: () => stream.drain() };
          listeners.add(l);
          stream.onClose(() => listeners.delete(l));
        },
      }),
    });
    port = (await server.listen()).port;
  } else {
    const server = createServer((req, res: ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.flushHeaders();
      const l: Listener = {
        send: (i) => res.write(`id: ${i}\ndata: ${DATA}\n\n`),
        drain: () => new Promise((resolve) => (res.writableNeedDrain ? res.once('drain', resolve) : resolve())),
      };
      listeners.add(l);
      res.on('close', () => listeners.delete(l));
    });
    server.maxConnections = 10_000;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  }
  process.stdout.write(`PORT ${port}\n`);
  createInterface({ input: process.stdin }).on('line', (line) => {
    const [cmd, n] = line.split(' ');
    if (cmd === 'burst') {
      void (async () => {
        const all = [...listeners];
        for (let i = 1; i <= Number(n); i++) {
          const waits: Promise<void>[] = [];
          for (const l of all) if (!l.send(i)) waits.push(l.drain());
          if (waits.length) await Promise.all(waits);
        }
        process.stdout.write('SENT\n');
      })();
    } else if (cmd === 'count') {
      process.stdout.write(`COUNT ${listeners.size}\n`);
    } else if (cmd === 'rss') {
      gc?.();
      gc?.();
      process.stdout.write(`RSS ${process.memoryUsage().rss}\n`);
    }
  });
}

// ---------------------------------------------------------------------------
// Driver.

class Child {
  private lines: string[] = [];
  private waiters: ((l: string) => void)[] = [];
  port = 0;
  constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      const w = this.waiters.shift();
      if (w) w(l);
      else this.lines.push(l);
    });
  }
  next(): Promise<string> {
    const l = this.lines.shift();
    return l !== undefined ? Promise.resolve(l) : new Promise((r) => this.waiters.push(r));
  }
  async ask(cmd: string): Promise<string> {
    this.proc.stdin!.write(`${cmd}\n`);
    return this.next();
  }
  async stop(): Promise<void> {
    this.proc.kill();
    if (this.proc.exitCode === null) await once(this.proc, 'exit');
  }
}

async function start(role: string): Promise<Child> {
  const pin = availableParallelism() >= 2 && spawnSync('taskset', ['--version']).status === 0;
  const args = ['--expose-gc', '--import', 'tsx', 'bench/sse.bench.ts', '--role', role];
  const proc = pin ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const c = new Child(proc);
  c.port = Number(/^PORT (\d+)$/.exec(await c.next())![1]);
  return c;
}

/** A listener: a raw socket with a GET for the stream, counting events ("\n\n" in the de-chunked body). */
interface Reader {
  socket: Socket;
  events: number;
  /** Resolves when `events` reaches the target set by expect(). */
  expect(n: number): Promise<void>;
}

function listen(port: number): Promise<Reader> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let lastWasLf = false;
    let target = Infinity;
    let done: (() => void) | undefined;
    const reader: Reader = {
      socket,
      events: 0,
      expect(n) {
        target = n;
        return reader.events >= n ? Promise.resolve() : new Promise((r) => (done = r));
      },
    };
    const parser = new HttpMessageParser('response', {
      onHead() {
        resolve(reader);
      },
      onBody(data) {
        let from = 0;
        if (lastWasLf && data[0] === 0x0a) {
          reader.events++;
          from = 1;
        }
        for (;;) {
          const i = data.indexOf('\n\n', from);
          if (i < 0) break;
          reader.events++;
          from = i + 2;
        }
        lastWasLf = data[data.length - 1] === 0x0a && from <= data.length - 1;
        if (reader.events >= target && done) {
          const d = done;
          done = undefined;
          d();
        }
      },
      onMessageComplete() {},
      onError(e) {
        reject(e);
      },
    }, { maxBodyBytes: Number.MAX_SAFE_INTEGER });
    socket.on('data', (d: Buffer) => parser.push(d));
    socket.once('error', reject);
    socket.write('GET /events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n');
  });
}

async function waitCount(child: Child, n: number): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const c = Number((await child.ask('count')).split(' ')[1]);
    if (c === n) return;
    if (performance.now() > deadline) throw new Error(`only ${c} of ${n} streams open`);
  }
}

async function broadcast(child: Child, listeners: number, events: number): Promise<number> {
  const readers = await Promise.all(Array.from({ length: listeners }, () => listen(child.port)));
  await waitCount(child, listeners);
  // Warm-up burst, then the measured one.
  const warm = Math.max(1, Math.floor(events / 10));
  child.proc.stdin!.write(`burst ${warm}\n`);
  await Promise.all(readers.map((r) => r.expect(warm)));
  await child.next();
  const t0 = performance.now();
  child.proc.stdin!.write(`burst ${events}\n`);
  await Promise.all(readers.map((r) => r.expect(warm + events)));
  const dt = (performance.now() - t0) / 1000;
  await child.next();
  for (const r of readers) r.socket.destroy();
  await waitCount(child, 0);
  return (listeners * events) / dt;
}

async function idleRss(child: Child, n: number): Promise<number> {
  const before = Number((await child.ask('rss')).split(' ')[1]);
  const readers: Reader[] = [];
  for (let i = 0; i < n; i += 100) readers.push(...(await Promise.all(Array.from({ length: Math.min(100, n - i) }, () => listen(child.port)))));
  await waitCount(child, n);
  const after = Number((await child.ask('rss')).split(' ')[1]);
  for (const r of readers) r.socket.destroy();
  await waitCount(child, 0);
  return (after - before) / n;
}

async function main(): Promise<void> {
  const rounds = Number(arg('rounds', '3'));
  const events = Number(arg('events', '2000'));
  const listeners = Number(arg('listeners', '100'));
  const idle = Number(arg('idle', '1000'));
  const roles = ['wireplay', 'node'];
  const rate: Record<string, number[]> = { wireplay: [], node: [] };
  const rss: Record<string, number[]> = { wireplay: [], node: [] };
  for (let round = 0; round < rounds; round++) {
    for (const role of round % 2 === 0 ? roles : [...roles].reverse()) {
      const child = await start(role);
      try {
        rate[role].push(await broadcast(child, listeners, events));
        rss[role].push(await idleRss(child, idle));
      } finally {
        await child.stop();
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`SSE broadcast: ${listeners} listeners × ${events} events of ${DATA.length} B data, median of ${rounds} rounds`);
  console.log('| server | events/s delivered | RSS per idle listener |');
  console.log('| --- | ---: | ---: |');
  for (const role of roles) console.log(`| ${role === 'node' ? 'node:http' : 'wireplay'} | ${fmt(median(rate[role]))} | ${(median(rss[role]) / 1024).toFixed(1)} KiB |`);
  console.log(`wireplay / node:http: events/s ${(median(rate.wireplay) / median(rate.node)).toFixed(2)}×, memory ${(median(rss.node) / median(rss.wireplay)).toFixed(2)}× (higher is better for both)`);
}

const role = arg('role', '');
if (role) void runRole(role);
else await main();
