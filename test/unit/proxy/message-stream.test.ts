// MessageStream hands on every byte exactly once, attributed to its message,
// whatever the split of the input: whole, at every byte position, byte by byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HeadDecision, HttpParseError, MessageHead } from '../../../server-core/http/parser-types.js';
import { MessageStream, type MessageStreamOwner } from '../../../server-core/proxy/message-stream.js';

interface Log {
  /** One string per message: its head (with what preceded it) and body bytes. */
  messages: string[];
  raw: string;
  error?: string;
  unread?: string;
  all: string;
}

function run(kind: 'request' | 'response', pieces: Buffer[], decide: (head: MessageHead) => HeadDecision = () => undefined, onErrorRaw = false): Log {
  const log: Log = { messages: [], raw: '', all: '' };
  let current: string | null = null;
  let stream!: MessageStream;
  const owner: MessageStreamOwner = {
    onHead(head, bytes) {
      current = Buffer.concat(bytes).toString('latin1');
      log.all += current;
      return decide(head);
    },
    onBody(bytes) {
      assert.ok(current !== null, 'body bytes belong to a message');
      current += bytes.toString('latin1');
      log.all += bytes.toString('latin1');
    },
    onEnd() {
      log.messages.push(current!);
      current = null;
    },
    onError(err: HttpParseError, unread) {
      log.error = err.code;
      log.unread = Buffer.concat(unread).toString('latin1');
      log.all += log.unread;
      if (onErrorRaw) stream.toRaw();
    },
    onUpgrade(rest) {
      log.raw += rest.toString('latin1');
      log.all += rest.toString('latin1');
    },
    onRaw(bytes) {
      log.raw += bytes.toString('latin1');
      log.all += bytes.toString('latin1');
    },
  };
  stream = new MessageStream(kind, owner);
  for (const p of pieces) stream.push(p);
  stream.finish();
  assert.equal(stream.delivered, stream.offset, 'every byte handed on');
  return log;
}

function splits(text: string): Buffer[][] {
  const b = Buffer.from(text, 'latin1');
  const out: Buffer[][] = [[b], [...b].map((x) => Buffer.from([x]))];
  for (let i = 1; i < b.length; i++) out.push([b.subarray(0, i), b.subarray(i)]);
  return out;
}

const PIPELINED =
  'GET /a HTTP/1.1\r\nHost: x\r\n\r\n' +
  '\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc' +
  'PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;ext=1\r\nhi\r\n0\r\nTrailer: t\r\n\r\n';

test('pipelined requests: every split gives the same messages, and every byte once', () => {
  const expected = [
    'GET /a HTTP/1.1\r\nHost: x\r\n\r\n',
    '\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc',
    'PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;ext=1\r\nhi\r\n0\r\nTrailer: t\r\n\r\n',
  ];
  for (const pieces of splits(PIPELINED)) {
    const log = run('request', pieces);
    assert.deepEqual(log.messages, expected, `split ${pieces.map((p) => p.length).join('+')}`);
    assert.equal(log.all, PIPELINED);
  }
});

test('responses: a body read until close ends with the stream; HEAD answered with no-body', () => {
  const text = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\nuntil close';
  let n = 0;
  for (const pieces of splits(text)) {
    n = 0;
    const log = run('response', pieces, () => (n++ === 0 ? 'no-body' : undefined));
    assert.deepEqual(log.messages, ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 'HTTP/1.1 200 OK\r\n\r\nuntil close']);
  }
});

test('an upgrade: the rest of the stream is raw, from the byte after the head', () => {
  const text = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi\x88\x00';
  for (const pieces of splits(text)) {
    const log = run('response', pieces, (h) => (h.kind === 'response' && h.statusCode === 101 ? 'upgrade' : undefined));
    assert.equal(log.messages.length, 1);
    assert.equal(log.raw, '\x81\x02hi\x88\x00');
    assert.equal(log.all, text);
  }
});

test('an error hands on everything unread; the owner may go raw for the rest', () => {
  const text = 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /bad HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\nmore bytes';
  for (const pieces of splits(text)) {
    const log = run('request', pieces, undefined, true);
    assert.equal(log.error, 'WHITESPACE_BEFORE_COLON');
    assert.deepEqual(log.messages, ['GET /ok HTTP/1.1\r\nHost: x\r\n\r\n']);
    assert.equal(log.all, text, 'unread + raw = the rest, once');
  }
  const cut = run('request', [Buffer.from('GET / HTTP/1.1\r\nHo')]);
  assert.equal(cut.error, 'UNEXPECTED_EOF');
  assert.equal(cut.unread, 'GET / HTTP/1.1\r\nHo');
});

test('restart: bytes held after an upgrade request are parsed as HTTP again, at their offsets', () => {
  const events: string[] = [];
  const held: Buffer[] = [];
  const stream: MessageStream = new MessageStream('request', {
    onHead: (h) => {
      events.push(`head ${(h as { target: string }).target} @${stream.delivered}`);
      return (h as { target: string }).target === '/ws' ? 'upgrade' : undefined;
    },
    onBody: () => {},
    onEnd: () => events.push('end'),
    onError: (e) => assert.fail(e.message),
    onUpgrade: (rest) => held.push(Buffer.from(rest)),
    onRaw: (b) => held.push(Buffer.from(b)),
  });
  const up = 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n';
  const next = 'GET /next HTTP/1.1\r\nHost: x\r\n\r\n';
  stream.push(Buffer.from(up + next.slice(0, 10)));
  stream.push(Buffer.from(next.slice(10)));
  assert.deepEqual(events, [`head /ws @${up.length}`, 'end']);
  stream.restart(held);
  assert.deepEqual(events, [`head /ws @${up.length}`, 'end', `head /next @${up.length + next.length}`, 'end']);
  assert.equal(stream.offset, up.length + next.length);
});
