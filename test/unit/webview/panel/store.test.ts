// A capture whose bytes stay with the host: the UI's store knows where every
// chunk sits, asks for the bytes it is about to show, and holds what comes
// back; repeats are skipped; drops from the host's ring shrink it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DissectedMessage } from '../../../../server-core/capture/dissection-types.js';
import type { Direction } from '../../../../server-core/capture/types.js';
import type { ChunkView } from '../../../../server-core/protocol/playground.js';
import { ByteCache } from '../../../../webview/panel/byte-cache.js';
import { Store } from '../../../../webview/panel/store.js';

const info = { connectionId: 'c1', side: 'server' as const, protocol: 'http' as const, label: 'c1', remote: '127.0.0.1:1', t: 0, wallTime: 0 };
const streamOf = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + (i >> 10)) & 255));

function hostBacked(pageBytes = 1024) {
  const asked: { id: string; dir: Direction; start: number; end: number }[] = [];
  const store = new Store({ cache: new ByteCache(64 * pageBytes, pageBytes), requestBytes: (id, dir, start, end) => asked.push({ id, dir, start, end }) });
  store.open(info);
  return { store, asked };
}

test('a snapshot without bytes asks for what is shown, and shows what comes back', () => {
  const { store, asked } = hostBacked();
  const s2c = streamOf(10_000);
  const chunks: ChunkView[] = [{ dir: 'c2s', t: 1, length: 18, offset: 0, bytes: Buffer.from('GET / HTTP/1.1\r\n\r\n').toString('base64') }];
  for (let o = 0; o < s2c.length; o += 2500) chunks.push({ dir: 's2c', t: 2, length: 2500, offset: o });
  store.snapshot('c1', chunks, []);
  const c = store.get('c1')!;
  assert.equal(c.rowCount, 2 + 4 * Math.ceil(2500 / 16));
  assert.equal(c.streamLen.s2c, 10_000);
  assert.equal(c.want('c2s', 0, 18), true, 'sent along: nothing to ask');
  assert.deepEqual(asked, []);
  assert.equal(c.want('s2c', 5000, 5100), false);
  assert.deepEqual(asked, [{ id: 'c1', dir: 's2c', start: 4096, end: 5120 }], 'the page around the rows');
  assert.equal(c.want('s2c', 5000, 5100), false);
  assert.equal(asked.length, 1, 'not asked twice while the answer is on its way');
  assert.equal(c.slice('s2c', 5000, 5100).length, 0, 'nothing held yet');
  store.receiveBytes('c1', 's2c', 4096, 5120, 4096, s2c.subarray(4096, 5120).toString('base64'));
  assert.deepEqual(Buffer.from(c.slice('s2c', 5000, 5100)), s2c.subarray(5000, 5100));
  // A slice held only in part returns its held prefix and asks for the rest.
  assert.deepEqual(Buffer.from(c.slice('s2c', 5000, 6000)), s2c.subarray(5000, 5120));
  assert.deepEqual(asked.at(-1), { id: 'c1', dir: 's2c', start: 5120, end: 6144 });
  store.receiveBytes('nobody', 's2c', 0, 10, 0, 'AAAA');
});

test('live chunks: repeats and overlaps are skipped; a push without bytes is fetched like a snapshot', () => {
  const { store, asked } = hostBacked();
  const b = streamOf(100);
  store.addChunks('c1', [{ dir: 's2c', t: 1, length: 60, offset: 0, bytes: b.subarray(0, 60).toString('base64') }]);
  store.addChunks('c1', [{ dir: 's2c', t: 1, length: 60, offset: 0, bytes: b.subarray(0, 60).toString('base64') }]);
  store.addChunks('c1', [{ dir: 's2c', t: 2, length: 40, offset: 40, bytes: b.subarray(40, 80).toString('base64') }]);
  const c = store.get('c1')!;
  assert.equal(c.chunkCount, 2);
  assert.equal(c.streamLen.s2c, 80);
  assert.deepEqual(Buffer.from(c.slice('s2c', 0, 80)), b.subarray(0, 80));
  store.addChunks('c1', [{ dir: 's2c', t: 3, length: 20, offset: 80 }]);
  assert.equal(c.want('s2c', 0, 100), false);
  assert.deepEqual(asked, [{ id: 'c1', dir: 's2c', start: 0, end: 100 }]);
});

