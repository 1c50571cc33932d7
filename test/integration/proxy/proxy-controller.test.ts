// The extension's ProxyController (no vscode in it) with a real proxy in front
// of the real test app: both legs relayed into the window's capture store and
// sidebar model, the proxied row with its upstream leg and timings, the bytes
// a row's commands start from (Edit and Resend, Save to .http, Copy as cURL)
// equal to what the app received, and start failures named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo } from 'node:net';
import { readSettings } from '../../../extension/config/settings-model.js';
import { ProxyController } from '../../../extension/server/proxy-controller.js';
import type { ServerFactory } from '../../../extension/server/server-api.js';
import { ServerController } from '../../../extension/server/server-controller.js';
import { connectionItems, trafficItems } from '../../../extension/views/traffic-items.js';
import { proxyItems } from '../../../extension/views/proxy-items.js';
import type { TrafficRow } from '../../../server-core/protocol/sidebar.js';
import { composerLoadFromBytes } from '../../../server-core/proxy/composer-load.js';
import { httpBlockFromBytes } from '../../../server-core/proxy/http-block.js';
import { curlFromBytes } from '../../../server-core/proxy/replay.js';
import { startProxyTestApp } from '../../support/proxy-test-app.js';

const log = { info() {}, warn() {}, error() {} };
/** The server itself is never started here: the proxy is the only source of traffic. */
const noServer: ServerFactory = async () => {
  throw new Error('not started in these tests');
};

function setup(t: { after(fn: () => unknown): void }) {
  const server = new ServerController(noServer, { settings: () => readSettings(() => undefined), workspaceFolder: () => undefined, isTrusted: () => true, warnOnce() {} }, log);
  const proxy = new ProxyController(server, log);
  t.after(async () => {
    await proxy.dispose();
    await server.dispose();
  });
  return { server, proxy };
}

/** Resolves when `check` holds, re-checked on every sidebar-model change; fails after `ms` naming `what`. */
function until(server: ServerController, check: () => boolean, what: string, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const sub = server.traffic.onChange(() => {
      if (!check()) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
  });
}

/** A whole response with a Content-Length body has arrived. */
function complete(a: string): boolean {
  const end = a.indexOf('\r\n\r\n');
  const length = /\r\ncontent-length: *(\d+)/i.exec(a.slice(0, end));
  return end >= 0 && length !== null && Buffer.byteLength(a.slice(end + 4), 'latin1') >= Number(length[1]);
}

