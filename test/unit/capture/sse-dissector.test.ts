// The events of a captured event stream, drawn over a chunked response: each
// block and line of the WHATWG rules at its bytes on the wire, with an event
// (and one of its lines) split across two chunks, a comment block, a line
// without a colon, a `retry` the rules ignore, an `id` with NUL, and a block
// the stream was cut inside. Fed whole and byte by byte: the same fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, field, shape } from './dissect-helpers.js';
import type { DissectedField } from '../../../server-core/capture/dissection-types.js';

const REQ = Buffer.from('GET /events HTTP/1.1\r\nHost: a\r\nAccept: text/event-stream\r\n\r\n');
const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
// The comment's CRLF is split between two chunks; the second event's data line "data: two" is split between two chunks ("da" | "ta: two\n\n").
const BODY = [': hb\r', '\n\r\n', 'event: tick\nid: 1\ndata: one\n\nda', 'ta: two\n\nretry: 1x\nid: a\0b\ndata\n\n', 'data: cut'];
const RES = Buffer.from(HEAD + BODY.map(chunk).join(''));

function blocks(fields: DissectedField[]): DissectedField[] {
  return field(fields, 'Event stream').children ?? [];
}

test('a cut event stream: events, comments and lines at their raw bytes across chunks', () => {
  const msgs = run('http', [
    { dir: 'c2s', bytes: REQ },
    { dir: 's2c', bytes: RES },
  ]);
  const m = msgs[1];
  assert.equal(m.kind, 'http-response');
  assert.equal(m.summary, '200 OK (81 B body) · 3 events — malformed', 'cut: the connection ended inside the chunked body');
  const bs = blocks(m.fields);
  assert.deepEqual(bs.map((b) => b.name), ['Comments', 'Event', 'Event', 'Event', 'Cut block']);
  const text = (f: DissectedField) => RES.subarray(f.range.start, f.range.end).toString('latin1');
  assert.equal(text(bs[0]), ': hb\r\r\n3\r\n\n\r\n', 'a CRLF split between two chunks: one line end, chunk framing inside the span');
  assert.deepEqual(bs[0].children!.map((l) => text(l)), [': hb\r\r\n3\r\n\n', '\r\n']);
  assert.equal(text(bs[1]), 'event: tick\nid: 1\ndata: one\n\n');
  assert.equal(bs[1].value, 'tick #1 "one"');
  // The split line spans the chunk framing between its two pieces.
  const split = bs[2].children![0];
  assert.equal(split.name, 'data');
  assert.equal(text(split), 'da\r\n21\r\nta: two\n');
  assert.match(bs[2].explain!, /on 2 pieces of wire/);
  assert.equal(text(field(bs[2].children!, 'data', 'Value')), 'two');
  // The third block: an ignored retry, an ignored id (NUL), a data line without a colon.
  const third = bs[3].children!;
  assert.deepEqual(third.map((l) => [l.name, l.explain?.split(':')[0]]), [
    ['retry', 'Ignored'],
    ['id', 'Ignored'],
    ['data', 'Appended to the data buffer, then a LF (no colon'],
    ['Empty line', 'Ends the block'],
  ]);
  assert.equal(bs[3].value, 'message #1 ""', 'the id stayed 1: the NUL id was ignored');
  assert.equal(text(bs[4]), 'data: cut');
  assert.equal(bs[4].children![0].name, 'Partial line');
});

test('the same fields whether the bytes come whole or byte by byte', () => {
  const feeds = [
    { dir: 'c2s' as const, bytes: REQ },
    { dir: 's2c' as const, bytes: RES },
  ];
  assert.deepEqual(run('http', feeds, 'bytes').map(shape), run('http', feeds).map(shape));
});

test('a response that is not an event stream has no Event stream field', () => {
  const res = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\ndata: one\n\n');
  const [, m] = run('http', [
    { dir: 'c2s', bytes: REQ },
    { dir: 's2c', bytes: res },
  ]);
  assert.ok(!m.fields.some((f) => f.name === 'Event stream'));
});
