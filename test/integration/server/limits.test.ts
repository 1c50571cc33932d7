// Every limit and every defence: the exact bytes over a real socket, then the
// status and the closed connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Handler } from '../../../server-core/index.js';
import { exchange, firstResponse, open, readResponses, collect, startServer } from './helpers.js';
import { waitFor } from '../../support/wait.js';

/** Reads the whole body, answers with its length. */
const bodyLength: Handler = async (req, res) => {
  const body = await req.body();
  res.setHeader('Content-Type', 'text/plain');
  res.end(`got ${body.length}`);
};

async function expectRefusal(port: number, bytes: string | Buffer | (string | Buffer)[], status: number) {
  const r = await exchange(port, bytes);
  assert.equal(r.closed, true, 'the server closes the connection');
  const res = firstResponse(r.data);
  assert.equal(res.status, status, res.text);
  assert.equal(res.header('connection'), 'close');
  return res;
}

test('414 for a request line over maxStartLineBytes', async (t) => {
  const { port } = await startServer(t, { handler: bodyLength, limits: { maxStartLineBytes: 100 } });
  await expectRefusal(port, `GET /${'a'.repeat(200)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414);
  // Just under the limit is served.
  const ok = await exchange(port, `GET /${'a'.repeat(80)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  assert.equal(firstResponse(ok.data).status, 200);
});

test('431 for header bytes over maxHeaderBytes', async (t) => {
  const { port } = await startServer(t, { handler: bodyLength, limits: { maxHeaderBytes: 1024 } });
  await expectRefusal(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(2000)}\r\n\r\n`, 431);
});

test('431 for more headers than maxHeaderCount', async (t) => {
  const { port } = await startServer(t, { handler: bodyLength, limits: { maxHeaderCount: 10 } });
  const many = Array.from({ length: 20 }, (_, i) => `X-H${i}: ${i}\r\n`).join('');
  await expectRefusal(port, `GET / HTTP/1.1\r\nHost: x\r\n${many}\r\n`, 431);
});

test('413 for a Content-Length body over maxBodyBytes', async (t) => {
  const { port } = await startServer(t, { handler: bodyLength, limits: { maxBodyBytes: 1000 } });
  await expectRefusal(port, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n${'x'.repeat(5000)}`, 413);
});

test('413 for a chunked body over maxBodyBytes', async (t) => {
  const { port } = await startServer(t, { handler: bodyLength, limits: { maxBodyBytes: 1000 } });
  const chunk = 'y'.repeat(600);
  await expectRefusal(
    port,
    `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`,
    413,
  );
});

test('413 for chunk extensions over maxChunkExtensionBytes', async (t) => {
  const { port } = await startServer(t, { handler: bodyLength, limits: { maxChunkExtensionBytes: 64 } });
  await expectRefusal(port, `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=${'e'.repeat(200)}\r\nhello\r\n0\r\n\r\n`, 413);
});

test('408 when the head does not arrive within headersTimeout (slowloris)', async (t) => {
  const { port } = await startServer(t, { handler: bodyLength, limits: { headersTimeout: 300 } });
  const socket = await open(port);
  t.after(() => socket.destroy());
  const chunks: Buffer[] = [];
  const closed = collect(socket, chunks);
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
  // A header line now and then, never the empty line.
  const drip = setInterval(() => socket.writable && socket.write('X-Drip: 1\r\n'), 50);
  t.after(() => clearInterval(drip));
  assert.equal(await closed, true);
  clearInterval(drip);
  const res = firstResponse(Buffer.concat(chunks));
  assert.equal(res.status, 408);
  assert.equal(res.header('connection'), 'close');
});

test('408 when a silent new connection sends no head within headersTimeout', async (t) => {
  const { port } = await startServer(t, { handler: bodyLength, limits: { headersTimeout: 200 } });
  const socket = await open(port);
  t.after(() => socket.destroy());
  const chunks: Buffer[] = [];
  assert.equal(await collect(socket, chunks), true);
  assert.equal(firstResponse(Buffer.concat(chunks)).status, 408);
});

test('408 when the body does not arrive within requestTimeout', async (t) => {
  const { port } = await startServer(t, { handler: bodyLength, limits: { requestTimeout: 300, headersTimeout: 10_000 } });
  const r = await exchange(port, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a part`);
  assert.equal(r.closed, true);
  const res = firstResponse(r.data);
  assert.equal(res.status, 408);
  assert.equal(res.header('connection'), 'close');
});

test('an idle keep-alive connection is closed after keepAliveTimeout, without a response', async (t) => {
  const { port } = await startServer(t, { handler: bodyLength, limits: { keepAliveTimeout: 200 } });
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const first = await readResponses(socket, 1);
  assert.equal(first.responses[0].status, 200);
  assert.equal(first.closed, false);
  const chunks: Buffer[] = [];
  // Closed by the keep-alive timeout well before 4 s (collect fails after that, naming what it waited for).
  assert.equal(await collect(socket, chunks, undefined, 4000), true, 'closed by the server');
  assert.equal(Buffer.concat(chunks).length, 0, 'nothing is written before the close');
});

test('maxConnections: one connection more is answered 503 and closed; the others are served', async (t) => {
  const { port, server } = await startServer(t, { handler: bodyLength, limits: { maxConnections: 2 } });
  const a = await open(port);
  const b = await open(port);
  t.after(() => {
    a.destroy();
    b.destroy();
  });
  // Make sure both are accepted before the third arrives.
  a.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  b.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await readResponses(a, 1);
  await readResponses(b, 1);
  assert.equal(server.connections().length, 2);
  const refused = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(refused.closed, true);
  const res = firstResponse(refused.data);
  assert.equal(res.status, 503);
  assert.equal(res.header('connection'), 'close');
  // The first two still work.
  a.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal((await readResponses(a, 1)).responses[0].status, 200);
});

// Request smuggling and syntax defences: each answered 400 (505 for a bad version) and closed.
const defences: [string, string, number][] = [
  ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 400],
  ['Transfer-Encoding not ending in chunked', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', 400],
  ['an unknown Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n', 400],
  ['duplicate differing Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!', 400],
  ['a signed Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello', 400],
  ['a non-digit Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5a\r\n\r\nhello', 400],
  ['obs-fold', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n', 400],
  ['a bare LF line ending', 'GET / HTTP/1.1\nHost: x\n\n', 400],
  ['a bare CR inside the head', 'GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n', 400],
  ['whitespace before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
  ['NUL in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n', 400],
  ['missing Host on HTTP/1.1', 'GET / HTTP/1.1\r\nX-A: a\r\n\r\n', 400],
  ['an invalid chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n', 400],
  ['a negative chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n', 400],
  ['chunk data longer than its size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n', 400],
  ['a malformed version', 'GET / HTTP/1.x\r\nHost: x\r\n\r\n', 400],
  ['an invalid method token', 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
];

for (const [name, bytes, status] of defences) {
  test(`defence: ${name} → ${status} and close`, async (t) => {
    let reached = 0;
    const { port } = await startServer(t, {
      handler: async (req, res) => {
        reached++;
        await req.body().catch(() => undefined);
        res.end('handled');
      },
    });
    await expectRefusal(port, bytes, status);
    // A smuggled second request is never handled.
    assert.ok(reached <= 1);
  });
}

test('defence: a smuggled request after a refused one is never handled', async (t) => {
  const seen: string[] = [];
  const { port } = await startServer(t, {
    handler: (req, res) => {
      seen.push(req.target);
      res.end('ok');
    },
  });
  const r = await exchange(
    port,
    'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
  );
  assert.equal(r.closed, true);
  assert.equal(firstResponse(r.data).status, 400);
  assert.deepEqual(seen, []);
});

test('maxPipelinedRequests: reading pauses behind unanswered requests and resumes; all answered in order', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let called = 0;
  const { port, server } = await startServer(t, {
    limits: { maxPipelinedRequests: 2 },
    handler: async (req, res) => {
      if (req.path === '/probe') return res.end('probe'); // another connection, answered at once
      called++;
      await gate;
      res.end(req.path);
    },
  });
  const socket = await open(port);
  t.after(() => socket.destroy());
  const request = (i: number) => `GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
  socket.write(request(0));
  await waitFor(() => called === 1, 'the first request to reach its handler');
  socket.write(request(1));
  await waitFor(() => called === 2, 'the second request to reach its handler');
  const rest = Array.from({ length: 8 }, (_, i) => request(i + 2)).join('');
  await new Promise((r) => socket.write(rest, r));
  // The bytes are in the server's receive buffer; a whole exchange on another connection
  // proves its event loop went round: a socket that was not paused would have been read.
  await exchange(port, 'GET /probe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(called, 2, 'no third request is read while two are unanswered');
  assert.equal(server.connections()[0].bytesIn, request(0).length + request(1).length);
  const done = readResponses(socket, 10);
  release();
  const { responses } = await done;
  assert.deepEqual(
    responses.map((r) => r.text),
    Array.from({ length: 10 }, (_, i) => `/${i}`),
  );
});

test('a stray CRLF after a body does not start a request: keep-alive timeout, not 408', async (t) => {
  const { port } = await startServer(t, { handler: bodyLength, limits: { keepAliveTimeout: 200, headersTimeout: 60_000 } });
  const socket = await open(port);
  t.after(() => socket.destroy());
  const chunks: Buffer[] = [];
  const closed = collect(socket, chunks);
  socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab\r\n');
  assert.equal(await closed, true);
  const text = Buffer.concat(chunks).toString('latin1');
  assert.match(text, /^HTTP\/1\.1 200 OK/);
  assert.doesNotMatch(text, /408/);
});

test('random bytes never crash the server: each connection is answered or closed, then it serves on', async (t) => {
  const fc = await import('fast-check');
  const { port, server } = await startServer(t, { handler: bodyLength, limits: { headersTimeout: 500, keepAliveTimeout: 300 } });
  const prefixes = ['', 'GET / HTTP/1.1\r\n', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'];
  const samples = fc.sample(fc.tuple(fc.constantFrom(...prefixes), fc.uint8Array({ minLength: 1, maxLength: 300 })), { numRuns: 40, seed: 42 });
  await Promise.all(
    samples.map(async ([prefix, bytes]) => {
      // Our FIN after the bytes: the server answers what is complete, then closes.
      const r = await exchange(port, [prefix, Buffer.from(bytes)], { end: true });
      // Either the server closed, or whatever it wrote parses as responses.
      if (!r.closed && r.data.length > 0) assert.ok(firstResponse(r.data).status >= 200);
    }),
  );
  const ok = await exchange(port, 'GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(firstResponse(ok.data).text, 'got 0');
  await waitFor(() => server.connections().length === 0, 'every connection to close', 2000);
  assert.equal(server.connections().length, 0, 'no socket left behind');
});
