// Shared by the client integration tests: local servers on 127.0.0.1 port 0,
// a self-signed certificate made by openssl at test time, a raw TCP listener
// that records what arrives.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export function portOf(server: { address(): AddressInfo | string | null }): number {
  return (server.address() as AddressInfo).port;
}

export async function listen<T extends Server | NetServer>(server: T): Promise<T> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}

export async function closeServer(server: Server | NetServer): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A key and a self-signed certificate for CN=localhost (SAN localhost, 127.0.0.1), made with openssl in a temp dir. */
export function makeCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface RecordingListener {
  server: NetServer;
  port: number;
  /** Resolves with the bytes of the next connection once it has delivered a complete request (head + Content-Length body). */
  nextRequest(): Promise<Buffer>;
  close(): Promise<void>;
}

/** A TCP listener that reads one HTTP request per connection (head, then Content-Length bytes), answers 204 and closes. */
export async function recordingListener(): Promise<RecordingListener> {
  const waiting: ((b: Buffer) => void)[] = [];
  const got: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    let done = false;
    socket.on('data', (chunk) => {
      if (done) return;
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(buf.subarray(0, end).toString('latin1'));
      const need = end + 4 + (m ? Number(m[1]) : 0);
      if (buf.length < need) return;
      done = true;
      const req = buf.subarray(0, need);
      const w = waiting.shift();
      if (w) w(req);
      else got.push(req);
      socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
    });
    socket.on('error', () => {});
  });
  await listen(server);
  return {
    server,
    port: portOf(server),
    nextRequest: () => {
      const g = got.shift();
      return g ? Promise.resolve(g) : new Promise((resolve) => waiting.push(resolve));
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const s = await listen(createNetServer());
  const port = portOf(s);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
