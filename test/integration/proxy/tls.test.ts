// An https:// target: TLS with SNI and the certificate checked; a self-signed
// local certificate is refused (502 saying why) unless `insecure`, which warns.
// The capture holds the plaintext on both legs, the target's marked tls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { makeCertificate } from '../client/helpers.js';
import { allClosed, assertLegsMirror, curl, finished, startProxy, until } from './helpers.js';

async function httpsTarget(t: { after(fn: () => unknown): void }) {
  const { key, cert } = makeCertificate();
  const servernames: (string | false | null)[] = [];
  const server = createServer({ key, cert }, (req, res) => res.end(`secure ${req.url}\n`));
  server.on('secureConnection', (s: TLSSocket) => servernames.push(s.servername));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, servernames };
}

test('self-signed target without insecure: 502 naming the certificate problem', async (t) => {
  const target = await httpsTarget(t);
  const p = await startProxy(t, { target: `https://localhost:${target.port}` });
  assert.deepEqual(p.proxy.warnings, []);
  const r = await curl(['-i', `${p.url}/x`]);
  assert.match(r.stdout, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
  assert.match(r.stdout, new RegExp(`cannot reach https://localhost:${target.port}: self[- ]signed certificate`));
  await until(p.store, () => finished(p.proxy).length === 1, 'the exchange to end', 10_000, p.proxy);
});

test('insecure: forwarded over TLS with SNI, a warning said, plaintext captured on both legs', async (t) => {
  const target = await httpsTarget(t);
  const p = await startProxy(t, { target: `https://localhost:${target.port}`, insecure: true });
  assert.equal(p.proxy.warnings.length, 1);
  assert.match(p.proxy.warnings[0], /TLS certificate checks are off for https:\/\/localhost:\d+/);
  const r = await curl([`${p.url}/tls`]);
  assert.equal(r.stdout, 'secure /tls\n');
  assert.deepEqual(target.servernames, ['localhost'], 'SNI carries the host name');
  await until(p.store, () => allClosed(p.store), 'both legs to close');
  assertLegsMirror(p.store);
  const up = p.store.listConnections().find((c) => c.info.role === 'proxy-upstream')!;
  assert.equal(up.info.tls, true);
  assert.equal(p.store.messages(up.id).length, 2, 'the plaintext is dissected');
});
