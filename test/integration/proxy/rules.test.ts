// Rules on a live proxy: a fixed answer instead of forwarding, toggled with
// setRules(); latency and throttling (time is the subject: fake timers drive
// the proxy's own timers while the sockets are real); dropping the connection
// after N bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyRuleError } from '../../../server-core/proxy/rules.js';
import { allClosed, bytesOf, curl, downstreams, finished, rawClient, startFixture, until, upstreamsOf } from './helpers.js';
import type { ProxyFixture } from './helpers.js';

test('respond rule: the proxy answers, the target never hears of it; setRules toggles it live', async (t) => {
  const f = await startFixture(t, { rules: [{ id: 'down', path: '/api/**', respond: { status: 503, body: 'maintenance\n' } }] });
  const r = await curl(['-i', `${f.url}/api/items/1`]);
  assert.match(r.stdout, /^HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*X-Wireplay-Proxy: rule\r\n\r\nmaintenance\n$/);
  await until(f.store, () => allClosed(f.store), 'the connection to close');
  assert.equal(f.app.connections.length, 0, 'the target saw nothing');
  assert.deepEqual(finished(f.proxy).map((e) => [e.ruleId, e.source, e.answer, e.status]), [['down', 'proxy', 'rule', 503]]);

  assert.throws(() => f.proxy.setRules([{ id: 'x', path: 'no-slash' }]), ProxyRuleError);
  assert.equal(f.proxy.rules[0].id, 'down', 'a refused rule set leaves the old one');
  f.proxy.setRules([{ id: 'down', enabled: false, path: '/api/**', respond: { status: 503 } }]);
  const r2 = await curl(['-i', `${f.url}/api/items/1`]);
  assert.match(r2.stdout, /^HTTP\/1\.1 404 Not Found\r\n/, 'forwarded once the rule is off');
  assert.equal(f.app.connections.length, 1);
});

