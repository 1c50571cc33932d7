import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketConnection, type CloseEvent } from '../../../server-core/ws/connection.js';
import { encodeFrame, closePayload } from '../../../server-core/ws/frame-encoder.js';
import type { WebSocketConnectionOptions } from '../../../server-core/ws/types.js';
import { FakeSocket } from '../../support/ws-fake-socket.js';

async function open(role: 'server' | 'client', options: WebSocketConnectionOptions = {}) {
  const sock = new FakeSocket(role);
  const conn = new WebSocketConnection(sock.asDuplex(), { role, id: 'x', protocol: '', extensions: '', deflate: null, options });
  conn.start(Buffer.alloc(0));
  await new Promise<void>((r) => process.nextTick(r));
  return { sock, conn };
}
const closed = (conn: WebSocketConnection) => new Promise<CloseEvent>((r) => conn.on('close', r));

test('send() writes unmasked frames on the server and masked ones (fresh key each) on the client', async () => {
  const s = await open('server');
  s.conn.send('hi');
  s.conn.send(Buffer.from([1, 2]));
  s.conn.send(Buffer.from('as text'), { binary: false });
  assert.deepEqual(s.sock.frames.map((f) => [f.opcode, f.masked, f.payload.toString('latin1')]), [[1, false, 'hi'], [2, false, '\x01\x02'], [1, false, 'as text']]);
  const c = await open('client');
  c.conn.send('a');
  c.conn.send('a');
  assert.ok(c.sock.frames.every((f) => f.masked));
  assert.notDeepEqual(c.sock.frames[0].maskKey, c.sock.frames[1].maskKey);
  assert.equal(c.sock.frames[0].payload.toString(), 'a');
  s.conn.terminate();
  c.conn.terminate();
});

test('counts messages, frames and bytes both ways', async () => {
  const { sock, conn } = await open('server');
  sock.emit('data', Buffer.concat([encodeFrame({ opcode: 1, payload: 'abc', mask: true }), encodeFrame({ opcode: 2, fin: false, payload: 'd', mask: true }), encodeFrame({ opcode: 0, payload: 'e', mask: true })]));
  conn.send('xyz');
  assert.deepEqual(conn.stats, { messagesReceived: 2, messagesSent: 1, framesReceived: 3, framesSent: 1, bytesReceived: 9 + 7 + 7, bytesSent: 5 });
  conn.terminate();
});

test('backpressure: send() returns false past the high-water mark and drain follows', async () => {
  const { sock, conn } = await open('server', { highWaterMark: 1000 });
  sock.writableLength = 0;
  assert.equal(conn.send(Buffer.alloc(10)), true);
  sock.writableLength = 5000;
  assert.equal(conn.bufferedAmount, 5000);
  assert.equal(conn.send(Buffer.alloc(10)), false);
  let drained = 0;
  conn.on('drain', () => drained++);
  sock.writableLength = 0;
  sock.emit('drain');
  assert.equal(drained, 1);
  conn.terminate();
});

test('closing handshake started here: close frame out, the peer\'s close completes it, the server ends TCP', async () => {
  const { sock, conn } = await open('server');
  const done = closed(conn);
  conn.close(1000, 'bye');
  assert.equal(conn.readyState, 'closing');
  assert.equal(conn.send('late'), false);
  const last = sock.frames.at(-1)!;
  assert.equal(last.opcode, 8);
  assert.deepEqual(last.payload, closePayload(1000, 'bye'));
  assert.equal(sock.ended, false);
  sock.emit('data', encodeFrame({ opcode: 8, payload: closePayload(1000), mask: true }));
  assert.equal(sock.ended, true);
  sock.destroy();
  const ev = await done;
  assert.deepEqual([ev.code, ev.wasClean], [1000, true]);
});

test('the close timeout ends a connection whose peer never answers the close', async (t) => {
  const { conn } = await open('client', { closeTimeout: 20 });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const done = closed(conn);
  conn.close(1001);
  t.mock.timers.tick(20);
  const ev = await done;
  assert.equal(ev.code, 1006);
  assert.equal(ev.wasClean, false);
});

test('a ping without a pong within pingTimeout fails the connection with 1011', async (t) => {
  const { sock, conn } = await open('server', { pingTimeout: 20, closeTimeout: 20 });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const errors: Error[] = [];
  conn.on('error', (e) => errors.push(e));
  const done = closed(conn);
  conn.ping('are you there');
  assert.equal(sock.frames[0].opcode, 9);
  t.mock.timers.tick(19);
  assert.equal(conn.readyState, 'open', 'not before pingTimeout');
  t.mock.timers.tick(1); // the ping timeout: close 1011 sent
  t.mock.timers.tick(20); // the close timeout: the peer never answers
  const ev = await done;
  assert.equal((errors[0] as { code?: string }).code, 'WS_PING_TIMEOUT');
  assert.equal(sock.frames.at(-1)!.opcode, 8);
  assert.equal(sock.frames.at(-1)!.payload.readUInt16BE(0), 1011);
  assert.equal(ev.code, 1011);
});

test('a pong in time clears the ping timer', async (t) => {
  const { sock, conn } = await open('server', { pingTimeout: 30 });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const pongs: Buffer[] = [];
  conn.on('pong', (p) => pongs.push(p));
  conn.ping('x');
  sock.emit('data', encodeFrame({ opcode: 10, payload: 'x', mask: true }));
  t.mock.timers.tick(60);
  assert.equal(conn.readyState, 'open');
  assert.equal(pongs.length, 1);
  conn.terminate();
});

test('autoPong can be switched off at run time', async () => {
  const { sock, conn } = await open('server');
  conn.autoPong = false;
  sock.emit('data', encodeFrame({ opcode: 9, payload: 'p', mask: true }));
  assert.equal(sock.frames.length, 0);
  conn.pong('p');
  assert.equal(sock.frames[0].opcode, 10);
  conn.terminate();
});

