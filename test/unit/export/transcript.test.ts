import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
import { toTranscript } from '../../../server-core/export/transcript.js';

function store(maxBytes?: number): CaptureStore {
  // evictMarginBytes 0: the drops below are exact (the default margin evicts a little further).
  const s = new CaptureStore(maxBytes ? { maxBytes, evictMarginBytes: 0 } : {});
  s.open({
    connectionId: 'c1',
    side: 'server',
    protocol: 'http',
    tls: false,
    local: { address: '127.0.0.1', port: 8080 },
    remote: { address: '127.0.0.1', port: 50000 },
    t: 0,
    wallTime: Date.UTC(2026, 0, 2, 3, 4, 5),
  });
  return s;
}

test('both directions in order, with times, connection ids and escapes', () => {
  const s = store();
  s.chunk('c1', 'c2s', 1, Buffer.from('GET /x HTTP/1.1\r\nHost: a\r\n\r\n'));
  s.chunk('c1', 's2c', 2.25, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\x00\t\\\xff', 'latin1'));
  s.switchProtocol({ connectionId: 'c1', t: 3, protocol: 'ws', c2sOffset: 29, s2cOffset: 42 });
  s.close({ connectionId: 'c1', t: 5, reason: 'timeout' });
  assert.equal(
    toTranscript(s.snapshot()),
    [
      '# c1  server side  127.0.0.1:50000 → 127.0.0.1:8080  http  opened 2026-01-02T03:04:05.000Z',
      '#   > client to server   < server to client',
      '+1.000 ms  c1  >  GET /x HTTP/1.1\\r\\n',
      '+1.000 ms  c1  >  Host: a\\r\\n',
      '+1.000 ms  c1  >  \\r\\n',
      '+2.250 ms  c1  <  HTTP/1.1 200 OK\\r\\n',
      '+2.250 ms  c1  <  Content-Length: 4\\r\\n',
      '+2.250 ms  c1  <  \\r\\n',
      '+2.250 ms  c1  <  \\x00\\t\\\\\\xff',
      '+3.000 ms  c1  =  switched to ws at c2s 29, s2c 42',
      '+5.000 ms  c1  x  closed (timeout)',
      '',
    ].join('\n'),
  );
});

test('drops are shown where they happened; long chunks are cut and long lines wrapped', () => {
  const s = store(300);
  s.chunk('c1', 'c2s', 1, Buffer.alloc(200, 0x61));
  s.chunk('c1', 'c2s', 2, Buffer.from('b'.repeat(50)));
  // 200 + 50 bytes and 2 × 64 of bookkeeping: 78 over, taken from the head of the first chunk.
  const text = toTranscript(s.snapshot(), { maxBytesPerChunk: 30, wrap: 16 });
  const lines = text.split('\n');
  assert.equal(lines[2], '+1.000 ms  c1  >  [78 bytes dropped at offset 0]');
  assert.equal(lines[3], '+1.000 ms  c1  >  aaaaaaaaaaaaaaaa');
  assert.equal(lines[4], '+1.000 ms  c1  >  … aaaaaaaaaaaaaa');
  assert.equal(lines[5], '+1.000 ms  c1  >  [… 92 more bytes]');
  assert.equal(lines[6], '+2.000 ms  c1  >  bbbbbbbbbbbbbbbb');
  assert.equal(lines[7], '+2.000 ms  c1  >  … bbbbbbbbbbbbbb');
  assert.equal(lines[8], '+2.000 ms  c1  >  [… 20 more bytes]');
  assert.equal(lines[9], '#   (still open)');
});

test('an event stream reconnect names the connection it follows in its header', () => {
  const s = new CaptureStore({});
  const base = { side: 'client' as const, protocol: 'http' as const, tls: false, local: { address: '127.0.0.1', port: 50001 }, remote: { address: '127.0.0.1', port: 8080 }, t: 0, wallTime: Date.UTC(2026, 0, 2, 3, 4, 5) };
  s.open({ ...base, connectionId: 'a' });
  s.open({ ...base, connectionId: 'b', previousConnectionId: 'a' });
  const headers = toTranscript(s.snapshot()).split('\n').filter((l) => l.startsWith('# ') && !l.startsWith('#   '));
  assert.ok(!headers[0].includes('reconnects'));
  assert.match(headers[1], /^# b .* {2}reconnects a$/);
});
