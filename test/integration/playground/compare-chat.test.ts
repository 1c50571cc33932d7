// "Compare the three" over real sockets: the runner sends the same 5 messages
// to a real Wireplay server over polling HTTP, SSE + POST and WebSocket with
// server-core's own clients. Every way delivers all 5; its bytes are the
// socket's (the server's own capture of the same connections counts exactly
// as many, but for the event stream's last chunk the server writes as the
// client leaves); the header bytes order the three ways as their framing does; a
// server that is gone makes every way fail in words, not throw. Through the
// playground controller, compare.run answers with compare.state and the
// connections join the capture with their names. No timing is asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { runCompareChat, DEFAULT_COMPARE_SCRIPT } from '../../../server-core/playground/compare-chat.js';
import { PlaygroundController } from '../../../server-core/playground/controller.js';
import { createWireplayServer } from '../../../server-core/server/wireplay-server.js';
import { logMessages } from './message-log.js';

async function startServer(t: { after(fn: () => unknown): void }) {
  const server = createWireplayServer({ host: '127.0.0.1', port: 0 });
  const { url } = await server.listen();
  t.after(() => server.close());
  return { server, url };
}

test('the runner: 5 messages each way, bytes as the server saw them, polling > SSE > WebSocket in header bytes', async (t) => {
  const { server, url } = await startServer(t);
  // The server's side of the same connections: every byte it read and wrote, and when each connection closed.
  const serverBytes = { c2s: 0, s2c: 0 };
  const open = new Set<string>();
  const subs = [
    server.capture.on('open', (e) => open.add(e.connectionId)),
    server.capture.on('chunk', (e) => (serverBytes[e.dir] += e.bytes.length)),
    server.capture.on('close', (e) => open.delete(e.connectionId)),
  ];
  t.after(() => subs.forEach((s) => s.dispose()));
  const seenWays: string[] = [];
  const result = await runCompareChat({ serverUrl: url, pollIntervalMs: 20, onWay: (w) => seenWays.push(w) });

  assert.deepEqual(seenWays, ['polling', 'sse', 'websocket']);
  assert.deepEqual(result.script, [...DEFAULT_COMPARE_SCRIPT]);
  assert.equal(result.ways.length, 3);
  const [polling, sse, ws] = result.ways;
  for (const w of result.ways) {
    assert.equal(w.error, undefined, `${w.way}: ${w.error}`);
    assert.equal(w.messagesSent, 5, w.way);
    assert.equal(w.messagesDelivered, 5, w.way);
    assert.deepEqual(w.messages.map((m) => m.index), [1, 2, 3, 4, 5]);
    for (const [i, m] of w.messages.entries()) {
      assert.ok(m.text.endsWith(`${i + 1}/5 ${DEFAULT_COMPARE_SCRIPT[i]}`), m.text);
      assert.equal(typeof m.latencyMs, 'number');
    }
    assert.ok(w.bytesC2s > 0 && w.bytesS2c > 0, w.way);
    assert.ok(w.headerBytes > 0 && w.headerBytes < w.bytesC2s + w.bytesS2c, w.way);
    assert.equal(w.connectionIds.length, w.connections);
    assert.match(w.summary, new RegExp(`^${w.way === 'polling' ? 'polling' : w.way === 'sse' ? 'SSE \\+ POST' : 'WebSocket'}: ${w.requests} requests? on ${w.connections} connections? for 5 messages, `));
  }
  // Polling: the first poll, 5 POSTs, and at least one poll per message (each is sent after the previous arrived).
  assert.ok(polling.requests >= 11, `polling made ${polling.requests} requests`);
  // SSE + POST: one stream and 5 POSTs on one kept-alive connection.
  assert.equal(sse.requests, 6);
  assert.equal(sse.connections, 2);
  // WebSocket: one handshake, one connection.
  assert.equal(ws.requests, 1);
  assert.equal(ws.connections, 1);
  assert.ok(polling.headerBytes > sse.headerBytes, `polling ${polling.headerBytes} B of headers > SSE ${sse.headerBytes} B`);
  assert.ok(sse.headerBytes > ws.headerBytes, `SSE ${sse.headerBytes} B of headers > WebSocket ${ws.headerBytes} B`);

  // The runner counts the client's sockets; the server's capture of the same connections agrees to the byte.
  const deadline = Date.now() + 10_000;
  while (open.size > 0) {
    assert.ok(Date.now() < deadline, `server connections still open: ${[...open].join(', ')}`);
    await new Promise((r) => setImmediate(r));
  }
  const clientC2s = result.ways.reduce((n, w) => n + w.bytesC2s, 0);
  const clientS2c = result.ways.reduce((n, w) => n + w.bytesS2c, 0);
  assert.equal(clientC2s, serverBytes.c2s, 'every byte the clients wrote, the server read');
  // The server ends the event stream it was writing when the client leaves with the last chunk (0 CRLF CRLF):
  // written on its side, never read by a client that had already closed. Nothing else differs.
  assert.ok([0, 5].includes(serverBytes.s2c - clientS2c), `server wrote ${serverBytes.s2c} B, the clients read ${clientS2c} B`);
});

