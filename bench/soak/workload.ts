// The soak's mixed workload, shared by the reliability suite (a reduced run with its
// memory asserted: test/reliability/soak.test.ts) and `npm run soak` (a longer run
// whose figures go in BENCHMARKS.md: bench/soak/run.ts).
//
// One round is a fixed amount of work, so a run is decided by its number of rounds,
// never by a clock: keep-alive requests from node:http's client (llhttp reads the
// answers), a pipelined burst on a bare socket, one connection per request, chunked
// uploads, WebSocket echoes from `ws` (long-lived and fresh connections), clients
// that drop in the middle of a request body, and refused requests. Every answer is
// checked; anything unexpected is counted as an error with its first message kept.
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

export interface SoakCounts {
  requests: number;
  pipelined: number;
  newConnections: number;
  uploads: number;
  wsEchoes: number;
  wsConnections: number;
  dropped: number;
  refused: number;
  errors: number;
  firstErrors: string[];
}

export interface SoakRoundSize {
  /** Keep-alive requests, spread over `keepAliveSockets`. */
  keepAlive: number;
  keepAliveSockets: number;
  /** Requests in the one pipelined burst. */
  pipelined: number;
  /** Connections that each carry one request (Connection: close). */
  newConnections: number;
  /** Chunked POSTs to /echo of `uploadBytes` each. */
  uploads: number;
  uploadBytes: number;
  /** Echo round trips on the long-lived WebSockets. */
  wsEchoes: number;
  /** WebSockets opened, echoed once and closed. */
  wsFresh: number;
  /** Connections dropped in the middle of a request body. */
  dropped: number;
  /** Requests the server must refuse (400). */
  refused: number;
}

export const REDUCED_ROUND: SoakRoundSize = {
  keepAlive: 160,
  keepAliveSockets: 4,
  pipelined: 64,
  newConnections: 16,
  uploads: 8,
  uploadBytes: 16 * 1024,
  wsEchoes: 40,
  wsFresh: 2,
  dropped: 6,
  refused: 2,
};

