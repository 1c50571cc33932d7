// "Save to .http": a captured request, turned into a block by the proxy's
// serialiser (httpBlockFromBytes) and appended to a file (appendHttpBlock),
// must read back through the project's own .http parser and resolver as the
// same request: method, target, every header and the body byte for byte, and
// the same bytes on the wire. Checked on a corpus and on generated requests,
// appended to files that end in every way a file can end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { prepareRequest } from '../../../server-core/client/request-spec.js';
import { appendHttpBlock, httpBlockInsertion } from '../../../server-core/httpfile/append-block.js';
import { parseHttpFile } from '../../../server-core/httpfile/parse-http-file.js';
import { resolveBlock } from '../../../server-core/httpfile/resolve-block.js';
import type { VariableContext } from '../../../server-core/httpfile/variables.js';
import { httpBlockFromBytes } from '../../../server-core/proxy/http-block.js';
import { parseCapturedRequest } from '../../../server-core/proxy/replay.js';

const ORIGIN = 'http://127.0.0.1:3000';
const b = (s: string) => Buffer.from(s, 'latin1');
const NO_VARIABLES: VariableContext = { fileVariables: [], environment: {}, exchanges: new Map(), processEnv: {}, dotenv: {} };

/** What each captured request is; the block form it must get follows from the serialiser's rules. */
const CORPUS: Record<string, Buffer> = {
  'curl GET with a query': b('GET /a?b=1&c=%20 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n'),
  'JSON POST': b('POST /echo HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\nAccept: */*\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}'),
  'body with LF lines': b('PUT /t HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\nAccept: */*\r\nContent-Length: 11\r\n\r\nline1\nline2'),
  'node:http GET (no User-Agent)': b('GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n'),
  'odd header spacing and case': b('GET /x HTTP/1.1\r\nhost:x\r\nX-A:  two spaces\r\nuser-agent: u\r\naccept: */*\r\n\r\n'),
  'HTTP/1.0': b('GET /old HTTP/1.0\r\nHost: x\r\nUser-Agent: u\r\nAccept: */*\r\n\r\n'),
  chunked: b('POST /c HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'),
  'binary body': Buffer.concat([b('POST /bin HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n'), Buffer.from([0, 0xff, 0x0d, 0x0a])]),
  'CRLF in the body': b('POST /crlf HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\nAccept: */*\r\nContent-Length: 4\r\n\r\na\r\nb'),
  '{{…}} in the body': b('POST /v HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\nAccept: */*\r\nContent-Length: 8\r\n\r\n{{name}}'),
  'a line that reads as a .http comment': b('POST /h HTTP/1.1\r\nHost: x\r\nUser-Agent: u\r\nAccept: */*\r\nContent-Length: 8\r\n\r\n# not me'),
};

/** Files as users leave them: the block must start on its own line after their last block. */
const EXISTING = ['', 'GET http://a/\n', 'GET http://a/', 'GET http://a/\n\n\n', '@host = x\r\n\r\nGET http://{{host}}/\r\n', '### only a title\n# comment'];

/** The last block of the file, read back: its fields, and the bytes sending it writes. */
async function readBack(fileText: string) {
  const file = parseHttpFile(fileText);
  const block = file.blocks.at(-1);
  assert.ok(block, 'the file has a block');
  assert.deepEqual(block.errors, [], 'the block parses without errors');
  const resolved = await resolveBlock(block, NO_VARIABLES, fileText.split(/\r?\n/), { baseDir: '/', file });
  const request = resolved.request;
  assert.ok(request, `the block resolves: ${JSON.stringify(resolved.diagnostics)}`);
  if (request.kind === 'raw') return { block, bytes: request.bytes };
  assert.equal(request.kind, 'http');
  return { block, bytes: prepareRequest(request.spec).bytes };
}

/** Method, target, headers and body of both: the same bytes each. */
function assertSameRequest(captured: Buffer, sent: Buffer, what: string): void {
  const a = parseCapturedRequest(captured);
  const c = parseCapturedRequest(sent);
  assert.deepEqual(b(c.head.method), b(a.head.method), `${what}: method`);
  assert.deepEqual(b(c.head.target), b(a.head.target), `${what}: target`);
  assert.deepEqual(c.head.headers.map((h) => [b(h.name), b(h.value)]), a.head.headers.map((h) => [b(h.name), b(h.value)]), `${what}: headers`);
  assert.deepEqual(c.rawBody, a.rawBody, `${what}: body`);
  assert.deepEqual(sent, captured, `${what}: the bytes on the wire`);
}

