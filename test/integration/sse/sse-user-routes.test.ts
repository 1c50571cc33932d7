// The user's event streams over real sockets: a JSON `sse` route (canned
// events one every `interval` ms, resumed after Last-Event-ID, 204 once past
// the end, HEAD without a stream, problems refused at load with their place)
// and an `SSE /path` entry of a wireplay.routes.mjs run in the routes worker
// (send/comment with spec-exact framing, a refused event type, backpressure
// through send() === false and drain(), onClose with 'local' and 'remote').
// Read by Node's fetch (undici) and the event-stream parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWireplayServer, type WireplayServer } from '../../../server-core/index.js';
import { readSse } from '../../support/sse-reader.js';
import { within } from '../../support/within.js';

async function serveRoutes(
  t: { after(fn: () => unknown): void },
  name: string,
  text: string,
): Promise<{ server: WireplayServer; url: string; errors: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-sse-routes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, name), text);
  const server = createWireplayServer({ routesFile: join(dir, name), allowCode: name.endsWith('.mjs') });
  const errors: string[] = [];
  server.events.on('error', (e) => e.kind === 'routes' && errors.push(e.message));
  t.after(() => server.close());
  const { url } = await server.listen();
  return { server, url, errors };
}

const FEED = {
  routes: [
    {
      path: '/feed',
      sse: [{ event: 'update', id: 1, data: 'first\nline two', retry: 2500 }, { comment: 'between' }, { event: 'update', id: 2, data: { n: 2 } }, { id: 'three', data: '' }],
      interval: 0,
      headers: { 'X-Feed': 'yes' },
    },
  ],
};

