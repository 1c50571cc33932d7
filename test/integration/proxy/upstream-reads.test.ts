// The target's leg reads into slabs (upstream-leg.ts): every read lands in
// memory no earlier read used, because the bytes of a read are kept after it —
// in the client socket's buffer while the client is slow, and in the capture
// queue until the next turn. A full slab is filled again only once nobody can
// read its bytes (never when a capture listener may keep them), shared by the
// process's legs: several random responses on two connections at once, each
// read by a client that stops reading, catch a slab reused too early. Bytes
// that do not repeat with any period (random) make a reuse of read memory show
// as a difference. And the one response timer
// a leg re-arms per request still answers 504 on a later request of a
// kept-alive connection.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
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

/** Writes `body` after `head` in pieces of uneven sizes, as the socket takes them: many reads on the proxy's side. */
function writeInPieces(s: Socket, head: Buffer, body: Buffer): void {
  s.write(head);
  let at = 0;
  const more = () => {
    while (at < body.length) {
      const piece = body.subarray(at, Math.min(body.length, at + 1000 + (at % 7919)));
      at += piece.length;
      if (!s.write(piece)) return void s.once('drain', more);
    }
  };
  more();
}

const RESPONSES = 2;
/** Past what the loopback's socket buffers and the proxy's queue take from a client that does not read. */
const BODY = 10 * 1024 * 1024;

/** A target that answers every request with a fresh random body of BODY bytes and some; `sent` gets each connection's responses. */
async function randomTarget(t: TestContext, sent: Buffer[][]) {
  return scriptedServer(t, (s) => {
    const mine: Buffer[] = [];
    sent.push(mine);
    let text = '';
    s.on('data', (b: Buffer) => {
      text += b.toString('latin1');
      for (let end = text.indexOf('\r\n\r\n'); end >= 0; end = text.indexOf('\r\n\r\n')) {
        text = text.slice(end + 4);
        const body = randomBytes(BODY + 17 * (mine.length + 1));
        const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
        mine.push(Buffer.concat([head, body]));
        writeInPieces(s, head, body);
      }
    });
  });
}

/**
 * Two client connections at once, each asking RESPONSES times on its kept-alive connection; each time
 * neither reads until the proxy paused both target connections (the client side holds read bytes),
 * then both read the whole response. Returns the bytes each client got.
 */
async function slowClients(t: TestContext, p: Awaited<ReturnType<typeof startProxy>>, sent: Buffer[][]): Promise<Buffer[]> {
  let wake: ((err?: Error) => void) | null = null;
  let want = 0;
  const got = () => clients.reduce((n, s) => n + s.length, 0);
  const clients = await Promise.all(
    [0, 1].map(async (n) => {
      const c = connect({ host: '127.0.0.1', port: p.port });
      t.after(() => c.destroy());
      await new Promise<void>((resolve, reject) => c.once('connect', resolve).once('error', reject));
      const state = { c, parts: [] as Buffer[], length: 0 };
      c.on('data', (b: Buffer) => {
        state.parts.push(b);
        state.length += b.length;
        if (got() >= want) wake?.();
      });
      c.once('close', () => wake?.(new Error(`client ${n} closed`)));
      return state;
    }),
  );
  for (let i = 0; i < RESPONSES; i++) {
    for (const s of clients) {
      s.c.pause();
      s.c.write(`GET /random/${i} HTTP/1.1\r\nHost: a\r\n\r\n`);
    }
    await until(undefined, () => {
      const conns = p.proxy.connections();
      return conns.length === 2 && conns.every((x) => x.targetPaused);
    }, `request ${i}: the proxy to pause both target connections`, 10_000, p.proxy);
    // Both targets answered request i: the clients get all they sent, then ask again.
    want = sent.flat().reduce((n, b) => n + b.length, 0);
    await new Promise<void>((resolve, reject) => {
      wake = (err?: Error) => (err ? reject(err) : got() >= want && resolve());
      for (const s of clients) s.c.resume();
    });
  }
  return clients.map((s) => Buffer.concat(s.parts));
}

/** Each client's bytes against the responses of the target connection that served it (matched by their first bytes). */
function assertServed(got: Buffer[], sent: Buffer[][]): Buffer[] {
  assert.equal(sent.length, 2, 'one target connection per client connection');
  const expected = sent.map((list) => Buffer.concat(list));
  for (const g of got) {
    const e = expected.find((x) => x.subarray(0, 4096).equals(g.subarray(0, 4096)));
    assert.ok(e, 'a client got the first bytes of a response its target connection sent');
    assert.equal(g.length, e.length, 'as many bytes as the target sent');
    assert.ok(g.equals(e), 'the client got exactly the bytes its target connection sent');
  }
  return expected;
}

test('slabs shared by two connections, reused between responses: every client and every leg gets the bytes the target sent', async (t) => {
  const sent: Buffer[][] = [];
  const target = await randomTarget(t, sent);
  const p = await startProxy(t, { target: target.origin, capture: new CaptureStore({ maxBytes: 128 * 1024 * 1024 }) });
  const expected = assertServed(await slowClients(t, p, sent), sent);
  await until(p.store, () => finished(p.proxy).length === 2 * RESPONSES, 'the exchanges to end', 10_000, p.proxy);
  for (const d of downstreams(p.store)) {
    const [u] = upstreamsOf(p.store, d.id);
    const fromTarget = bytesOf(p.store, u.id, 's2c');
    assert.ok(expected.some((e) => e.equals(fromTarget)), "a target's leg recorded the bytes it read");
    assert.ok(bytesOf(p.store, d.id, 's2c').equals(fromTarget), "the client's leg recorded the bytes it wrote");
  }
});

test('a capture listener that keeps the bytes it is handed still has them all after later responses', async (t) => {
  const sent: Buffer[][] = [];
  const target = await randomTarget(t, sent);
  const p = await startProxy(t, { target: target.origin, capture: new CaptureStore({ maxBytes: 128 * 1024 * 1024 }) });
  // Kept as handed, not copied, and not declared to copy (util/emitter.ts): no slab it saw may be filled again.
  const kept = new Map<string, Buffer[]>();
  const sub = p.proxy.captureEvents.on('chunk', (ev) => {
    if (ev.dir !== 's2c') return;
    let list = kept.get(ev.connectionId);
    if (!list) kept.set(ev.connectionId, (list = []));
    list.push(ev.bytes);
  });
  t.after(() => sub.dispose());
  const expected = assertServed(await slowClients(t, p, sent), sent);
  await until(p.store, () => finished(p.proxy).length === 2 * RESPONSES, 'the exchanges to end', 10_000, p.proxy);
  for (const d of downstreams(p.store)) {
    const [u] = upstreamsOf(p.store, d.id);
    const read = Buffer.concat(kept.get(u.id) ?? []);
    assert.ok(expected.some((e) => e.equals(read)), "what the listener kept of a target's leg is what the target sent");
    assert.ok(Buffer.concat(kept.get(d.id) ?? []).equals(read), "what it kept of the client's leg is the same bytes");
  }
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
