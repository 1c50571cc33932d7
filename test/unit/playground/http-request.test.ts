// The composer's request → exact bytes: the Content-Type a JSON or form body
// implies is an automatic header like Host or Content-Length (listed in the
// preview, switchable off, replaced by the user's own row).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareRequest, WIREPLAY_USER_AGENT } from '../../../server-core/client/request-spec.js';
import { previewRequest, toRequestSpec } from '../../../server-core/playground/http-request.js';
import type { BodySpec, HeaderRow, HttpRequestSpec } from '../../../server-core/protocol/playground.js';

const URL = 'http://127.0.0.1:8080/echo';
const JSON_BODY: BodySpec = { kind: 'json', text: '{"a":1}' };
const FORM_BODY: BodySpec = { kind: 'form', form: [{ name: 'q', value: 'a b' }, { name: 'n', value: '1' }] };
const FORM_TEXT = 'q=a+b&n=1';

function req(body: BodySpec, headers: HeaderRow[] = []): HttpRequestSpec {
  return { method: 'POST', url: URL, headers, body };
}

/** The request as the sender writes it, with the given header lines between Accept and Connection. */
function expected(middle: string[], body: string): string {
  return [
    'POST /echo HTTP/1.1',
    'Host: 127.0.0.1:8080',
    `User-Agent: ${WIREPLAY_USER_AGENT}`,
    'Accept: */*',
    ...middle,
    'Connection: close',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** The preview and what is actually sent (toRequestSpec → prepareRequest) must be the same bytes. */
function bytesOf(spec: HttpRequestSpec): string {
  const preview = previewRequest(spec).bytes.toString('utf8');
  assert.equal(prepareRequest(toRequestSpec(spec)).bytes.toString('utf8'), preview, 'preview and send agree');
  return preview;
}

const autoOff = (name: string): HeaderRow => ({ name, value: '', enabled: false, auto: true });
const row = (name: string, value: string, enabled = true): HeaderRow => ({ name, value, enabled });

for (const [kind, body, type, text] of [
  ['json', JSON_BODY, 'application/json', '{"a":1}'],
  ['form', FORM_BODY, 'application/x-www-form-urlencoded', FORM_TEXT],
] as const) {
  test(`${kind}: the implied Content-Type is sent and listed as an auto header, in wire order`, () => {
    assert.equal(bytesOf(req(body)), expected([`Content-Type: ${type}`], text));
    assert.deepEqual(
      previewRequest(req(body)).autoHeaders.map((h) => [h.name, h.value, h.auto, h.enabled]),
      [
        ['Host', '127.0.0.1:8080', true, true],
        ['User-Agent', WIREPLAY_USER_AGENT, true, true],
        ['Accept', '*/*', true, true],
        ['Content-Type', type, true, true],
        ['Connection', 'close', true, true],
        ['Content-Length', String(Buffer.byteLength(text)), true, true],
      ],
    );
  });

  test(`${kind}: the auto Content-Type row switched off sends no Content-Type at all`, () => {
    for (const name of ['Content-Type', 'content-type']) {
      const spec = req(body, [autoOff(name)]);
      assert.equal(bytesOf(spec), expected([], text));
      assert.ok(!previewRequest(spec).autoHeaders.some((h) => /content-type/i.test(h.name)));
    }
  });

  test(`${kind}: a user Content-Type row is the only one sent; unticked, the auto one comes back`, () => {
    const mine = req(body, [row('Content-Type', 'text/plain; charset=utf-8')]);
    assert.equal(bytesOf(mine), expected(['Content-Type: text/plain; charset=utf-8'], text));
    assert.ok(!previewRequest(mine).autoHeaders.some((h) => /content-type/i.test(h.name)), 'not listed as auto');
    // The user's row wins over the auto row whether or not the auto one is switched off.
    assert.equal(bytesOf(req(body, [autoOff('Content-Type'), row('content-type', 'x/y')])), expected(['content-type: x/y'], text));
    const unticked = req(body, [row('Content-Type', 'text/plain', false)]);
    assert.equal(bytesOf(unticked), expected([`Content-Type: ${type}`], text));
  });
}

test('text, file and no body imply no Content-Type; other auto rows still switch off by name', () => {
  assert.equal(bytesOf(req({ kind: 'text', text: 'hi' })), expected([], 'hi'));
  assert.equal(bytesOf(req({ kind: 'file', fileName: 'a.bin', fileBase64: Buffer.from('xyz').toString('base64') })), expected([], 'xyz'));
  assert.ok(!previewRequest(req({ kind: 'none' })).autoHeaders.some((h) => h.name === 'Content-Type'));
  const noUa = bytesOf(req(JSON_BODY, [autoOff('User-Agent'), autoOff('Content-Type')]));
  assert.equal(noUa, expected([], '{"a":1}').replace(`User-Agent: ${WIREPLAY_USER_AGENT}\r\n`, ''));
  // An enabled auto row is the default: it changes nothing.
  assert.equal(bytesOf(req(JSON_BODY, [{ name: 'Content-Type', value: 'application/json', enabled: true, auto: true }])), expected(['Content-Type: application/json'], '{"a":1}'));
});

test('a request that cannot be built throws its RequestSpecError; a long body is cut in the preview only', () => {
  assert.throws(() => previewRequest({ ...req(JSON_BODY), url: 'ftp://x' }), /http and https/);
  const big = req({ kind: 'text', text: 'x'.repeat(100_000) });
  assert.equal(previewRequest(big).bytes.length, 64 * 1024);
  assert.ok(prepareRequest(toRequestSpec(big)).bytes.length > 100_000);
});
