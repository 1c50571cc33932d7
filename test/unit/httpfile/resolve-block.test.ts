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
