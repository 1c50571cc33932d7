// Backpressure both ways: a client that does not read pauses the proxy's
// reading of the target, a target that does not read pauses its reading of
// the client; neither side is buffered whole, and everything arrives intact
// once the slow side reads again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { patternBytes } from '../../support/proxy-test-app.js';
import { allClosed, assertLegsMirror, bytesOf, downstreams, rawClient, scriptedServer, startFixture, startProxy, until } from './helpers.js';

const SIZE = 32 * 1024 * 1024;

test('a client that does not read: the proxy stops reading the target, then resumes with it', async (t) => {
  const f = await startFixture(t, { capture: false });
  const c = await rawClient(t, f.port);
  c.socket.pause();
  c.socket.write(`GET /big?size=${SIZE} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
  // A proxy that buffered the whole response would read all of it and never pause the target.
  await until(undefined, () => f.proxy.connections()[0]?.targetPaused === true, 'the proxy to pause the target');
  // Compared as it streams in (concatenating 32 MiB at every chunk would be the test's own bottleneck).
  const expected = patternBytes(SIZE);
  let headLeft: Buffer | null = Buffer.alloc(0);
  let at = 0;
  let same = true;
  const done = new Promise<void>((resolve) => {
    c.socket.on('data', (b: Buffer) => {
      if (headLeft !== null) {
        headLeft = Buffer.concat([headLeft, b]);
        const i = headLeft.indexOf('\r\n\r\n');
        if (i < 0) return;
        b = headLeft.subarray(i + 4);
        headLeft = null;
      }
      same &&= b.equals(expected.subarray(at, at + b.length));
      at += b.length;
      if (at >= SIZE) resolve();
    });
  });
  c.socket.resume();
  await done;
  assert.equal(at, SIZE);
  assert.ok(same, 'the body arrived intact');
  await until(undefined, () => f.proxy.connections().length === 0, 'the connection to close');
});

test('a target that does not read: the proxy stops reading the client, then the upload arrives whole', async (t) => {
  const head = `POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: ${SIZE}\r\n\r\n`;
  let targetSocket: Socket | undefined;
  let received = 0;
  let gotAll!: () => void;
  const all = new Promise<void>((resolve) => (gotAll = resolve));
  const target = await scriptedServer(t, (s) => {
    targetSocket = s;
    s.pause();
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (received === head.length + SIZE) {
        s.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
        gotAll();
      }
    });
  });
  const p = await startProxy(t, { target: target.origin, captureMaxBytes: 160 * 1024 * 1024 });
  const c = await rawClient(t, p.port);
  // Written in one call: the client's own buffer keeps what the proxy does not take.
  c.socket.write(head);
  c.socket.write(patternBytes(SIZE));
  await until(p.store, () => p.proxy.connections()[0]?.clientPaused === true, 'the proxy to pause the client');
  const d = downstreams(p.store)[0];
  assert.ok(bytesOf(p.store, d.id, 'c2s').length < SIZE, 'the proxy did not read the whole upload while the target was not reading');
  targetSocket!.resume();
  await all;
  await c.waitFor((b) => b.toString('latin1').startsWith('HTTP/1.1 204 No Content\r\n'), 'the answer', 30_000);
  await until(p.store, () => allClosed(p.store), 'the connections to close', 30_000);
  assertLegsMirror(p.store);
});
