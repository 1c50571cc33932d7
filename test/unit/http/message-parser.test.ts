import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpMessageParser } from '../../../server-core/http/message-parser.js';
import { HttpParseError, type MessageHead, type RequestHead, type ResponseHead } from '../../../server-core/http/parser-types.js';
import { parseChunks, splitVariants, type ParseOptions } from './parser-harness.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const REQ: ParseOptions = { kind: 'request' };
const RES: ParseOptions = { kind: 'response' };

/** Parses whole and at every split; asserts all agree; returns the log. */
function parse(input: string, opts: ParseOptions = REQ): string[] {
  const bytes = b(input);
  const whole = parseChunks([bytes], opts);
  for (const v of splitVariants(bytes)) assert.deepEqual(parseChunks(v.chunks, opts), whole, v.name);
  return whole;
}

function errorOf(input: string, opts: ParseOptions = REQ): string {
  const log = parse(input, opts);
  const last = log[log.length - 1];
  assert.match(last, /^error /, log.join('\n'));
  return last;
}

function heads(input: string, opts: ParseOptions = REQ): MessageHead[] {
  const out: MessageHead[] = [];
  const p = new HttpMessageParser(opts.kind, {
    onHead: (h) => {
      out.push(h);
    },
    onMessageComplete: () => {},
    onError: (e) => {
      throw e;
    },
  }, opts.limits);
  p.push(b(input));
  return out;
}

test('a GET with headers: spans, values trimmed of OWS, keep-alive', () => {
  const log = parse('GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nAccept:\t text/html \t\r\n\r\n');
  assert.deepEqual(log, [
    'request GET "/a?b=1" origin 1.1 line=0..19 method=0..3 target=4..10 version=11..19',
    'header "Host" "example.com" line=21..38 name=21..25 value=27..38',
    'header "Accept" "text/html" line=40..60 name=40..46 value=49..58',
    'head 0..64 keepAlive=true cl=null chunked=false upgrade=false expect=false',
    'complete 0..64',
  ]);
});

test('pipelined requests in one push, offsets keep counting', () => {
  const one = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';
  const two = 'POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc';
  const log = parse(one + two + one);
  const completes = log.filter((l) => l.startsWith('complete'));
  const n1 = one.length;
  const n2 = two.length;
  assert.deepEqual(completes, [`complete 0..${n1}`, `complete ${n1}..${n1 + n2}`, `complete ${n1 + n2}..${2 * n1 + n2}`]);
  assert.ok(log.includes(`body ${n1 + n2 - 3}..${n1 + n2} "abc"`));
});

