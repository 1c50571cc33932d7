import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHttpFile } from '../../../server-core/httpfile/parse-http-file.js';
import { resolveBlock } from '../../../server-core/httpfile/resolve-block.js';
import type { VariableContext } from '../../../server-core/httpfile/variables.js';

function setup(text: string, over: Partial<VariableContext> = {}) {
  const file = parseHttpFile(text);
  const ctx: VariableContext = { fileVariables: file.fileVariables, environment: {}, exchanges: new Map(), processEnv: {}, dotenv: {}, ...over };
  return { file, ctx, lines: text.split(/\r?\n/) };
}

test('an HTTP block becomes a request spec with variables substituted and metadata applied', async () => {
  const { file, ctx, lines } = setup('@h = localhost:9\n# @name a\n# @timeout 1500\n# @follow-redirects\nPOST http://{{h}}/x\nX-A: {{$processEnv A}}\n\n{"v": "{{h}}"}\n', { processEnv: { A: 'from-env' } });
  const { request, diagnostics } = await resolveBlock(file.blocks[0], ctx, lines, { baseDir: '.' });
  assert.deepEqual(diagnostics, []);
  assert.ok(request?.kind === 'http');
  assert.equal(request.name, 'a');
  assert.equal(request.spec.url, 'http://localhost:9/x');
  assert.deepEqual(request.spec.headers, [{ name: 'X-A', value: 'from-env', enabled: true }]);
  assert.deepEqual(request.spec.body, { kind: 'text', text: '{"v": "localhost:9"}' });
  assert.equal(request.spec.options.timeoutMs, 1500);
  assert.equal(request.spec.options.followRedirects, true);
});

test('an unresolved variable is a diagnostic at its column and nothing is sent', async () => {
  const { file, ctx, lines } = setup('GET http://x/\nAuthorization: Bearer {{token}}\n');
  const { request, diagnostics } = await resolveBlock(file.blocks[0], ctx, lines, { baseDir: '.' });
  assert.equal(request, undefined);
  assert.deepEqual(
    diagnostics.map((d) => [d.line, d.column, d.endColumn]),
    [[1, 22, 31]],
  );
});

test('body files: one plain file streams, <@ files get variables, multipart joins with CRLF, a missing file is reported', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-body-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.bin'), Buffer.from([0, 255, 1]));
  writeFileSync(join(dir, 'b.json'), '{"who":"{{who}}"}');
  const text = [
    'POST http://x/1', '', '< ./a.bin',
    '###', 'POST http://x/2', '', '<@ ./b.json',
    '###', 'POST http://x/3', 'Content-Type: multipart/form-data; boundary=B', '', '--B', 'Content-Disposition: form-data; name="f"', '', '< ./a.bin', '--B--',
    '###', 'POST http://x/4', '', '< ./missing.txt',
  ].join('\n');
  const { file, ctx, lines } = setup(text, { environment: { who: 'ada' } });
  const [one, two, three, four] = await Promise.all(file.blocks.map((b) => resolveBlock(b, ctx, lines, { baseDir: dir })));
  assert.ok(one.request?.kind === 'http' && two.request?.kind === 'http' && three.request?.kind === 'http');
  assert.deepEqual(one.request.spec.body, { kind: 'file', path: join(dir, 'a.bin') });
  assert.deepEqual(two.request.spec.body, { kind: 'text', text: '{"who":"ada"}' });
  assert.equal(three.request.spec.body.kind, 'base64');
  const bytes = Buffer.from((three.request.spec.body as { data: string }).data, 'base64');
  assert.deepEqual(bytes, Buffer.concat([Buffer.from('--B\r\nContent-Disposition: form-data; name="f"\r\n\r\n'), Buffer.from([0, 255, 1]), Buffer.from('\r\n--B--')]));
  assert.equal(four.request, undefined);
  assert.match(four.diagnostics[0].message, /cannot read \.\/missing\.txt: ENOENT/);
});

test('a WebSocket block: protocols from the header, steps with wait-for-server, < file as binary', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-ws-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'm.bin'), Buffer.from([1, 2]));
  const { file, ctx, lines } = setup('WEBSOCKET ws://h/ws/chat\nSec-WebSocket-Protocol: chat, superchat\nX-Y: z\n\nhi {{$randomInt 1 2}}\n=== wait-for-server\n===\n< ./m.bin\n');
  const { request } = await resolveBlock(file.blocks[0], ctx, lines, { baseDir: dir });
  assert.ok(request?.kind === 'websocket');
  assert.deepEqual(request.protocols, ['chat', 'superchat']);
  assert.deepEqual(request.headers, [{ name: 'X-Y', value: 'z' }]);
  assert.deepEqual(request.steps, [
    { kind: 'send', data: Buffer.from('hi 1'), binary: false },
    { kind: 'wait-for-server' },
    { kind: 'send', data: Buffer.from([1, 2]), binary: true },
  ]);
});

