import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { negotiateServer, acceptClient, clientOffer, DeflateCodec, type DeflateParams } from '../../../server-core/ws/permessage-deflate.js';
import { parseExtensions } from '../../../server-core/ws/extensions-header.js';
import { InflationBudget } from '../../../server-core/ws/inflation-budget.js';
import type { WebSocketError } from '../../../server-core/ws/types.js';

test('parses extension lists with parameters and quoted values', () => {
  assert.deepEqual(parseExtensions('permessage-deflate; client_max_window_bits, permessage-deflate; server_max_window_bits="10", x-foo'), [
    { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
    { name: 'permessage-deflate', params: [['server_max_window_bits', '10']] },
    { name: 'x-foo', params: [] },
  ]);
  assert.equal(parseExtensions('permessage-deflate;'), null);
  assert.equal(parseExtensions('a b'), null);
  assert.equal(parseExtensions('a; b="c d"'), null);
});

const grid: [string, object, string | null, Partial<DeflateParams>][] = [
  ['permessage-deflate', {}, 'permessage-deflate', { clientMaxWindowBits: 15, serverMaxWindowBits: 15 }],
  ['permessage-deflate; client_max_window_bits', {}, 'permessage-deflate', {}],
  ['permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
  ['permessage-deflate; client_max_window_bits=12', {}, 'permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 12 }],
  ['permessage-deflate', { clientMaxWindowBits: 10 }, 'permessage-deflate', { clientMaxWindowBits: 15 }],
  ['permessage-deflate; server_max_window_bits=9', {}, 'permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 9 }],
  ['permessage-deflate', { serverMaxWindowBits: 11 }, 'permessage-deflate; server_max_window_bits=11', { serverMaxWindowBits: 11 }],
  ['permessage-deflate; server_max_window_bits=13', { serverMaxWindowBits: 11 }, 'permessage-deflate; server_max_window_bits=11', { serverMaxWindowBits: 11 }],
  ['permessage-deflate; server_no_context_takeover', {}, 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }],
  ['permessage-deflate; client_no_context_takeover', {}, 'permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }],
  ['permessage-deflate', { serverNoContextTakeover: true, clientNoContextTakeover: true }, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover', { serverNoContextTakeover: true, clientNoContextTakeover: true }],
  ['permessage-deflate; server_max_window_bits=16', {}, null, {}],
  ['permessage-deflate; server_max_window_bits', {}, null, {}],
  ['permessage-deflate; client_max_window_bits=7', {}, null, {}],
  ['permessage-deflate; server_no_context_takeover=1', {}, null, {}],
  ['permessage-deflate; unknown', {}, null, {}],
  ['permessage-deflate; client_no_context_takeover; client_no_context_takeover', {}, null, {}],
  ['permessage-deflate; unknown, permessage-deflate; client_max_window_bits=8', {}, 'permessage-deflate; client_max_window_bits=8', { clientMaxWindowBits: 8 }],
  ['x-webkit-deflate-frame', {}, null, {}],
];
for (const [offer, options, response, params] of grid) {
  test(`server negotiation: ${offer} with ${JSON.stringify(options)} → ${response ?? 'declined'}`, () => {
    const r = negotiateServer(offer, options);
    if (response === null) return assert.equal(r, null);
    assert.ok(r);
    assert.equal(r.response, response);
    for (const [k, v] of Object.entries(params)) assert.equal(r.params[k as keyof DeflateParams], v, k);
    // What the server answers, a client that offered the same accepts.
    assert.ok(acceptClient(r.response, true));
  });
}

test('compression off: nothing negotiated, nothing offered', () => {
  assert.equal(negotiateServer('permessage-deflate', false), null);
  assert.equal(clientOffer(false), null);
});

test('client offer and the checks on the server answer', () => {
  assert.equal(clientOffer(true), 'permessage-deflate; client_max_window_bits');
  assert.equal(clientOffer({ serverMaxWindowBits: 10, clientNoContextTakeover: true }), 'permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits');
  assert.equal(acceptClient(undefined, true), null);
  assert.deepEqual(acceptClient('permessage-deflate; server_max_window_bits=10; client_max_window_bits=9', true), {
    serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 10, clientMaxWindowBits: 9,
  });
  assert.throws(() => acceptClient('x-other', true), TypeError);
  assert.throws(() => acceptClient('permessage-deflate', false), TypeError);
  assert.throws(() => acceptClient('permessage-deflate, permessage-deflate', true), TypeError);
  assert.throws(() => acceptClient('permessage-deflate; client_max_window_bits', true), TypeError);
  assert.throws(() => acceptClient('permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 10 }), TypeError);
  assert.throws(() => acceptClient('permessage-deflate', { serverNoContextTakeover: true }), TypeError);
});

const codecParams = (o: Partial<DeflateParams>): DeflateParams => ({ serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15, ...o });
const compress = (c: DeflateCodec, d: Buffer) => new Promise<Buffer>((res, rej) => c.compress(d, (e, o) => (e ? rej(e) : res(o!))));
const decompress = (c: DeflateCodec, d: Buffer) => new Promise<Buffer>((res, rej) => c.decompress(d, (e, o) => (e ? rej(e) : res(o!))));

for (const p of [codecParams({}), codecParams({ serverNoContextTakeover: true, clientNoContextTakeover: true }), codecParams({ serverMaxWindowBits: 9, clientMaxWindowBits: 9 }), codecParams({ serverMaxWindowBits: 12, clientNoContextTakeover: true })]) {
  test(`codec round trip server→client and client→server with ${JSON.stringify(p)}`, async () => {
    const server = new DeflateCodec(p, true, 1 << 24, true);
    const client = new DeflateCodec(p, false, 1 << 24, true);
    const msgs = [Buffer.from('hello hello hello hello'), Buffer.alloc(0), Buffer.from('x'.repeat(100000)), Buffer.from('hello hello hello hello')];
    for (const m of msgs) {
      assert.deepEqual(await decompress(client, await compress(server, m)), m);
      assert.deepEqual(await decompress(server, await compress(client, m)), m);
    }
    server.close();
    client.close();
  });
}

test('no context takeover: each compressed message stands alone', async () => {
  const c = new DeflateCodec(codecParams({ serverNoContextTakeover: true }), true, 1 << 20, true);
  const m = Buffer.from('the same sentence, twice over');
  const a = await compress(c, m);
  const b = await compress(c, m);
  assert.deepEqual(a, b);
  assert.deepEqual(zlib.inflateRawSync(Buffer.concat([b, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlib.constants.Z_SYNC_FLUSH }), m);
  c.close();
});

test('a zip bomb stops at maxPayload with 1009 and never inflates it all', async () => {
  const bomb = zlib.deflateRawSync(Buffer.alloc(64 * 1024 * 1024), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);
  assert.ok(bomb.length < 100 * 1024);
  const c = new DeflateCodec(codecParams({}), true, 1024 * 1024, true);
  const before = process.memoryUsage().arrayBuffers;
  const err = await decompress(c, bomb).then(() => null, (e: WebSocketError) => e);
  assert.equal(err?.code, 'WS_MESSAGE_TOO_BIG');
  assert.equal(err?.closeCode, 1009);
  assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 1024 * 1024, 'inflated far past the limit');
  c.close();
});

test('invalid deflate data fails with 1007', async () => {
  const c = new DeflateCodec(codecParams({}), true, 1 << 20, true);
  const err = await decompress(c, Buffer.from([0xff, 0xff, 0xff])).then(() => null, (e: WebSocketError) => e);
  assert.equal(err?.code, 'WS_INFLATE_FAILED');
  assert.equal(err?.closeCode, 1007);
  c.close();
});

test('a shared inflation budget: an inflation that would pass it fails with 1009, and every byte comes back', async () => {
  const budget = new InflationBudget(256 * 1024);
  const zeros = (n: number) => zlib.deflateRawSync(Buffer.alloc(n), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).subarray(0, -4);
  const a = new DeflateCodec(codecParams({}), true, 1 << 20, true, budget);
  const b = new DeflateCodec(codecParams({}), true, 1 << 20, true, budget);
  // Under the budget alone: fine, and the budget is free again once the message is handed over.
  assert.equal((await decompress(a, zeros(200 * 1024))).length, 200 * 1024);
  assert.equal(budget.inUse, 0);
  // Another connection holds part of it: together they would pass it, so this one fails with 1009.
  assert.equal(budget.take(100 * 1024), true);
  const err1 = await decompress(b, zeros(200 * 1024)).then(() => null, (e: WebSocketError) => e);
  assert.equal(err1?.code, 'WS_INFLATE_BUDGET');
  assert.equal(err1?.closeCode, 1009);
  assert.equal(budget.inUse, 100 * 1024, 'a failed inflation gives its bytes back');
  budget.give(100 * 1024);
  // Over maxPayload's own limit is still the per-message error.
  const small = new DeflateCodec(codecParams({}), true, 64 * 1024, true, budget);
  const err = await decompress(small, zeros(128 * 1024)).then(() => null, (e: WebSocketError) => e);
  assert.equal(err?.code, 'WS_MESSAGE_TOO_BIG');
  assert.equal(budget.inUse, 0);
  for (const c of [a, b, small]) c.close();
  assert.throws(() => new InflationBudget(0), RangeError);
});