/** Writes `bytes` on a new connection to the proxy and resolves with everything it answered once `done(answer)` holds. */
function exchange(port: number, bytes: Buffer, done: (answer: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no full answer: ${JSON.stringify(answer)}`))), 10_000);
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      if (done(answer)) {
        clearTimeout(timer);
        socket.end();
        resolve(answer);
      }
    });
    socket.on('error', reject);
  });
}

test('a request through the proxy: both legs in the capture and the sidebar, one proxied row, the bytes the app received', async (t) => {
  const app = await startProxyTestApp();
  t.after(() => app.close());
  const { server, proxy } = setup(t);
  const states: string[] = [];
  proxy.onState((s) => states.push(s));
  const started = await proxy.start({ target: app.origin, port: 0 });
  assert.ok(started.ok, JSON.stringify(started));
  assert.equal(proxy.state, 'running');
  assert.deepEqual(states, ['starting', 'running']);
  assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(started.target, app.origin);
  assert.deepEqual(proxyItems(proxy.view()).map((i) => [i.contextValue, i.description]), [['wireplay.proxy.running', `${started.url} → ${app.origin}`]]);
  const again = await proxy.start({ target: 'http://127.0.0.1:1', port: 0 });
  assert.ok(again.ok && again.alreadyRunning, 'a second start says it runs, and changes nothing');

  const port = Number(new URL(started.url).port);
  const sent = Buffer.from('POST /echo?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: t\r\nAccept: */*\r\nContent-Length: 5\r\n\r\nhello', 'latin1');
  const answer = await exchange(port, sent, complete);
  assert.match(answer, /^HTTP\/1\.1 200 /);

  let row: TrafficRow | undefined;
  await until(server, () => (row = server.traffic.trafficRows().find((r) => r.proxy?.outcome !== undefined)) !== undefined, 'the proxied row to complete');
  assert.ok(row?.proxy);
  assert.equal(row.method, 'POST');
  assert.equal(row.target, '/echo?x=1');
  assert.equal(row.status, 200);
  assert.equal(row.proxy.origin, app.origin);
  assert.equal(row.proxy.outcome, 'complete');
  assert.ok(row.proxy.upstreamId, 'the upstream leg is named');
  assert.ok(row.proxy.upstreamMs !== undefined && row.proxy.upstreamMs >= 0, 'the target’s time is measured');
  assert.equal(server.traffic.trafficRows().length, 1, 'one row for the exchange: the upstream leg adds none');

  // Sidebar: marked proxied, its two legs under it; in Connections the target leg sits under the client's.
  const [item] = trafficItems(server.traffic.trafficRows());
  assert.equal(item.contextValue, 'wireplay.traffic.proxied');
  assert.match(item.description ?? '', /^200 · proxied · /);
  assert.deepEqual(item.children?.map((c) => c.ref?.connectionId), [row.connectionId, row.proxy.upstreamId]);
  const conns = connectionItems(server.traffic.connectionRows(), server.traffic.trafficRows()).items;
  const client = conns.find((c) => c.ref?.connectionId === row!.connectionId);
  assert.ok(client?.children?.some((c) => c.ref?.connectionId === row!.proxy!.upstreamId), 'the target leg is listed under the client leg');

  // The store holds both legs, with their roles and link.
  const store = server.store!;
  assert.equal(store.connection(row.connectionId)?.info.role, 'proxy-downstream');
  assert.equal(store.connection(row.proxy.upstreamId!)?.info.role, 'proxy-upstream');
  assert.equal(store.connection(row.proxy.upstreamId!)?.info.linkedConnectionId, row.connectionId);

  // What the row's commands start from: the bytes the app received, read from the target's leg.
  const record = proxy.record(row.id);
  assert.ok(record);
  const request = await proxy.requestBytes(record);
  assert.equal(request.leg, 'upstream');
  assert.deepEqual(request.bytes, sent);
  const received = Buffer.concat(app.connections.flatMap((c) => c.received));
  assert.deepEqual(received, sent, 'the app received the bytes the client sent, unchanged');

  const load = composerLoadFromBytes(request.bytes, record.origin, 'POST /echo');
  assert.equal(load.mode, 'raw');
  assert.deepEqual(load.raw, { host: '127.0.0.1', port: app.port, data: sent.toString('base64') });
  const curl = curlFromBytes(request.bytes, record.origin);
  assert.ok(curl.exact, curl.differences.join('; '));
  assert.match(curl.command, new RegExp(`${app.origin}/echo\\?x=1`));
  const block = await httpBlockFromBytes(request.bytes, record.origin);
  assert.equal(block.form, 'http');
  assert.match(block.text, new RegExp(`^POST ${app.origin}/echo\\?x=1 HTTP/1\\.1$`, 'm'));

  assert.equal(await proxy.stop(), true);
  assert.equal(proxy.state, 'stopped');
  assert.deepEqual(states, ['starting', 'running', 'stopping', 'stopped']);
  assert.ok(server.traffic.connectionRows().every((c) => c.closedAt !== undefined), 'every leg is closed once the proxy stopped');
  assert.ok(server.traffic.trafficById(row.id), 'what it recorded stays');
  assert.equal(await proxy.stop(), false);
});

test('Clear Capture while the proxy runs: a new store, and later traffic is recorded in it', async (t) => {
  const app = await startProxyTestApp();
  t.after(() => app.close());
  const { server, proxy } = setup(t);
  const started = await proxy.start({ target: app.origin, port: 0 });
  assert.ok(started.ok);
  const port = Number(new URL(started.url).port);
  const get = Buffer.from('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1');
  await exchange(port, get, complete);
  await until(server, () => server.traffic.trafficRows().some((r) => r.proxy?.outcome), 'the first exchange');
  const before = server.store;
  server.clearCapture();
  assert.notEqual(server.store, undefined, 'a store is made again at once for the running proxy');
  assert.notEqual(server.store, before);
  await exchange(port, get, complete);
  await until(server, () => server.traffic.trafficRows().some((r) => r.proxy?.outcome), 'the second exchange');
  const row = server.traffic.trafficRows().find((r) => r.proxy?.outcome)!;
  assert.deepEqual((await proxy.requestBytes(proxy.record(row.id)!)).bytes, get);
});

test('a target that refuses: the client gets the proxy’s 502, the row says the proxy answered, and the bytes come from the client leg', async (t) => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const { server, proxy } = setup(t);
  const started = await proxy.start({ target: `http://127.0.0.1:${deadPort}`, port: 0 });
  assert.ok(started.ok);
  const sent = Buffer.from('GET /x HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1');
  const answer = await exchange(Number(new URL(started.url).port), sent, complete);
  assert.match(answer, /^HTTP\/1\.1 502 /);
  let row: TrafficRow | undefined;
  await until(server, () => (row = server.traffic.trafficRows().find((r) => r.proxy?.outcome)) !== undefined, 'the refused exchange');
  assert.equal(row!.status, 502);
  assert.equal(row!.proxy!.answer, 'upstream-unreachable');
  assert.equal(row!.proxy!.upstreamId, undefined);
  const [item] = trafficItems([row!]);
  assert.match(item.children?.[1]?.description ?? '', /not forwarded: the proxy answered \(upstream-unreachable\)/);
  const request = await proxy.requestBytes(proxy.record(row!.id)!);
  assert.equal(request.leg, 'downstream');
  assert.deepEqual(request.bytes, sent);
});