test('the runner: a server that is gone makes every way fail with a message, nothing delivered', async () => {
  // A port that was just free and is closed again: connections are refused.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const result = await runCompareChat({ serverUrl: `http://127.0.0.1:${port}`, messageTimeoutMs: 2000 });
  for (const w of result.ways) {
    assert.ok(w.error, `${w.way} says why it stopped`);
    assert.equal(w.messagesDelivered, 0);
    assert.equal(w.messagesSent, 0, `${w.way}: no message counts as sent`);
    assert.match(w.summary, / — stopped: /);
  }
});

test('the runner refuses a URL that is not http(s)', async () => {
  await assert.rejects(runCompareChat({ serverUrl: 'ftp://127.0.0.1:21' }), /must be http:\/\/ or https:\/\//);
});

test('compare.run through the controller: progress, the result, the connections named in the capture', async (t) => {
  const { url } = await startServer(t);
  const controller = new PlaygroundController({ serverUrl: () => url, flushIntervalMs: 1, compare: { pollIntervalMs: 20 } });
  t.after(() => controller.dispose());
  const h = logMessages(controller, t);
  const done = controller.receive({ type: 'compare.run', runId: 'c1' });
  // A second run while one is going on is refused in words.
  await h.next('compare.state', (m) => m.runId === 'c1' && m.state === 'running');
  await controller.receive({ type: 'compare.run', runId: 'c2' });
  const refused = await h.next('compare.state', (m) => m.runId === 'c2');
  assert.equal(refused.state, 'failed');
  assert.match(refused.error ?? '', /already running/);
  await done;
  const states = h.seen.filter((m) => m.type === 'compare.state' && m.runId === 'c1');
  assert.deepEqual(states.map((m) => (m.type === 'compare.state' ? `${m.state}${m.way ? ` ${m.way}` : ''}` : '')), ['running polling', 'running sse', 'running websocket', 'done']);
  const last = states.at(-1)!;
  assert.ok(last.type === 'compare.state' && last.result);
  assert.deepEqual(last.result.ways.map((w) => w.messagesDelivered), [5, 5, 5]);
  const labels = controller.store.listConnections().map((c) => h.seen.find((m) => m.type === 'connection.opened' && m.info.connectionId === c.id));
  const named = labels.map((m) => (m?.type === 'connection.opened' ? m.info.label : ''));
  for (const way of ['Polling HTTP', 'SSE + POST', 'WebSocket']) assert.ok(named.includes(`Compare · ${way}`), `a connection named Compare · ${way}: ${named.join(', ')}`);
  const ids = last.result.ways.flatMap((w) => w.connectionIds);
  for (const id of ids) assert.ok(controller.store.getConnection(id), `${id} is in the playground's capture`);
});

test('compare.run: no server is a failed state in words; a message without runId is refused by validation', async (t) => {
  const controller = new PlaygroundController({ serverUrl: () => null, flushIntervalMs: 1 });
  t.after(() => controller.dispose());
  const h = logMessages(controller, t);
  await controller.receive({ type: 'compare.run', runId: 'x' });
  const st = await h.next('compare.state');
  assert.equal(st.state, 'failed');
  assert.match(st.error ?? '', /No server is running/);
  await controller.receive({ type: 'compare.run' });
  const notice = await h.next('notice');
  assert.match(notice.message, /runId/);
});
