// The proxy forwards HTTP/1.1 byte for byte, both ways, with real clients
// (curl, node:http, a raw socket) in front of a real node:http app: the bytes
// each side sent equal what the other side received, on the capture of both
// legs and on the app's own record of its sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { applyEdits } from '../../../server-core/proxy/head-rewrite.js';
import {
  allClosed,
  assertAppMatches,
  assertLegsMirror,
  bytesOf,
  countResponses,
  curl,
  downstreams,
  finished,
  rawClient,
  scriptedServer,
  startFixture,
  startProxy,
  until,
  upstreamsOf,
} from './helpers.js';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
import { patternBytes } from '../../support/proxy-test-app.js';

test('curl: keep-alive GET and POST on one connection, mirrored byte for byte, timings in order', async (t) => {
  const f = await startFixture(t);
  const r = await curl(['-i', `${f.url}/hello`, '--next', '-i', '-X', 'POST', '--data-binary', 'a=1&b=2', `${f.url}/echo`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.1 200 OK\r\n[\s\S]*hello through the proxy\n/);
  assert.match(r.stdout, /"body":"a=1&b=2"/);
  await until(f.store, () => allClosed(f.store) && finished(f.proxy).length === 2, 'both exchanges and connections to end', 10_000, f.proxy);
  assert.equal(downstreams(f.store).length, 1, 'curl reused its connection');
  assert.equal(upstreamsOf(f.store, downstreams(f.store)[0].id).length, 1, 'one target connection carried both requests');
  assertLegsMirror(f.store);
  assertAppMatches(f.store, f.app);
  const [a, b] = finished(f.proxy);
  assert.equal(a.method, 'GET');
  assert.equal(b.method, 'POST');
  for (const e of [a, b]) {
    assert.equal(e.status, 200);
    assert.equal(e.source, 'upstream');
    assert.equal(e.outcome, 'complete');
    assert.deepEqual(e.rewrites, []);
    const tm = e.timings;
    assert.ok(tm.requestFirstByte <= tm.requestHeadIn! && tm.requestHeadIn! <= tm.forwarded!, 'request in, then forwarded');
    assert.ok(tm.forwarded! <= tm.upstreamFirstByte! && tm.upstreamFirstByte! <= tm.toClientFirstByte! && tm.toClientFirstByte! <= tm.lastByte!, 'response timings in order');
    // The ranges on both legs hold the same bytes.
    const down = bytesOf(f.store, e.downstreamId, 'c2s').subarray(e.request.downstream.start, e.request.downstream.end);
    const up = bytesOf(f.store, e.upstreamId!, 'c2s').subarray(e.request.upstream!.start, e.request.upstream!.end);
    assert.ok(down.equals(up));
    assert.match(down.toString('latin1'), new RegExp(`^${e.method} ${e.target.replace(/[?]/g, '\\?')} HTTP/1\\.1\\r\\n`));
  }
  // The capture dissects both legs alike.
  const d = downstreams(f.store)[0];
  const u = upstreamsOf(f.store, d.id)[0];
  assert.equal(u.info.side, 'client');
  assert.equal(d.info.side, 'server');
  assert.equal(f.store.messages(d.id).length, 4);
  assert.equal(f.store.messages(u.id).length, 4);
});

test('node:http keep-alive agent: five requests, one connection each side, and a 1 MiB body intact', async (t) => {
  const f = await startFixture(t);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const get = (path: string) =>
    new Promise<{ res: IncomingMessage; body: Buffer }>((resolve, reject) => {
      httpRequest(`${f.url}${path}`, { agent }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => resolve({ res, body: Buffer.concat(parts) }));
      })
        .on('error', reject)
        .end();
    });
  for (let i = 0; i < 4; i++) assert.equal((await get('/hello')).body.toString(), 'hello through the proxy\n');
  const big = await get('/big?size=1048576');
  assert.ok(big.body.equals(patternBytes(1048576)));
  agent.destroy();
  await until(f.store, () => allClosed(f.store), 'the connections to close');
  assert.equal(downstreams(f.store).length, 1);
  assertLegsMirror(f.store);
  assertAppMatches(f.store, f.app);
});

