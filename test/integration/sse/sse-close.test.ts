// An open event stream and the connection under it: a client that ends or
// destroys its socket closes the stream on the server (the route's onClose
// runs with 'remote', its timers stop, the scheduler's job finishes), and
// server.close() ends the streams still open instead of waiting for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import type { QueueEvent } from '../../../server-core/index.js';
import { createWireplayServer } from '../../../server-core/index.js';
import { startServer } from '../server/helpers.js';
import { within } from '../../support/within.js';

/** Opens a raw socket, sends a GET for `path` and resolves once the first event block (`\n\n`) arrived. */
async function openStream(port: number, path: string, t: { after(fn: () => unknown): void }): Promise<{ socket: Socket; received: () => string }> {
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  let text = '';
  const firstEvent = new Promise<void>((resolve) => {
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (/\r\n\r\n[\s\S]*\n\n/.test(text)) resolve();
    });
  });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
  await within(firstEvent, `the first event of ${path}`);
  return { socket, received: () => text };
}

for (const how of ['end', 'destroy'] as const) {
  test(`a client that ${how}s its socket closes the stream on the server: its job finishes, aborted`, async (t) => {
    const { server, port } = await startServer(t, { mode: 'sequential' });
    const finished = new Promise<QueueEvent>((resolve) => {
      const sub = server.events.on('queue', (e) => {
        if (e.type === 'finished' && e.target.startsWith('/sse/ticker')) resolve(e);
      });
      t.after(() => sub.dispose());
    });
    const { socket } = await openStream(port, '/sse/ticker?interval=10', t);
    if (how === 'end') socket.end();
    else socket.destroy();
    const e = await within(finished, 'the stream job to finish after the client left');
    assert.equal(e.type === 'finished' && e.aborted, true);
    assert.deepEqual(server.queue(), []);
  });
}

test('server.close() ends open event streams and resolves', async (t) => {
  const server = createWireplayServer({});
  t.after(() => server.close());
  const { port } = await server.listen();
  const a = await openStream(port, '/sse/ticker?interval=10', t);
  const b = await openStream(port, '/sse/chat', t);
  const closedA = once(a.socket, 'close');
  const closedB = once(b.socket, 'close');
  await within(server.close(), 'server.close() with two open event streams');
  await within(Promise.all([closedA, closedB]), 'both client sockets to be closed');
});
