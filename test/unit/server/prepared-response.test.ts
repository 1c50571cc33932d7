// A fixed route's response serialised once (server/prepared-response.ts) must be the very
// bytes the general path writes (setHeader + writeHead + end), for every variant the
// connection asks for, and its Date must follow the clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HeaderValue } from '../../../server-core/http/handler-types.js';
import type { ServerRequest } from '../../../server-core/http/handler-types.js';
import { compileEntry } from '../../../server-core/routes/route-entry.js';
import { PreparedResponse } from '../../../server-core/server/prepared-response.js';
import { HttpResponseWriter, type ResponseContext, type ResponseSink } from '../../../server-core/server/response-writer.js';

function sink(close: boolean): ResponseSink & { out: Buffer[]; finished: number } {
  const s = {
    out: [] as Buffer[],
    finished: 0,
    writeResponseBytes(_res: HttpResponseWriter, data: Buffer) {
      s.out.push(Buffer.from(data));
      return true;
    },
    waitForDrain: () => Promise.resolve(),
    mustClose: () => close,
    responseFinished() {
      s.finished++;
    },
  };
  return s;
}

/** The general path: a writer that never takes a prepared response. */
class GeneralWriter extends HttpResponseWriter {
  override endPrepared(): boolean {
    return false;
  }
}

const CONTEXTS: Array<{ name: string; ctx: ResponseContext; close: boolean }> = [
  { name: 'GET keep-alive', ctx: { head: false, http10: false, keepAlive: true }, close: false },
  { name: 'GET closing', ctx: { head: false, http10: false, keepAlive: false }, close: true },
  { name: 'HEAD', ctx: { head: true, http10: false, keepAlive: true }, close: false },
  { name: 'HEAD closing', ctx: { head: true, http10: false, keepAlive: true }, close: true },
  { name: 'HTTP/1.0 keep-alive', ctx: { head: false, http10: true, keepAlive: true }, close: false },
  { name: 'HTTP/1.0 close', ctx: { head: false, http10: true, keepAlive: false }, close: true },
];

const ENTRIES: Array<Record<string, unknown>> = [
  { body: 'hello world\n', headers: { 'Content-Type': 'text/plain' } },
  { body: 'no type given\n' },
  { body: { ok: true, list: [1, 2] } },
  { bodyBase64: 'AAEC/w==' },
  { status: 201 },
  { status: 418, body: 'teapot', headers: { 'X-One': 1, 'Set-Cookie': ['a=1', 'b=2'], 'content-type': 'text/x-tea' } },
  { status: 299, body: '' },
  // Not prepared (the general path rewrites or refuses these): still the same bytes, by the general path.
  { body: 'x', headers: { 'Content-Length': '1' } },
  { body: 'x', headers: { Connection: 'close' } },
  { body: 'x', headers: { Date: 'Thu, 01 Jan 1970 00:00:00 GMT' } },
  { body: 'x', headers: { 'X-A': '1', 'x-a': '2' } },
  { status: 204 },
  { body: 'y'.repeat(20 * 1024) },
];

async function run(entry: Record<string, unknown>, writer: typeof HttpResponseWriter, c: (typeof CONTEXTS)[number]): Promise<{ bytes: string; res: HttpResponseWriter; finished: number }> {
  const route = compileEntry(entry, ['GET'], '/r', '/nowhere');
  assert.ok(route.kind !== 'ws');
  const s = sink(c.close);
  const res = new writer(s, c.ctx);
  await route.handler({} as ServerRequest, res);
  return { bytes: Buffer.concat(s.out).toString('latin1'), res, finished: s.finished };
}

test('a fixed route answers with the same bytes prepared as by the general path, in every variant', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 11, 7, 21, 0, 0, 500) });
  for (const entry of ENTRIES) {
    for (const c of CONTEXTS) {
      const what = `${JSON.stringify(entry).slice(0, 60)} ${c.name}`;
      const general = await run(entry, GeneralWriter, c);
      // Twice: the first builds the variant, the second reuses it.
      for (let i = 0; i < 2; i++) {
        const prepared = await run(entry, HttpResponseWriter, c);
        assert.equal(prepared.bytes, general.bytes, what);
        assert.equal(prepared.finished, 1, what);
        assert.equal(prepared.res.statusCode, general.res.statusCode, what);
        assert.equal(prepared.res.bytesWritten, general.res.bytesWritten, what);
        assert.equal(prepared.res.closeAfter, general.res.closeAfter, what);
        assert.equal(prepared.res.incomplete, false, what);
        assert.equal(prepared.res.finished, true, what);
      }
    }
  }
});

test('which routes are prepared: not those whose fields the writer manages or refuses', () => {
  const body = Buffer.from('x');
  const build = (headers: Array<[string, HeaderValue]>, status = 200) => PreparedResponse.build(status, headers, body, undefined);
  assert.ok(build([['X-A', '1']]));
  for (const name of ['Content-Length', 'transfer-encoding', 'Connection', 'DATE']) assert.equal(build([[name, '1']]), undefined, name);
  assert.equal(build([['X-A', '1'], ['x-a', '2']]), undefined, 'a name twice');
  assert.equal(build([['Bad Name', '1']]), undefined, 'an invalid name');
  assert.equal(build([['X-A', 'a\r\nb']]), undefined, 'an invalid value');
  assert.equal(build([], 204), undefined, 'a bodyless status');
  assert.equal(PreparedResponse.build(200, [], Buffer.alloc(16 * 1024 + 1), undefined), undefined, 'a large body');
});

test('the prepared Date follows the clock: the same bytes within a second, a new Date the next', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 11, 7, 21, 0, 0, 0) });
  const p = PreparedResponse.build(200, [['Content-Type', 'text/plain']], Buffer.from('hi'), undefined)!;
  const first = p.bytes(false, false, false);
  assert.match(first.toString('latin1'), /\r\nDate: Mon, 07 Dec 2026 21:00:00 GMT\r\n\r\nhi$/);
  t.mock.timers.tick(999);
  assert.equal(p.bytes(false, false, false), first, 'reused within the second');
  t.mock.timers.tick(1);
  const next = p.bytes(false, false, false).toString('latin1');
  assert.match(next, /\r\nDate: Mon, 07 Dec 2026 21:00:01 GMT\r\n\r\nhi$/);
  assert.equal(next.replace('21:00:01', '21:00:00'), first.toString('latin1'), 'only the Date changed');
});

test('a reloaded route answers with its new bytes (each compile prepares its own response)', async () => {
  const c = CONTEXTS[0];
  const before = await run({ body: 'one\n' }, HttpResponseWriter, c);
  const after = await run({ body: 'two, longer\n' }, HttpResponseWriter, c);
  assert.match(before.bytes, /Content-Length: 4\r\n[\s\S]*\r\n\r\none\n$/);
  assert.match(after.bytes, /Content-Length: 12\r\n[\s\S]*\r\n\r\ntwo, longer\n$/);
});

test('a response someone already touched takes the general path', async () => {
  const route = compileEntry({ body: 'hi' }, ['GET'], '/r', '/nowhere');
  assert.ok(route.kind !== 'ws');
  const s = sink(false);
  const res = new HttpResponseWriter(s, CONTEXTS[0].ctx);
  res.setHeader('X-Before', 'set by someone else');
  await route.handler({} as ServerRequest, res);
  const text = Buffer.concat(s.out).toString('latin1');
  assert.match(text, /^HTTP\/1\.1 200 OK\r\nX-Before: set by someone else\r\nContent-Type: text\/plain; charset=utf-8\r\nContent-Length: 2\r\n/);
});
