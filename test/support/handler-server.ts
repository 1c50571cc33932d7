// Serves a Handler on 127.0.0.1:0 through the real Wireplay server
// (createWireplayServer with a custom handler), for integration tests of the
// router, static files and routes.
import { connect } from 'node:net';
import type { Handler } from '../../server-core/http/handler-types.js';
import { createWireplayServer } from '../../server-core/server/wireplay-server.js';

export interface TestServer {
  readonly host: string;
  readonly port: number;
  /** http://127.0.0.1:PORT */
  readonly url: string;
  close(): Promise<void>;
}

export async function serveHandler(handler: Handler): Promise<TestServer> {
  const server = createWireplayServer({ handler, host: '127.0.0.1', port: 0 });
  const { host, port, url } = await server.listen();
  return { host, port, url, close: () => server.close() };
}

/**
 * Sends raw bytes on a fresh connection and collects everything until the server
 * closes it (send `Connection: close`). Rejects after timeoutMs (a hung test is a bug).
 */
export function sendRaw(port: number, data: Buffer | string, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(data));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close from the server after ${timeoutMs} ms; got ${Buffer.concat(chunks).length} bytes`));
    }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {
      /* a reset after the response still counts: resolve on close */
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}
