// The connection's HTTP/1.1 behaviour over real sockets: pipelining order,
// 100-continue, HEAD, keep-alive and close rules, header injection, failing
// handlers, streaming with backpressure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Handler } from '../../../server-core/index.js';
import { collect, exchange, firstResponse, open, parseResponses, readResponses, startServer } from './helpers.js';
import { waitFor } from '../../support/wait.js';

const delayed: Handler = async (req, res) => {
  const ms = Number(req.query.get('ms') ?? 0);
  await new Promise((r) => setTimeout(r, ms));
  res.end(`${req.path} after ${ms}`);
};

test('pipelined requests are answered in order even when later ones finish first', async (t) => {
  const { port } = await startServer(t, { handler: delayed });
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write(
    'GET /a?ms=150 HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /b?ms=0 HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /c?ms=50 HTTP/1.1\r\nHost: x\r\n\r\n',
  );
  const { responses } = await readResponses(socket, 3);
  assert.deepEqual(
    responses.map((r) => r.text),
    ['/a after 150', '/b after 0', '/c after 50'],
  );
});

test('a pipelined batch of synchronous responses goes out in one write', async (t) => {
  const { port, server } = await startServer(t, { handler: (req, res) => res.end(req.path) });
  const writes: number[] = [];
  server.capture.on('chunk', (c) => {
    if (c.dir === 's2c') writes.push(c.bytes.length);
  });
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write(Array.from({ length: 16 }, (_, i) => `GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
  const { responses } = await readResponses(socket, 16);
  assert.deepEqual(
    responses.map((r) => r.text),
    Array.from({ length: 16 }, (_, i) => `/${i}`),
  );
  assert.equal(writes.length, 1, `one socket write, got ${writes.length}`);
});

test('Expect: 100-continue: 100 Continue when the handler reads the body, then the final response', async (t) => {
  const { port } = await startServer(t, {
    handler: async (req, res) => {
      const body = await req.body();
      res.end(`got ${body.toString()}`);
    },
  });
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
  const chunks: Buffer[] = [];
  await collect(socket, chunks, (data) => data.toString('latin1').endsWith('\r\n\r\n')); // the interim response arrives before any body is sent
  assert.match(Buffer.concat(chunks).toString('latin1'), /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
  socket.write('hello');
  const { responses } = await readResponses(socket, 1);
  assert.equal(responses[0].status, 200);
  assert.equal(responses[0].text, 'got hello');
});

test('Expect: 100-continue answered with a final status without reading the body closes the connection', async (t) => {
  const { port } = await startServer(t, {
    handler: (_req, res) => {
      res.statusCode = 417;
      res.end('no');
    },
  });
  const r = await exchange(port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
  assert.equal(r.closed, true);
  const res = firstResponse(r.data);
  assert.equal(res.status, 417);
  assert.equal(res.header('connection'), 'close');
  assert.doesNotMatch(r.data.toString('latin1'), /100 Continue/);
});

test('HEAD: the headers GET would send, no body, and the connection stays usable', async (t) => {
  const { port } = await startServer(t, { handler: (_req, res) => res.end('twelve bytes') });
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write('HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const { responses, data } = await readResponses(socket, 2, [true, false]);
  assert.equal(responses[0].header('content-length'), '12');
  assert.equal(responses[0].body.length, 0);
  assert.equal(responses[1].text, 'twelve bytes');
  // Exactly two heads and one body on the wire.
  assert.equal(data.toString('latin1').split('twelve bytes').length, 2);
});

test('HEAD of a streamed response sends no chunks', async (t) => {
  const { port } = await startServer(t, {
    handler: (_req, res) => {
      res.write('a');
      res.end('b');
    },
  });
  const r = await exchange(port, 'HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const text = r.data.toString('latin1');
  assert.match(text, /Transfer-Encoding: chunked/);
  assert.ok(text.endsWith('\r\n\r\n'));
  assert.doesNotMatch(text, /\r\n\r\n.+/s);
});

test('header injection is refused: setHeader throws on CR/LF/NUL and non-token names', async (t) => {
  const errors: string[] = [];
  const { port } = await startServer(t, {
    handler: (_req, res) => {
      for (const [name, value] of [
        ['X-A', 'ok\r\nSet-Cookie: evil=1'],
        ['X-B', 'a\nb'],
        ['X-C', 'a\0b'],
        ['Bad Name', 'v'],
        ['X-D\r\nEvil', 'v'],
        ['', 'v'],
      ]) {
        try {
          res.setHeader(name, value);
          errors.push(`accepted ${JSON.stringify(name)}`);
        } catch (err) {
          errors.push((err as { code: string }).code);
        }
      }
      try {
        res.writeHead(200, { 'X-E': ['fine', 'bad\r\nX: y'] });
      } catch (err) {
        errors.push((err as { code: string }).code);
      }
      res.end('done');
    },
  });
  const r = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.deepEqual(errors, [
    'INVALID_HEADER_VALUE',
    'INVALID_HEADER_VALUE',
    'INVALID_HEADER_VALUE',
    'INVALID_HEADER_NAME',
    'INVALID_HEADER_NAME',
    'INVALID_HEADER_NAME',
    'INVALID_HEADER_VALUE',
  ]);
  const text = r.data.toString('latin1');
  assert.doesNotMatch(text, /evil|Set-Cookie|X: y/i);
  assert.equal(firstResponse(r.data).text, 'done');
});

test('a handler that throws gets a 500 and a logged error; the server keeps serving', async (t) => {
  const logged: string[] = [];
  const { port, server } = await startServer(t, {
    handler: async (req, res) => {
      if (req.path === '/sync') throw new Error('boom sync');
      if (req.path === '/async') {
        await Promise.resolve();
        throw new Error('boom async');
      }
      res.end('fine');
    },
    log: (level, message) => logged.push(`${level} ${message}`),
  });
  const errors: string[] = [];
  server.events.on('error', (e) => errors.push(e.message));
  for (const path of ['/sync', '/async']) {
    const r = await exchange(port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.equal(firstResponse(r.data).status, 500);
  }
  assert.equal(errors.length, 2);
  assert.ok(logged.some((l) => l.startsWith('error') && l.includes('boom sync')));
  const ok = await exchange(port, 'GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(firstResponse(ok.data).text, 'fine');
});

test('a handler that throws after the head went out ends the connection', async (t) => {
  const { port } = await startServer(t, {
    handler: async (_req, res) => {
      res.write('partial');
      await new Promise((r) => setImmediate(r));
      throw new Error('midway');
    },
    log: () => {},
  });
  const r = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(r.closed, true);
  assert.match(r.data.toString('latin1'), /^HTTP\/1\.1 200 OK/);
  assert.doesNotMatch(r.data.toString('latin1'), /0\r\n\r\n$/, 'no last chunk: the client sees a truncated body');
});

test('keep-alive and close rules for HTTP/1.1 and HTTP/1.0', async (t) => {
  const { port } = await startServer(t, { handler: (_req, res) => res.end('x') });
  // 1.1 with Connection: close
  let r = await exchange(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(r.closed, true);
  assert.equal(firstResponse(r.data).header('connection'), 'close');
  // 1.0 without keep-alive: closed
  r = await exchange(port, 'GET / HTTP/1.0\r\n\r\n');
  assert.equal(r.closed, true);
  assert.equal(firstResponse(r.data).header('connection'), 'close');
  // 1.0 with keep-alive: stays open and says so
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  const ka = await readResponses(socket, 1);
  assert.equal(ka.responses[0].header('connection'), 'keep-alive');
  assert.equal(ka.closed, false);
  // requests after a Connection: close request are not read
  const seen: string[] = [];
  const s2 = await startServer(t, {
    handler: (req, res) => {
      seen.push(req.path);
      res.end('y');
    },
  });
  r = await exchange(s2.port, 'GET /1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(r.closed, true);
  assert.deepEqual(seen, ['/1']);
});

test('HTTP/1.0 streamed response is close-delimited', async (t) => {
  const { port } = await startServer(t, {
    handler: (_req, res) => {
      res.write('part1 ');
      res.end('part2');
    },
  });
  const r = await exchange(port, 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
  assert.equal(r.closed, true);
  const text = r.data.toString('latin1');
  assert.doesNotMatch(text, /Transfer-Encoding/);
  assert.ok(text.endsWith('\r\n\r\npart1 part2'));
});

test('streaming: chunked encoding, write() returns false under backpressure, drain() resumes', async (t) => {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sawFalse = false;
  let blocked!: () => void;
  const sawBackpressure = new Promise<void>((resolve) => (blocked = resolve));
  const { port } = await startServer(t, {
    handler: async (_req, res) => {
      for (let i = 0; i < 64; i++) {
        if (!res.write(chunk)) {
          sawFalse = true;
          blocked();
          await res.drain();
        }
      }
      res.end();
    },
  });
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.pause(); // a slow reader
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await sawBackpressure; // the handler is waiting for drain: now read
  socket.resume();
  const { responses } = await readResponses(socket, 1);
  assert.equal(responses[0].header('transfer-encoding'), 'chunked');
  assert.equal(responses[0].body.length, 64 * chunk.length);
  assert.equal(sawFalse, true);
});

test('request body streams through the async iterator', async (t) => {
  const { port } = await startServer(t, {
    handler: async (req, res) => {
      let n = 0;
      let parts = 0;
      for await (const part of req) {
        n += part.length;
        parts++;
      }
      res.end(`${n} bytes in ${parts > 0 ? 'parts' : 'none'}`);
    },
  });
  const r = await exchange(port, [
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
    '5\r\nhello\r\n',
    '6\r\n world\r\n0\r\n\r\n',
  ]);
  assert.equal(firstResponse(r.data).text, '11 bytes in parts');
});

test('the request exposes path, query, raw head and the AbortSignal fires on disconnect', async (t) => {
  let aborted: Promise<void> | undefined;
  let seen: { path: string; q: string | null; raw: string; index: number } | undefined;
  const { port, server } = await startServer(t, {
    limits: { closeTimeout: 300 },
    handler: (req) => {
      seen = { path: req.path, q: req.query.get('q'), raw: req.rawHead.toString('latin1'), index: req.index };
      aborted = new Promise((resolve) => req.signal.addEventListener('abort', () => resolve()));
      // never answers
    },
  });
  const socket = await open(port);
  const head = 'GET /p%20x?q=1&r=2 HTTP/1.1\r\nHost: x\r\n\r\n';
  let reads = 0;
  server.capture.on('chunk', (c) => void (c.dir === 'c2s' && reads++));
  // The head in two reads: the second part is written once the server has read the first.
  socket.write(head.slice(0, 10));
  await waitFor(() => reads > 0, 'the server to read the first part of the head');
  socket.write(head.slice(10));
  await waitFor(() => aborted !== undefined, 'the handler to run');
  assert.deepEqual(seen, { path: '/p%20x', q: '1', raw: head, index: 1 });
  socket.destroy();
  await aborted;
});

test('Date header present; Content-Length for end(data); 204 and 304 carry no body framing', async (t) => {
  const { port } = await startServer(t, {
    handler: (req, res) => {
      res.statusCode = Number(req.path.slice(1));
      res.end(res.statusCode === 200 ? 'body' : undefined);
    },
  });
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write('GET /200 HTTP/1.1\r\nHost: x\r\n\r\nGET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\n');
  const { responses } = await readResponses(socket, 3);
  assert.match(responses[0].header('date') ?? '', /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
  assert.equal(responses[0].header('content-length'), '4');
  for (const r of responses.slice(1)) {
    assert.equal(r.header('content-length'), undefined);
    assert.equal(r.header('transfer-encoding'), undefined);
  }
});

test('parse responses helper sanity: interim and final responses', () => {
  const rs = parseResponses(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'));
  assert.deepEqual(
    rs.map((r) => r.status),
    [100, 200],
  );
});

test('an unread request body is skipped: the next pipelined request is served', async (t) => {
  const { port } = await startServer(t, { handler: (req, res) => res.end(`${req.method} ${req.path}`) });
  const socket = await open(port);
  t.after(() => socket.destroy());
  socket.write('POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world' + 'POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' + 'GET /c HTTP/1.1\r\nHost: x\r\n\r\n');
  const { responses } = await readResponses(socket, 3);
  assert.deepEqual(
    responses.map((r) => r.text),
    ['POST /a', 'POST /b', 'GET /c'],
  );
});

test('a large upload read slowly: the connection pauses and resumes, every byte arrives', async (t) => {
  const { port } = await startServer(t, {
    handler: async (req, res) => {
      let n = 0;
      let i = 0;
      for await (const part of req) {
        n += part.length;
        if (i++ % 16 === 0) await new Promise((r) => setImmediate(r));
      }
      res.end(String(n));
    },
  });
  const size = 6 * 1024 * 1024;
  const r = await fetch(`http://127.0.0.1:${port}/upload`, { method: 'POST', body: Buffer.alloc(size, 0x41) });
  assert.equal(await r.text(), String(size));
});

test('a bad request behind a good one in a pipeline: the good one is answered, then 400 and close', async (t) => {
  const seen: string[] = [];
  const { port } = await startServer(t, {
    handler: async (req, res) => {
      seen.push(req.path);
      await new Promise((r) => setImmediate(r)); // answered after the bad request behind it was read
      res.end(`ok ${req.path}`);
    },
  });
  const r = await exchange(port, 'GET /good HTTP/1.1\r\nHost: x\r\n\r\nGET /bad HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(r.closed, true);
  const rs = parseResponses(r.data);
  assert.deepEqual(
    rs.map((x) => x.status),
    [200, 400],
  );
  assert.equal(rs[0].text, 'ok /good');
  assert.equal(rs[1].header('connection'), 'close');
  assert.deepEqual(seen, ['/good']);
});

test('a route handler that throws: 500 from the router, an error event and a log line', async (t) => {
  const logged: string[] = [];
  const { port, server } = await startServer(t, { log: (level, m) => logged.push(`${level} ${m}`) });
  server.router!.get('/boom', () => {
    throw new Error('route exploded');
  });
  const errors: string[] = [];
  server.events.on('error', (e) => errors.push(e.message));
  const r = await exchange(port, 'GET /boom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(firstResponse(r.data).status, 500);
  assert.ok(errors.some((m) => m.includes('route exploded')));
  assert.ok(logged.some((l) => l.startsWith('error') && l.includes('route exploded')));
});