test('respond rule on a request with a body: the body is read and dropped, then the answer comes', async (t) => {
  const f = await startFixture(t, { rules: [{ id: 'teapot', path: '/echo', method: 'POST', respond: { status: 418 } }] });
  const c = await rawClient(t, f.port);
  c.socket.write('POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  await c.closed;
  const text = c.received().toString('latin1');
  assert.match(text, /^HTTP\/1\.1 418 I'm a Teapot\r\n[\s\S]*418 from the Wireplay proxy rule teapot\nHTTP\/1\.1 200 OK\r\n/);
  await until(f.store, () => allClosed(f.store), 'the connections to close');
  const d = downstreams(f.store)[0];
  const u = upstreamsOf(f.store, d.id)[0];
  assert.equal(bytesOf(f.store, u.id, 'c2s').toString('latin1'), 'GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', 'only the second request went to the target');
});

test('a rule answer between forwarded pipelined requests waits for its turn', async (t) => {
  const f = await startFixture(t, { rules: [{ id: 'down', path: '/api/**', respond: { status: 503 } }] });
  const c = await rawClient(t, f.port);
  c.socket.write('GET /ndjson?count=2 HTTP/1.1\r\nHost: a\r\n\r\nGET /api/x HTTP/1.1\r\nHost: a\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  // The first response is still streaming: the 503, ready at once, must not overtake it.
  await c.waitFor((b) => b.includes('{"line":1}'), 'the first part of the first response');
  assert.ok(!c.received().includes('503'), 'the rule answer waits');
  f.app.release('ndjson');
  await c.closed;
  const text = c.received().toString('latin1');
  const order = ['{"line":2}', 'HTTP/1.1 503 Service Unavailable', 'hello through the proxy'].map((x) => text.indexOf(x));
  assert.ok(order.every((x, i) => x > 0 && (i === 0 || x > order[i - 1])), `in request order: ${order}`);
  assert.deepEqual(finished(f.proxy).map((e) => [e.target, e.source]), [['/ndjson?count=2', 'upstream'], ['/api/x', 'proxy'], ['/hello', 'upstream']]);
});

/** The proxy hands its capture events on at the next turn of the event loop (proxy/capture-queue.ts): one turn. */
const delivered = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits until the target's whole response is on the proxy's upstream leg. */
async function targetAnswered(f: ProxyFixture, tail: string): Promise<void> {
  await until(f.store, () => {
    const u = f.store.listConnections().find((c) => c.info.role === 'proxy-upstream');
    return u !== undefined && bytesOf(f.store, u.id, 's2c').toString('latin1').endsWith(tail);
  }, 'the target to answer');
}

test('latency rule: the response is held for latencyMs after the target answered', async (t) => {
  const f = await startFixture(t, { timeoutMs: 0, rules: [{ id: 'slow', path: '/hello', latencyMs: 5000 }] });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const c = await rawClient(t, f.port);
  c.socket.write('GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  await targetAnswered(f, 'hello through the proxy\n');
  const d = downstreams(f.store)[0];
  assert.equal(bytesOf(f.store, d.id, 's2c').length, 0);
  t.mock.timers.tick(4999);
  await delivered();
  assert.equal(bytesOf(f.store, d.id, 's2c').length, 0, 'still held 1 ms before the end');
  t.mock.timers.tick(1);
  await delivered();
  assert.match(bytesOf(f.store, d.id, 's2c').toString('latin1'), /hello through the proxy\n$/, 'written when the latency is over');
  t.mock.timers.reset();
  await c.closed;
  assert.equal(finished(f.proxy)[0].ruleId, 'slow');
});

test('throttle rule: bytesPerSecond / 20 bytes per 50 ms tick', async (t) => {
  const f = await startFixture(t, { timeoutMs: 0, rules: [{ id: 'thin', path: '/big', bytesPerSecond: 2000 }] });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const c = await rawClient(t, f.port);
  c.socket.write('GET /big?size=1000 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
  const u = await (async () => {
    await until(f.store, () => {
      const x = f.store.listConnections().find((c2) => c2.info.role === 'proxy-upstream');
      return x !== undefined && x.stats.s2cBytes > 1000 && countBody(bytesOf(f.store, x.id, 's2c')) === 1000;
    }, 'the target to answer');
    return f.store.listConnections().find((x) => x.info.role === 'proxy-upstream')!;
  })();
  const total = bytesOf(f.store, u.id, 's2c').length;
  const d = downstreams(f.store)[0];
  const sent = () => bytesOf(f.store, d.id, 's2c').length;
  await delivered();
  assert.equal(sent(), 100, 'the first tick’s worth goes at once');
  for (let k = 1; sent() < total; k++) {
    t.mock.timers.tick(50);
    await delivered();
    assert.equal(sent(), Math.min(total, 100 * (k + 1)), `after ${k} tick(s)`);
  }
  t.mock.timers.reset();
  await c.closed;
  assert.ok(bytesOf(f.store, d.id, 's2c').equals(bytesOf(f.store, u.id, 's2c')));
});

function countBody(bytes: Buffer): number {
  const i = bytes.indexOf('\r\n\r\n');
  return i < 0 ? -1 : bytes.length - i - 4;
}

test('drop rule: exactly N response bytes reach the client, then both connections close', async (t) => {
  const f = await startFixture(t, { rules: [{ id: 'cut', path: '/big', dropAfterBytes: 50 }] });
  const c = await rawClient(t, f.port);
  c.socket.write('GET /big?size=100000 HTTP/1.1\r\nHost: a\r\n\r\n');
  await c.closed;
  assert.equal(c.received().length, 50);
  assert.ok(c.received().toString('latin1').startsWith('HTTP/1.1 200 OK\r\n'));
  await until(f.store, () => allClosed(f.store) && finished(f.proxy).length === 1, 'everything to close', 10_000, f.proxy);
  const [e] = finished(f.proxy);
  assert.equal(e.outcome, 'cut');
  assert.match(e.error ?? '', /rule cut: connection dropped after 50 bytes/);
  assert.equal(bytesOf(f.store, downstreams(f.store)[0].id, 's2c').length, 50);
});
