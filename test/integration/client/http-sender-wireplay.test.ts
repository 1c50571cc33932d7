// The sender against Wireplay's own server: the server sees exactly the prepared
// bytes, and a capture store fed by both ends pairs the two connections.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequestSpec } from '../../../server-core/client/request-spec.js';
import { HttpConnectionPool, sendRequest } from '../../../server-core/client/http-sender.js';
import { Emitter } from '../../../server-core/util/emitter.js';
import type { CaptureEvents } from '../../../server-core/capture/types.js';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';

let server: WireplayServer;
let base = '';
before(async () => {
  server = createWireplayServer();
  base = (await server.listen()).url;
});
after(() => server.close());

test('/echo: the server received exactly the bytes prepareRequest showed', async () => {
  const spec = createRequestSpec({
    method: 'POST',
    url: `${base}/echo?q=1`,
    headers: [{ name: 'X-Mixed-Case', value: 'Value' }, { name: 'Content-Type', value: 'text/plain' }],
    body: { kind: 'text', text: 'body bytes' },
  });
  const r = await sendRequest(spec);
  assert.equal(r.response.statusCode, 200);
  const echo = JSON.parse(r.response.body.toString('utf8'));
  assert.deepEqual(Buffer.from(echo.raw.headBase64, 'base64'), r.request.head);
  assert.equal(echo.body.text, 'body bytes');
});

test('chunked streaming, binary bytes, redirect chains', async () => {
  let r = await sendRequest(createRequestSpec({ url: `${base}/stream/3` }));
  assert.equal(r.response.head.chunked, true);
  assert.ok(r.response.bodyBytes > 0);
  r = await sendRequest(createRequestSpec({ url: `${base}/bytes/5000` }), { previewBytes: 100 });
  assert.equal(r.response.bodyBytes, 5000);
  assert.equal(r.response.body.length, 100);
  r = await sendRequest(createRequestSpec({ url: `${base}/redirect/3`, options: { followRedirects: true } }));
  assert.equal(r.redirects.length, 3);
  assert.deepEqual(r.redirects.map((h) => h.response.statusCode), [302, 302, 302]);
  assert.equal(r.response.statusCode, 200);
  assert.equal(JSON.parse(r.response.body.toString()).path, '/echo');
});

test('keep-alive against our server, and the capture store pairs client and server connections', async (t) => {
  const store = new CaptureStore();
  t.after(() => store.dispose());
  const capture = new Emitter<CaptureEvents>();
  store.attach(capture);
  store.attach(server.capture);
  const pool = new HttpConnectionPool();
  t.after(() => pool.dispose());
  const spec = createRequestSpec({ url: `${base}/headers`, options: { keepAlive: true } });
  const r1 = await sendRequest(spec, { pool, capture });
  const r2 = await sendRequest(spec, { pool, capture });
  assert.equal(r2.reused, true);
  assert.equal(r2.connectionId, r1.connectionId);
  const client = store.listConnections().find((c) => c.info.side === 'client');
  assert.ok(client);
  assert.equal(client.stats.c2sBytes, r1.request.bytes.length + r2.request.bytes.length);
  assert.ok(client.peerConnectionId, 'the client connection is paired with the server one');
  const peer = store.getConnection(client.peerConnectionId!);
  assert.equal(peer?.info.side, 'server');
  assert.equal(peer?.stats.c2sBytes, client.stats.c2sBytes);
});
