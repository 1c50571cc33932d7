// The retained window of an HTTP direction (the bytes of the message in
// progress, for error reports and protocol switches) keeps the pushed chunks as
// views: recording a large response copies none of it. A small slice of a large
// buffer is copied, so the window never keeps much more memory alive than it holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
import { RETAIN_LIMIT, RetainedBytes, retainedStats } from '../../../server-core/capture/retained-bytes.js';

test('recording a 1 MiB response in whole 64 KiB reads copies none of it into the retained window', () => {
  const store = new CaptureStore();
  store.open({
    connectionId: 'c1',
    side: 'client',
    protocol: 'http',
    tls: false,
    local: { address: '10.0.0.1', port: 50000 },
    remote: { address: '10.0.0.2', port: 80 },
    t: 0,
    wallTime: 0,
  });
  const size = 1024 * 1024;
  const wire = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`), Buffer.alloc(size, 0x61)]);
  store.chunk('c1', 'c2s', 1, Buffer.from('GET /big HTTP/1.1\r\nHost: a\r\n\r\n'));
  const before = retainedStats.copiedBytes;
  for (let i = 0, t = 2; i < wire.length; i += 64 * 1024) {
    // What a socket read is: a buffer of its own, exactly sized.
    const read = Buffer.alloc(Math.min(64 * 1024, wire.length - i));
    wire.copy(read, 0, i);
    store.chunk('c1', 's2c', t++, read);
  }
  assert.equal(retainedStats.copiedBytes - before, 0, 'the retained window copied bytes of whole reads');
  const res = store.messages('c1').find((m) => m.kind === 'http-response');
  assert.equal(res?.summary, '200 OK (1 048 576 B body)');
});

test('a small slice of a large buffer is copied; a whole buffer is kept as it is; the bytes read back are the ones pushed', () => {
  const large = Buffer.alloc(1024 * 1024, 0x62);
  large.write('GET /', 0, 'latin1');
  const w = new RetainedBytes(0);
  let before = retainedStats.copiedBytes;
  w.add(large.subarray(0, 100));
  assert.equal(retainedStats.copiedBytes - before, 100, 'a 100-byte view of 1 MiB must not keep the megabyte alive');
  const whole = Buffer.from('HTTP/1.1 200 OK\r\n\r\n'.padEnd(5000, 'x'));
  before = retainedStats.copiedBytes;
  w.add(whole);
  assert.equal(retainedStats.copiedBytes - before, 0);
  const got = w.from(0, 5100)!;
  assert.equal(got.length, 5100);
  assert.equal(got.subarray(0, 5).toString('latin1'), 'GET /');
  assert.ok(got.subarray(100).equals(whole));
  // Past the limit nothing more is kept.
  w.add(Buffer.alloc(RETAIN_LIMIT));
  assert.equal(w.from(0, 5100 + RETAIN_LIMIT)!.length, RETAIN_LIMIT);
  // A restart keeps the tail after the message's end.
  w.restartAt(150, undefined);
  assert.equal(w.start, 150);
  assert.ok(w.from(150, 5100 + RETAIN_LIMIT)!.subarray(0, 4950).equals(whole.subarray(50)));
});
