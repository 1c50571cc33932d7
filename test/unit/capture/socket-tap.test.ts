// The socket tap (capture/socket-tap.ts) on stand-in sockets: writes observed
// without changing what is written, bytes held until the open, one close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ClientCapture, observeWrites, tapClientSocket } from '../../../server-core/capture/socket-tap.js';
import type { CaptureEvents } from '../../../server-core/capture/types.js';
import { Emitter } from '../../../server-core/util/emitter.js';

class StandIn extends EventEmitter {
  readonly localAddress = '127.0.0.1';
  readonly localPort = 40000;
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 80;
  readonly wrote: [unknown, unknown][] = [];
  write(chunk: unknown, encoding?: unknown): boolean {
    this.wrote.push([chunk, encoding]);
    return true;
  }
  end(chunk?: unknown): this {
    if (chunk !== undefined) this.wrote.push([chunk, undefined]);
    return this;
  }
  asSocket(): Socket {
    return this as unknown as Socket;
  }
}

function recorder() {
  const capture = new Emitter<CaptureEvents>();
  const log: string[] = [];
  capture.on('open', (e) => log.push(`open ${e.side} ${e.protocol} ${e.remote.port}`));
  capture.on('chunk', (e) => log.push(`${e.dir} ${e.bytes.toString('latin1')}`));
  capture.on('switch', (e) => log.push(`switch ${e.protocol} ${e.c2sOffset} ${e.s2cOffset}`));
  capture.on('close', (e) => log.push(`close ${e.reason ?? ''}`));
  return { capture, log };
}

test('observeWrites reports strings in their encoding and Buffers as they are, then writes them unchanged', () => {
  const s = new StandIn();
  const seen: string[] = [];
  observeWrites(s.asSocket(), (b) => seen.push(b.toString('hex')));
  s.asSocket().write('hi', 'latin1');
  s.asSocket().write(Buffer.from([1, 2]));
  s.asSocket().write('');
  s.asSocket().end('!');
  assert.deepEqual(seen, ['6869', '0102', '21']);
  assert.deepEqual(s.wrote.map(([c]) => (Buffer.isBuffer(c) ? c.toString('hex') : c)), ['hi', '0102', '', '!']);
});

test('ClientCapture holds bytes written before the open, then reports them after it; closes once', () => {
  const { capture, log } = recorder();
  const tap = new ClientCapture(capture, 'c1');
  tap.chunk('c2s', Buffer.from('GET /'));
  tap.close('never opened');
  assert.deepEqual(log, []);
  tap.open(new StandIn().asSocket(), 'http', false);
  tap.chunk('s2c', Buffer.from('HTTP/1.1 101'));
  tap.switchProtocol('ws', 5, 12);
  tap.close('bye');
  tap.close('again');
  assert.deepEqual(log, ['open client http 80', 'c2s GET /', 's2c HTTP/1.1 101', 'switch ws 5 12', 'close bye']);
});

test('tapClientSocket: open on connect, writes c2s (copied), reads s2c, close with the reason', () => {
  const { capture, log } = recorder();
  const s = new StandIn();
  const tap = new ClientCapture(capture, 'c2');
  tapClientSocket(s.asSocket(), tap, { protocol: 'http', tls: false, reason: () => 'done' });
  const early = Buffer.from('hello');
  s.asSocket().write(early);
  early.fill(0x78); // the writer reuses its buffer: the capture kept a copy
  s.emit('connect');
  s.emit('data', Buffer.from('world'));
  s.emit('close');
  assert.deepEqual(log, ['open client http 80', 'c2s hello', 's2c world', 'close done']);
});
