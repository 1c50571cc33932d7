import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHttpFile } from '../../../server-core/httpfile/parse-http-file.js';
import { bytesAsText, describeOutcome, formatOutcome } from '../../../server-core/httpfile/format-outcome.js';
import type { BlockOutcome } from '../../../server-core/httpfile/run-http-file.js';
import type { RawExchange } from '../../../server-core/client/raw-sender.js';

const [ws, raw] = parseHttpFile('# @name chat\nWEBSOCKET ws://h/ws\n\nhi\n=== wait-for-server\n###\nRAW tcp://h:1\nx').blocks;

test('a WebSocket transcript: > for sent, < for received, binary escaped, then the close', () => {
  const outcome: BlockOutcome = {
    kind: 'websocket',
    block: ws,
    result: {
      url: 'ws://h/ws',
      protocol: '',
      extensions: '',
      transcript: [
        { dir: 'sent', t: 0, binary: false, data: Buffer.from('hi') },
        { dir: 'received', t: 1, binary: true, data: Buffer.from([0, 255]) },
      ],
      close: { code: 1000, reason: '', wasClean: true },
      ended: 'script',
    },
  };
  const d = describeOutcome(outcome);
  assert.equal(d.title, 'chat — WEBSOCKET ws://h/ws');
  assert.equal(d.received, '> hi\n< [binary, 2 bytes] \\0\\xff');
  assert.deepEqual(d.notes, ['* 1 sent, 1 received', '* closed 1000: the script ended']);
});

test('RAW: the bytes received with escapes; a failure lists its diagnostics', () => {
  const result = { received: Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), receivedBytes: 28, bytesSent: 1, truncated: false, end: 'peer-closed', unsentBytes: 0, timings: { dns: 0, connect: 1, tls: 0, firstByte: 2, total: 3 } } as unknown as RawExchange;
  const text = formatOutcome({ kind: 'raw', block: raw, result });
  assert.match(text, /^### RAW tcp:\/\/h:1\nHTTP\/1\.1 400 Bad Request\\r\\n\n\\r\\n\n\n\* sent 1 bytes, received 28 bytes; ended: peer-closed\n/);
  const failed = describeOutcome({ kind: 'failed', block: raw, message: 'line 8: nope', diagnostics: [{ line: 7, column: 0, endLine: 7, endColumn: 1, message: 'nope', severity: 'error' }] });
  assert.equal(failed.failed, true);
  assert.deepEqual(failed.notes, ['* not sent: line 8: nope', '* line 8, column 1: nope']);
});

test('bodies print as text when they are UTF-8, escaped otherwise', () => {
  assert.equal(bytesAsText(Buffer.from('héllo\n')), 'héllo\n');
  assert.equal(bytesAsText(Buffer.from([0x68, 0x00, 0xff])), 'h\\0\\xff');
});

test('a disabled request is a note, not a failure; a curl request is labelled by its first line', () => {
  const [off, curl] = parseHttpFile('# @name off\n# @disabled\nGET http://h/\n###\ncurl -X POST http://h/c \\\n  -d x\n').blocks;
  const d = describeOutcome({ kind: 'skipped', block: off, reason: '# @disabled' });
  assert.deepEqual([d.failed, d.notes], [false, ['* not sent: # @disabled']]);
  assert.equal(describeOutcome({ kind: 'failed', block: curl, message: 'm', diagnostics: [] }).title, 'curl -X POST http://h/c \\');
});
