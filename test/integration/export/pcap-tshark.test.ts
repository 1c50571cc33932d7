// Real exchanges over loopback, captured, written as pcap and read back by
// tshark: it must decode the same HTTP requests, responses and WebSocket frames
// as Wireplay's dissector, and Follow TCP Stream must give back the exact bytes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, Agent, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { CaptureStore, type CapturedConnection } from '../../../server-core/capture/capture-store.js';
import { toPcap } from '../../../server-core/export/pcap.js';
import { toHar } from '../../../server-core/export/har.js';
import { createWireplayServer } from '../../../server-core/server/wireplay-server.js';
import { startTap } from './socket-tap.js';

const dir = mkdtempSync(join(tmpdir(), 'wireplay-pcap-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tshark(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('tshark', args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tshark ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** One tshark run: the fields of every packet, and Follow TCP Stream (raw) for each stream. */
async function decode(file: string, port: number, streams: number) {
  const fields = ['tcp.stream', 'http.request.method', 'http.request.uri', 'http.response.code', 'websocket.opcode', 'websocket.payload.text', 'websocket.mask'];
  const out = await tshark([
    '-r', file,
    '-d', `tcp.port==${port},http`,
    '-o', 'websocket.enable_ctext:TRUE',
    '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=;',
    ...fields.flatMap((f) => ['-e', f]),
  ]).catch(async () =>
    // Older tshark without the ctext preference.
    tshark(['-r', file, '-d', `tcp.port==${port},http`, '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', '-E', 'aggregator=;', ...fields.flatMap((f) => ['-e', f])]),
  );
  const rows = out.trim().split('\n').map((l) => {
    const v = l.split('|');
    return Object.fromEntries(fields.map((f, i) => [f, v[i] ?? '']));
  });
  const followArgs = ['-r', file, '-q'];
  for (let i = 0; i < streams; i++) followArgs.push('-z', `follow,tcp,raw,${i}`);
  const follow = await tshark(followArgs);
  return { rows, follow: parseFollow(follow) };
}

/** `follow,tcp,raw` prints hex lines; the second node's lines are indented with a tab. */
function parseFollow(text: string): { c2s: Buffer; s2c: Buffer }[] {
  const out: { c2s: Buffer; s2c: Buffer }[] = [];
  for (const block of text.split(/^=+\n(?=Follow: tcp,raw)/m)) {
    if (!block.startsWith('Follow: tcp,raw')) continue;
    const c2s: Buffer[] = [];
    const s2c: Buffer[] = [];
    for (const line of block.split('\n')) {
      if (/^\t[0-9a-f]+$/.test(line)) s2c.push(Buffer.from(line.slice(1), 'hex'));
      else if (/^[0-9a-f]+$/.test(line)) c2s.push(Buffer.from(line, 'hex'));
    }
    out.push({ c2s: Buffer.concat(c2s), s2c: Buffer.concat(s2c) });
  }
  return out;
}

function streamBytes(c: CapturedConnection, d: 'c2s' | 's2c'): Buffer {
  return Buffer.concat(c.entries.flatMap((e) => (e.kind === 'data' && e.dir === d ? [e.bytes] : [])));
}

/** tshark prints the streams in its own order: match each captured connection to one of them, bytes for bytes. */
function assertSameStreams(follow: { c2s: Buffer; s2c: Buffer }[], conns: CapturedConnection[]): void {
  assert.equal(follow.length, conns.length);
  for (const c of conns) {
    const c2s = streamBytes(c, 'c2s');
    const s2c = streamBytes(c, 's2c');
    const match = follow.find((f) => f.c2s.equals(c2s));
    assert.ok(match, `no tshark stream has the client bytes of ${c.id}: ${JSON.stringify(c2s.subarray(0, 60).toString('latin1'))}`);
    assert.ok(match.s2c.equals(s2c), `the server bytes of ${c.id} differ in tshark's stream`);
  }
}

test('node http and ws peers through a socket tap: tshark decodes the same requests, responses and frames', async (t) => {
  const http: Server = createServer((req, res) => {
    if (req.url === '/hello?name=tshark') {
      res.setHeader('Content-Type', 'text/plain');
      res.end('hello tshark');
      return;
    }
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      res.write('{"echo":');
      res.end(JSON.stringify(Buffer.concat(parts).toString()) + '}');
    });
  });
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const target = (http.address() as { port: number }).port;
  const tap = await startTap(target);
  const store = new CaptureStore();
  store.attach(tap.capture);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(async () => {
    agent.destroy();
    await tap.close();
    for (const c of wss.clients) c.terminate();
    wss.close();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  const send = (method: string, path: string, body?: string) =>
    new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: tap.port, method, path, agent }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () => resolve(Buffer.concat(parts).toString()));
      });
      req.on('error', reject);
      req.end(body);
    });
  assert.equal(await send('GET', '/hello?name=tshark'), 'hello tshark');
  assert.equal(await send('POST', '/echo', 'ping body'), '{"echo":"ping body"}');
  agent.destroy();

  const ws = new WebSocket(`ws://127.0.0.1:${tap.port}/socket`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const got: string[] = [];
  const echoed = new Promise<void>((resolve) => {
    ws.on('message', (d) => {
      got.push(d.toString());
      if (got.length === 2) resolve();
    });
  });
  ws.send('hello over websocket');
  ws.send(Buffer.from([1, 2, 3, 4]), { binary: true });
  await echoed;
  ws.close(1000, 'done');
  await new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await tap.idle();

  const conns = store.snapshot();
  assert.equal(conns.length, 2);
  const file = join(dir, 'node-peers.pcap');
  writeFileSync(file, toPcap(conns));
  const { rows, follow } = await decode(file, tap.port, conns.length);

  const methods = rows.filter((r) => r['http.request.method']).map((r) => `${r['http.request.method']} ${r['http.request.uri']}`);
  const codes = rows.filter((r) => r['http.response.code']).map((r) => r['http.response.code']);
  assert.deepEqual(methods, ['GET /hello?name=tshark', 'POST /echo', 'GET /socket']);
  assert.deepEqual(codes, ['200', '200', '101']);

  // Our dissector read the same exchanges.
  const ours = conns.flatMap((c) => store.messages(c.id));
  assert.deepEqual(
    ours.filter((m) => m.kind === 'http-request').map((m) => m.summary.replace(/ HTTP\/1\.1.*/, '').replace(/^(\S+) /, '$1 ')),
    methods,
  );
  assert.deepEqual(ours.filter((m) => m.kind === 'http-response').map((m) => m.summary.slice(0, 3)), codes);

  // WebSocket frames: tshark's opcodes and texts match ours, in order per direction.
  const wsRows = rows.filter((r) => r['websocket.opcode']);
  const tsharkOps = wsRows.flatMap((r) => r['websocket.opcode'].split(';')).map(Number);
  const ourFrames = ours.filter((m) => m.kind === 'ws-frame');
  assert.deepEqual([...tsharkOps].sort(), ourFrames.map((m) => (m as { ws?: { opcode: number } }).ws!.opcode).sort());
  const texts = wsRows.flatMap((r) => r['websocket.payload.text'].split(';')).filter(Boolean);
  assert.equal(texts.filter((x) => x === 'hello over websocket').length, 2, `texts: ${JSON.stringify(texts)}`);
  assert.ok(tsharkOps.includes(8), 'close frames decoded');
  assert.ok(wsRows.some((r) => r['websocket.mask'].split(';').includes('1') || r['websocket.mask'].includes('True')), 'client frames masked');

  // Follow TCP Stream gives back the exact bytes of each connection.
  assertSameStreams(follow, conns);

  // And the HAR has the same exchanges, the WebSocket one with its messages.
  const har = toHar(conns);
  assert.deepEqual(har.log.entries.map((e) => `${e.request.method} ${new URL(e.request.url).pathname}${new URL(e.request.url).search} ${e.response.status}`), [
    'GET /hello?name=tshark 200',
    'POST /echo 200',
    'GET /socket 101',
  ]);
  const wsEntry = har.log.entries[2];
  assert.equal(wsEntry._resourceType, 'websocket');
  assert.deepEqual(
    wsEntry._webSocketMessages!.map((m) => `${m.type} ${m.opcode} ${m.data}`).sort(),
    ['receive 1 hello over websocket', 'receive 2 AQIDBA==', 'send 1 hello over websocket', 'send 2 AQIDBA=='],
  );
});

