// The request log of `wireplay serve`: entries batched into one write per window (fake
// timers: time is the subject), bounded while the output is full, text and JSON lines,
// --quiet, and the route/stages fields passed through when the server sends them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { ServeLog, toFixed1 } from '../../../server-core/cli/serve-log.js';
import type { RequestLogEntry } from '../../../server-core/index.js';
import { LineBatcher } from '../../../server-core/util/line-batcher.js';

/** A stream that records each write() call; `full` makes write() say the buffer is full. */
class RecordingStream extends Writable {
  writes: string[] = [];
  full = false;
  override write(chunk: unknown): boolean {
    this.writes.push(String(chunk));
    return !this.full;
  }
  text(): string {
    return this.writes.join('');
  }
}

function entry(index: number, extra: Partial<RequestLogEntry> & Record<string, unknown> = {}): RequestLogEntry {
  return {
    connectionId: 'srv-1',
    index,
    method: 'GET',
    target: `/echo?n=${index}`,
    status: 200,
    bytes: 120,
    durationMs: 1.25,
    remote: { address: '127.0.0.1', port: 40000 },
    ...extra,
  } as RequestLogEntry;
}

test('requests finishing within one window share one write, formatted only then', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const out = new RecordingStream();
  let formatted = 0;
  const batcher = new LineBatcher<number>(out, { windowMs: 25, format: (n) => (formatted++, `line ${n}`) });
  for (let i = 0; i < 100; i++) batcher.push(i);
  assert.equal(out.writes.length, 0, 'nothing is written on the request path');
  assert.equal(formatted, 0, 'nothing is formatted on the request path');
  t.mock.timers.tick(25);
  assert.equal(out.writes.length, 1);
  assert.equal(out.text(), Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''));
  batcher.push(100);
  t.mock.timers.tick(25);
  assert.deepEqual(out.writes.slice(1), ['line 100\n']);
});

test('a full batch is written without waiting for its window; flush() writes what waits', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const out = new RecordingStream();
  const batcher = new LineBatcher<number>(out, { maxBatch: 10, format: String });
  for (let i = 0; i < 25; i++) batcher.push(i);
  assert.equal(out.writes.length, 2);
  batcher.flush();
  assert.equal(out.writes.length, 3);
  assert.equal(out.writes[2], '20\n21\n22\n23\n24\n');
  batcher.flush();
  assert.equal(out.writes.length, 3, 'an empty flush writes nothing');
});

test('while the output is full, entries wait up to maxPending; the rest are counted and reported after drain', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const out = new RecordingStream();
  const batcher = new LineBatcher<number>(out, { maxBatch: 5, maxPending: 50, format: String });
  out.full = true;
  for (let i = 0; i < 5; i++) batcher.push(i); // written; the stream says it is full
  assert.equal(out.writes.length, 1);
  for (let i = 5; i < 10_005; i++) batcher.push(i);
  t.mock.timers.tick(1000);
  assert.equal(out.writes.length, 1, 'nothing is written into a full stream');
  assert.equal(batcher.size, 50, 'memory is bounded');
  out.full = false;
  out.emit('drain');
  assert.equal(out.writes.length, 2);
  const lines = out.writes[1].trimEnd().split('\n');
  assert.equal(lines[0], '9950 log line(s) dropped: the log output was not keeping up');
  assert.deepEqual(lines.slice(1), Array.from({ length: 50 }, (_, i) => String(i + 5)));
});

test('text: the line the CLI always printed; info messages bare, warnings and errors prefixed', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const out = new RecordingStream();
  const log = new ServeLog(out, { format: 'text', quiet: false });
  log.request(entry(1));
  log.log('warn', 'srv-2: 400 bad request line');
  log.log('info', 'wireplay.routes.json: 3 route(s) loaded');
  log.flush();
  assert.deepEqual(out.writes, ['srv-1#1 GET /echo?n=1 → 200 (120 B, 1.3 ms)\nwarn: srv-2: 400 bad request line\nwireplay.routes.json: 3 route(s) loaded\n']);
});

const ROUTE = { pattern: '/echo', method: 'POST', layer: 'built-in', kind: 'code', params: {} } as const;

test('json: one object per line; route and stages pass through when the entry has them', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.UTC(2026, 0, 2, 3, 4, 5, 6) });
  const out = new RecordingStream();
  const log = new ServeLog(out, { format: 'json', quiet: false });
  log.request(entry(1));
  log.request(entry(2, { route: ROUTE, stages: { headParsed: 1.5, lastResponseByte: 2.5 }, remote: { address: '::1', port: 5 } }));
  log.log('error', 'handler failed:\nError: boom\n    at x');
  log.flush();
  const lines = out.text().trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 3, 'a stack trace stays inside its line');
  assert.deepEqual(lines[0], {
    time: '2026-01-02T03:04:05.006Z',
    level: 'info',
    event: 'request',
    connectionId: 'srv-1',
    index: 1,
    method: 'GET',
    target: '/echo?n=1',
    status: 200,
    bytes: 120,
    durationMs: 1.25,
    remote: '127.0.0.1:40000',
  });
  assert.deepEqual(lines[1].route, ROUTE);
  assert.deepEqual(lines[1].stages, { headParsed: 1.5, lastResponseByte: 2.5 });
  assert.equal(lines[1].remote, '[::1]:5');
  assert.deepEqual(lines[2], { time: '2026-01-02T03:04:05.006Z', level: 'error', message: 'handler failed:\nError: boom\n    at x' });
});