test('empty lines before a request line are skipped', () => {
  const log = parse('\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(log[0], 'request GET "/" origin 1.1 line=4..18 method=4..7 target=8..9 version=10..18');
  assert.equal(log[log.length - 1], 'complete 4..31');
});

test('request-target forms', () => {
  const form = (line: string): string => (heads(`${line}\r\nHost: a\r\n\r\n`)[0] as RequestHead).targetForm;
  assert.equal(form('GET /x HTTP/1.1'), 'origin');
  assert.equal(form('GET http://a/x HTTP/1.1'), 'absolute');
  assert.equal(form('CONNECT a.example:443 HTTP/1.1'), 'authority');
  assert.equal(form('CONNECT [::1]:8080 HTTP/1.1'), 'authority');
  assert.equal(form('OPTIONS * HTTP/1.1'), 'asterisk');
  assert.equal(errorOf('GET * HTTP/1.1\r\n'), 'error INVALID_TARGET 400 @4');
  assert.equal(errorOf('CONNECT /x HTTP/1.1\r\n'), 'error INVALID_TARGET 400 @8');
  assert.equal(errorOf('CONNECT a.example HTTP/1.1\r\n'), 'error INVALID_TARGET 400 @8');
  assert.equal(errorOf('GET 1http://a HTTP/1.1\r\n'), 'error INVALID_TARGET 400 @4');
  assert.equal(errorOf('GET /a\x7fb HTTP/1.1\r\n'), 'error INVALID_TARGET 400 @6');
});

test('methods are tokens; versions are HTTP/1.x; other majors are 505', () => {
  assert.equal(errorOf('G(T / HTTP/1.1\r\n'), 'error INVALID_METHOD 400 @1');
  assert.equal(errorOf(' GET / HTTP/1.1\r\n'), 'error INVALID_METHOD 400 @0');
  assert.equal(errorOf('GET  / HTTP/1.1\r\n'), 'error INVALID_TARGET 400 @4');
  assert.equal(errorOf('GET / HTTP/1.1 \r\n'), 'error INVALID_VERSION 400 @14');
  assert.equal(errorOf('GET / HTTP/1\r\n'), 'error INVALID_VERSION 400 @12');
  assert.equal(errorOf('GET / http/1.1\r\n'), 'error INVALID_VERSION 400 @6');
  assert.equal(errorOf('GET / HTTP/1.x\r\n'), 'error INVALID_VERSION 400 @13');
  assert.equal(errorOf('GET / HTTP/2.0\r\n'), 'error UNSUPPORTED_VERSION 505 @11');
  assert.equal(errorOf('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), 'error UNSUPPORTED_VERSION 505 @11');
  const h = heads('GET / HTTP/1.0\r\n\r\n')[0];
  assert.equal(h.versionMinor, 0);
});

test('keep-alive rules for HTTP/1.0 and 1.1', () => {
  const ka = (s: string): boolean => heads(s)[0].keepAlive;
  assert.equal(ka('GET / HTTP/1.1\r\nHost: a\r\n\r\n'), true);
  assert.equal(ka('GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n'), false);
  assert.equal(ka('GET / HTTP/1.0\r\n\r\n'), false);
  assert.equal(ka('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'), true);
  assert.equal(ka('GET / HTTP/1.0\r\nConnection: ,\t, KEEP-ALIVE ,\r\n\r\n'), true);
  assert.equal(ka('GET / HTTP/1.0\r\nConnection: keep alive\r\n\r\n'), false);
  assert.equal(ka('GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive,close\r\n\r\n'), false);
  assert.equal(ka('GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n'), true);
  const up = (s: string): boolean => heads(s)[0].upgrade;
  assert.equal(up('GET / HTTP/1.1\r\nHost: a\r\nUpgrade: x\r\nConnection: keep-alive,upgrade\r\n\r\n'), true);
  assert.equal(up('GET / HTTP/1.1\r\nHost: a\r\nUpgrade: x\r\nConnection: upgraded\r\n\r\n'), false);
});

test('Expect: 100-continue is flagged', () => {
  const h = heads('PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n')[0] as RequestHead;
  assert.equal(h.expectContinue, true);
});

test('chunked body with extensions and trailers', () => {
  const log = parse('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-T: v\r\n\r\n');
  assert.deepEqual(log.slice(3), [
    'head 0..56 keepAlive=true cl=null chunked=true upgrade=false expect=false',
    'chunk 3 ";x=1" line=56..63 size=56..57',
    'body 63..66 "abc"',
    'chunk 10 "" line=68..71 size=68..69',
    'body 71..81 "0123456789"',
    'chunk 0 "" line=83..86 size=83..84',
    'trailer "X-T" "v" line=86..92 name=86..89 value=91..92',
    'trailers 86..96',
    'complete 0..96',
  ]);
});

test('smuggling defences', () => {
  assert.equal(errorOf('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'), 'error CONTENT_LENGTH_WITH_TRANSFER_ENCODING 400 @64');
  assert.equal(errorOf('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n'), 'error INVALID_TRANSFER_ENCODING 400 @45');
  assert.equal(errorOf('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n'), 'error INVALID_TRANSFER_ENCODING 400 @45');
  assert.equal(errorOf('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n'), 'error INVALID_TRANSFER_ENCODING 400 @73');
  assert.equal(errorOf('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n'), 'error CONFLICTING_CONTENT_LENGTH 400 @61');
  assert.match(parse('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc').join('\n'), /complete 0\.\.69/);
  assert.equal(errorOf('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n'), 'error INVALID_CONTENT_LENGTH 400 @42');
  assert.equal(errorOf('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3 4\r\n\r\n'), 'error INVALID_CONTENT_LENGTH 400 @43');
  assert.equal(errorOf('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n'), 'error INVALID_CONTENT_LENGTH 400 @57');
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n'), 'error OBS_FOLD 400 @25');
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n'), 'error BARE_LF 400 @23');
  assert.equal(errorOf('GET / HTTP/1.1\nHost: a\r\n\r\n'), 'error BARE_LF 400 @14');
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n'), 'error BARE_CR 400 @23');
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost : a\r\n\r\n'), 'error WHITESPACE_BEFORE_COLON 400 @20');
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: a\x00b\r\n\r\n'), 'error INVALID_HEADER_VALUE 400 @23');
  assert.equal(errorOf('GET / HTTP/1.1\r\nH@st: a\r\n\r\n'), 'error INVALID_HEADER_NAME 400 @17');
  assert.equal(errorOf('GET / HTTP/1.1\r\n: a\r\n\r\n'), 'error INVALID_HEADER_NAME 400 @16');
  assert.equal(errorOf('GET / HTTP/1.1\r\nX: y\r\n\r\n'), 'error MISSING_HOST 400 @22');
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n'), 'error DUPLICATE_HOST 400 @25');
});

test('chunk-size defences', () => {
  const head = 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n';
  const at = head.length;
  assert.equal(errorOf(head + 'x\r\n'), `error INVALID_CHUNK_SIZE 400 @${at}`);
  assert.equal(errorOf(head + '-1\r\n'), `error INVALID_CHUNK_SIZE 400 @${at}`);
  assert.equal(errorOf(head + '0x5\r\n'), `error INVALID_CHUNK_SIZE 400 @${at + 1}`);
  assert.equal(errorOf(head + '5 \r\n'), `error INVALID_CHUNK_SIZE 400 @${at + 2}`);
  assert.equal(errorOf(head + 'fffffffffffffffff\r\n'), `error INVALID_CHUNK_SIZE 400 @${at + 13}`);
  assert.equal(errorOf(head + '5\nhello'), `error BARE_LF 400 @${at + 1}`);
  assert.equal(errorOf(head + '3\r\nabcX'), `error INVALID_CHUNK_DATA_END 400 @${at + 6}`);
  assert.equal(errorOf(head + '3\r\nabc\rX'), `error BARE_CR 400 @${at + 6}`);
  assert.equal(errorOf(head + '3;a\x00\r\n'), `error INVALID_CHUNK_EXTENSION 400 @${at + 3}`);
});

test('limits and their statuses', () => {
  assert.equal(errorOf('GET /aaaaaaaaaa HTTP/1.1\r\n', { kind: 'request', limits: { maxStartLineBytes: 10 } }), 'error START_LINE_TOO_LONG 414 @10');
  assert.equal(errorOf('GET /aaaaaaaaaa', { kind: 'request', limits: { maxStartLineBytes: 10 } }), 'error START_LINE_TOO_LONG 414 @10');
  assert.equal(parse('GET / HTTP/1.1\r\nHost: a\r\n\r\n', { kind: 'request', limits: { maxStartLineBytes: 14 } }).at(-1), 'complete 0..27');
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: a\r\nX: 123456789\r\n\r\n', { kind: 'request', limits: { maxHeaderBytes: 20 } }), 'error HEADERS_TOO_LARGE 431 @36');
  assert.equal(parse('GET / HTTP/1.1\r\nHost: a\r\n\r\n', { kind: 'request', limits: { maxHeaderBytes: 11 } }).at(-1), 'complete 0..27');
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: a\r\n\r\n', { kind: 'request', limits: { maxHeaderBytes: 10 } }), 'error HEADERS_TOO_LARGE 431 @26');
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n', { kind: 'request', limits: { maxHeaderCount: 1 } }), 'error TOO_MANY_HEADERS 431 @25');
  assert.equal(errorOf('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n', { kind: 'request', limits: { maxBodyBytes: 10 } }), 'error BODY_TOO_LARGE 413 @42');
  const chunked = 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n';
  assert.equal(errorOf(chunked + '5\r\nhello\r\n6\r\n', { kind: 'request', limits: { maxBodyBytes: 10 } }), `error BODY_TOO_LARGE 413 @${chunked.length + 10}`);
  assert.equal(errorOf(chunked + '5;abcdef\r\n', { kind: 'request', limits: { maxChunkExtensionBytes: 4 } }), `error CHUNK_EXTENSION_TOO_LARGE 413 @${chunked.length + 5}`);
});

test('upgrade and CONNECT are handed to the owner with the rest of the bytes', () => {
  const up = 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';
  const log = parse(up + '\x81\x00more', { kind: 'request', upgrade: true });
  assert.deepEqual(log.slice(-3), [`head 0..${up.length} keepAlive=true cl=null chunked=false upgrade=true expect=false`, `complete 0..${up.length}`, 'upgrade "\\x81\\x00more"']);
  const plain = parse(up + 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(plain.filter((l) => l.startsWith('complete')).length, 2);
  const connect = parse('CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n\x16\x03', { kind: 'request', upgrade: true });
  assert.equal(connect.at(-1), 'upgrade "\\x16\\x03"');
});

test('responses: status line, bodies by length, chunked, until EOF, bodiless statuses', () => {
  assert.deepEqual(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi', RES), [
    'response 200 "OK" 1.1 line=0..15 version=0..8 status=9..12 reason=13..15',
    'header "Content-Length" "2" line=17..34 name=17..31 value=33..34',
    'head 0..38 keepAlive=true cl=2 chunked=false upgrade=false',
    'body 38..40 "hi"',
    'complete 0..40',
  ]);
  const eof = parse('HTTP/1.1 200 OK\r\n\r\nabc', { kind: 'response', eof: true });
  assert.deepEqual(eof.slice(-3), ['head 0..19 keepAlive=false cl=null chunked=false upgrade=false', 'body 19..22 "abc"', 'complete 0..22']);
  const interim = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n', RES);
  assert.equal(interim.filter((l) => l.startsWith('complete')).length, 3);
  const head = parse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\n\r\n', { kind: 'response', noBody: true });
  assert.equal(head.filter((l) => l.startsWith('complete')).length, 2);
  assert.equal(parse('HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n', RES)[0], 'response 200 "" 1.1 line=0..12 version=0..8 status=9..12 reason=12..12');
  assert.equal(errorOf('HTTP/1.1 20 OK\r\n', RES), 'error INVALID_STATUS 400 @11');
  assert.equal(errorOf('HTTP/1.1 099 OK\r\n', RES), 'error INVALID_STATUS 400 @9');
  assert.equal(errorOf('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab', { kind: 'response', eof: true }), 'error UNEXPECTED_EOF 400 @52');
  const switching = parse('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi', { kind: 'response', upgrade: true });
  assert.equal(switching.at(-1), 'upgrade "\\x81\\x02hi"');
  const te = heads('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', RES)[0] as ResponseHead;
  assert.equal(te.chunked, false);
  assert.equal(te.keepAlive, false);
});

test('finish(): nothing between messages, UNEXPECTED_EOF inside one', () => {
  assert.deepEqual(parse('GET / HTTP/1.1\r\nHost: a\r\n\r\n', { kind: 'request', eof: true }).at(-1), 'complete 0..27');
  assert.equal(errorOf('GET / HTTP/1.1\r\nHost: a\r\n', { kind: 'request', eof: true }), 'error UNEXPECTED_EOF 400 @25');
  assert.equal(errorOf('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab', { kind: 'request', eof: true }), 'error UNEXPECTED_EOF 400 @49');
});

test('after an error the parser ignores input; reset() makes it new', () => {
  const errors: HttpParseError[] = [];
  let completes = 0;
  const p = new HttpMessageParser('request', {
    onHead: () => {},
    onMessageComplete: () => completes++,
    onError: (e) => errors.push(e),
  });
  p.push(b('GET / HTTP/1.1\nHost: a\r\n\r\n'));
  p.push(b('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof HttpParseError);
  assert.equal(completes, 0);
  p.reset();
  p.push(b('GET / HTTP/1.1\r\nHost: a\r\n\r\n'));
  assert.equal(completes, 1);
});

test('body slices are views of the pushed chunk', () => {
  const input = b('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc');
  let seen: Buffer | undefined;
  const p = new HttpMessageParser('request', {
    onHead: () => {},
    onBody: (d) => (seen = d),
    onMessageComplete: () => {},
    onError: (e) => {
      throw e;
    },
  });
  p.push(input);
  assert.ok(seen && seen.buffer === input.buffer && seen.byteOffset === input.byteOffset + input.length - 3);
});

test('handlers may be a class instance: callbacks keep their `this`', () => {
  class Owner {
    readonly events: string[] = [];
    onHead(h: MessageHead): void {
      this.events.push(`head ${h.kind}`);
    }
    onBody(d: Buffer): void {
      this.events.push(`body ${d.toString('latin1')}`);
    }
    onChunkHeader(c: { size: number }): void {
      this.events.push(`chunk ${c.size}`);
    }
    onTrailers(t: { name: string }[]): void {
      this.events.push(`trailers ${t.length}`);
    }
    onMessageComplete(): void {
      this.events.push('complete');
    }
    onUpgrade(rest: Buffer): void {
      this.events.push(`upgrade ${rest.length}`);
    }
    onError(e: HttpParseError): void {
      this.events.push(`error ${e.code}`);
    }
  }
  const owner = new Owner();
  const p = new HttpMessageParser('request', owner);
  p.push(b('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX: y\r\n\r\n'));
  p.push(b('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok'));
  assert.deepEqual(owner.events, ['head request', 'chunk 2', 'body hi', 'chunk 0', 'trailers 1', 'complete', 'head request', 'body ok', 'complete']);
});

test('default limits: 8 KiB request line, 16 KiB header section, 100 fields, 64 MiB body, 16 KiB chunk extensions', () => {
  const errs = (input: string): string[] => parseChunks([b(input)], REQ).filter((l) => l.startsWith('error'));
  const target = '/' + 'a'.repeat(8192 - 'GET / HTTP/1.1'.length);
  assert.deepEqual(errs(`GET ${target} HTTP/1.1\r\nHost: a\r\n\r\n`), []);
  assert.deepEqual(errs(`GET ${target}a HTTP/1.1\r\nHost: a\r\n\r\n`), ['error START_LINE_TOO_LONG 414 @8192']);
  const big = 'X: ' + 'v'.repeat(16 * 1024 - 'Host: a\r\nX: \r\n\r\n'.length);
  assert.deepEqual(errs(`GET / HTTP/1.1\r\nHost: a\r\n${big}\r\n\r\n`), []);
  assert.deepEqual(errs(`GET / HTTP/1.1\r\nHost: a\r\n${big}v\r\n\r\n`), [`error HEADERS_TOO_LARGE 431 @${16 + 16 * 1024}`]);
  const fields = (n: number): string => Array.from({ length: n }, (_, i) => `X${i}: v\r\n`).join('');
  assert.deepEqual(errs(`GET / HTTP/1.1\r\nHost: a\r\n${fields(99)}\r\n`), []);
  assert.equal(errs(`GET / HTTP/1.1\r\nHost: a\r\n${fields(100)}\r\n`)[0]?.split(' ').slice(0, 3).join(' '), 'error TOO_MANY_HEADERS 431');
  assert.deepEqual(errs(`POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`), []);
  assert.deepEqual(errs(`POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${64 * 1024 * 1024 + 1}\r\n\r\n`), ['error BODY_TOO_LARGE 413 @42']);
  const chunked = 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n';
  assert.deepEqual(errs(`${chunked}1;${'e'.repeat(16 * 1024 - 1)}\r\nx\r\n0\r\n\r\n`), []);
  assert.deepEqual(errs(`${chunked}1;${'e'.repeat(16 * 1024)}\r\nx\r\n0\r\n\r\n`), [`error CHUNK_EXTENSION_TOO_LARGE 413 @${chunked.length + 1 + 16 * 1024}`]);
});

test('a huge line in one push is refused without being buffered', () => {
  const log = parseChunks([b('GET /' + 'a'.repeat(1 << 20))], REQ);
  assert.deepEqual(log, ['error START_LINE_TOO_LONG 414 @8192']);
});

test('a header field reads, and serialises to JSON, as the plain HeaderField shape (spans built on demand)', () => {
  let head: MessageHead | undefined;
  const p = new HttpMessageParser('request', { onHead: (h) => void (head = h), onMessageComplete: () => {}, onError: (e) => assert.fail(e.message) });
  // Two messages: spans keep counting across pipelined heads.
  p.push(b('GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nX-Pad:  v w \t\r\nHost: b\r\n\r\n'));
  const fields = head!.headers;
  const start = 'GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\n'.length;
  const plain = {
    name: 'X-Pad',
    value: 'v w',
    lineSpan: { start, end: start + 'X-Pad:  v w \t'.length },
    nameSpan: { start, end: start + 5 },
    valueSpan: { start: start + 8, end: start + 11 },
  };
  assert.deepEqual({ name: fields[0].name, value: fields[0].value, lineSpan: fields[0].lineSpan, nameSpan: fields[0].nameSpan, valueSpan: fields[0].valueSpan }, plain);
  assert.deepEqual(JSON.parse(JSON.stringify(fields[0])), plain);
  // Each read is a fresh object: a caller that changes one cannot move the field.
  fields[0].lineSpan.start = -1;
  assert.equal(fields[0].lineSpan.start, start);
  assert.equal(fields[1].name, 'Host');
  assert.equal(fields[1].value, 'b');
});
