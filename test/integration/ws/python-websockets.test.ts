// Interop with Python `websockets` (Debian's python3-websockets, run with
// /usr/bin/python3) both ways, with and without permessage-deflate.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connectWebSocket } from '../../../server-core/ws/client.js';
import type { CloseEvent, WebSocketConnection } from '../../../server-core/ws/connection.js';
import type { WebSocketMessage } from '../../../server-core/ws/types.js';
import { startWsTestServer, type WsTestServer } from '../../support/ws-test-server.js';

const PYTHON = '/usr/bin/python3';
const peers = join(import.meta.dirname, 'peers');

function messages(conn: WebSocketConnection, n: number): Promise<WebSocketMessage[]> {
  return new Promise((resolve) => {
    const got: WebSocketMessage[] = [];
    conn.on('message', (m) => {
      got.push(m);
      if (got.length === n) resolve(got);
    });
  });
}

describe('Python websockets client → Wireplay server', () => {
  let server: WsTestServer;
  before(async () => {
    server = await startWsTestServer({ '/echo': { handler: { onMessage: (p, m) => p.send(m.data, { binary: m.binary }) } } });
  });
  after(() => server.close());

  for (const mode of ['deflate', 'none']) {
    test(`echo, ping, close (compression ${mode})`, async (t) => {
      const child = spawn(PYTHON, [join(peers, 'client.py'), server.url('/echo'), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      t.after(() => child.kill());
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const [code] = await once(child, 'exit');
      assert.equal(code, 0, err);
      const r = JSON.parse(out.trim());
      assert.deepEqual(r.echoes, [true, true, true, true, true]);
      assert.equal(r.pong, true);
      assert.equal(r.close_code, 1000);
      assert.deepEqual(r.extensions, mode === 'deflate' ? ['PerMessageDeflate'] : []);
    });
  }
});

describe('Wireplay client → Python websockets server', () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill();
  });
  async function pythonServer(mode: string): Promise<number> {
    const child = spawn(PYTHON, [join(peers, 'echo_server.py'), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const lines = createInterface({ input: child.stdout! });
    for await (const line of lines) {
      const m = /^PORT (\d+)$/.exec(line);
      if (m) return Number(m[1]);
    }
    throw new Error('the Python server did not start');
  }

  for (const mode of ['deflate', 'none']) {
    test(`echo and close (compression ${mode})`, async () => {
      const port = await pythonServer(mode);
      const { connection } = await connectWebSocket(`ws://127.0.0.1:${port}/`);
      assert.equal(connection.deflateParams !== null, mode === 'deflate');
      const big = Buffer.alloc(1 << 20);
      for (let i = 0; i < big.length; i++) big[i] = (i * 13) & 0xff;
      const got = messages(connection, 4);
      connection.send('hello from Wireplay');
      connection.send(big);
      connection.send('y'.repeat(50_000));
      connection.send(Buffer.alloc(0));
      const m = await got;
      assert.equal(m[0].text, 'hello from Wireplay');
      assert.ok(m[1].data.equals(big));
      assert.equal(m[2].text, 'y'.repeat(50_000));
      assert.equal(m[3].data.length, 0);
      const pong = new Promise<Buffer>((r) => connection.on('pong', r));
      connection.ping('wp');
      assert.equal((await pong).toString(), 'wp');
      const closed = new Promise<CloseEvent>((r) => connection.on('close', r));
      connection.close(1000, 'bye');
      const ev = await closed;
      assert.deepEqual([ev.code, ev.wasClean], [1000, true]);
    });
  }

  test('the Python server closes first with 4000', async () => {
    const port = await pythonServer('deflate');
    const { connection } = await connectWebSocket(`ws://127.0.0.1:${port}/close`);
    const closed = new Promise<CloseEvent>((r) => connection.on('close', r));
    connection.send('please close');
    const ev = await closed;
    assert.deepEqual([ev.code, ev.reason, ev.wasClean], [4000, 'python bye', true]);
  });
});