test('JSON sse route: the events in order, then the stream ends; listed as an sse route', async (t) => {
  const { url, server, errors } = await serveRoutes(t, 'wireplay.routes.json', JSON.stringify(FEED));
  assert.deepEqual(errors, []);
  const r = await readSse(`${url}/feed`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/event-stream');
  assert.equal(r.headers.get('x-feed'), 'yes');
  assert.equal(r.ended, true);
  assert.deepEqual(
    r.events.map((e) => [e.type, e.lastEventId, e.data]),
    [
      ['update', '1', 'first\nline two'],
      ['update', '2', '{"n":2}'],
      ['message', 'three', ''],
    ],
  );
  assert.deepEqual(r.comments, ['between']);
  assert.deepEqual(r.retries, [2500]);
  const route = server.routes().find((x) => x.pattern === '/feed')!;
  assert.deepEqual([route.kind, route.source], ['sse', 'user']);
  assert.match(route.description, /event stream: 4 events, one every 0 ms/);
});

test('JSON sse route: Last-Event-ID resumes after that event; past the last one the answer is 204; HEAD has no stream', async (t) => {
  const { url } = await serveRoutes(t, 'wireplay.routes.json', JSON.stringify(FEED));
  const resumed = await readSse(`${url}/feed`, { headers: { 'Last-Event-ID': '1' } });
  assert.deepEqual(resumed.comments, ['between']);
  assert.deepEqual(resumed.events.map((e) => e.lastEventId), ['2', 'three']);
  const unknown = await readSse(`${url}/feed`, { headers: { 'Last-Event-ID': 'nope' } });
  assert.equal(unknown.events.length, 3, 'an id the feed does not have starts from the beginning');
  const done = await fetch(`${url}/feed`, { headers: { 'Last-Event-ID': 'three' } });
  assert.equal(done.status, 204, '204 tells EventSource to stop reconnecting');
  const head = await fetch(`${url}/feed`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-type'), 'text/event-stream');
  assert.equal(await head.text(), '');
});

test('JSON sse route: what cannot be sent exactly is refused at load, at its place', async (t) => {
  const bad = {
    routes: [
      { path: '/a', sse: [{ event: 'x' }] },
      { path: '/b', sse: [{ data: 'ok' }], body: 'also a body' },
      { path: '/c', sse: [{ event: 'two\nlines', data: 'x' }] },
      { path: '/d', sse: [{ data: 'lone \ud800 surrogate' }] },
      { path: '/e', body: 'x', interval: 10 },
    ],
  };
  const { url, errors } = await serveRoutes(t, 'wireplay.routes.json', JSON.stringify(bad));
  const all = errors.join('\n');
  assert.match(all, /routes\[0\]\.sse\[0\]: "data" is required/);
  assert.match(all, /routes\[1\]: "body" cannot be used with "sse"/);
  assert.match(all, /routes\[2\]\.sse\[0\]\.event: .* must not contain CR or LF/);
  assert.match(all, /routes\[3\]\.sse\[0\]: data: .*lone UTF-16 surrogate/);
  assert.match(all, /routes\[4\]: "sse" is required/);
  assert.equal((await fetch(`${url}/a`)).status, 404, 'a file with problems serves none of its routes');
});

const MODULE = `const closed = [];
export default {
  'SSE /room/:name': {
    onOpen(stream, req) {
      stream.comment(' welcome ' + req.params.name);
      stream.send({ event: 'greeting', id: 7, data: 'hello\\r\\nworld' });
      try { stream.send({ event: 'bad\\nname', data: 'x' }); } catch (e) { stream.send({ event: 'refused', data: e.code }); }
      if (req.query.get('close') === '1') stream.close();
    },
    onClose(stream, reason) { closed.push(reason); },
  },
  'SSE /flood': {
    async onOpen(stream) {
      const piece = 'x'.repeat(1024);
      let waits = 0;
      for (let i = 1; i <= 4000; i++) {
        if (!stream.send({ id: i, data: piece })) { waits++; await stream.drain(); }
        if (stream.isClosed) return;
      }
      stream.send({ event: 'done', data: String(waits) });
      stream.close();
    },
  },
  'GET /closed': (req, res) => res.end(closed.join(',')),
};
`;

test('SSE /path in a routes module: spec-exact events, a refused event type, onClose local and remote; HEAD does not open', async (t) => {
  const { url, server, errors } = await serveRoutes(t, 'wireplay.routes.mjs', MODULE);
  assert.deepEqual(errors, []);
  const route = server.routes().find((x) => x.pattern === '/room/:name')!;
  assert.deepEqual([route.kind, route.method], ['sse', 'GET']);

  const local = await readSse(`${url}/room/blue?close=1`);
  assert.equal(local.ended, true);
  assert.deepEqual(local.comments, [' welcome blue']);
  assert.deepEqual(
    local.events.map((e) => [e.type, e.lastEventId, e.data]),
    [
      ['greeting', '7', 'hello\nworld'],
      ['refused', '7', 'SSE_EVENT_HAS_LINE_BREAK'],
    ],
  );
  // onClose runs in the worker; /closed reads what it recorded (polled, bounded: no event reaches the test).
  const closedBecomes = async (want: string, what: string) => {
    const deadline = performance.now() + 5000;
    let closed = '';
    while ((closed = await (await fetch(`${url}/closed`)).text()) !== want) {
      assert.ok(performance.now() < deadline, `${what} (closed: ${closed})`);
    }
  };
  await closedBecomes('local', "onClose with 'local' after stream.close()");

  // The client goes away while the stream is open: onClose runs with 'remote'.
  const remote = await readSse(`${url}/room/red`, { until: (x) => x.events.length >= 2 });
  assert.equal(remote.ended, false);
  await closedBecomes('local,remote', "onClose with 'remote' after the client left");

  const head = await within(fetch(`${url}/room/green`, { method: 'HEAD' }), 'HEAD on an SSE route');
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-type'), 'text/event-stream');
  assert.equal(await (await fetch(`${url}/closed`)).text(), 'local,remote', 'HEAD opened no stream');
});

test('SSE /path in a routes module: send() says false past the high-water mark, drain() resumes, nothing is lost', async (t) => {
  const { url } = await serveRoutes(t, 'wireplay.routes.mjs', MODULE);
  const r = await readSse(`${url}/flood`, { timeoutMs: 30_000 });
  assert.equal(r.ended, true);
  const ids = r.events.filter((e) => e.type === 'message').map((e) => Number(e.lastEventId));
  assert.equal(ids.length, 4000);
  assert.ok(ids.every((id, i) => id === i + 1), 'in order, none missing');
  const done = r.events.at(-1)!;
  assert.equal(done.type, 'done');
  assert.ok(Number(done.data) > 0, `send() returned false at least once over 4 MiB (waits: ${done.data})`);
});

test('SSE /path in a routes module: an entry without onOpen, or with an unknown callback, is refused at its line', async (t) => {
  const { url, errors } = await serveRoutes(t, 'wireplay.routes.mjs', `export default {\n  'SSE /a': { onClose() {} },\n  'SSE /b': { onOpen() {}, onMessage() {} },\n};\n`);
  const all = errors.join('\n');
  assert.match(all, /"SSE \/a": an SSE entry needs onOpen\(stream, req\)/);
  assert.match(all, /"SSE \/b": unknown event-stream callback "onMessage"/);
  assert.equal((await fetch(`${url}/b`)).status, 404);
});
