// The playground controller's host-side WebSocket sessions (attachWebSocket),
// as the editor uses them for the WEBSOCKET blocks of .http files: against a
// real Wireplay server, the block's script runs through the session, the UI is
// told (ws.attached, then ws.state and ws.message like any session), and the
// connection stays open for the UI to keep sending and to receive pushes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpFileSession } from '../../../server-core/httpfile/run-http-file.js';
import { createLiveWebSocketRunner } from '../../../server-core/httpfile/ws-live.js';
import { PlaygroundController } from '../../../server-core/playground/controller.js';
import type { AttachedWebSocket } from '../../../server-core/playground/ws-attach.js';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import type { ToWebview } from '../../../server-core/protocol/playground.js';
import { logMessages, type Of } from './message-log.js';

let server: WireplayServer;
let wsBase: string;

before(async () => {
  server = createWireplayServer({ host: '127.0.0.1', port: 0, builtinWebSocket: { tickerInterval: 20 } });
  wsBase = (await server.listen()).url.replace(/^http/, 'ws');
});
after(() => server.close());


function harness(t: { after(fn: () => void): void }) {
  const controller = new PlaygroundController({ flushIntervalMs: 1 });
  const opened: AttachedWebSocket[] = [];
  t.after(() => controller.dispose());
  const { seen, next } = logMessages(controller, t);
  /** An HttpFileSession whose WebSocket blocks open live sessions of this controller, as the editor's do. */
  const session = (text: string, timeoutMs = 10_000) =>
    new HttpFileSession(text, {
      baseDir: '.',
      environment: { ws: wsBase },
      timeoutMs,
      runWebSocket: createLiveWebSocketRunner(async (request) => {
        const ws = await controller.attachWebSocket({ ...request, source: 'test.http:1' });
        opened.push(ws);
        return ws;
      }),
    });
  return { controller, seen, next, session, opened };
}

const text = (m: { data: string }) => Buffer.from(m.data, 'base64').toString('utf8');
const b64 = (s: string) => Buffer.from(s).toString('base64');

test('an echo block: the script runs through the session, which stays open; the UI keeps sending and closes it', async (t) => {
  const h = harness(t);
  const s = h.session(['WEBSOCKET {{ws}}/ws/echo', 'X-From: a .http file', '', 'hello', '=== wait-for-server', 'world', '=== wait-for-server'].join('\n'));
  const outcome = await s.run(s.parsed.blocks[0]);
  assert.ok(outcome.kind === 'websocket', outcome.kind === 'failed' ? outcome.message : '');
  const r = outcome.result;
  assert.deepEqual(r.transcript.map((e) => `${e.dir} ${e.data}`), ['sent hello', 'received hello', 'sent world', 'received world']);
  assert.equal(r.close, undefined, 'not closed after the script');
  assert.ok(r.live, 'a live session');
  const sessionId = r.live.sessionId;

  // The UI was told first which session to bind to, then its states and every message both ways.
  const attached = await h.next('ws.attached');
  assert.equal(attached.sessionId, sessionId);
  assert.equal(attached.url, `${wsBase}/ws/echo`);
  assert.equal(attached.connectionId, r.connectionId);
  assert.equal(attached.source, 'test.http:1');
  const firstState = h.seen.findIndex((m) => m.type === 'ws.state' && m.sessionId === sessionId);
  assert.ok(h.seen.indexOf(attached) < firstState, 'ws.attached comes before the session states');
  await h.next('ws.state', (m) => m.sessionId === sessionId && m.state === 'open');
  const log = () => h.seen.filter((m): m is Of<'ws.message'> => m.type === 'ws.message' && m.sessionId === sessionId).map((m) => `${m.dir} ${text(m)}`);
  await h.next('ws.message', (m) => m.sessionId === sessionId && m.dir === 's2c' && text(m) === 'world');
  assert.deepEqual(log(), ['c2s hello', 's2c hello', 'c2s world', 's2c world']);
  // The handshake carried the block's header (the capture of the session shows it).
  assert.match(h.controller.store.chunks(r.connectionId!).map((c) => (c.kind === 'data' ? c.bytes.toString('latin1') : '')).join(''), /\r\nX-From: a \.http file\r\n/i);

  // After the script: the webview side sends on the same session, and the echo comes back.
  await h.controller.receive({ type: 'ws.send', sessionId, kind: 'text', data: b64('typed later') });
  await h.next('ws.message', (m) => m.sessionId === sessionId && m.dir === 's2c' && text(m) === 'typed later');
  assert.equal(h.opened[0].isClosed, false);

  // The user closes it from the composer.
  await h.controller.receive({ type: 'ws.close', sessionId, code: 1000, reason: 'done' });
  const closed = await h.next('ws.state', (m) => m.sessionId === sessionId && m.state === 'closed');
  assert.equal(closed.code, 1000);
  assert.equal(h.opened[0].isClosed, true);
  assert.equal(h.opened[0].closeEvent?.code, 1000);
});

test('a ticker block: after the script, the server\'s pushes keep arriving as ws.message', async (t) => {
  const h = harness(t);
  const s = h.session(['WS {{ws}}/ws/ticker', '', '=== wait-for-server'].join('\n'));
  const outcome = await s.run(s.parsed.blocks[0]);
  assert.ok(outcome.kind === 'websocket' && outcome.result.live, outcome.kind === 'failed' ? outcome.message : 'live');
  assert.equal(outcome.result.transcript.length, 1);
  assert.match(outcome.result.transcript[0].data.toString(), /"seq":1\b/);
  const sessionId = outcome.result.live.sessionId;
  // Ticks after the script's one: nobody asked for them, the session is still listening.
  await h.next('ws.message', (m) => m.sessionId === sessionId && m.dir === 's2c' && /"seq":3\b/.test(text(m)));
  await h.controller.receive({ type: 'ws.disconnect', sessionId });
  await h.next('ws.state', (m) => m.sessionId === sessionId && m.state === 'closed');
});

