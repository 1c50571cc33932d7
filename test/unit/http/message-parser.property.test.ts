// Property tests: any chunking of any generated message stream yields the same parse, the parse
// matches what was generated, and no input ever throws out of push() or finish().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HttpMessageParser } from '../../../server-core/http/message-parser.js';
import type { MessageHead } from '../../../server-core/http/parser-types.js';
import { parseChunks, type ParseOptions } from './parser-harness.js';

const RUNS = 150;

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const tokenChar = fc.constantFrom(...TCHARS.split(''));
const token = fc.string({ unit: tokenChar, minLength: 1, maxLength: 12 });
const pathChar = fc.constantFrom(...'abcxyz019-._~%/?=&:@!$'.split(''));
const valueChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'abc XYZ 0189 ;,="/\t()'.split('')) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
);
const ows = fc.constantFrom('', ' ', '\t', '  ', ' \t');
/** A field value without leading or trailing whitespace (what the parser reports after trimming OWS). */
const fieldValue = fc.string({ unit: valueChar, maxLength: 24 }).map((v) => v.replace(/^[ \t]+|[ \t]+$/g, ''));
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'expect']);
const extraField = fc.record({ name: token.filter((n) => !RESERVED.has(n.toLowerCase())), value: fieldValue, before: ows, after: ows });

type Body = { kind: 'none' } | { kind: 'length'; data: string } | { kind: 'chunked'; chunks: { data: string; ext: string }[]; trailers: { name: string; value: string }[] };
const bodyData = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 40 });
const chunkExt = fc.constantFrom('', ';a', ';a=b', ' ;n="q v"', ';x;y=1');
const body: fc.Arbitrary<Body> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  bodyData.map((data) => ({ kind: 'length' as const, data })),
  fc.record({
    chunks: fc.array(fc.record({ data: bodyData.filter((d) => d.length > 0), ext: chunkExt }), { maxLength: 4 }),
    trailers: fc.array(fc.record({ name: token.filter((n) => !RESERVED.has(n.toLowerCase())), value: fieldValue }), { maxLength: 2 }),
  }).map((c) => ({ kind: 'chunked' as const, ...c })),
);

interface Msg {
  startLine: string;
  minor: 0 | 1;
  fields: { name: string; value: string; before: string; after: string }[];
  body: Body;
}

function serialize(m: Msg): string {
  let s = `${m.startLine}\r\n`;
  for (const f of m.fields) s += `${f.name}:${f.before}${f.value}${f.after}\r\n`;
  if (m.body.kind === 'length') s += `Content-Length: ${m.body.data.length}\r\n`;
  if (m.body.kind === 'chunked') s += 'Transfer-Encoding: chunked\r\n';
  s += '\r\n';
  if (m.body.kind === 'length') s += m.body.data;
  if (m.body.kind === 'chunked') {
    for (const c of m.body.chunks) s += `${c.data.length.toString(16)}${c.ext}\r\n${c.data}\r\n`;
    s += '0\r\n';
    for (const t of m.body.trailers) s += `${t.name}: ${t.value}\r\n`;
    s += '\r\n';
  }
  return s;
}

function bodyBytes(b: Body): string {
  if (b.kind === 'length') return b.data;
  if (b.kind === 'chunked') return b.chunks.map((c) => c.data).join('');
  return '';
}

const request: fc.Arbitrary<Msg> = fc
  .record({
    method: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), token.filter((t) => t !== 'CONNECT')),
    path: fc.string({ unit: pathChar, maxLength: 20 }),
    minor: fc.constantFrom(0 as const, 1 as const),
    host: fieldValue,
    fields: fc.array(extraField, { maxLength: 6 }),
    body,
  })
  .map((r) => ({
    startLine: `${r.method} /${r.path} HTTP/1.${r.minor}`,
    minor: r.minor,
    fields: r.minor === 1 ? [{ name: 'Host', value: r.host, before: ' ', after: '' }, ...r.fields] : r.fields,
    body: r.body,
  }));

const response: fc.Arbitrary<Msg> = fc
  .record({
    status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
    reason: fc.string({ unit: fc.constantFrom(...'OK Not Found'.split('')), maxLength: 12 }),
    minor: fc.constantFrom(0 as const, 1 as const),
    fields: fc.array(extraField, { maxLength: 6 }),
    body: body.filter((b) => b.kind !== 'none'),
  })
  .map((r) => ({ startLine: `HTTP/1.${r.minor} ${r.status} ${r.reason}`, minor: r.minor, fields: r.fields, body: r.body }));

