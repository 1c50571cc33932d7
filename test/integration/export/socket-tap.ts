// A small socket tap for tests: a TCP relay on 127.0.0.1 in front of a real
// server that emits capture events (open / chunk / close) for every connection,
// exactly as a Wireplay server-side capture would: the tap plays the server's
// part, so c2s is what the client sent and s2c what came back.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Emitter } from '../../../server-core/util/emitter.js';
import type { CaptureEvents } from '../../../server-core/capture/types.js';

export interface SocketTap {
  port: number;
  capture: Emitter<CaptureEvents>;
  /** Resolves when every connection seen so far has closed on both sides. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startTap(targetPort: number): Promise<SocketTap> {
  const capture = new Emitter<CaptureEvents>((err) => {
    throw err;
  });
  const open = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  let n = 0;
  const server: Server = createServer((client) => {
    const id = `tap${++n}`;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    capture.emit('open', {
      connectionId: id,
      side: 'server',
      protocol: 'http',
      tls: false,
      local: { address: client.localAddress!, port: client.localPort! },
      remote: { address: client.remoteAddress!, port: client.remotePort! },
      t: performance.now(),
      wallTime: Date.now(),
    });
    client.on('data', (b: Buffer) => {
      capture.emit('chunk', { connectionId: id, dir: 'c2s', t: performance.now(), bytes: b });
      upstream.write(b);
    });
    upstream.on('data', (b: Buffer) => {
      capture.emit('chunk', { connectionId: id, dir: 's2c', t: performance.now(), bytes: b });
      client.write(b);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    const closed = (s: Socket) => new Promise<void>((resolve) => s.once('close', () => resolve()));
    const done = Promise.all([closed(client), closed(upstream)]).then(() => {
      sockets.delete(client);
      sockets.delete(upstream);
      capture.emit('close', { connectionId: id, t: performance.now() });
      open.delete(done);
    });
    open.add(done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    capture,
    idle: async () => {
      while (open.size) await Promise.all([...open]);
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
