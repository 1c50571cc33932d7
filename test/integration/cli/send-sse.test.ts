// `wireplay send` on streamed responses, against Wireplay's own /sse/ticker
// (an endless event stream) and an NDJSON route: events printed as they
// arrive, byte for byte, cut exactly after --max-events N, or stopped by
// --max-time MS; httpYac's SSE keyword sent as a GET asking for an event
// stream; an SSE request with a body refused at its line (exit 2); the built
// CLI as a process for the flags and their usage errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { sendHttpFile, type HttpFileSendOptions } from '../../../server-core/httpfile/cli-send.js';

const root = join(import.meta.dirname, '../../..');
const cli = join(root, 'dist/cli.js');
let server: WireplayServer;
let base = '';
let dir = '';

before(async () => {
  if (!existsSync(cli)) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'wireplay-cli-sse-'));
  writeFileSync(join(dir, 'wireplay.routes.json'), JSON.stringify({ routes: [{ path: '/lines', headers: { 'Content-Type': 'application/x-ndjson' }, body: '{"a":1}\n{"a":2}\n{"a":3}\n' }] }));
  server = createWireplayServer({ host: '127.0.0.1', port: 0, routesFile: join(dir, 'wireplay.routes.json') });
  base = (await server.listen()).url;
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function send(text: string, options: Partial<HttpFileSendOptions> = {}) {
  const file = join(dir, `r${Math.random().toString(36).slice(2)}.http`);
  writeFileSync(file, text);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await sendHttpFile({ file, timeoutMs: 10_000, processEnv: {}, ...options }, { stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'send', ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const ids = (stdout: string) => [...stdout.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

test('--max-events 3 on an endless event stream: three events exactly, as sent, then exit 0', async () => {
  const r = await send(`GET ${base}/sse/ticker?interval=10\n`, { maxEvents: 3 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^HTTP\/1\.1 200 OK\n/);
  assert.match(r.stdout, /Content-Type: text\/event-stream/);
  assert.deepEqual(ids(r.stdout), [1, 2, 3]);
  // Byte for byte: the retry hint and each block with its empty line, and nothing of a fourth event.
  const body = r.stdout.slice(r.stdout.indexOf('\n\n') + 2);
  assert.match(body, /^retry: \d+\n/m);
  assert.equal(body.split('\n\n').filter((b) => b.includes('event: tick')).length, 3);
  assert.match(r.stderr, /\* 3 streamed records; stopped by --max-events 3/);
});

test("httpYac's SSE keyword: a GET with Accept: text/event-stream; --max-time stops the stream", async () => {
  const r = await send(`SSE ${base}/sse/ticker?interval=10\n`, { maxTimeMs: 80 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^> GET \/sse\/ticker\?interval=10 HTTP\/1\.1$/m);
  assert.match(r.stderr, /^> Accept: text\/event-stream$/m);
  assert.match(r.stderr, /stopped by --max-time 80/);
  const got = ids(r.stdout);
  assert.ok(got.length >= 1 && got.every((id, i) => id === i + 1), `events 1..n in order, got ${got.join(',')}`);
});

test('an SSE request with a body is refused at its line, exit 2', async () => {
  const r = await send(`SSE ${base}/sse/ticker\nContent-Type: text/plain\n\nhello\n`);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /:1:\d+: error: an SSE request has no body/);
});

test("--har: the stream's events in _eventStream, timed, with their ids; _resourceType eventsource", async () => {
  const har = join(dir, 'sse.har');
  const r = await send(`GET ${base}/sse/ticker?interval=10\n`, { maxEvents: 3, har });
  assert.equal(r.code, 0, r.stderr);
  const entry = JSON.parse(readFileSync(har, 'utf8')).log.entries[0];
  assert.equal(entry._resourceType, 'eventsource');
  const evs = entry._eventStream as { time: number; type: string; id: string; data: string }[];
  assert.deepEqual(evs.map((e) => [e.type, e.id]), [['tick', '1'], ['tick', '2'], ['tick', '3']]);
  assert.equal(JSON.parse(evs[0].data).seq, 1);
  const started = Date.parse(entry.startedDateTime) / 1000;
  for (const [i, e] of evs.entries()) {
    assert.ok(e.time >= started - 0.001, 'not before the request');
    if (i > 0) assert.ok(e.time >= evs[i - 1].time, 'in order');
  }
  assert.match(entry.response.content.text, /^retry: 2000$/m, 'the body text keeps everything, retry and comments included');
});

test('NDJSON: --max-events counts lines', async () => {
  const r = await send(`GET ${base}/lines\n`, { maxEvents: 2 });
  assert.equal(r.code, 0, r.stderr);
  const body = r.stdout.slice(r.stdout.indexOf('\n\n') + 2);
  assert.equal(body.trim(), '{"a":1}\n{"a":2}');
  assert.match(r.stderr, /stopped by --max-events 2/);
});

test('the CLI: --max-events as a flag; a bad value is a usage error (exit 2)', async () => {
  writeFileSync(join(dir, 'ticker.http'), `GET ${base}/sse/ticker?interval=10\n`);
  const ok = await run(['ticker.http', '--max-events', '2']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(ids(ok.stdout), [1, 2]);
  const bad = await run(['ticker.http', '--max-events', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--max-events must be a whole number ≥ 1, got 0/);
  const raw = await run(['--raw', 'x', '--to', '127.0.0.1:1', '--max-time', '5']);
  assert.equal(raw.code, 2);
  assert.match(raw.stderr, /--max-time is for FILE requests/);
});

test('an event stream the server ends is reconnected like EventSource, with Last-Event-ID, within --max-events', async () => {
  // The ticker ends its stream after two events (count=2) and asks for 20 ms before a reconnect (retry=20).
  const r = await send(`GET ${base}/sse/ticker?interval=10&count=2&retry=20\n`, { maxEvents: 5 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(ids(r.stdout), [1, 2, 3, 4, 5], 'the ids go on across the reconnects, none lost or repeated');
  assert.match(r.stderr, /^\* reconnecting in 20 ms with Last-Event-ID: 2 \(connection 2\)$/m);
  assert.match(r.stderr, /^\* reconnecting in 20 ms with Last-Event-ID: 4 \(connection 3\)$/m);
  assert.match(r.stderr, /^> Last-Event-ID: 2$/m, 'the second request carries the header');
  assert.match(r.stdout, /^:resuming after 2$/m, 'and the server saw it');
  assert.match(r.stdout, /^:resuming after 4$/m);
  assert.match(r.stderr, /\* 5 streamed records; stopped by --max-events 5/);
  assert.equal((r.stderr.match(/streamed record/g) ?? []).length, 1, 'one note for the whole session');
});

test('without --max-events or --max-time a stream that ends is not reconnected', async () => {
  const r = await send(`GET ${base}/sse/ticker?interval=10&count=2&retry=20\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(ids(r.stdout), [1, 2]);
  assert.doesNotMatch(r.stderr, /reconnecting/);
});

test('--max-time bounds the reconnecting session as a whole', async () => {
  const r = await send(`GET ${base}/sse/ticker?interval=10&count=1&retry=10\n`, { maxTimeMs: 300 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /\(connection 2\)/, 'it reconnected at least once');
  assert.match(r.stderr, /stopped by --max-time 300/);
  const got = ids(r.stdout);
  assert.ok(got.every((id, i) => id === i + 1), `events 1..n in order across connections, got ${got.join(',')}`);
});
