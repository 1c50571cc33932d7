// `wireplay ui` (server-core/cli/ui) over real sockets: the WebSocket upgrade
// checks Host as the page does (a DNS-rebinding page, or any client that forges
// Origin, is refused 403), and a path under the token that does not decode is
// a 400, not a 500.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startUiServer } from '../../../server-core/cli/commands/ui.js';
import { collect, exchange, firstResponse, open } from './helpers.js';

async function startUi(t: { after(fn: () => unknown): void }) {
  const assetsDir = mkdtempSync(join(tmpdir(), 'wireplay-ui-assets-'));
  t.after(() => rmSync(assetsDir, { recursive: true, force: true }));
  const ui = await startUiServer({ port: 0, assetsDir, demo: false });
  t.after(() => ui.close());
  return ui;
}

const upgrade = (path: string, host: string, origin: string) =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

test('wireplay ui: the WebSocket upgrade checks Host too', async (t) => {
  const ui = await startUi(t);
  const path = `/${ui.token}/ws`;
  const own = `127.0.0.1:${ui.port}`;
  const origin = `http://${own}`;
  // Our own Host and Origin: switched.
  const socket = await open(ui.port);
  t.after(() => socket.destroy());
  const chunks: Buffer[] = [];
  const head = collect(socket, chunks, (data) => data.includes('\r\n\r\n'));
  socket.write(upgrade(path, own, origin));
  await head;
  assert.match(Buffer.concat(chunks).toString('latin1'), /^HTTP\/1\.1 101 /);
  // The right Origin with another Host (a client that forges Origin, a rebinding name): refused.
  for (const host of [`evil.example:${ui.port}`, `127.0.0.1:${ui.port + 1}`, '']) {
    const r = await exchange(ui.port, upgrade(path, host, origin));
    const res = firstResponse(r.data);
    assert.equal(res.status, 403, `Host ${JSON.stringify(host)}`);
    assert.match(res.text, /Host/);
    assert.equal(r.closed, true);
  }
});

test('wireplay ui: a path under the token that does not decode is 400, not 500', async (t) => {
  const ui = await startUi(t);
  for (const bad of ['%', '%zz', 'x%e0%a4%a']) {
    const r = await exchange(ui.port, `GET /${ui.token}/${bad} HTTP/1.1\r\nHost: 127.0.0.1:${ui.port}\r\nConnection: close\r\n\r\n`);
    const res = firstResponse(r.data);
    assert.equal(res.status, 400, bad);
    assert.equal(res.header('cache-control'), 'no-store');
  }
});