test('quiet: no request lines and no info lines; warnings and errors are written', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const out = new RecordingStream();
  const log = new ServeLog(out, { format: 'text', quiet: true });
  assert.equal(log.logsRequests, false);
  log.request(entry(1));
  log.log('info', 'SIGTERM: closing');
  log.log('warn', 'refused 127.0.0.1:5: over maxConnections (1)');
  log.log('error', 'listener: boom');
  log.flush();
  assert.equal(out.text(), 'warn: refused 127.0.0.1:5: over maxConnections (1)\nerror: listener: boom\n');
});

test('text: the batch is written as the UTF-8 bytes of its lines, whatever characters the target, route or message carry', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer | string, encoding: BufferEncoding, cb: () => void) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding));
      cb();
    },
  });
  const log = new ServeLog(out, { format: 'text', quiet: false });
  // A target arrives as latin1 chars (one per byte); a route pattern and a message may be any text.
  const route = { pattern: '/ünï/:id', method: 'GET', layer: 'user', kind: 'fixed', params: {} } as const;
  log.request(entry(1));
  log.request(entry(2, { target: '/caf\u00c3\u00a9?q=\u00ff', route }));
  log.request(entry(3, { route: { ...route, pattern: '/plain' } }));
  log.log('warn', 'routes file “wireplay.routes.json” → 2 route(s) 😀');
  log.log('info', 'plain info');
  log.flush();
  const expected =
    'srv-1#1 GET /echo?n=1 → 200 (120 B, 1.3 ms)\n' +
    'srv-1#2 GET /caf\u00c3\u00a9?q=\u00ff → 200 (120 B, 1.3 ms) /ünï/:id [fixed]\n' +
    'srv-1#3 GET /echo?n=3 → 200 (120 B, 1.3 ms) /plain [fixed]\n' +
    'warn: routes file “wireplay.routes.json” → 2 route(s) 😀\n' +
    'plain info\n';
  assert.equal(chunks.length, 1, 'one write');
  assert.deepEqual(Buffer.concat(chunks), Buffer.from(expected, 'utf8'));
});

test('toFixed1 gives the string toFixed(1) gives, ties and large values included', async () => {
  const same = (x: number) => assert.equal(toFixed1(x), x.toFixed(1), String(x));
  for (const x of [0, -0, 0.05, 0.15, 0.25, 1.05, 1.15, 1.25, 2.45, 9.95, 99.95, 0.95, 123.45, 0.04999999999999999, 1e6 - 0.05, 1e6, 1e21, 1e22, -1.25, NaN, Infinity, Number.MIN_VALUE, 5e-324]) same(x);
  for (let k = 0; k < 20000; k++) {
    same(k / 100); // every hundredth: half of them ties in decimal
    same(k / 100 + 0.005);
  }
  fc.assert(fc.property(fc.double({ min: 0, max: 2e6, noNaN: true }), (x) => toFixed1(x) === x.toFixed(1)), { numRuns: 20000 });
  fc.assert(fc.property(fc.double({ noNaN: false }), (x) => toFixed1(x) === x.toFixed(1)), { numRuns: 5000 });
});

/** The text line as the string template wrote it before lines were written as bytes (the contract). */
function templateLine(e: RequestLogEntry): string {
  const route = e.route ? ` ${e.route.pattern} [${e.route.kind}]` : '';
  return `${e.connectionId}#${e.index} ${e.method} ${e.target} → ${e.status} (${e.bytes} B, ${e.durationMs.toFixed(1)} ms)${route}`;
}

test('text: each request line is the UTF-8 bytes of the template line, for any numbers, target and route', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const number = fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(0, 9, 10, 99, 100, 101, 2 ** 53, 2 ** 60, -1, 1e21));
  const duration = fc.oneof(fc.double({ min: 0, max: 2e6, noNaN: true }), fc.constantFrom(0, 0.05, 0.25, 0.95, 9.95, 99.96, 999999.95, 1e6, 1e21, Number.NaN, Infinity, -0.04));
  const route = fc.option(fc.record({ pattern: fc.string({ unit: 'binary' }), kind: fc.constantFrom('code', 'file', 'dir', 'fixed', 'websocket') }), { nil: undefined });
  fc.assert(
    fc.property(number, number, number, duration, fc.string({ unit: 'binary' }), fc.string(), route, (index, status, bytes, durationMs, target, id, r) => {
      const chunks: Buffer[] = [];
      const out = new Writable({
        write(chunk: Buffer | string, encoding: BufferEncoding, cb: () => void) {
          chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding));
          cb();
        },
      });
      const log = new ServeLog(out, { format: 'text', quiet: false });
      const e = entry(index, { connectionId: id, status, bytes, durationMs, target, route: r ? { ...r, method: 'GET', layer: 'user', params: {} } : null } as Partial<RequestLogEntry>);
      log.request(e);
      log.request(e);
      log.flush();
      const line = Buffer.from(`${templateLine(e)}\n`, 'utf8');
      assert.deepEqual(Buffer.concat(chunks), Buffer.concat([line, line]));
    }),
    { numRuns: 500 },
  );
});