test('pipelining: three requests in one write, answered in order, mirrored', async (t) => {
  const f = await startFixture(t);
  const c = await rawClient(t, f.port);
  const requests =
    'GET /hello HTTP/1.1\r\nHost: app\r\n\r\n' +
    'POST /echo HTTP/1.1\r\nHost: app\r\nContent-Length: 5\r\n\r\nabcde' +
    '\r\nGET /big?size=5000 HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n';
  c.socket.write(requests);
  await c.closed;
  const got = c.received();
  assert.equal(countResponses(got), 3);
  const text = got.toString('latin1');
  assert.ok(text.indexOf('hello through') < text.indexOf('"body":"abcde"'), 'responses in request order');
  await until(f.store, () => allClosed(f.store), 'the connections to close');
  const d = downstreams(f.store)[0];
  assert.ok(bytesOf(f.store, d.id, 'c2s').equals(Buffer.from(requests, 'latin1')), 'the capture has every byte the client sent, the empty line between requests included');
  assert.ok(bytesOf(f.store, d.id, 's2c').equals(got), 'the capture has every byte the client got');
  assertLegsMirror(f.store);
  assertAppMatches(f.store, f.app);
  const ex = finished(f.proxy);
  assert.deepEqual(ex.map((e) => e.target), ['/hello', '/echo', '/big?size=5000']);
});