test('sendRaw writes composer bytes untouched and in order', async () => {
  const { sock, conn } = await open('client');
  const sent: Buffer[] = [];
  conn.on('frameSent', (f) => sent.push(f.bytes));
  const broken = encodeFrame({ opcode: 5, rsv2: true, payload: 'x', declaredLength: 3 });
  conn.send('before');
  conn.sendRaw(broken);
  conn.send('after');
  assert.deepEqual(sock.written[1], broken);
  assert.equal(sent.length, 3);
  assert.deepEqual(sent[1], broken);
  conn.terminate();
});

test('the peer ending TCP without a close frame reports 1006', async () => {
  const { sock, conn } = await open('server');
  const done = closed(conn);
  sock.emit('end');
  assert.ok(sock.ended);
  sock.destroy();
  const ev = await done;
  assert.deepEqual([ev.code, ev.wasClean], [1006, false]);
});

test('close() validates its code and reason', async () => {
  const { conn } = await open('server');
  assert.throws(() => conn.close(1005), RangeError);
  assert.throws(() => conn.close(1000, 'x'.repeat(124)), RangeError);
  conn.terminate();
});

test('send() refuses what is not a string or bytes, before writing anything', async () => {
  const { sock, conn } = await open('server');
  for (const bad of [12345, { a: 1 }, null, undefined, true]) {
    assert.throws(() => conn.send(bad as unknown as string), { name: 'TypeError', message: /send\(\) takes a string or bytes/ }, String(bad));
  }
  assert.equal(sock.frames.length, 0);
  assert.equal(conn.stats.messagesSent, 0);
  conn.send(new Uint8Array([1, 2, 3]) as Buffer);
  assert.deepEqual([...sock.frames[0].payload], [1, 2, 3]);
  conn.terminate();
});

test('a throw in onMessage fails the connection with 1011; the route and the owner hear of it once', async () => {
  const sock = new FakeSocket('server');
  const heard: string[] = [];
  const conn = new WebSocketConnection(sock.asDuplex(), {
    role: 'server',
    id: 'x',
    protocol: '',
    extensions: '',
    deflate: null,
    options: { onCallbackError: (e, callback) => heard.push(`owner ${callback} ${e.message}`) },
    handler: {
      onMessage() {
        throw new Error('boom');
      },
      onError(_p, e) {
        heard.push(`route ${e.message}`);
      },
    },
  });
  conn.start(Buffer.alloc(0));
  await new Promise<void>((r) => process.nextTick(r));
  sock.emit('data', encodeFrame({ opcode: 1, payload: 'hi', mask: true }));
  const close = sock.frames.find((f) => f.opcode === 8);
  assert.ok(close, 'a close frame went out');
  assert.equal(close.payload.readUInt16BE(0), 1011);
  assert.equal(close.payload.toString('utf8', 2), 'onMessage threw');
  assert.deepEqual(heard, ['owner onMessage boom', 'route boom']);
  conn.terminate();
});

test('a throw in onError or onClose goes to the owner, never to the process', async () => {
  const sock = new FakeSocket('server');
  const heard: string[] = [];
  const conn = new WebSocketConnection(sock.asDuplex(), {
    role: 'server',
    id: 'x',
    protocol: '',
    extensions: '',
    deflate: null,
    options: { onCallbackError: (e, callback) => heard.push(`${callback} ${e.message}`) },
    handler: {
      onMessage() {
        throw new Error('one');
      },
      onError() {
        throw new Error('two');
      },
      onClose() {
        throw new Error('three');
      },
    },
  });
  conn.start(Buffer.alloc(0));
  await new Promise<void>((r) => process.nextTick(r));
  const done = closed(conn);
  sock.emit('data', encodeFrame({ opcode: 1, payload: 'hi', mask: true }));
  conn.terminate();
  const ev = await done;
  assert.equal(ev.code, 1011);
  assert.deepEqual(heard, ['onMessage one', 'onError two', 'onClose three']);
});

test('server: frames wait and reading stops while the output is over the high-water mark; drain resumes them in order', async () => {
  const sock = new FakeSocket('server');
  let paused = false;
  sock.pause = function () {
    paused = true;
    return this;
  };
  sock.resume = function () {
    paused = false;
    return this;
  };
  const seen: string[] = [];
  const conn = new WebSocketConnection(sock.asDuplex(), {
    role: 'server',
    id: 'x',
    protocol: '',
    extensions: '',
    deflate: null,
    options: { highWaterMark: 1000 },
    handler: {
      onMessage(peer, m) {
        seen.push(m.text!.slice(0, 1));
        peer.send(m.text!);
      },
    },
  });
  // The peer reads nothing: the socket keeps everything it is given.
  const write = sock.write.bind(sock);
  sock.write = (chunk: Buffer) => {
    sock.writableLength += chunk.length;
    return write(chunk) && sock.writableLength < 16 * 1024;
  };
  conn.start(Buffer.alloc(0));
  await new Promise<void>((r) => process.nextTick(r));
  sock.emit('data', Buffer.concat(['1', '2', '3', '4'].map((t) => encodeFrame({ opcode: 1, payload: t.repeat(600), mask: true }))));
  assert.deepEqual(seen, ['1', '2'], 'the second answer passes the mark: the rest wait');
  assert.equal(paused, true);
  sock.writableLength = 0;
  sock.emit('drain');
  assert.deepEqual(seen, ['1', '2', '3', '4']);
  assert.equal(paused, true, 'full again after the fourth');
  sock.writableLength = 0;
  sock.emit('drain');
  assert.equal(paused, false);
  conn.terminate();
});