test('start failures are named: a bad target, a port in use', async (t) => {
  const { proxy } = setup(t);
  const bad = await proxy.start({ target: 'http://127.0.0.1:3000/api', port: 0 });
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.reason, 'invalid-target');
  assert.match(!bad.ok ? bad.message : '', /origin/);
  assert.equal(proxy.state, 'stopped', 'a refused target changes nothing');

  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => taken.close(() => r())));
  const port = (taken.address() as AddressInfo).port;
  const inUse = await proxy.start({ target: 'http://127.0.0.1:9', port });
  assert.equal(!inUse.ok && inUse.reason, 'portInUse');
  assert.match(!inUse.ok ? inUse.message : '', new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
  assert.equal(proxy.state, 'failed');
  assert.match(proxyItems(proxy.view())[0].tooltip ?? '', /already in use/);
});

test('rules: set at the start, toggled for the session, replaced live; a bad set is refused naming the rule and the old one stays', async (t) => {
  const app = await startProxyTestApp();
  t.after(() => app.close());
  const { server, proxy } = setup(t);
  const refused = await proxy.start({ target: app.origin, port: 0, rules: [{ id: 'x', path: 'no-slash' }] });
  assert.equal(!refused.ok && refused.reason, 'invalid-rules');
  assert.match(!refused.ok ? refused.message : '', /^wireplay\.proxy\.rules: rule 1 \(x\): path must be a pattern starting with \//);
  assert.equal(proxy.state, 'stopped');

  const started = await proxy.start({ target: app.origin, port: 0, rules: [{ id: 'down', path: '/hello', respond: { status: 503, body: 'maintenance\n' } }] });
  assert.ok(started.ok);
  const port = Number(new URL(started.url).port);
  const hello = Buffer.from('GET /hello HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1');
  assert.match(await exchange(port, hello, complete), /^HTTP\/1\.1 503 [\s\S]*maintenance\n$/);
  assert.deepEqual(proxy.view().rules, [{ id: 'down', enabled: true, summary: '/hello → 503' }]);
  const [running] = proxyItems(proxy.view());
  assert.deepEqual(running.children?.map((c) => [c.label, c.description, c.contextValue]), [['down', '/hello → 503 · on', 'wireplay.proxy.rule.on']]);

  assert.equal(proxy.toggleRule('down'), false);
  assert.deepEqual(proxy.view().rules, [{ id: 'down', enabled: false, summary: '/hello → 503' }]);
  assert.match(await exchange(port, hello, complete), /^HTTP\/1\.1 200 /, 'off: forwarded to the app');
  assert.equal(proxy.toggleRule('nope'), undefined);

  const bad = proxy.setRules([{ id: 'a', path: '/a' }, { id: 'a', path: '/b' }]);
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.message : '', /the id a is used twice/);
  assert.deepEqual(proxy.view().rules?.map((r) => r.id), ['down'], 'the old set stays');
  const slow = proxy.setRules([{ id: 'get-only', path: '/**', method: 'POST', latencyMs: 1 }]);
  assert.ok(slow.ok);
  assert.deepEqual(proxy.view().rules, [{ id: 'get-only', enabled: true, summary: 'POST /** +1 ms' }]);
  await until(server, () => server.traffic.trafficRows().filter((r) => r.proxy?.outcome).length === 2, 'both exchanges reported');
  const answers = server.traffic.trafficRows().map((r) => r.proxy?.answer);
  assert.deepEqual(answers, ['rule', undefined], 'the rule’s answer says so on its row');
});

