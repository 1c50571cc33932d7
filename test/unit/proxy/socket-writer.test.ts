// SocketWriter, on a real loopback connection: pieces of one read that
// continue each other leave in one socket write; other pieces still leave,
// in order; end() sends what is pending before the FIN; the peer receives
// exactly the bytes written.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { SocketWriter } from '../../../server-core/proxy/socket-writer.js';

/** A connected pair: `client` writes, the server side collects everything until the FIN. */
async function pair(t: TestContext): Promise<{ client: Socket; received: Promise<Buffer>; writes: Buffer[] }> {
  let resolveReceived!: (b: Buffer) => void;
  const received = new Promise<Buffer>((r) => (resolveReceived = r));
  const server = createServer((s) => {
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('end', () => {
      resolveReceived(Buffer.concat(parts));
      s.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  await once(client, 'connect');
  t.after(() => {
    client.destroy();
    server.close();
  });
  const writes: Buffer[] = [];
  const write = client.write.bind(client) as (b: Buffer) => boolean;
  client.write = ((b: Buffer) => {
    writes.push(Buffer.from(b));
    return write(b);
  }) as typeof client.write;
  return { client, received, writes };
}

test('a head and its body from one read buffer leave in one write', async (t) => {
  const { client, received, writes } = await pair(t);
  const out = new SocketWriter(client);
  const read = Buffer.from('xxHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloyy');
  out.beginBatch();
  out.write(read.subarray(2, 40)); // the head
  out.write(read.subarray(40, 42)); // the body, in two pieces
  out.write(read.subarray(42, 45));
  assert.equal(writes.length, 0, 'nothing written during the batch');
  assert.equal(out.length, 43, 'pending bytes count toward the length');
  out.endBatch();
  assert.equal(writes.length, 1);
  assert.equal(writes[0].toString(), 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
  out.end();
  assert.equal((await received).toString(), 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
});

test('pieces that do not continue each other are written in order; end() sends what is pending first', async (t) => {
  const { client, received, writes } = await pair(t);
  const out = new SocketWriter(client);
  const a = Buffer.from('first-');
  const b = Buffer.from('second-');
  const c = Buffer.alloc(4, 0x61);
  out.beginBatch();
  out.beginBatch(); // batches nest
  out.write(a);
  out.write(b);
  out.write(c);
  out.endBatch();
  assert.equal(Buffer.concat(writes).toString(), 'first-second-', 'the inner end does not flush the last piece');
  out.write(Buffer.from('-last'));
  out.end(); // inside the batch: pending bytes go before the FIN
  assert.equal((await received).toString(), 'first-second-aaaa-last');
  assert.equal(Buffer.concat(writes).toString(), 'first-second-aaaa-last');
});

test('outside a batch a write goes straight to the socket', async (t) => {
  const { client, received, writes } = await pair(t);
  const out = new SocketWriter(client);
  out.write(Buffer.from('now'));
  assert.equal(writes.length, 1);
  out.endBatch(); // unmatched: ignored
  out.end();
  assert.equal((await received).toString(), 'now');
});
