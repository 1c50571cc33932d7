// A send that fails is told to the UI as the result of that send, in plain
// words, with the timing so far and, when it had one, its connection (whose
// bytes show what went out); history marks it. Real sockets on 127.0.0.1: a
// closed port, a `.invalid` host, a TLS server with a self-signed certificate,
// a server that accepts and never answers (with a short time limit), and a URL
// the playground refuses to guess at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createNetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { PlaygroundController } from '../../../server-core/playground/controller.js';
import { closeServer, listen, makeCertificate } from '../client/helpers.js';
import { logMessages } from './message-log.js';

function harness(t: { after(fn: () => void): void }) {
  const controller = new PlaygroundController({ flushIntervalMs: 1 });
  t.after(() => controller.dispose());
  return { controller, ...logMessages(controller, t) };
}

const get = (url: string, over: object = {}) => ({ method: 'GET', url, headers: [], body: { kind: 'none' }, ...over });

async function send(h: ReturnType<typeof harness>, reqId: string, spec: object) {
  await h.controller.receive({ type: 'http.send', reqId, spec });
  const error = await h.next('http.error', (m) => m.reqId === reqId);
  const history = await h.next('history', (m) => m.entries.some((e) => e.id === reqId));
  return { error, entry: history.entries.find((e) => e.id === reqId)! };
}

test('a closed port: "connection refused", no connection, the time it took, a failure in history', async (t) => {
  const h = harness(t);
  const probe = await listen(createNetServer());
  const port = (probe.address() as AddressInfo).port;
  await closeServer(probe);
  const { error, entry } = await send(h, 'refused', get(`http://127.0.0.1:${port}/x`));
  assert.equal(error.failure?.kind, 'refused');
  assert.equal(error.message, `Could not connect to 127.0.0.1:${port}: connection refused`);
  assert.equal(error.code, 'ECONNREFUSED');
  assert.equal(error.connectionId, undefined, 'no connection was opened');
  assert.ok(error.timing && error.timing.total! >= 0 && error.timing.connect !== undefined, 'the time until it failed');
  assert.equal(typeof error.wallTime, 'number');
  assert.deepEqual([entry.error, entry.failureKind, entry.status], [error.message, 'refused', undefined]);
  assert.equal(h.seen.filter((m) => m.type === 'http.started').length, 0);
});

test('a .invalid host: the DNS lookup failed, in words naming the host', async (t) => {
  const h = harness(t);
  const { error, entry } = await send(h, 'dns', get('http://nowhere.invalid/'));
  assert.equal(error.failure?.kind, 'dns');
  assert.match(error.message, /nowhere\.invalid/);
  assert.match(error.message, /^Could not (find the host|look up) nowhere\.invalid/);
  assert.equal(entry.failureKind, 'dns');
});

test('a TLS server with a self-signed certificate: the handshake failed, and why', async (t) => {
  const h = harness(t);
  const { key, cert } = makeCertificate();
  const server = await listen(createTlsServer({ key, cert }, (s) => s.end()));
  t.after(() => closeServer(server));
  const port = (server.address() as AddressInfo).port;
  const { error } = await send(h, 'tls', get(`https://localhost:${port}/`));
  assert.equal(error.failure?.kind, 'tls');
  assert.equal(error.message, `TLS handshake with localhost:${port} failed: the server’s certificate is self-signed`);
  assert.equal(error.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
});

test('a server that never answers: the time limit, the request on its connection, what went out', async (t) => {
  const h = harness(t);
  const sockets = new Set<Socket>();
  const server = await listen(createNetServer((s) => sockets.add(s.on('error', () => {}))));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await closeServer(server);
  });
  const port = (server.address() as AddressInfo).port;
  const { error } = await send(h, 'slow', get(`http://127.0.0.1:${port}/wait`, { timeoutMs: 300 }));
  assert.equal(error.failure?.kind, 'timeout');
  assert.equal(error.message, `No response from 127.0.0.1:${port} within 300 ms: timed out`);
  assert.ok(error.connectionId, 'it had a connection');
  const started = h.seen.find((m) => m.type === 'http.started');
  assert.equal(started?.type === 'http.started' && started.connectionId, error.connectionId);
  assert.ok(error.timing?.firstByte !== undefined && error.timing.connect !== undefined, `waiting is timed: ${JSON.stringify(error.timing)}`);
  // The request's bytes are in the capture, and the connection's result says why it ended.
  const sent = h.controller.store.chunks(error.connectionId!).filter((c) => 'bytes' in c && c.dir === 'c2s');
  assert.match(Buffer.concat(sent.map((c) => (c as { bytes: Buffer }).bytes)).toString(), /^GET \/wait HTTP\/1\.1\r\n/);
  await h.controller.receive({ type: 'capture.load', connectionId: error.connectionId! });
  const snap = await h.next('capture.snapshot', (m) => m.connectionId === error.connectionId);
  assert.equal(snap.http?.[0].failure?.kind, 'timeout', 'a reloaded UI gets the failure back with the bytes');
});

test('a URL that cannot be sent as written is refused before anything goes out', async (t) => {
  const h = harness(t);
  const { error, entry } = await send(h, 'bad', get('htp:/bad url here'));
  assert.equal(error.failure?.kind, 'invalid-request');
  assert.equal(error.message, 'Not sent: Use http:// or https://, not htp:');
  assert.equal(error.timing?.total, 0);
  assert.equal(entry.failureKind, 'invalid-request');
  assert.equal(h.controller.store.listConnections().length, 0, 'no connection');
});
