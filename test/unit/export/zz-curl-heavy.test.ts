import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createRequestSpec, prepareRequest, type RequestSpec } from '../../../server-core/client/request-spec.js';
import { CurlImportError, importCurl, parseCurl, toCurl } from '../../../server-core/export/curl.js';

const header = (spec: RequestSpec, name: string) => spec.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

test('import: method, headers, data, auth, cookies, switches', () => {
  const spec = parseCurl(
    `curl -X PUT 'https://api.test/v1/items?a=1' -H 'Content-Type: application/json' -H "X-Id:  42" ` +
      `-d '{"a":1}' -u alice:s3cret -b 'k=v; k2=v2' -k -L --max-redirs 3 -A 'agent/1' -e https://ref.test/ -m 2.5`,
  );
  assert.equal(spec.method, 'PUT');
  assert.equal(spec.url, 'https://api.test/v1/items?a=1');
  assert.equal(header(spec, 'content-type'), 'application/json');
  assert.equal(header(spec, 'x-id'), '42');
  assert.equal(header(spec, 'authorization'), 'Basic ' + Buffer.from('alice:s3cret').toString('base64'));
  assert.equal(header(spec, 'cookie'), 'k=v; k2=v2');
  assert.equal(header(spec, 'user-agent'), 'agent/1');
  assert.equal(header(spec, 'referer'), 'https://ref.test/');
  assert.deepEqual(spec.body, { kind: 'text', text: '{"a":1}' });
  assert.equal(spec.options.insecure, true);
  assert.equal(spec.options.followRedirects, true);
  assert.equal(spec.options.maxRedirects, 3);
  assert.equal(spec.options.timeoutMs, 2500);
  assert.equal(spec.options.autoHeaders.connection, false);
});

test('import: -d pieces join with &, default form content type, -G moves them to the query', () => {
  let spec = parseCurl(`curl http://h/p -d a=1 --data b=2 --data-urlencode 'c=x y&z' --data-urlencode '=é' --data-raw @lit`);
  assert.equal(spec.method, 'POST');
  assert.deepEqual(spec.body, { kind: 'text', text: 'a=1&b=2&c=x%20y%26z&%C3%A9&@lit' });
  assert.equal(header(spec, 'content-type'), 'application/x-www-form-urlencoded');
  spec = parseCurl(`curl -G http://h/p?x=0 -d a=1 -d b=2`);
  assert.equal(spec.method, 'GET');
  assert.equal(spec.url, 'http://h/p?x=0&a=1&b=2');
  assert.deepEqual(spec.body, { kind: 'none' });
  spec = parseCurl(`curl -I http://h/`);
  assert.equal(spec.method, 'HEAD');
});

test('import: --json sets both headers and concatenates pieces', () => {
  const spec = parseCurl(`curl --json '{"a":' --json '1}' http://h/`);
  assert.deepEqual(spec.body, { kind: 'text', text: '{"a":1}' });
  assert.equal(header(spec, 'content-type'), 'application/json');
  assert.equal(header(spec, 'accept'), 'application/json');
});

test('import: files for -d @, --data-binary @ and -F', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-curl-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.txt'), 'line1\r\nline2\n');
  let spec = parseCurl(`curl http://h/ -d @${join(dir, 'a.txt')}`);
  assert.deepEqual(spec.body, { kind: 'text', text: 'line1line2' });
  spec = parseCurl(`curl http://h/ --data-binary @${join(dir, 'a.txt')}`);
  assert.deepEqual(spec.body, { kind: 'file', path: join(dir, 'a.txt') });
  spec = parseCurl(`curl http://h/ -F name=value -F 'up=@${join(dir, 'a.txt')};type=text/plain' --form-string 'lit=@x'`);
  assert.equal(spec.method, 'POST');
  const ct = header(spec, 'content-type')!;
  const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(ct)![1];
  assert.equal(spec.body.kind, 'base64');
  const body = spec.body.kind === 'base64' ? Buffer.from(spec.body.data, 'base64').toString() : '';
  assert.equal(
    body,
    `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nvalue\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="up"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\n\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="lit"\r\n\r\n@x\r\n` +
      `--${boundary}--\r\n`,
  );
  assert.throws(() => parseCurl(`curl http://h/ -d @${join(dir, 'missing')}`), { code: 'FILE' });
});

test('import: short options combined or with attached values; header removal and empty headers', () => {
  const spec = parseCurl(`curl -sSLkXDELETE -H'X-A: 1' -H 'User-Agent:' -H 'Accept:' -H 'X-Empty;' --url http://h/`);
  assert.equal(spec.method, 'DELETE');
  assert.equal(spec.options.followRedirects, true);
  assert.equal(spec.options.insecure, true);
  assert.equal(header(spec, 'x-a'), '1');
  assert.equal(header(spec, 'x-empty'), '');
  assert.equal(spec.options.autoHeaders.userAgent, false);
  assert.equal(spec.options.autoHeaders.accept, false);
  assert.match(prepareRequest(spec).head.toString(), /^DELETE \/ HTTP\/1\.1\r\nHost: h\r\nX-A: 1\r\nX-Empty:\r\n\r\n$/);
});

