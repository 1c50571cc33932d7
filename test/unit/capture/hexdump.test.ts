import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
import { hexdump } from '../../../server-core/capture/hexdump.js';

function store(maxBytes?: number): CaptureStore {
  const s = new CaptureStore(maxBytes ? { maxBytes, evictMarginBytes: 0 } : {});
  s.open({
    connectionId: 'c1',
    side: 'client',
    protocol: 'http',
    tls: false,
    local: { address: '127.0.0.1', port: 50000 },
    remote: { address: '127.0.0.1', port: 8080 },
    t: 0,
    wallTime: 0,
  });
  return s;
}

test('offsets, hex, ASCII, direction and the fields of each line', () => {
  const s = store();
  s.chunk('c1', 'c2s', 1, Buffer.from('GET /echo HTTP/1.1\r\nHost: a\r\n\r\n'));
  s.chunk('c1', 's2c', 2, Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
  const out = hexdump(s.chunks('c1'), s.messages('c1'));
  assert.equal(
    out,
    [
      '── c2s  GET /echo HTTP/1.1',
      'c2s 00000000  47 45 54 20 2f 65 63 68  6f 20 48 54 54 50 2f 31  |GET /echo HTTP/1|  Method, Target, Version',
      'c2s 00000010  2e 31 0d 0a 48 6f 73 74  3a 20 61 0d 0a 0d 0a     |.1..Host: a.... |  Version, Host, End of head',
      '── s2c  204 No Content',
      's2c 00000000  48 54 54 50 2f 31 2e 31  20 32 30 34 20 4e 6f 20  |HTTP/1.1 204 No |  Version, Status, Reason',
      's2c 00000010  43 6f 6e 74 65 6e 74 0d  0a 0d 0a                 |Content....     |  Reason, End of head',
      '',
    ].join('\n'),
  );
});

test('errors are flagged on their line; drops and cut chunks are said', () => {
  const s = store(250);
  s.chunk('c1', 's2c', 1, Buffer.alloc(100, 0x41));
  s.chunk('c1', 'c2s', 2, Buffer.from('GET / HTTP/1.1\r\nBad Header\r\n\r\n'));
  const out = hexdump(s.chunks('c1'), s.messages('c1'), { maxBytesPerChunk: 16 });
  const lines = out.trimEnd().split('\n');
  assert.equal(lines[0], 's2c -- 8 bytes dropped (offsets 0–8) --');
  assert.match(out, /── c2s  Malformed request  ✗ whitespace between field name and colon at 19/);
  const full = hexdump(s.chunks('c1'), s.messages('c1'));
  assert.match(full, /^c2s 00000010 .*\|  ✗ Line!, Line$/m);
  assert.match(out, /c2s … 14 more bytes/);
  assert.ok(lines.some((l) => l.startsWith('c2s 00000000') && l.includes('Start line')));
});

test('colour is opt-in', () => {
  const s = store();
  s.chunk('c1', 'c2s', 1, Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
  assert.doesNotMatch(hexdump(s.chunks('c1'), s.messages('c1')), /\x1b\[/);
  assert.match(hexdump(s.chunks('c1'), s.messages('c1'), { color: true }), /\x1b\[36m/);
});