test('streams go through as they arrive: SSE and NDJSON reach the client before the app ends them', async (t) => {
  const f = await startFixture(t);
  for (const [path, gate, first, last] of [
    ['/sse?gate=1&count=3', 'sse', 'data: event 1\n\n', 'data: event 3\n\n'],
    ['/ndjson?count=3', 'ndjson', '{"line":1}\n', '{"line":3}\n'],
  ] as const) {
    const body = await new Promise<string>((resolve, reject) => {
      httpRequest(`${f.url}${path}`, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          // The first part arrived while the app still holds the rest: nothing was buffered whole.
          if (text === '') {
            assert.equal(d, first);
            f.app.release(gate);
          }
          text += d;
        });
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    assert.ok(body.startsWith(first) && body.endsWith(last), body);
  }
  await until(f.store, () => finished(f.proxy).length === 2, 'the exchanges to end', 10_000, f.proxy);
  const d = downstreams(f.store);
  // Chunked framing is forwarded as it was written, not re-chunked.
  for (const c of d) assert.match(bytesOf(f.store, c.id, 's2c').toString('latin1'), /Transfer-Encoding: chunked\r\n[\s\S]*\r\n0\r\n\r\n$/);
});

test('Expect: 100-continue: the target\'s 100 reaches the client, which then sends the body', async (t) => {
  const f = await startFixture(t);
  const c = await rawClient(t, f.port);
  c.socket.write('POST /echo HTTP/1.1\r\nHost: app\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
  await c.waitFor((b) => b.toString('latin1').startsWith('HTTP/1.1 100 Continue\r\n\r\n'), 'the 100 Continue');
  c.socket.write('body');
  await c.waitFor((b) => countResponses(b) === 1, 'the final response');
  assert.match(c.received().toString('latin1'), /"body":"body"/);
  c.socket.end();
  await until(f.store, () => allClosed(f.store), 'the connections to close');
  assertLegsMirror(f.store);
  assertAppMatches(f.store, f.app);
  assert.equal(finished(f.proxy)[0].status, 200, 'the interim 100 is not the status');
});

test('HEAD: the response has no body whatever its Content-Length, and the connection goes on', async (t) => {
  const f = await startFixture(t);
  const c = await rawClient(t, f.port);
  c.socket.write('HEAD /head-only HTTP/1.1\r\nHost: app\r\n\r\nGET /hello HTTP/1.1\r\nHost: app\r\nConnection: close\r\n\r\n');
  await c.closed;
  assert.match(c.received().toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 5\r\n[\s\S]*?\r\n\r\nHTTP\/1\.1 200 OK[\s\S]*hello through the proxy\n$/);
  await until(f.store, () => allClosed(f.store), 'the connections to close');
  assertLegsMirror(f.store);
});

test('Host rewrite and X-Forwarded-*: only the bytes the exchange lists changed', async (t) => {
  const f = await startFixture(t, { rewriteHost: true, xForwarded: true });
  const c = await rawClient(t, f.port);
  const request = 'GET /echo HTTP/1.1\r\nHost: my-app.test:8080\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: close\r\n\r\n';
  c.socket.write(request);
  await c.closed;
  const echoed = JSON.parse(c.received().toString('utf8').split('\r\n\r\n')[1]) as { headers: string[] };
  assert.deepEqual(echoed.headers, [
    'Host', `127.0.0.1:${f.app.port}`,
    'X-Forwarded-For', '10.0.0.1, 127.0.0.1',
    'Connection', 'close',
    'X-Forwarded-Host', 'my-app.test:8080',
    'X-Forwarded-Proto', 'http',
  ]);
  await until(f.store, () => allClosed(f.store), 'the connections to close');
  const [e] = finished(f.proxy);
  assert.deepEqual(e.rewrites.map((r) => r.kind), ['host', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);
  const d = downstreams(f.store)[0];
  const u = upstreamsOf(f.store, d.id)[0];
  // Applying the listed edits to what the client sent gives exactly what the target got.
  assert.ok(applyEdits(bytesOf(f.store, d.id, 'c2s'), e.rewrites).equals(bytesOf(f.store, u.id, 'c2s')));
  assert.ok(bytesOf(f.store, d.id, 's2c').equals(bytesOf(f.store, u.id, 's2c')));
  assertAppMatches(f.store, f.app);
});

test('two proxies share one capture store: every target leg still names its client leg', async (t) => {
  const store = new CaptureStore();
  t.after(() => store.dispose());
  const a = await startFixture(t, { capture: store });
  const b = await startFixture(t, { capture: store });
  for (const f of [a, b]) assert.equal((await curl([`${f.url}/hello`])).stdout, 'hello through the proxy\n');
  await until(store, () => allClosed(store), 'the connections to close');
  assert.equal(downstreams(store).length, 2);
  for (const d of downstreams(store)) assert.equal(upstreamsOf(store, d.id).length, 1, `${d.id} has its target leg`);
  assertLegsMirror(store);
});

test('a chunked upload goes through with its chunk framing as curl wrote it', async (t) => {
  const f = await startFixture(t);
  const body = 'x'.repeat(70_000);
  const r = await curl(['-H', 'Transfer-Encoding: chunked', '--data-binary', body, `${f.url}/echo`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { body: string }).body, body);
  await until(f.store, () => allClosed(f.store), 'the connections to close');
  assert.match(bytesOf(f.store, downstreams(f.store)[0].id, 'c2s').toString('latin1'), /\r\nTransfer-Encoding: chunked\r\n[\s\S]*\r\n0\r\n\r\n$/);
  assertLegsMirror(f.store);
  assertAppMatches(f.store, f.app);
});

test('the target closes an idle keep-alive connection: the client keeps its own, the next request opens a new leg', async (t) => {
  const target = await scriptedServer(t, (s) =>
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')),
  );
  const p = await startProxy(t, { target: target.origin });
  const c = await rawClient(t, p.port);
  c.socket.write('GET /1 HTTP/1.1\r\nHost: a\r\n\r\n');
  await c.waitFor((b) => countResponses(b) === 1, 'the first response');
  await until(p.store, () => p.store.listConnections().some((x) => x.info.role === 'proxy-upstream' && x.closed !== undefined), 'the target to close its connection');
  c.socket.write('GET /2 HTTP/1.1\r\nHost: a\r\n\r\n');
  await c.waitFor((b) => countResponses(b) === 2, 'the second response, on the same client connection');
  c.socket.end();
  await until(p.store, () => allClosed(p.store), 'the connections to close');
  const d = downstreams(p.store);
  assert.equal(d.length, 1);
  assert.equal(upstreamsOf(p.store, d[0].id).length, 2, 'two target legs, each naming the client leg');
  assertLegsMirror(p.store);
});
