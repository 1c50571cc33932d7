// The host side of a reload: the UI that comes back (a reloaded `wireplay ui`
// page, a VS Code webview shown again) starts empty, says ready, and loads the
// connection it had selected. The snapshot must bring the HTTP result back
// (status, headers, body, timing), not only the bytes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PlaygroundController } from '../../../server-core/playground/controller.js';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import type { ToWebview } from '../../../server-core/protocol/playground.js';
import { logMessages, type Of } from './message-log.js';

let server: WireplayServer;
let base: string;

before(async () => {
  server = createWireplayServer({ host: '127.0.0.1', port: 0 });
  base = (await server.listen()).url;
});
after(() => server.close());


/** One UI attached to the controller: what it received, and a wait for the next message of a type. */
function attach(controller: PlaygroundController, t: { after(fn: () => void): void }) {
  return logMessages(controller, t);
}

test('a UI that comes back gets the status, headers, body and timing of the exchange with its snapshot', async (t) => {
  const controller = new PlaygroundController({ serverUrl: () => base, flushIntervalMs: 1 });
  t.after(() => controller.dispose());
  const first = attach(controller, t);
  const spec = { method: 'POST', url: `${base}/echo?reload=1`, headers: [], body: { kind: 'json', text: '{"kept":true}' } };
  await controller.receive({ type: 'http.send', reqId: 'r1', spec });
  const res = await first.next('http.response', (m) => m.reqId === 'r1');
  first.detach();

  // The page reloads: a new UI with nothing in it.
  const second = attach(controller, t);
  await controller.receive({ type: 'ready', version: 1 });
  const init = await second.next('init');
  assert.ok(init.connections.some((c) => c.connectionId === res.connectionId), 'the connection is listed');
  await controller.receive({ type: 'capture.load', connectionId: res.connectionId });
  const snap = await second.next('capture.snapshot', (m) => m.connectionId === res.connectionId);
  assert.ok(snap.chunks.length > 0 && snap.messages.length > 0, 'bytes and messages as before');
  assert.equal(snap.http?.length, 1);
  const x = snap.http![0];
  assert.equal(x.reqId, 'r1');
  assert.deepEqual([x.spec.method, x.spec.url], ['POST', `${base}/echo?reload=1`]);
  assert.deepEqual(x.response, res.response, 'the same response view as the one first shown');
  assert.deepEqual(x.timing, res.timing);
  assert.ok((x.timing?.total ?? 0) > 0 && x.timing?.firstByte !== undefined, 'timing carried');
  assert.match(Buffer.from(x.response!.body, 'base64').toString(), /kept/);
});

test('a cancelled exchange comes back as its error; a file body by name only', async (t) => {
  const controller = new PlaygroundController({ serverUrl: () => base, flushIntervalMs: 1 });
  t.after(() => controller.dispose());
  const ui = attach(controller, t);
  void controller.receive({ type: 'http.send', reqId: 'slow', spec: { method: 'GET', url: `${base}/delay/5000`, headers: [], body: { kind: 'none' } } });
  const started = await ui.next('http.started', (m) => m.reqId === 'slow');
  await controller.receive({ type: 'http.cancel', reqId: 'slow' });
  await ui.next('http.error', (m) => m.reqId === 'slow');
  await controller.receive({ type: 'capture.load', connectionId: started.connectionId });
  const snap = await ui.next('capture.snapshot', (m) => m.connectionId === started.connectionId);
  assert.deepEqual(snap.http?.map((x) => [x.reqId, x.error, x.response]), [['slow', 'Cancelled.', undefined]]);

  const file = { kind: 'file', fileName: 'x.bin', fileBase64: Buffer.from('0123456789').toString('base64') };
  await controller.receive({ type: 'http.send', reqId: 'put', spec: { method: 'PUT', url: `${base}/echo`, headers: [], body: file } });
  const put = await ui.next('http.response', (m) => m.reqId === 'put');
  await controller.receive({ type: 'capture.load', connectionId: put.connectionId });
  const putSnap = await ui.next('capture.snapshot', (m) => m.connectionId === put.connectionId);
  assert.deepEqual(putSnap.http?.[0].spec.body, { kind: 'file', fileName: 'x.bin' });
});