test('a second attach replaces the composer\'s session (closed with 1000); a reloaded UI is told the current one again', async (t) => {
  const h = harness(t);
  const first = await h.controller.attachWebSocket({ url: `${wsBase}/ws/echo`, source: 'a.http:1' });
  const second = await h.controller.attachWebSocket({ url: `${wsBase}/ws/echo`, protocols: [], source: 'a.http:1' });
  assert.notEqual(first.sessionId, second.sessionId);
  await second.send(Buffer.from('before the reload'), false);
  await h.next('ws.message', (m) => m.sessionId === second.sessionId && m.dir === 's2c' && text(m) === 'before the reload');
  const replaced = await h.next('ws.state', (m) => m.sessionId === first.sessionId && m.state === 'closed');
  assert.equal(replaced.code, 1000);
  assert.equal(first.closeEvent?.code, 1000);
  const closeFrame = await h.next('ws.message', (m) => m.sessionId === first.sessionId && m.dir === 'c2s' && m.opcode === 8);
  assert.equal(Buffer.from(closeFrame.data, 'base64').subarray(2).toString(), 'replaced by a new session');
  assert.equal(second.isClosed, false);

  const from = h.seen.length;
  await h.controller.receive({ type: 'ready', version: 1 });
  const again = await h.next('ws.attached', () => true, from);
  assert.equal(again.sessionId, second.sessionId);
  assert.equal(again.connectionId, second.connectionId);
  assert.equal(again.resumed, true);
  // The reloaded UI gets the session's log back, after the attach, in order.
  const replayed = h.seen.slice(h.seen.indexOf(again)).filter((m): m is Of<'ws.message'> => m.type === 'ws.message' && m.sessionId === second.sessionId);
  assert.deepEqual(replayed.map((m) => `${m.dir} ${text(m)}`), ['c2s before the reload', 's2c before the reload']);

  // The handle sends as the composer does: the message shows in the UI's log.
  const echoed = new Promise<string>((resolve) => second.onMessage((m) => resolve(m.data.toString())));
  await second.send(Buffer.from('from the handle'), false);
  assert.equal(await echoed, 'from the handle');
  await h.next('ws.message', (m) => m.sessionId === second.sessionId && m.dir === 'c2s' && text(m) === 'from the handle');
  second.close(1000, 'bye');
  await h.next('ws.state', (m) => m.sessionId === second.sessionId && m.state === 'closed');
  await assert.rejects(second.send(Buffer.from('late'), false), /not open/);
});

test('two attaches at once: the one that lost the composer while connecting is closed with 1000 once it opens', async (t) => {
  const h = harness(t);
  const [first, second] = await Promise.all([
    h.controller.attachWebSocket({ url: `${wsBase}/ws/echo`, source: 'a.http:1' }),
    h.controller.attachWebSocket({ url: `${wsBase}/ws/echo`, source: 'a.http:5' }),
  ]);
  const replaced = await h.next('ws.state', (m) => m.sessionId === first.sessionId && m.state === 'closed');
  assert.equal(replaced.code, 1000);
  assert.equal(second.isClosed, false);
  second.close(1000, 'bye');
  await h.next('ws.state', (m) => m.sessionId === second.sessionId && m.state === 'closed');
});

test('a refused handshake rejects the attach with the server\'s answer; the block fails without an exception', async (t) => {
  const h = harness(t);
  await assert.rejects(h.controller.attachWebSocket({ url: `${wsBase}/no-such-socket` }), /404/);
  const s = h.session(['WEBSOCKET {{ws}}/no-such-socket', '', 'hi'].join('\n'));
  const outcome = await s.run(s.parsed.blocks[0]);
  assert.equal(outcome.kind, 'failed');
  assert.match(outcome.kind === 'failed' ? outcome.message : '', /404/);
});

test('a cancel or a timeout ends the script, not the session', async (t) => {
  const h = harness(t);
  const s = h.session(['WEBSOCKET {{ws}}/ws/echo', '', 'one', '=== wait-for-server', '=== wait-for-server'].join('\n'), 60_000);
  const abort = new AbortController();
  const running = s.run(s.parsed.blocks[0], { signal: abort.signal });
  // Cancel once the first echo is in: the second wait never ends by itself (the echo server says nothing more).
  await h.next('ws.message', (m) => m.dir === 's2c' && text(m) === 'one');
  abort.abort();
  const outcome = await running;
  assert.ok(outcome.kind === 'websocket' && outcome.result.live, outcome.kind === 'failed' ? outcome.message : 'live');
  assert.equal(outcome.result.ended, 'aborted');
  assert.equal(h.opened[0].isClosed, false);

  const timed = h.session(['# @timeout 50', 'WEBSOCKET {{ws}}/ws/echo', '', '=== wait-for-server'].join('\n'));
  const late = await timed.run(timed.parsed.blocks[0]);
  assert.ok(late.kind === 'websocket' && late.result.live, late.kind === 'failed' ? late.message : 'live');
  assert.equal(late.result.ended, 'timeout');
  assert.equal(h.opened[1].isClosed, false);
});