test('import: unknown options are reported, not dropped', () => {
  const r = importCurl(`curl --frobnicate -Z http://h/ -s --compressed`);
  assert.deepEqual(r.unknown, ['--frobnicate', '-Z']);
  assert.equal(r.ignored.length, 1);
  assert.equal(header(r.spec, 'accept-encoding'), 'deflate, gzip, br, zstd');
  assert.throws(
    () => parseCurl(`curl --frobnicate http://h/`),
    (e: unknown) => e instanceof CurlImportError && e.code === 'UNKNOWN_OPTION' && e.options[0] === '--frobnicate' && /--frobnicate/.test(e.message),
  );
  assert.throws(() => parseCurl(`wget http://h/`), { code: 'NOT_CURL' });
  assert.throws(() => parseCurl(`curl -X`), { code: 'MISSING_VALUE' });
  assert.throws(() => parseCurl(`curl -k`), { code: 'NO_URL' });
  assert.throws(() => parseCurl(`curl 'http://h/`), { code: 'SHELL_SYNTAX' });
  assert.throws(() => parseCurl(`curl http://h/ ; rm x`), { code: 'UNSUPPORTED' });
});

test('import: a multi-line command from a browser', () => {
  const spec = parseCurl(`curl 'http://h/api' \\\n  -H 'accept: application/json' \\\n  -H $'x-bin: a\\tb' \\\n  --data-raw $'{"s":"it\\'s"}'`);
  assert.equal(header(spec, 'x-bin'), 'a\tb');
  assert.deepEqual(spec.body, { kind: 'text', text: `{"s":"it's"}` });
});

test('export: a plain GET', () => {
  const cmd = toCurl(createRequestSpec({ url: 'http://h:8080/p?q=1' }), { multiline: false });
  assert.equal(cmd, `curl -m 30 'http://h:8080/p?q=1' -H 'User-Agent: wireplay/0.1.0' -H 'Accept: */*' -H 'Connection: close'`);
});

test('export: suppresses curl headers we do not send', () => {
  const spec = createRequestSpec({
    method: 'PATCH',
    url: 'https://h/x',
    body: { kind: 'text', text: 'a\u0001b' },
    options: { timeoutMs: 0, insecure: true, autoHeaders: { userAgent: false, accept: false, connection: false } },
  });
  assert.equal(toCurl(spec, { multiline: false }), `curl -X PATCH --http1.1 -k https://h/x -H User-Agent: -H Accept: -H Content-Type: --data-raw $'a\\x01b'`);
});

const headerName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/).filter((n) => !['host', 'content-length', 'transfer-encoding', 'expect'].includes(n.toLowerCase()));
const headerValue = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[\r\n\0]/g, '').trim());
const specArb = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'),
    path: fc.webPath(),
    headers: fc.array(fc.record({ name: headerName, value: headerValue, enabled: fc.boolean() }), { maxLength: 5 }),
    body: fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.string({ unit: 'grapheme', maxLength: 40 }).map((text) => ({ kind: 'text' as const, text })),
      fc.uint8Array({ maxLength: 40 }).map((b) => ({ kind: 'base64' as const, data: Buffer.from(b).toString('base64') })),
    ),
    keepAlive: fc.boolean(),
    auto: fc.record({ host: fc.boolean(), userAgent: fc.boolean(), accept: fc.boolean(), connection: fc.boolean(), contentLength: fc.boolean() }),
    tls: fc.boolean(),
  })
  .map((r) =>
    createRequestSpec({
      method: r.method,
      url: `${r.tls ? 'https' : 'http'}://example.test:8443${r.path || '/'}`,
      headers: r.headers,
      body: r.body,
      options: { keepAlive: r.keepAlive, autoHeaders: r.auto },
    }),
  );

test('round trip: parseCurl(toCurl(spec)) sends the same bytes, and toCurl is then a fixed point', () => {
  fc.assert(
    fc.property(specArb, fc.boolean(), (spec, multiline) => {
      const cmd = toCurl(spec, { multiline });
      const back = parseCurl(cmd);
      assert.deepEqual(prepareRequest(back).bytes, prepareRequest(spec).bytes, cmd);
      assert.equal(back.options.insecure, spec.options.insecure);
      assert.equal(back.options.timeoutMs, spec.options.timeoutMs);
      assert.equal(toCurl(back, { multiline }), toCurl(createRequestSpec({ ...back, options: { ...back.options } }), { multiline }));
      assert.deepEqual(prepareRequest(parseCurl(toCurl(back))).bytes, prepareRequest(back).bytes);
    }),
    { numRuns: 20000 },
  );
});

test('round trip: a body with NUL bytes travels through printf | base64 -d', () => {
  const spec = createRequestSpec({ method: 'POST', url: 'http://h/', body: { kind: 'base64', data: Buffer.from([0, 1, 0xff, 0x27]).toString('base64') } });
  const cmd = toCurl(spec);
  assert.match(cmd, /^printf %s '?AAH\/Jw=='? \| base64 -d \| curl /);
  assert.deepEqual(prepareRequest(parseCurl(cmd)).bytes, prepareRequest(spec).bytes);
});