test('two starts at once: one proxy, the second told it is starting', async (t) => {
  const app = await startProxyTestApp();
  t.after(() => app.close());
  const { proxy } = setup(t);
  const [a, b] = await Promise.all([proxy.start({ target: app.origin, port: 0 }), proxy.start({ target: app.origin, port: 0 })]);
  assert.ok(a.ok);
  assert.deepEqual(!b.ok && [b.reason, b.message], ['busy', 'The proxy is starting; try again in a moment.']);
  assert.equal(proxy.state, 'running');
});

test('an https:// target with a self-signed certificate and insecure on: the warning is on the Proxy row; Edit and Resend uses the HTTP form', async (t) => {
  const { makeCertificate } = await import('../client/helpers.js');
  const { createServer: createHttpsServer } = await import('node:https');
  const { key, cert } = makeCertificate();
  const target = createHttpsServer({ key, cert }, (req, res) => res.end(`secure ${req.url}\n`));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  t.after(async () => {
    target.closeAllConnections();
    await new Promise<void>((r) => target.close(() => r()));
  });
  const origin = `https://localhost:${(target.address() as AddressInfo).port}`;
  const { server, proxy } = setup(t);
  const started = await proxy.start({ target: origin, port: 0, insecure: true });
  assert.ok(started.ok);
  assert.match(started.warnings[0] ?? '', /TLS certificate checks are off/);
  const items = proxyItems(proxy.view());
  assert.match(items.find((i) => i.id === 'proxy.note')?.label ?? '', /TLS certificate checks are off/);
  const sent = Buffer.from('GET /tls HTTP/1.1\r\nHost: localhost\r\nUser-Agent: t\r\nAccept: */*\r\n\r\n', 'latin1');
  assert.match(await exchange(Number(new URL(started.url).port), sent, (a) => a.endsWith('secure /tls\n')), /^HTTP\/1\.1 200 /);
  let row: TrafficRow | undefined;
  await until(server, () => (row = server.traffic.trafficRows().find((r) => r.proxy?.outcome)) !== undefined, 'the exchange');
  const request = await proxy.requestBytes(proxy.record(row!.id)!);
  assert.deepEqual(request.bytes, sent);
  const load = composerLoadFromBytes(request.bytes, origin, 'GET /tls');
  assert.equal(load.mode, 'http');
  assert.equal(load.http?.url, `${origin}/tls`);
  assert.match(load.note, /sent unedited, it writes the same bytes/);
});