test('a RAW block: escapes or hex become exact bytes; drip and half-close from metadata; bad escapes are reported', async () => {
  const { file, ctx, lines } = setup(
    'RAW tcp://127.0.0.1:8080\nGET / HTTP/1.1\\r\\n\nHost: x\\r\\n\\r\\n\n###\n# @encoding hex\n# @drip 2 10\n# @half-close\nRAW tls://[::1]:443\n00 ff\n###\nRAW tcp://h:1\nbad \\q escape\n',
  );
  const [a, b, c] = await Promise.all(file.blocks.map((bl) => resolveBlock(bl, ctx, lines, { baseDir: '.' })));
  assert.ok(a.request?.kind === 'raw' && b.request?.kind === 'raw');
  assert.deepEqual(a.request.bytes, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.equal(a.request.tls, false);
  assert.deepEqual({ host: b.request.host, port: b.request.port, tls: b.request.tls, bytes: [...b.request.bytes], drip: b.request.drip, halfClose: b.request.halfClose }, {
    host: '::1', port: 443, tls: true, bytes: [0, 255], drip: { bytes: 2, intervalMs: 10 }, halfClose: true,
  });
  assert.equal(c.request, undefined);
  assert.match(c.diagnostics[0].message, /bad bytes/);
});

test('a WebSocket block carries # @timeout and # @insecure to its runner', async () => {
  const { file, ctx, lines } = setup('# @timeout 250\n# @insecure\nWEBSOCKET wss://h/ws\n\nhi\n');
  const { request } = await resolveBlock(file.blocks[0], ctx, lines, { baseDir: '.' });
  assert.ok(request?.kind === 'websocket');
  assert.equal(request.timeoutMs, 250);
  assert.equal(request.insecure, true);
});

async function resolveOne(text: string, dialect: 'auto' | 'rest-client' | 'httpyac' | 'jetbrains' = 'auto', over: Partial<VariableContext> = {}, baseDir = '.') {
  const file = parseHttpFile(text, { dialect });
  const ctx: VariableContext = { fileVariables: file.fileVariables, allVariables: file.allVariables, regionVariables: file.blocks[0].variables, environment: {}, exchanges: new Map(), processEnv: {}, dotenv: {}, ...over };
  return resolveBlock(file.blocks[0], ctx, text.split(/\r\n|\r|\n/), { baseDir, file });
}

function textBody(r: Awaited<ReturnType<typeof resolveOne>>): string {
  assert.ok(r.request?.kind === 'http', JSON.stringify(r.diagnostics));
  const body = r.request.spec.body;
  return body.kind === 'text' ? body.text : body.kind === 'base64' ? Buffer.from(body.data, 'base64').toString('latin1') : body.kind;
}

test('GraphQL bodies in the three forms, and GRAPHQL sent as a POST of JSON', async () => {
  const rc = await resolveOne('POST http://h/g\nContent-Type: application/json\nX-Request-Type: GraphQL\n\nquery Q($a: Int) {\n  f(a: $a)\n}\n\n{"a": 1}\n');
  assert.equal(textBody(rc), '{"query":"query Q($a: Int) {\\n  f(a: $a)\\n}","operationName":"Q","variables":{"a":1}}');
  const jb = await resolveOne('GRAPHQL http://h/g\n\nquery Q { f }\n\n{"a": 1}\n');
  assert.ok(jb.request?.kind === 'http');
  assert.equal(jb.request.spec.method, 'POST');
  assert.deepEqual(jb.request.spec.headers, [{ name: 'Content-Type', value: 'application/json', enabled: true }]);
  assert.equal(textBody(jb), '{"query":"query Q { f }","variables":{"a":1},"operationName":"Q"}');
  const bad = await resolveOne('GRAPHQL http://h/g\n\nquery { f }\n\n{not json\n');
  assert.match(bad.diagnostics.find((d) => d.severity === 'error')!.message, /GraphQL variables are not JSON/);
});

test('Basic shorthands are encoded; Digest leaves its header disabled in place for the challenge; AWS is refused', async () => {
  const basic = await resolveOne('GET http://h/\nAuthorization: Basic ada lovelace\n');
  assert.ok(basic.request?.kind === 'http');
  assert.equal(basic.request.spec.headers[0].value, `Basic ${Buffer.from('ada:lovelace').toString('base64')}`);
  const digest = await resolveOne('GET http://h/\nX-A: 1\nAuthorization: Digest ada pw\n');
  assert.ok(digest.request?.kind === 'http');
  assert.deepEqual(digest.request.digest, { user: 'ada', password: 'pw' });
  assert.deepEqual(digest.request.spec.headers.map((h) => [h.name, h.enabled]), [['X-A', true], ['Authorization', false]]);
  const aws = await resolveOne('GET http://h/\nAuthorization: AWS key secret\n');
  assert.equal(aws.request, undefined);
  assert.equal(aws.diagnostics[0].code, 'unsupported');
});

test('origin form takes the Host header (https on 443), httpYac\'s host variable, asterisk form keeps * on the request line', async () => {
  const host = await resolveOne('GET /a?b=1\nHost: example.com:443\n');
  assert.ok(host.request?.kind === 'http');
  assert.equal(host.request.spec.url, 'https://example.com:443/a?b=1');
  const variable = await resolveOne('GET /users\n', 'auto', { environment: { host: 'http://api:3000' } });
  assert.ok(variable.request?.kind === 'http');
  assert.equal(variable.request.spec.url, 'http://api:3000/users');
  const star = await resolveOne('OPTIONS * HTTP/1.1\nHost: h:8080\n');
  assert.ok(star.request?.kind === 'http');
  assert.equal(star.request.spec.url, 'http://h:8080/');
  assert.equal(star.request.spec.target, '*');
  const none = await resolveOne('GET /a\n');
  assert.match(none.diagnostics[0].message, /has no host/);
  const h2 = await resolveOne('GET http://h/ HTTP/2\n');
  assert.equal(h2.diagnostics[0].code, 'unsupported');
});

test('a written Content-Length: kept when it matches, refused when it does not, dropped by REST Client', async () => {
  const ok = await resolveOne('POST http://h/\nContent-Length: 2\n\nhi\n');
  assert.ok(ok.request?.kind === 'http');
  assert.deepEqual(ok.request.spec.headers.map((h) => h.name), ['Content-Length']);
  const wrong = await resolveOne('POST http://h/\nContent-Length: 9\n\nhi\n');
  assert.equal(wrong.request, undefined);
  assert.match(wrong.diagnostics[0].message, /does not match the body \(2 bytes\)/);
  const rc = await resolveOne('POST http://h/\nContent-Length: 9\n\nhi\n', 'rest-client');
  assert.ok(rc.request?.kind === 'http');
  assert.deepEqual(rc.request.spec.headers, []);
});

test('headers written twice: REST Client joins them, the others send both lines (auto warns)', async () => {
  const text = 'GET http://h/\nX-A: 1\nCookie: a=1\nX-A: 2\nCookie: b=2\n';
  const rc = await resolveOne(text, 'rest-client');
  assert.ok(rc.request?.kind === 'http');
  assert.deepEqual(rc.request.spec.headers.map((h) => `${h.name}: ${h.value}`), ['X-A: 1,2', 'Cookie: a=1;b=2']);
  const auto = await resolveOne(text);
  assert.ok(auto.request?.kind === 'http');
  assert.equal(auto.request.spec.headers.length, 4);
  assert.equal(auto.diagnostics.filter((d) => d.code === 'divergence').length, 2);
});

test('<@latin1 file is decoded from latin1 and sent as UTF-8; a multipart body with a file ends as its dialect ends it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-latin1-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'l.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
  const latin1 = await resolveOne('POST http://h/\n\n<@latin1 ./l.txt\n', 'auto', {}, dir);
  assert.ok(latin1.request?.kind === 'http');
  assert.deepEqual(latin1.request.spec.body, { kind: 'text', text: 'café' }, 'sent as the UTF-8 text café');
  // The path of a file part takes variables too.
  const named = await resolveOne('POST http://h/\n\n<@latin1 ./{{name}}.txt\n', 'auto', { environment: { name: 'l' } }, dir);
  assert.ok(named.request?.kind === 'http');
  assert.deepEqual(named.request.spec.body, { kind: 'text', text: 'café' });
  const multipart = 'POST http://h/\nContent-Type: multipart/form-data; boundary=B\n\n--B\n\n< ./l.txt\n--B--\n';
  assert.ok(textBody(await resolveOne(multipart, 'rest-client', {}, dir)).endsWith('--B--\r\n'));
  assert.ok(textBody(await resolveOne(multipart, 'httpyac', {}, dir)).endsWith('--B--'));
  const auto = await resolveOne(multipart, 'auto', {}, dir);
  assert.ok(textBody(auto).endsWith('--B--'));
  assert.equal(auto.diagnostics.filter((d) => d.code === 'divergence').length, 1);
});

