// Static files served while the capture store records, as the extension runs the server: the store
// copies what it records (chunk-arena.ts, large reads included) and its listener says so
// (util/emitter.ts, ListenerOptions.copies), so the file reader's pooled buffers are filled again
// (static/read-buffer-pool.ts). The capture must still hold exactly the bytes that went out. The
// fixture's bytes differ at every offset and each request reads another part of the file, so a
// recorded buffer refilled by a later read shows as wrong bytes in the capture.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Router } from '../../../server-core/router/router.js';
import { registerDemoRoutes } from '../../../server-core/routes/demo-routes.js';
import { createWireplayServer } from '../../../server-core/server/wireplay-server.js';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
import { readBufferStats } from '../../../server-core/static/read-buffer-pool.js';
import { makeStaticFixture, type StaticFixture } from '../../support/static-fixture.js';

let fx: StaticFixture;
before(() => {
  fx = makeStaticFixture(8 * 1024 * 1024);
});
after(() => fx?.cleanup());

const MiB = 1024 * 1024;

/** One request on its own connection; resolves with everything the server sent when it closes. */
function fetchRaw(port: number, request: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

const bodyOf = (raw: Buffer): Buffer => raw.subarray(raw.indexOf('\r\n\r\n') + 4);

test('a capture store records served files byte for byte while the read buffers are reused', async (t) => {
  const router = new Router();
  registerDemoRoutes(router, { root: fx.root });
  const server = createWireplayServer({ handler: router.handle, host: '127.0.0.1', port: 0 });
  const store = new CaptureStore({ maxBytes: 64 * MiB, dissect: false });
  t.after(() => store.dispose());
  store.attach(server.capture);
  // A second listener that copies during the call, as the sidebar's traffic model.
  let counted = 0;
  server.capture.on('chunk', (e) => (counted += e.bytes.length), { copies: true });
  const { port } = await server.listen();
  t.after(() => server.close());

  const reusedBefore = readBufferStats.reused;
  const ranges: [number, number][] = [];
  for (let i = 0; i < 6; i++) {
    // 2 MiB (four full 512 KiB reads) from another part of the file each time.
    const start = ((i * 3) % 4) * 2 * MiB;
    const end = start + 2 * MiB - 1;
    ranges.push([start, end]);
    const raw = await fetchRaw(port, `GET /files/big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=${start}-${end}\r\nConnection: close\r\n\r\n`);
    assert.match(raw.subarray(0, 20).toString('latin1'), /^HTTP\/1\.1 206/);
    assert.ok(bodyOf(raw).equals(fx.big.subarray(start, end + 1)), `response ${i + 1} is the range`);
  }
  assert.ok(readBufferStats.reused > reusedBefore, 'the read buffers were reused while the store recorded');
  assert.ok(counted > 12 * MiB);

  const conns = store.listConnections();
  assert.equal(conns.length, ranges.length);
  for (const [i, c] of conns.entries()) {
    const entries = store.connection(c.id)!.entries;
    assert.ok(entries.every((e) => e.kind === 'data'), `${c.id}: nothing dropped`);
    const s2c = Buffer.concat(entries.flatMap((e) => (e.kind === 'data' && e.dir === 's2c' ? [e.bytes] : [])));
    const [start, end] = ranges[i];
    assert.ok(bodyOf(s2c).equals(fx.big.subarray(start, end + 1)), `the capture of response ${i + 1} holds the bytes that were sent`);
  }
});

test('a listener that may keep the bytes stops the reuse: what it kept is never refilled', async (t) => {
  const router = new Router();
  registerDemoRoutes(router, { root: fx.root });
  const server = createWireplayServer({ handler: router.handle, host: '127.0.0.1', port: 0 });
  const store = new CaptureStore({ maxBytes: 64 * MiB, dissect: false });
  t.after(() => store.dispose());
  store.attach(server.capture);
  // Keeps the buffers of the store's own chunk events: the store may then keep what it is handed.
  const kept: Buffer[][] = [];
  store.events.on('chunk', ({ entry }) => {
    if (entry.kind === 'data' && entry.dir === 's2c') kept[kept.length - 1].push(entry.bytes);
  });
  const { port } = await server.listen();
  t.after(() => server.close());
  const ranges: [number, number][] = [];
  for (let i = 0; i < 4; i++) {
    const start = ((i * 3) % 4) * 2 * MiB;
    ranges.push([start, start + 2 * MiB - 1]);
    kept.push([]);
    await fetchRaw(port, `GET /files/big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=${start}-${start + 2 * MiB - 1}\r\nConnection: close\r\n\r\n`);
  }
  for (const [i, [start, end]] of ranges.entries()) {
    assert.ok(bodyOf(Buffer.concat(kept[i])).equals(fx.big.subarray(start, end + 1)), `the kept bytes of response ${i + 1} are unchanged`);
  }
});
