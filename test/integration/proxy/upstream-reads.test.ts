// The target's leg reads into slabs (upstream-leg.ts): every read lands in
// memory no earlier read used, because the bytes of a read are kept after it —
// in the client socket's buffer while the client is slow, and in the capture
// queue until the next turn. Bytes that do not repeat with any period (random)
// make a reuse of read memory show as a difference. And the one response timer
// a leg re-arms per request still answers 504 on a later request of a
// kept-alive connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { bytesOf, curl, downstreams, finished, scriptedServer, startProxy, until, upstreamsOf } from './helpers.js';

test('a response read in many pieces while the client does not read: the client and both legs get the bytes the target sent', async (t) => {
  const body = randomBytes(24 * 1024 * 1024 + 17);
  const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
  const all = Buffer.concat([head, body]);
  const target = await scriptedServer(t, (s) => {
    s.once('data', () => {
      s.write(head);
      // Pieces of uneven sizes, written as the socket takes them: many reads on the proxy's side.
      let at = 0;
      const more = () => {
        while (at < body.length) {
          const piece = body.subarray(at, Math.min(body.length, at + 1000 + (at % 7919)));
          at += piece.length;
          if (!s.write(piece)) return void s.once('drain', more);
        }
      };
      more();
    });
  });
  const p = await startProxy(t, { target: target.origin });
  const c = connect({ host: '127.0.0.1', port: p.port });
  t.after(() => c.destroy());
  await new Promise<void>((resolve, reject) => c.once('connect', resolve).once('error', reject));
  c.pause();
  c.write('GET /random HTTP/1.1\r\nHost: a\r\n\r\n');
  // Reads pile up behind a client that does not read, until the proxy stops reading the target.
  await until(undefined, () => p.proxy.connections()[0]?.targetPaused === true, 'the proxy to pause the target');
  const parts: Buffer[] = [];
  let length = 0;
  await new Promise<void>((resolve, reject) => {
    c.on('data', (b: Buffer) => {
      parts.push(b);
      length += b.length;
      if (length >= all.length) resolve();
    });
    c.once('close', () => reject(new Error(`closed after ${length} of ${all.length} bytes`)));
    c.resume();
  });
  const got = Buffer.concat(parts);
  assert.equal(got.length, all.length, 'as many bytes as the target sent');
  assert.ok(got.equals(all), 'the client got exactly the bytes the target sent');
  await until(p.store, () => finished(p.proxy).length === 1, 'the exchange to end', 10_000, p.proxy);
  const [d] = downstreams(p.store);
  const [u] = upstreamsOf(p.store, d.id);
  assert.ok(bytesOf(p.store, u.id, 's2c').equals(all), "the target's leg recorded the bytes it read");
  assert.ok(bytesOf(p.store, d.id, 's2c').equals(all), "the client's leg recorded the bytes it wrote");
});

test('the response timeout holds for every request of a kept-alive target connection, not only the first', async (t) => {
  let requests = 0;
  const target = await scriptedServer(t, (s) => {
    s.on('data', () => {
      // The first request is answered; the second never is.
      if (++requests === 1) s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
  });
  const p = await startProxy(t, { target: target.origin, timeoutMs: 150 });
  // --max-time: a timeout that never fires fails here, not by hanging the suite.
  const r = await curl(['-i', '--max-time', '10', `${p.url}/first`, '--next', '-i', '--max-time', '10', `${p.url}/second`]);
  assert.match(r.stdout, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nokHTTP\/1\.1 504 Gateway Timeout\r\n/);
  const ex = finished(p.proxy);
  assert.deepEqual(
    ex.map((e) => e.answer ?? e.status),
    [200, 'upstream-timeout'],
  );
  assert.equal(ex[0].upstreamId, ex[1].upstreamId, 'both went on one target connection');
});
