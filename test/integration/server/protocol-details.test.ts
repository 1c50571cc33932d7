// Protocol details at the connection over real sockets: one response per
// request (a framing error after the response went out closes without a
// second one), 417 for an expectation the server cannot meet, a byte that can
// never start a request refused at once, and a client that closes its side in
// the middle of a body treated as a client abort (no 500, one log line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Handler } from '../../../server-core/index.js';
import { collect, exchange, firstResponse, open, parseResponses, readResponses, startServer } from './helpers.js';

const CHUNKED_POST = (path: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`;

test('one response per request: a route answered before the body, then the body framing breaks → close, no second response', async (t) => {
  const { port, server } = await startServer(t, { log: () => {} });
  // A route that answers without reading the body.
  server.router!.post('/fixed', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"fixed":true}');
  });
  const errors: string[] = [];
  server.events.on('error', (e) => errors.push(`${e.kind} ${'code' in e ? e.code : ''} ${e.message}`));
  // 405 from the router (GET-only route) and a fixed route; the bad chunk size in the same packet and in a later one.
  for (const path of ['/headers', '/fixed']) {
    for (const split of [false, true]) {
      const socket = await open(port);
      t.after(() => socket.destroy());
      const chunks: Buffer[] = [];
      if (split) {
        socket.write(CHUNKED_POST(path));
        const first = await readResponses(socket, 1);
        assert.equal(first.responses.length, 1, `${path}: the answer to the head`);
        chunks.push(first.data);
        socket.write('zz\r\n');
      } else {
        socket.write(CHUNKED_POST(path) + 'zz\r\n');
      }
      const closed = await collect(socket, chunks);
      assert.equal(closed, true, `${path}: the connection closes`);
      const responses = parseResponses(Buffer.concat(chunks)).filter((r) => r.status >= 200);
      assert.deepEqual(
        responses.map((r) => r.status),
        [path === '/headers' ? 405 : 200],
        `${path} (${split ? 'later packet' : 'same packet'}): exactly one response, got ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`,
      );
    }
  }
  assert.ok(errors.some((e) => e.includes('INVALID_CHUNK_SIZE')), 'the framing error is still reported');
});

test('a framing error before the response goes out is still answered 400', async (t) => {
  const handler: Handler = async (req, res) => {
    try {
      await req.body();
      res.end('read');
    } catch {
      /* the connection answers in our place */
    }
  };
  const { port } = await startServer(t, { handler, log: () => {} });
  const r = await exchange(port, CHUNKED_POST('/') + 'zz\r\n');
  assert.equal(r.closed, true);
  const rs = parseResponses(r.data).filter((x) => x.status >= 200);
  assert.deepEqual(rs.map((x) => x.status), [400]);
});

test('an expectation other than 100-continue is answered 417 and the connection closes', async (t) => {
  let handled = 0;
  const { port } = await startServer(t, {
    handler: (_req, res) => {
      handled++;
      res.end('x');
    },
    log: () => {},
  });
  const r = await exchange(port, 'PUT / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 3\r\n\r\nabc');
  assert.equal(r.closed, true);
  const res = firstResponse(r.data);
  assert.equal(res.status, 417);
  assert.equal(res.head.reason, 'Expectation Failed');
  assert.equal(res.header('connection'), 'close');
  assert.equal(handled, 0, 'the handler never runs');
  // 100-continue is still met.
  const ok = await exchange(port, 'PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc');
  assert.equal(firstResponse(ok.data).status, 200);
});

test('a byte that can never start a request is answered 400 at once, without a line end', async (t) => {
  const { port } = await startServer(t, { handler: (_req, res) => res.end('x'), log: () => {} });
  for (const bytes of [Buffer.from([0]), Buffer.from([0x16, 0x03, 0x01]), Buffer.from('GE\x01T')]) {
    const socket = await open(port);
    t.after(() => socket.destroy());
    socket.write(bytes);
    // No LF is ever sent: the answer must not wait for one (the headers timeout is 60 s, the read bound 10 s).
    const { responses } = await readResponses(socket, 1);
    assert.equal(responses[0]?.status, 400, JSON.stringify(bytes.toString('latin1')));
    assert.match(responses[0].text, /INVALID_METHOD/);
  }
});

test('the client closing its side in the middle of a body is a client abort: no 500, no stack trace, one log line', async (t) => {
  const logged: { level: string; message: string }[] = [];
  const kinds: string[] = [];
  const seen: string[] = [];
  const handler: Handler = async (req, res) => {
    const body = await req.body(); // rejects when the client goes
    seen.push(body.toString());
    res.end('never');
  };
  const { port, server } = await startServer(t, { handler, log: (level, message) => logged.push({ level, message }) });
  server.events.on('error', (e) => kinds.push(e.kind));
  const cases = [
    CHUNKED_POST('/chunked') + '5\r\nhel',
    'POST /length HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhel',
  ];
  for (const bytes of cases) {
    const before = logged.length;
    const r = await exchange(port, bytes, { end: true });
    assert.equal(r.closed, true);
    const rs = parseResponses(r.data).filter((x) => x.status >= 200);
    assert.ok(rs.every((x) => x.status !== 500), `no 500: ${JSON.stringify(r.data.toString('latin1'))}`);
    assert.ok(rs.length <= 1);
    if (rs.length === 1) assert.equal(rs[0].status, 400);
    const lines = logged.slice(before);
    assert.equal(lines.length, 1, `one log line: ${JSON.stringify(lines)}`);
    assert.match(lines[0].message, /closed its side in the middle of the request body/);
    assert.notEqual(lines[0].level, 'error');
    assert.doesNotMatch(lines[0].message, /\n\s+at /, 'no stack trace');
  }
  assert.deepEqual(seen, []);
  assert.ok(!kinds.includes('handler'), `no handler error: ${kinds.join(', ')}`);
});

// Found by the soak: through the router (the demo /echo route, and a route of the user's
// that awaits the body) the abort was reported a second time as a handler error with its stack.
test('through the router, a route whose body read fails because the client went away is no handler error', async (t) => {
  const logged: { level: string; message: string }[] = [];
  const kinds: string[] = [];
  const { port, server } = await startServer(t, { log: (level, message) => logged.push({ level, message }) });
  server.events.on('error', (e) => kinds.push(e.kind));
  server.router!.post('/mine', async (req, res) => {
    const body = await req.body();
    res.end(body);
  });
  const cases = [
    'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhel',
    CHUNKED_POST('/echo') + '5\r\nhel',
    'POST /mine HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhel',
    CHUNKED_POST('/mine') + '5\r\nhel',
  ];
  for (const bytes of cases) {
    const before = logged.length;
    const r = await exchange(port, bytes, { end: true });
    assert.equal(r.closed, true);
    const rs = parseResponses(r.data).filter((x) => x.status >= 200);
    assert.ok(rs.every((x) => x.status === 400), `only a 400, if anything: ${JSON.stringify(r.data.toString('latin1'))}`);
    const lines = logged.slice(before).filter((l) => !/ → \d{3} \(/.test(l.message));
    assert.equal(lines.length, 1, `one log line: ${JSON.stringify(lines)}`);
    assert.notEqual(lines[0].level, 'error');
    assert.doesNotMatch(lines[0].message, /\n\s+at /, 'no stack trace');
  }
  assert.ok(!kinds.includes('handler'), `no handler error: ${kinds.join(', ')}`);
});
