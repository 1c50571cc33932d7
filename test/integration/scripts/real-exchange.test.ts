// Scripts over real exchanges: Wireplay's sender against Wireplay's server on
// 127.0.0.1, the response handed to the runner as the `.http` runner will hand
// it (bytes, headers in wire order, timings), and a WebSocket whose messages
// are fed to onEachMessage while the script answers through output().
// `toScriptResponse` is this test's own adapter, a sketch of the wiring to come.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequestSpec } from '../../../server-core/client/request-spec.js';
import { sendRequest, type HttpSendResult } from '../../../server-core/client/http-sender.js';
import { WsSession } from '../../../server-core/client/ws-session.js';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { ScriptRunner } from '../../../server-core/scripts/index.js';
import type { ScriptResponseInput } from '../../../server-core/scripts/index.js';

let server: WireplayServer;
let base = '';
let runner: ScriptRunner;
before(async () => {
  server = createWireplayServer();
  base = (await server.listen()).url;
  runner = new ScriptRunner();
});
after(async () => {
  runner.dispose();
  await server.close();
});

function toScriptResponse(r: HttpSendResult): ScriptResponseInput {
  return {
    status: r.response.statusCode,
    statusText: r.response.reason,
    httpVersion: r.response.httpVersion,
    headers: r.response.headers.map((h) => [h.name, h.value]),
    body: r.response.decodedBody ?? r.response.body,
    durationMs: r.timings.total,
    timings: { total: r.timings.total, firstByte: r.timings.firstByte, download: r.timings.download, tcp: r.timings.connect, tls: r.timings.tls },
  };
}

test('a JetBrains handler and ?? assertions on a real /echo exchange', async () => {
  const sent = await sendRequest(
    createRequestSpec({ method: 'POST', url: `${base}/echo?user=ada`, headers: [{ name: 'Content-Type', value: 'application/json' }], body: { kind: 'text', text: '{"id":7}' } }),
  );
  const response = toScriptResponse(sent);
  const request = { method: 'POST', url: `${base}/echo?user=ada`, headers: [['Content-Type', 'application/json']] as [string, string][], body: '{"id":7}' };
  const handled = await runner.run({
    kind: 'jetbrains-response',
    request,
    response,
    source: `
      client.test('echoed', () => {
        client.assert(response.status === 200, 'status ' + response.status);
        client.assert(response.contentType.mimeType === 'application/json', response.contentType.mimeType);
        client.assert(response.body.method === 'POST', 'method');
        client.assert(response.body.query.user === 'ada', 'query');
        client.assert(JSON.parse(response.body.body.text).id === 7, 'body');
        client.assert(response.headers.valueOf('content-length') === String(${sent.response.bodyBytes}), 'length');
      });
      client.global.set('echoPath', response.body.path);`,
  });
  assert.equal(handled.error, undefined, handled.error?.message);
  assert.deepEqual(handled.tests.map((t) => [t.name, t.passed, t.message]), [['echoed', true, undefined]]);
  assert.deepEqual(handled.globals, { echoPath: '/echo' });

  for (const line of ['?? status == 200', '?? header content-type includes json', '?? body $.method == POST', '?? body $.query.user == ada', '?? duration >= 0', '?? duration firstByte >= 0', '?? js response.parsedBody.headers.length > 1']) {
    const r = await runner.run({ kind: 'httpyac-assert', source: line, response });
    assert.equal(r.ok, true, `${line}: ${r.tests[0]?.message ?? r.error?.message}`);
  }
  const wrong = await runner.run({ kind: 'httpyac-assert', source: '?? status == 201', response });
  assert.deepEqual([wrong.ok, wrong.tests[0]!.message], [false, 'status (200) == 201']);
});

test('an httpYac script reads a real error status and exports from it', async () => {
  const sent = await sendRequest(createRequestSpec({ url: `${base}/status/418` }));
  const r = await runner.run({
    kind: 'httpyac-script',
    response: toScriptResponse(sent),
    source: "test.status(418);\nexports.reason = response.statusMessage;\nexports.length = response.body.length;",
  });
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.tests.map((t) => [t.name, t.passed]), [['response status equals to 418', true]]);
  assert.equal(r.variables.reason, sent.response.reason);
  assert.equal(r.variables.length, sent.response.body.length);
});

test("a WebSocket conversation: /ws/echo's messages fed to onEachMessage, answers sent with output()", async (t) => {
  const session = new WsSession({ url: `${base.replace('http', 'ws')}/ws/echo` });
  t.after(() => session.dispose());
  await session.connect();
  const run = runner.start(
    {
      kind: 'jetbrains-response',
      request: { method: 'GET', url: '/ws/echo', headers: [] },
      response: { status: 101, headers: [], stream: { mode: 'messages', acceptsOutput: true } },
      source: `
        const seen = [];
        response.body.onEachMessage((message, unsubscribe, output) => {
          seen.push(message);
          if (seen.length < 3) output('ping ' + seen.length);
          else unsubscribe();
        }, () => client.global.set('seen', seen));`,
    },
    { onOutput: (text) => void session.sendText(text), onUnsubscribe: () => session.close() },
  );
  session.on('message', (m) => run.push(m.text ?? m.data.toString('base64')));
  const closed = session.closed();
  await session.sendText('hello');
  const r = await run.result;
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.globals, { seen: ['hello', 'ping 1', 'ping 2'] });
  assert.equal(r.streamUnsubscribed, true);
  assert.equal((await closed).code, 1000);
});