/** Cuts the input at the given (sorted, deduplicated) positions. */
function cut(input: Buffer, points: number[]): Buffer[] {
  const at = [...new Set(points.map((p) => p % (input.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of at) {
    out.push(input.subarray(prev, p));
    prev = p;
  }
  out.push(input.subarray(prev));
  return out;
}

function heads(input: Buffer, opts: ParseOptions): { heads: MessageHead[]; bodies: string[]; errors: number } {
  const out = { heads: [] as MessageHead[], bodies: [] as string[], errors: 0 };
  let cur = '';
  const p = new HttpMessageParser(opts.kind, {
    onHead: (h) => {
      out.heads.push(h);
    },
    onBody: (d) => {
      cur += d.toString('latin1');
    },
    onMessageComplete: () => {
      out.bodies.push(cur);
      cur = '';
    },
    onError: () => {
      out.errors++;
    },
  });
  p.push(input);
  return out;
}

for (const [kind, arb] of [
  ['request', request],
  ['response', response],
] as const) {
  test(`any chunking of generated ${kind}s gives the same parse, and the parse matches the messages`, () => {
    // Responses with a body until EOF cannot be pipelined, so responses get Content-Length or chunked.
    fc.assert(
      fc.property(fc.array(arb, { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { maxLength: 8 }), (msgs, points) => {
        const input = Buffer.from(msgs.map(serialize).join(''), 'latin1');
        const opts: ParseOptions = { kind, eof: true };
        const whole = parseChunks([input], opts);
        assert.deepEqual(parseChunks(cut(input, points), opts), whole);
        assert.ok(!whole.some((l) => l.startsWith('error')), whole.join('\n'));
        const parsed = heads(input, opts);
        assert.equal(parsed.heads.length, msgs.length);
        for (const [i, m] of msgs.entries()) {
          const h = parsed.heads[i];
          assert.equal(h.versionMinor, m.minor);
          const framing = m.body.kind === 'length' ? 1 : m.body.kind === 'chunked' ? 1 : 0;
          assert.equal(h.headers.length, m.fields.length + framing);
          for (const [k, f] of m.fields.entries()) {
            assert.equal(h.headers[k].name, f.name);
            assert.equal(h.headers[k].value, f.value);
            assert.equal(input.toString('latin1', h.headers[k].valueSpan.start, h.headers[k].valueSpan.end), f.value);
          }
          assert.equal(h.chunked, m.body.kind === 'chunked');
          assert.equal(parsed.bodies[i], bodyBytes(m.body));
          assert.equal(input.toString('latin1', h.startLineSpan.start, h.startLineSpan.end), m.startLine);
        }
      }),
      { numRuns: RUNS },
    );
  });
}

test('a mutated message gives the same events however it is chunked', () => {
  fc.assert(
    fc.property(
      fc.oneof(request.map((m) => ['request', m] as const), response.map((m) => ['response', m] as const)),
      fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), op: fc.constantFrom('set', 'insert', 'delete') }), { minLength: 1, maxLength: 3 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      ([kind, msg], edits, points) => {
        const bytes = [...Buffer.from(serialize(msg), 'latin1')];
        for (const e of edits) {
          const at = e.at % (bytes.length + 1);
          if (e.op === 'insert') bytes.splice(at, 0, e.byte);
          else if (at < bytes.length) {
            if (e.op === 'set') bytes[at] = e.byte;
            else bytes.splice(at, 1);
          }
        }
        const input = Buffer.from(bytes);
        const opts: ParseOptions = { kind, eof: true, upgrade: true };
        assert.deepEqual(parseChunks(cut(input, points), opts), parseChunks([input], opts));
      },
    ),
    { numRuns: RUNS * 2 },
  );
});

test('random bytes never throw out of push or finish; errors come once, through onError', () => {
  const httpish = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
    fc
      .array(fc.constantFrom('GET ', 'HTTP/1.1', ' 200 ', '\r\n', '\n', '\r', ':', ' ', 'Host', 'Content-Length: ', 'Transfer-Encoding: chunked', '5', 'ff', ';', '0\r\n\r\n', '\0', 'abc'), { maxLength: 24 })
      .map((a) => Buffer.from(a.join(''), 'latin1')),
  );
  fc.assert(
    fc.property(fc.array(httpish, { minLength: 1, maxLength: 6 }), fc.constantFrom('request' as const, 'response' as const), (chunks, kind) => {
      let errors = 0;
      let afterError = 0;
      const p = new HttpMessageParser(
        kind,
        {
          onHead: () => {
            if (errors) afterError++;
          },
          onBody: () => {
            if (errors) afterError++;
          },
          onMessageComplete: () => {
            if (errors) afterError++;
          },
          onError: () => {
            errors++;
          },
        },
        { maxHeaderBytes: 256, maxStartLineBytes: 128 },
      );
      for (const c of chunks) p.push(c);
      p.finish();
      assert.ok(errors <= 1);
      assert.equal(afterError, 0);
    }),
    { numRuns: RUNS * 3 },
  );
});