/** This process's view of another one's resident memory (Linux), bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!kib) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib[1]) * 1024;
}

export class SoakWorkload {
  readonly counts: SoakCounts = { requests: 0, pipelined: 0, newConnections: 0, uploads: 0, wsEchoes: 0, wsConnections: 0, dropped: 0, refused: 0, errors: 0, firstErrors: [] };
  private readonly agent: Agent;
  private sockets: WebSocket[] = [];
  private readonly payload: Buffer;

  constructor(
    private readonly port: number,
    private readonly size: SoakRoundSize = REDUCED_ROUND,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: size.keepAliveSockets });
    this.payload = Buffer.alloc(size.uploadBytes, 'soak-');
  }

  /** Opens the long-lived WebSockets. */
  async start(): Promise<void> {
    this.sockets = await Promise.all([0, 1].map(() => this.openWebSocket()));
  }

  async round(n: number): Promise<void> {
    const s = this.size;
    await Promise.all([
      this.keepAlive(n),
      this.pipelinedBurst(n),
      this.times(s.newConnections, (i) => this.newConnection(n, i)),
      this.times(s.uploads, () => this.upload()),
      this.times(s.wsEchoes, (i) => this.echo(this.sockets[i % this.sockets.length], `r${n}m${i}`)),
      this.times(s.wsFresh, (i) => this.freshWebSocket(`fresh r${n}#${i}`)),
      this.times(s.dropped, () => this.dropMidBody()),
      this.times(s.refused, () => this.refusedRequest()),
    ]);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.sockets.map(async (ws) => {
        if (ws.readyState === WebSocket.CLOSED) return;
        const closed = once(ws, 'close');
        ws.close(1000);
        await closed;
      }),
    );
    this.agent.destroy();
  }

  private error(what: string): void {
    this.counts.errors++;
    if (this.counts.firstErrors.length < 5) this.counts.firstErrors.push(what);
  }

  private async times(count: number, fn: (i: number) => Promise<void>): Promise<void> {
    for (let i = 0; i < count; i++) await fn(i);
  }

  private get(path: string, agent: Agent | false, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.port, path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  private async keepAlive(n: number): Promise<void> {
    const paths = ['/echo?a=1', '/status/201', '/headers', `/bytes/512`, '/'];
    const perSocket = Math.ceil(this.size.keepAlive / this.size.keepAliveSockets);
    await Promise.all(
      Array.from({ length: this.size.keepAliveSockets }, async (_, k) => {
        for (let i = 0; i < perSocket; i++) {
          const path = paths[(n + i + k) % paths.length];
          try {
            const r = await this.get(path, this.agent);
            const want = path === '/status/201' ? 201 : 200;
            if (r.status !== want) this.error(`GET ${path} → ${r.status}`);
          } catch (e) {
            this.error(`GET ${path}: ${(e as Error).message}`);
          }
          this.counts.requests++;
        }
      }),
    );
  }

  private async pipelinedBurst(n: number): Promise<void> {
    const count = this.size.pipelined;
    let text = '';
    for (let i = 0; i < count; i++) text += `GET /status/204?r=${n}&i=${i} HTTP/1.1\r\nHost: soak\r\n${i === count - 1 ? 'Connection: close\r\n' : ''}\r\n`;
    try {
      const data = await this.rawExchange(text);
      const answers = data.toString('latin1').match(/HTTP\/1\.1 204 No Content\r\n/g)?.length ?? 0;
      if (answers !== count) this.error(`pipelined burst: ${answers} of ${count} answers`);
    } catch (e) {
      this.error(`pipelined burst: ${(e as Error).message}`);
    }
    this.counts.pipelined += count;
    this.counts.requests += count;
  }

  private async newConnection(n: number, i: number): Promise<void> {
    try {
      const r = await this.get(`/echo?new=${n}.${i}`, false, { Connection: 'close' });
      if (r.status !== 200) this.error(`new connection → ${r.status}`);
    } catch (e) {
      this.error(`new connection: ${(e as Error).message}`);
    }
    this.counts.newConnections++;
    this.counts.requests++;
  }

  private async upload(): Promise<void> {
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: this.port, path: '/echo', method: 'POST', agent: this.agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        });
        req.on('error', reject);
        // No Content-Length: node's client sends the body chunked, in pieces.
        for (let off = 0; off < this.payload.length; off += 4096) req.write(this.payload.subarray(off, off + 4096));
        req.end();
      });
      if (status !== 200) this.error(`chunked upload → ${status}`);
    } catch (e) {
      this.error(`chunked upload: ${(e as Error).message}`);
    }
    this.counts.uploads++;
    this.counts.requests++;
  }

  private async openWebSocket(): Promise<WebSocket> {
    const ws = new WebSocket(`ws://127.0.0.1:${this.port}/ws/echo`, { perMessageDeflate: false });
    await once(ws, 'open');
    return ws;
  }

  private async echo(ws: WebSocket, text: string): Promise<void> {
    try {
      const reply = once(ws, 'message');
      ws.send(text);
      const [data] = (await reply) as [Buffer];
      if (data.toString() !== text) this.error(`WebSocket echo: sent ${text}, got ${data.toString().slice(0, 60)}`);
    } catch (e) {
      this.error(`WebSocket echo: ${(e as Error).message}`);
    }
    this.counts.wsEchoes++;
  }

  private async freshWebSocket(text: string): Promise<void> {
    try {
      const ws = await this.openWebSocket();
      await this.echo(ws, text);
      const closed = once(ws, 'close');
      ws.close(1000);
      const [code] = (await closed) as [number];
      if (code !== 1000) this.error(`WebSocket close → ${code}`);
    } catch (e) {
      this.error(`fresh WebSocket: ${(e as Error).message}`);
    }
    this.counts.wsConnections++;
  }

  /** A request head promising 64 KiB, a little of it, then the client goes away. */
  private async dropMidBody(): Promise<void> {
    try {
      const socket = await this.open();
      socket.write('POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 65536\r\n\r\n' + 'x'.repeat(1000));
      // The server has read it once it would answer a second request... it cannot; wait for the bytes to leave instead.
      await new Promise<void>((resolve) => socket.write('', () => resolve()));
      socket.destroy();
    } catch (e) {
      this.error(`dropped connection: ${(e as Error).message}`);
    }
    this.counts.dropped++;
  }

  private async refusedRequest(): Promise<void> {
    try {
      const data = await this.rawExchange('GET / HTTP/1.1\r\nHost: soak\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
      if (!/^HTTP\/1\.1 400 /.test(data.toString('latin1'))) this.error(`refused request → ${data.toString('latin1').slice(0, 40)}`);
    } catch (e) {
      this.error(`refused request: ${(e as Error).message}`);
    }
    this.counts.refused++;
  }

  private async open(): Promise<Socket> {
    const socket = connect({ host: '127.0.0.1', port: this.port });
    await once(socket, 'connect');
    return socket;
  }

  /** Writes `text` on a fresh connection and reads until the server closes it (bounded: 30 s). */
  private async rawExchange(text: string): Promise<Buffer> {
    const socket = await this.open();
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.write(text);
    const timer = setTimeout(() => socket.destroy(new Error('no close within 30 s')), 30_000);
    try {
      await once(socket, 'close');
    } finally {
      clearTimeout(timer);
    }
    return Buffer.concat(chunks);
  }
}