/** A node:http app that answers `name` and records the Host field of each request. */
async function namedApp(t: { after(fn: () => unknown): void }, name: string) {
  const { createServer: createHttpServer } = await import('node:http');
  const hosts: (string | undefined)[] = [];
  const server = createHttpServer((req, res) => {
    hosts.push(req.headers.host);
    res.setHeader('Content-Length', Buffer.byteLength(name));
    res.end(name);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hosts };
}

const getAt = (url: string) => exchange(Number(new URL(url).port), Buffer.from('GET / HTTP/1.1\r\nHost: client.example\r\n\r\n', 'latin1'), complete);

test('settings apply to the running proxy: a new target restarts its listener, the others apply in place', async (t) => {
  const a = await namedApp(t, 'app-a');
  const b = await namedApp(t, 'app-b');
  const { proxy } = setup(t);
  const settings = { ...readSettings(() => undefined).proxy, target: a.origin, port: 0 };
  const { rules: _rules, ...options } = settings;
  const started = await proxy.start(options);
  assert.ok(started.ok, JSON.stringify(started));
  assert.match(await getAt(started.url), /app-a$/);
  const states: string[] = [];
  proxy.onState((s) => states.push(s));

  // In place: no new listener, the next request is rewritten.
  const applied = await proxy.applySettings({ ...options, rewriteHost: true }, new Set(['rewriteHost']));
  assert.deepEqual(applied, { kind: 'applied', changed: ['rewriteHost'] });
  assert.ok(!states.includes('stopping'), 'not restarted for a setting it takes live');
  assert.match(await getAt(started.url), /app-a$/);
  assert.deepEqual(a.hosts, ['client.example', a.origin.replace('http://', '')], 'Host rewritten from the next request on');

  // A key that changed nothing the proxy uses: nothing happens.
  assert.deepEqual(await proxy.applySettings({ ...options, rewriteHost: true }, new Set(['timeoutMs'])), { kind: 'unchanged' });

  // A new target: stopped, started again on the new one, the live setting kept.
  const restarted = await proxy.applySettings({ ...options, rewriteHost: true, target: b.origin }, new Set(['target']));
  assert.equal(restarted.kind, 'restarted');
  assert.ok(restarted.kind === 'restarted' && restarted.result.ok, JSON.stringify(restarted));
  assert.deepEqual(states.slice(-4), ['stopping', 'stopped', 'starting', 'running']);
  assert.equal(proxy.view().target, b.origin);
  const url = proxy.view().url!;
  assert.match(await getAt(url), /app-b$/);
  assert.deepEqual(b.hosts, [b.origin.replace('http://', '')]);

  // An emptied target setting keeps the running one.
  assert.deepEqual(await proxy.applySettings({ ...options, rewriteHost: true, target: '' }, new Set(['target'])), { kind: 'unchanged' });
  assert.equal(proxy.view().target, b.origin);
});

test('a new port restarts the listener on it; the old port no longer answers', async (t) => {
  const a = await namedApp(t, 'app-a');
  const { proxy } = setup(t);
  const started = await proxy.start({ target: a.origin, port: 0 });
  assert.ok(started.ok);
  // A free port to move to.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const r = await proxy.applySettings({ target: a.origin, port }, new Set(['port']));
  assert.ok(r.kind === 'restarted' && r.result.ok, JSON.stringify(r));
  assert.equal(proxy.view().url, `http://127.0.0.1:${port}`);
  assert.match(await getAt(`http://127.0.0.1:${port}`), /app-a$/);
  const old = Number(new URL(started.url).port);
  const refused = await new Promise<string>((resolve) => {
    const s = connect(old, '127.0.0.1');
    s.on('connect', () => (s.destroy(), resolve('connected')));
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
  assert.equal(refused, 'ECONNREFUSED');
});