test("Wireplay's own server capture: tshark decodes the same requests, responses and frames", async (t) => {
  const server = createWireplayServer({
    webSocketRoutes: [{ path: '/capture-echo', route: { handler: { onMessage: (peer, m) => peer.send(m.data, { binary: m.binary }) } } }],
  });
  const store = new CaptureStore();
  store.attach(server.capture);
  const { port } = await server.listen();
  t.after(() => server.close());
  const closed = new Set<string>();
  const allClosed = (n: number) =>
    new Promise<void>((resolve) => {
      if (closed.size >= n) return resolve();
      const d = store.events.on('close', () => {
        if (closed.size >= n) {
          d.dispose();
          resolve();
        }
      });
    });
  store.events.on('close', (c) => closed.add(c.id));

  await new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/echo?x=1', headers: { 'content-type': 'text/plain', connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end('hello echo');
  });
  const ws = new WebSocket(`ws://127.0.0.1:${port}/capture-echo`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const echoed = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
  ws.send('hello wireplay');
  assert.equal(await echoed, 'hello wireplay');
  ws.close(1000);
  await new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await allClosed(2);

  const conns = store.snapshot();
  const file = join(dir, 'wireplay.pcap');
  writeFileSync(file, toPcap(conns));
  const { rows, follow } = await decode(file, port, conns.length);
  const methods = rows.filter((r) => r['http.request.method']).map((r) => `${r['http.request.method']} ${r['http.request.uri']}`);
  assert.deepEqual(methods, ['POST /echo?x=1', 'GET /capture-echo']);
  assert.deepEqual(rows.filter((r) => r['http.response.code']).map((r) => r['http.response.code']), ['200', '101']);
  const ours = conns.flatMap((c) => store.messages(c.id));
  assert.deepEqual(ours.filter((m) => m.kind === 'http-request').map((m) => m.summary.split(' ').slice(0, 2).join(' ')), methods);
  const wsRows = rows.filter((r) => r['websocket.opcode']);
  const tsharkOps = wsRows.flatMap((r) => r['websocket.opcode'].split(';')).map(Number).sort();
  const ourOps = ours.filter((m) => m.kind === 'ws-frame').map((m) => (m as { ws?: { opcode: number } }).ws!.opcode).sort();
  assert.deepEqual(tsharkOps, ourOps);
  // The texts too — compressed ones included when permessage-deflate was negotiated (both sides inflate).
  const texts = wsRows.flatMap((r) => r['websocket.payload.text'].split(';')).filter(Boolean);
  assert.equal(texts.filter((x) => x === 'hello wireplay').length, 2, `tshark texts: ${JSON.stringify(texts)}`);
  const ourTexts = ours.filter((m) => m.kind === 'ws-frame' && m.summary.startsWith('Text'));
  assert.equal(ourTexts.length, 2);
  for (const m of ourTexts) assert.match(m.summary, /"hello wireplay"$/);
  assertSameStreams(follow, conns);
});