test('httpBlockInsertion: one empty line between the file and the block, in the file’s line ends', () => {
  const block = '### x\nGET http://a/\n\n';
  assert.equal(httpBlockInsertion('', block), block);
  assert.equal(httpBlockInsertion('GET http://b/', block), '\n\n' + block);
  assert.equal(httpBlockInsertion('GET http://b/\n', block), '\n' + block);
  assert.equal(httpBlockInsertion('GET http://b/\n\n', block), block);
  assert.equal(httpBlockInsertion('GET http://b/\r\n', block), '\r\n### x\r\nGET http://a/\r\n\r\n');
  // A file with both kinds of line end gets LF (what most of it is not decidable; LF is what VS Code writes).
  assert.equal(httpBlockInsertion('A\r\nB\n', block), '\n' + block);
  assert.equal(appendHttpBlock('GET http://b/', block), 'GET http://b/\n\n' + block);
});

test('a saved block reads back as the captured request, byte for byte, whatever the file ended with', async () => {
  const forms: Record<string, string> = {};
  for (const [what, captured] of Object.entries(CORPUS)) {
    const block = await httpBlockFromBytes(captured, ORIGIN);
    forms[what] = block.form;
    for (const existing of EXISTING) {
      const text = appendHttpBlock(existing, block.text);
      assert.ok(text.startsWith(existing), 'the existing text is kept as it is');
      const back = await readBack(text);
      assertSameRequest(captured, back.bytes, `${what} after ${JSON.stringify(existing)}`);
      if (block.form === 'http') {
        assert.equal(back.block.kind, 'http');
        if (back.block.kind !== 'http') continue;
        const p = parseCapturedRequest(captured);
        assert.equal(back.block.method, p.head.method);
        assert.equal(back.block.url, ORIGIN + p.head.target);
        assert.deepEqual(back.block.headers.map((h) => [h.name, h.value]), p.head.headers.map((h) => [h.name, h.value]));
      }
    }
  }
  // The readable form where it can say the bytes, RAW where it cannot: the corpus covers both.
  assert.deepEqual(forms, {
    'curl GET with a query': 'http',
    'JSON POST': 'http',
    'body with LF lines': 'http',
    'node:http GET (no User-Agent)': 'raw',
    'odd header spacing and case': 'raw',
    'HTTP/1.0': 'raw',
    chunked: 'raw',
    'binary body': 'raw',
    'CRLF in the body': 'raw',
    '{{…}} in the body': 'raw',
    'a line that reads as a .http comment': 'raw',
  });
});

test('generated requests: every saved block reads back as the same bytes', async () => {
  const chars = (set: string) => fc.constantFrom(...set.split(''));
  const alnum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const visible = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');
  const token = fc.tuple(chars(alnum.slice(0, 52)), fc.string({ unit: chars(alnum + '-'), maxLength: 11 })).map(([a, rest]) => a + rest);
  const value = fc.tuple(chars(visible), fc.string({ unit: chars(visible + ' '), maxLength: 20 }), chars(visible)).map(([a, mid, z]) => a + mid + z);
  const path = fc.tuple(fc.string({ unit: chars(alnum + '._~%/-'), maxLength: 20 }), fc.option(fc.string({ unit: chars(alnum + '=&%'), maxLength: 12 }))).map(([p, q]) => `/${p}${q === null ? '' : `?${q}`}`);
  const body = fc.oneof(fc.constant(''), fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 16 }).map((u) => Buffer.from(u).toString('latin1')));
  const request = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
    path,
    headers: fc.array(fc.tuple(token, value), { maxLength: 5 }),
    body,
    agent: fc.boolean(),
  });
  const seen = { http: 0, raw: 0 };
  await fc.assert(
    fc.asyncProperty(request, fc.constantFrom(...EXISTING), async (r, existing) => {
      const names = new Set(['host', 'user-agent', 'accept', 'content-length', 'transfer-encoding', 'connection', 'expect', 'upgrade', 'te', 'trailer']);
      const headers = r.headers.filter(([n]) => !names.has(n.toLowerCase()));
      const bodyBytes = Buffer.from(r.body, 'latin1');
      const head =
        `${r.method} ${r.path} HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n` +
        (r.agent ? 'User-Agent: gen\r\nAccept: */*\r\n' : '') +
        headers.map(([n, v]) => `${n}: ${v}\r\n`).join('') +
        (bodyBytes.length ? `Content-Length: ${bodyBytes.length}\r\n` : '') +
        '\r\n';
      const captured = Buffer.concat([Buffer.from(head, 'latin1'), bodyBytes]);
      const block = await httpBlockFromBytes(captured, ORIGIN);
      seen[block.form]++;
      const back = await readBack(appendHttpBlock(existing, block.text));
      assertSameRequest(captured, back.bytes, `${block.form} block ${JSON.stringify(block.text)}`);
    }),
    { numRuns: 150 },
  );
  assert.ok(seen.http > 0 && seen.raw > 0, `both forms generated: ${JSON.stringify(seen)}`);
});