test('the host dropping the oldest bytes prunes messages and, once most chunks are gone, the index', () => {
  const { store, asked } = hostBacked();
  const chunks: ChunkView[] = [];
  for (let i = 0; i < 3000; i++) chunks.push({ dir: 's2c', t: i, length: 10, offset: i * 10 });
  const messages = [0, 1, 2].map((k) => ({ id: k, connectionId: 'c1', kind: 'http-response', protocol: 'http', dir: 's2c', range: { start: k * 10_000, end: (k + 1) * 10_000 }, tStart: k, tEnd: k, summary: `m${k}`, fields: [] }) as DissectedMessage);
  store.snapshot('c1', chunks, messages);
  const c = store.get('c1')!;
  store.dropped('c1', 's2c', 10_000);
  assert.deepEqual(c.messages.map((m) => m.summary), ['m1', 'm2']);
  assert.equal(c.chunkCount, 3000, 'a third gone: not compacted yet, the rows stay where they are');
  assert.equal(c.want('s2c', 0, 10_000), true, 'gone bytes are not asked for');
  assert.deepEqual(asked, []);
  store.dropped('c1', 's2c', 20_000);
  assert.equal(c.chunkCount, 1000);
  assert.equal(c.rowCount, 1000);
  assert.equal(c.rowOf('s2c', 20_000), 0);
  assert.deepEqual(c.messages.map((m) => m.summary), ['m2']);
});

test('host messages change the store: HTTP results find their exchange, WebSocket messages their session', () => {
  const store = new Store();
  const changed: (string | null)[] = [];
  store.onChange((id) => changed.push(id));
  const spec = { method: 'GET', url: 'http://127.0.0.1:1/', headers: [], body: { kind: 'none' as const } };
  store.sent('r1', spec);
  const c = store.httpStarted({ type: 'http.started', reqId: 'r1', connectionId: 'pg-1' });
  assert.deepEqual([c.info.connectionId, c.info.protocol, c.http.map((x) => x.reqId)], ['pg-1', 'http', ['r1']]);
  assert.equal(c.http[0].spec, spec, 'the request as it was sent');
  const response = { statusCode: 204, reason: 'No Content', httpVersion: '1.1', headers: [], body: '', bodyBytes: 0, bodyTruncated: false, wireBytes: 40 };
  const v = c.version;
  assert.equal(store.httpResponse({ type: 'http.response', reqId: 'r1', connectionId: 'pg-1', response, timing: { total: 3 } }), c);
  assert.equal(c.http[0].response?.statusCode, 204);
  assert.ok(c.version > v, 'the views see a new version');
  assert.equal(store.httpError({ type: 'http.error', reqId: 'nobody', message: 'refused' }), undefined, 'an error for a request this UI did not send is not the store\'s');
  store.httpStarted({ type: 'http.started', reqId: 'r2', connectionId: 'pg-1' });
  assert.equal(store.httpError({ type: 'http.error', reqId: 'r2', message: 'Cancelled.' })?.http[1].error, 'Cancelled.');

  assert.equal(store.wsState({ type: 'ws.state', sessionId: 's1', state: 'connecting' }), undefined, 'no connection named yet');
  store.wsMessage({ type: 'ws.message', sessionId: 's1', dir: 'c2s', opcode: 1, data: 'aGk=', t: 1 });
  const ws = store.wsState({ type: 'ws.state', sessionId: 's1', state: 'open', connectionId: 'pg-2' })!;
  assert.equal(ws.info.protocol, 'ws');
  store.wsMessage({ type: 'ws.message', sessionId: 's1', dir: 's2c', opcode: 1, data: 'aGk=', t: 2 });
  assert.deepEqual(ws.ws.map((e) => [e.dir, Buffer.from(e.data).toString()]), [['s2c', 'hi']], 'only messages after the session had its connection');
  const attached = store.wsAttached({ type: 'ws.attached', sessionId: 's2', url: 'ws://127.0.0.1:1/ws/echo', protocols: [], connectionId: 'pg-3' });
  assert.deepEqual([attached.info.protocol, attached.info.label], ['ws', 'ws://127.0.0.1:1/ws/echo']);
  store.wsMessage({ type: 'ws.message', sessionId: 's2', dir: 'c2s', opcode: 2, data: 'AA==', t: 3 });
  assert.equal(attached.ws.length, 1);

  store.closed({ type: 'connection.closed', connectionId: 'pg-2', t: 9, reason: 'done' });
  assert.deepEqual(ws.info.closed, { t: 9, reason: 'done' });
  assert.equal(store.rawState({ type: 'raw.state', sessionId: 'x', state: 'connecting' }), undefined);
  assert.equal(store.rawState({ type: 'raw.state', sessionId: 'x', state: 'open', connectionId: 'pg-4' })?.info.protocol, 'raw');
  assert.ok(['pg-1', 'pg-2', 'pg-3', 'pg-4'].every((id) => changed.includes(id)), 'every change was announced');
});