test('scripts do not stop their request (the runner runs them); a TypeScript script file is refused at its line', async () => {
  const own = await resolveOne('GET http://h/\n\n?? status == 200\n> {% client.log(1) %}\n');
  assert.ok(own.request?.kind === 'http');
  const global = await resolveOne('{{\n  exports.a = 1;\n}}\n\n###\nGET http://h/\n');
  assert.ok(global.request?.kind === 'http');
  const ts = await resolveOne('GET http://h/\n\n> ./check.ts\n');
  assert.equal(ts.request, undefined);
  assert.deepEqual(ts.diagnostics.map((d) => [d.line, d.code]), [[2, 'unsupported']]);
  assert.match(ts.diagnostics[0].message, /The response handler `> \.\/check\.ts` is TypeScript, which is not supported/);
});

test('a pasted curl command resolves through the cURL importer, variables first', async () => {
  const r = await resolveOne("curl -X PUT 'http://{{h}}/c' -H 'X-A: 1' --data-raw 'body'\n", 'auto', { environment: { h: 'api' } });
  assert.ok(r.request?.kind === 'http');
  assert.equal(r.request.spec.method, 'PUT');
  assert.equal(r.request.spec.url, 'http://api/c');
  assert.deepEqual(r.request.spec.body, { kind: 'text', text: 'body' });
  const unknown = await resolveOne('curl --frobnicate http://h/\n');
  assert.equal(unknown.diagnostics[0].code, 'unsupported');
});
