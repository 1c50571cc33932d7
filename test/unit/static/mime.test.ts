import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentTypeFor } from '../../../server-core/static/mime.js';

test('MIME types: common types, charset on text, octet-stream otherwise', () => {
  assert.equal(contentTypeFor('index.HTML'), 'text/html; charset=utf-8');
  assert.equal(contentTypeFor('/x/app.mjs'), 'text/javascript; charset=utf-8');
  assert.equal(contentTypeFor('data.json'), 'application/json; charset=utf-8');
  assert.equal(contentTypeFor('icon.svg'), 'image/svg+xml; charset=utf-8');
  assert.equal(contentTypeFor('photo.jpeg'), 'image/jpeg');
  assert.equal(contentTypeFor('font.woff2'), 'font/woff2');
  assert.equal(contentTypeFor('module.wasm'), 'application/wasm');
  assert.equal(contentTypeFor('Makefile'), 'application/octet-stream');
  assert.equal(contentTypeFor('.bashrc'), 'application/octet-stream');
  assert.equal(contentTypeFor('x.toString'), 'application/octet-stream', 'no prototype lookups');
  assert.equal(contentTypeFor('x.constructor'), 'application/octet-stream');
});
