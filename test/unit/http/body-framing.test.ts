// bodyFraming(): the framing rules of RFC 9112 §6 on header facts alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyFraming, type FramingFacts } from '../../../server-core/http/body-framing.js';

const request = (f: Partial<FramingFacts> = {}): FramingFacts => ({
  request: true,
  versionMinor: 1,
  statusCode: 0,
  contentLength: null,
  codings: null,
  hostCount: 1,
  connClose: false,
  connKeepAlive: false,
  maxBodyBytes: 1000,
  ...f,
});
const response = (statusCode: number, f: Partial<FramingFacts> = {}) => request({ request: false, statusCode, hostCount: 0, ...f });

const kind = (f: FramingFacts) => {
  const r = bodyFraming(f);
  return r.ok ? `${r.kind}${r.keepAlive ? '' : ' close'}${r.tooLong ? ' too-long' : ''}` : `${r.code} ${r.status} @${r.blame}`;
};

test('requests: no body, a length, chunked; keep-alive by version and Connection', () => {
  assert.equal(kind(request()), 'none');
  assert.equal(kind(request({ contentLength: 0 })), 'length');
  assert.equal(kind(request({ contentLength: 5 })), 'length');
  assert.equal(kind(request({ codings: ['gzip', 'chunked'] })), 'chunked');
  assert.equal(kind(request({ connClose: true })), 'none close');
  assert.equal(kind(request({ versionMinor: 0, hostCount: 0 })), 'none close');
  assert.equal(kind(request({ versionMinor: 0, connKeepAlive: true })), 'none');
  assert.equal(kind(request({ versionMinor: 0, connKeepAlive: true, codings: ['chunked'] })), 'chunked close');
});

test('requests refused, in order: CL with TE, chunked not last, last coding not chunked, no Host, too long', () => {
  assert.equal(kind(request({ contentLength: 3, codings: ['chunked'] })), 'CONTENT_LENGTH_WITH_TRANSFER_ENCODING 400 @content-length-and-transfer-encoding');
  assert.equal(kind(request({ codings: ['chunked', 'chunked'] })), 'INVALID_TRANSFER_ENCODING 400 @transfer-encoding');
  assert.equal(kind(request({ codings: ['chunked', 'gzip'] })), 'INVALID_TRANSFER_ENCODING 400 @transfer-encoding');
  assert.equal(kind(request({ codings: ['gzip'] })), 'INVALID_TRANSFER_ENCODING 400 @transfer-encoding');
  assert.equal(kind(request({ hostCount: 0 })), 'MISSING_HOST 400 @end-of-head');
  assert.equal(kind(request({ hostCount: 0, codings: ['gzip'] })), 'INVALID_TRANSFER_ENCODING 400 @transfer-encoding');
  assert.equal(kind(request({ contentLength: 1001 })), 'BODY_TOO_LARGE 413 @content-length');
});

test('responses: bodyless statuses, until-close, a final non-chunked coding, a long length left to the reader', () => {
  for (const s of [100, 101, 204, 304]) assert.equal(kind(response(s, { contentLength: 10 })), 'none', String(s));
  assert.equal(kind(response(200)), 'until-close close');
  assert.equal(kind(response(200, { codings: ['gzip'] })), 'until-close close');
  assert.equal(kind(response(200, { codings: ['chunked'] })), 'chunked');
  assert.equal(kind(response(200, { contentLength: 5000 })), 'length too-long');
  assert.equal(kind(response(304, { contentLength: 5000 })), 'none too-long');
  assert.equal(kind(response(200, { contentLength: 3, codings: ['chunked'] })), 'CONTENT_LENGTH_WITH_TRANSFER_ENCODING 400 @content-length-and-transfer-encoding');
});
