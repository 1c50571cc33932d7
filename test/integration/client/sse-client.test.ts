// The sender on streamed responses, against node:http servers written for each
// case: records are delivered while the response is still open (the server
// waits for the test to have the first one before it writes the next), for
// event streams, NDJSON and json-seq; and SseClient's EventSource behaviour —
// a dropped stream reconnects after `retry` with Last-Event-ID on a new
// connection that names the previous one in the capture, a 204 or a wrong
// Content-Type ends the session without reconnecting, close() stops a wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendStreaming } from '../../../server-core/client/streaming-send.js';
import { SseClient, type SseClientEvent } from '../../../server-core/client/sse-client.js';
import { createRequestSpec } from '../../../server-core/client/request-spec.js';
import { Emitter } from '../../../server-core/util/emitter.js';
import type { CaptureEvents, ConnectionOpened } from '../../../server-core/capture/types.js';
import type { StreamRecord } from '../../../server-core/client/body-stream.js';
import { within } from '../../support/within.js';

async function serve(t: { after(fn: () => unknown): void }, handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<string> {
  let n = 0;
  const server = createServer((req, res) => handler(req, res, ++n));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A promise and its resolver. */
function signal<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

for (const c of [
  { type: 'text/event-stream', first: 'id: 1\nevent: a\ndata: one\n\n', second: ': hb\nretry: 700\ndata: two\ndata: lines\n\n' },
  { type: 'application/x-ndjson', first: '{"n":1}\n', second: '{"n":2}\r\nnot json\n' },
  { type: 'application/json-seq', first: '\x1e{"n":1}\n', second: '\x1e{"n":2}\n' },
]) {
  test(`sendStreaming (${c.type}): each record arrives while the response is still open`, async (t) => {
    const gotFirst = signal();
    const url = await serve(t, (req, res) => {
      res.writeHead(200, { 'Content-Type': c.type });
      res.write(c.first);
      void gotFirst.promise.then(() => res.end(c.second));
    });
    const x = sendStreaming(createRequestSpec({ url: `${url}/s` }));
    const records: StreamRecord[] = [];
    const reading = (async () => {
      for await (const r of x) {
        records.push(r);
        gotFirst.resolve(); // the server writes the rest only now: the first record came before the end
      }
    })();
    // Were records held until the end of the response, this would never settle.
    await within(reading, 'the records, the first before the response ends');
    const result = await within(x.result, 'the exchange');
    assert.equal(result.response.statusCode, 200);
    assert.equal(result.response.stream?.records, records.length);
    if (c.type === 'text/event-stream') {
      assert.deepEqual(
        records.map((r) => (r.kind === 'event' ? `event ${r.event.type} ${r.event.lastEventId} ${JSON.stringify(r.event.data)}` : r.kind === 'comment' ? `comment ${r.text}` : r.kind === 'retry' ? `retry ${r.ms}` : r.kind)),
        ['event a 1 "one"', 'comment  hb', 'retry 700', 'event message 1 "two\\nlines"'],
      );
      assert.equal(result.response.stream?.lastEventId, '1');
    } else {
      const lines = records.map((r) => (r.kind === 'line' ? [r.text, r.json, r.jsonError === undefined] : r.kind));
      assert.deepEqual(lines.slice(0, 2), [
        ['{"n":1}', { n: 1 }, true],
        ['{"n":2}', { n: 2 }, true],
      ]);
      if (c.type === 'application/x-ndjson') assert.deepEqual(lines[2], ['not json', undefined, false]);
    }
  });
}

test('sendStreaming: stop() ends an endless stream with what arrived; the result says stopped', async (t) => {
  const url = await serve(t, (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write('data: only\n\n');
  });
  const x = sendStreaming(createRequestSpec({ url }));
  for await (const r of x) if (r.kind === 'event') x.stop();
  const result = await within(x.result, 'the stopped exchange');
  assert.equal(result.response.stopped, true);
  assert.equal(result.response.stream?.records, 1);
});

test('SseClient: a drop reconnects after retry with Last-Event-ID, on a new connection linked to the previous one; 204 ends it', async (t) => {
  const seen: (string | undefined)[] = [];
  const url = await serve(t, (req, res, n) => {
    seen.push(req.headers['last-event-id'] as string | undefined);
    if (n === 1) {
      assert.equal(req.headers.accept, 'text/event-stream');
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' });
      res.end('retry: 0\nid: 5\ndata: first\n\n'); // the body ends: a drop
    } else if (n === 2) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.end('data: no id, carries 5\n\nid: 6\ndata: second\n\n');
    } else {
      res.writeHead(204);
      res.end();
    }
  });
  const capture = new Emitter<CaptureEvents>();
  const opened: ConnectionOpened[] = [];
  capture.on('open', (o) => opened.push(o));
  const client = new SseClient({ spec: createRequestSpec({ url: `${url}/events` }), capture });
  t.after(() => client.close());
  const log: SseClientEvent[] = [];
  client.on((e) => log.push(e));
  const end = await within(client.start(), 'the session to end');
  assert.equal(end.stop, 'failed', '204 is a refusal: no reconnect');
  assert.equal(end.connections, 3);
  assert.equal(end.events, 3);
  assert.deepEqual(seen, [undefined, '5', '6']);
  const events = log.filter((e) => e.type === 'event');
  assert.deepEqual(
    events.map((e) => [e.connection, e.event.data, e.event.lastEventId]),
    [
      [1, 'first', '5'],
      [2, 'no id, carries 5', '5'],
      [2, 'second', '6'],
    ],
  );
  const waits = log.filter((e) => e.type === 'state' && e.state === 'waiting');
  assert.deepEqual(waits.map((e) => e.type === 'state' && e.delay), [0, 0], 'retry: 0 from the first stream');
  // Three connections, each naming the one before it.
  assert.equal(opened.length, 3);
  assert.equal(opened[0].previousConnectionId, undefined);
  assert.equal(opened[1].previousConnectionId, opened[0].connectionId);
  assert.equal(opened[2].previousConnectionId, opened[1].connectionId);
  assert.deepEqual(client.connectionIds, opened.map((o) => o.connectionId));
  const closed = log.at(-1)!;
  assert.ok(closed.type === 'state' && closed.state === 'closed' && closed.code === 'SSE_BAD_STATUS');
});

test('SseClient: a response that is not text/event-stream fails the session at once', async (t) => {
  let requests = 0;
  const url = await serve(t, (req, res) => {
    requests++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{}');
  });
  const client = new SseClient({ spec: createRequestSpec({ url }) });
  const end = await within(client.start(), 'the refused session');
  assert.equal(end.stop, 'failed');
  assert.match(end.message, /text\/event-stream/);
  assert.equal(requests, 1);
});

test('SseClient: close() during the reconnection wait ends the session without another request', async (t) => {
  let requests = 0;
  const url = await serve(t, (req, res) => {
    requests++;
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.end('retry: 600000\ndata: x\n\n');
  });
  const client = new SseClient({ spec: createRequestSpec({ url }) });
  const waiting = signal();
  client.on((e) => e.type === 'state' && e.state === 'waiting' && waiting.resolve());
  const ended = client.start();
  await within(waiting.promise, 'the wait before reconnecting');
  client.close();
  const end = await within(ended, 'the session after close()');
  assert.equal(end.stop, 'closed');
  assert.equal(requests, 1);
});