test('a snapshot keeps the results the UI had and merges those the host kept', () => {
  const store = new Store();
  const spec = { method: 'GET', url: 'http://127.0.0.1:1/', headers: [], body: { kind: 'none' as const } };
  store.sent('mine', spec);
  store.httpStarted({ type: 'http.started', reqId: 'mine', connectionId: 'c9' });
  store.snapshot('c9', [{ dir: 'c2s', t: 1, length: 3, offset: 0, bytes: Buffer.from('GET').toString('base64') }], [], [{ reqId: 'kept', spec, error: 'Cancelled.' }]);
  const c = store.get('c9')!;
  assert.deepEqual(c.http.map((x) => x.reqId), ['mine', 'kept']);
  assert.equal(c.chunkCount, 1);
});

test('a send that failed before it had a connection is a result on a placeholder connection, with its reason and timing', () => {
  const store = new Store();
  const spec = { method: 'GET', url: 'http://127.0.0.1:1/x', headers: [], body: { kind: 'none' as const } };
  store.sent('r9', spec);
  const failure = { kind: 'refused' as const, title: 'Could not connect to 127.0.0.1:1: connection refused', detail: 'Nothing is listening.', code: 'ECONNREFUSED' };
  const c = store.httpError({ type: 'http.error', reqId: 'r9', message: failure.title, failure, timing: { connect: 1, total: 1 }, wallTime: 1000 })!;
  assert.equal(c.info.connectionId, 'attempt:r9');
  assert.deepEqual([c.info.label, c.info.remote, c.info.wallTime, !!c.info.closed], ['GET http://127.0.0.1:1/x', '127.0.0.1:1', 1000, true]);
  assert.deepEqual([c.http[0].error, c.http[0].failure?.kind, c.http[0].timing?.total, c.http[0].spec], [failure.title, 'refused', 1, spec]);
  assert.equal(c.chunkCount, 0, 'no bytes: nothing went on the wire');
});

test('exchange summaries and byte counts are kept per connection and announced as changes of it', () => {
  const store = new Store();
  store.open(info);
  const changed: (string | null)[] = [];
  store.onChange((id) => changed.push(id));
  store.network([{ connectionId: 'c1', sequence: 0, method: 'GET', target: '/', requestBytes: 10, responseBytes: 0, tStart: 1, tEnd: 1 }], [{ connectionId: 'c1', c2s: 10, s2c: 0, tLast: 1 }]);
  store.network([{ connectionId: 'c1', sequence: 0, method: 'GET', target: '/', status: 200, requestBytes: 10, responseBytes: 50, tStart: 1, tEnd: 4 }], []);
  assert.deepEqual([...store.exchanges('c1')!].map((x) => [x.sequence, x.status]), [[0, 200]]);
  assert.deepEqual(store.traffic('c1'), { connectionId: 'c1', c2s: 10, s2c: 0, tLast: 1 });
  assert.deepEqual(changed, ['c1', 'c1']);
  store.clear();
  assert.equal(store.exchanges('c1'), undefined);
});
