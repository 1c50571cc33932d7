// The handler API of docs/routes.md, across the hop to the routes worker, on a live
// server with real clients: the request (method, params, query, headers, raw head,
// remote, the body whole or as it arrives, the abort signal), the response (status
// and reason, headers checked as they are set, Content-Length for end(data), chunked
// streaming with write()/drain() backpressure, HEAD), and WebSocket endpoints (text,
// binary, subprotocols, close codes, onClose, a throwing callback closing with 1011).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { within } from '../../support/within.js';

const ROUTES = `const aborted = [];
const chat = new Set();
export default {
  'GET /info/:id': (req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({
      method: req.method, path: req.path, params: req.params, q: req.query.getAll('q'), agent: req.header('x-agent'),
      raw: req.rawHead.toString('latin1').split('\\r\\n')[0], remote: req.remote.address,
      headers: req.head.headers.length === req.rawHead.toString('latin1').split('\\r\\n').length - 3,
    }));
  },
  'POST /whole': async (req, res) => {
    const body = await req.body();
    res.end(\`\${body.length} \${body.subarray(0, 4).toString()}\`);
  },
  'POST /pieces': async (req, res) => {
    let pieces = 0, bytes = 0;
    for await (const piece of req) { pieces++; bytes += piece.length; }
    res.end(\`\${bytes} bytes\`);
  },
  'GET /stream': async (req, res) => {
    res.setHeader('Content-Type', 'application/octet-stream');
    const piece = Buffer.alloc(64 * 1024, 120);
    let waits = 0;
    for (let i = 0; i < 64; i++) if (!res.write(piece)) { waits++; await res.drain(); }
    res.end();
  },
  'GET /status': (req, res) => {
    res.statusMessage = 'Quite Fine';
    res.writeHead(203, { 'X-One': '1', 'X-List': ['a', 'b'] });
    res.end('fine');
  },
  'GET /bad-header': (req, res) => {
    try { res.setHeader('X-Bad', 'a\\r\\nInjected: 1'); } catch (e) { res.statusCode = 400; res.end(e.code); }
  },
  'GET /wait-abort': (req, res) => {
    req.signal.addEventListener('abort', () => aborted.push(req.path));
    res.writeHead(200);
    res.write('waiting\\n');
  },
  'GET /aborted': (req, res) => res.end(aborted.join(',')),
  'WS /ws/echo': {
    onOpen(peer, req) { peer.send(\`hello \${peer.protocol || '-'} \${req.path}\`); },
    onMessage(peer, m) {
      if (m.text === 'bad send') return peer.send(12345);
      if (m.text === 'throw') throw new Error('callback threw');
      if (m.text === 'bye') return peer.close(4001, 'asked to');
      peer.send(m.binary ? m.data : m.text.toUpperCase());
    },
  },
  'WS /ws/room': {
    handler: {
      onOpen(peer) { for (const p of chat) p.send('joined'); chat.add(peer); },
      onClose(peer, code, reason) { chat.delete(peer); for (const p of chat) p.send(\`left \${code} \${reason}\`); },
    },
    protocols: ['room.v1'],
  },
};
`;

let dir: string;
let server: WireplayServer;
let url: string;
const routesErrors: string[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wireplay-worker-routes-'));
  writeFileSync(join(dir, 'wireplay.routes.mjs'), ROUTES);
  server = createWireplayServer({ routesFile: join(dir, 'wireplay.routes.mjs'), allowCode: true });
  server.events.on('error', (e) => e.kind === 'routes' && routesErrors.push(e.message));
  url = (await server.listen()).url;
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the request: method, params, query, headers, raw head and remote', async () => {
  const res = await fetch(`${url}/info/a%20b?q=1&q=2`, { headers: { 'X-Agent': 'test' } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    method: 'GET',
    path: '/info/a%20b',
    params: { id: 'a b' },
    q: ['1', '2'],
    agent: 'test',
    raw: 'GET /info/a%20b?q=1&q=2 HTTP/1.1',
    remote: '127.0.0.1',
    headers: true,
  });
});

test('the body: whole, and piece by piece as it arrives', async () => {
  const big = Buffer.alloc(3 * 1024 * 1024, 'abcd');
  assert.equal(await (await fetch(`${url}/whole`, { method: 'POST', body: big })).text(), `${big.length} abcd`);
  assert.equal(await (await fetch(`${url}/pieces`, { method: 'POST', body: big })).text(), `${big.length} bytes`);
  assert.equal(await (await fetch(`${url}/whole`, { method: 'POST', body: '' })).text(), '0 ');
});

test('the response: status, reason and headers; end(data) has a Content-Length; a header with CRLF throws in the handler', async () => {
  const raw = await new Promise<string>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: server.address!.port }, () => s.end('GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let data = '';
    s.setEncoding('latin1').on('data', (d) => (data += d));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
  assert.match(raw, /^HTTP\/1\.1 203 Quite Fine\r\n/);
  assert.match(raw, /\r\nX-One: 1\r\n/);
  assert.match(raw, /\r\nX-List: a\r\nX-List: b\r\n/);
  assert.match(raw, /\r\nContent-Length: 4\r\n/);
  assert.match(raw, /\r\n\r\nfine$/);
  const bad = await fetch(`${url}/bad-header`);
  assert.deepEqual([bad.status, await bad.text()], [400, 'INVALID_HEADER_VALUE']);
  const head = await fetch(`${url}/status`, { method: 'HEAD' });
  assert.deepEqual([head.status, head.headers.get('content-length'), await head.text()], [203, '4', '']);
});

test('streaming: 4 MiB written with write()/drain() arrive whole, chunked', async () => {
  const res = await fetch(`${url}/stream`);
  assert.equal(res.headers.get('transfer-encoding'), 'chunked');
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(body.length, 64 * 64 * 1024);
  assert.ok(body.every((b) => b === 120));
});

test('the abort signal fires in the worker when the client goes away', async () => {
  await within(
    new Promise<void>((resolve) => {
      const req = request(`${url}/wait-abort`, (res) => {
        // The handler has started (it wrote "waiting"): now the client goes away.
        res.once('data', () => req.destroy());
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.end();
    }),
    'the handler to start',
  );
  await within(
    (async () => {
      // Each question is one more message to the worker, queued behind the abort it must have seen first.
      for (;;) if ((await (await fetch(`${url}/aborted`)).text()) === '/wait-abort') return;
    })(),
    'the handler to see its abort signal',
  );
});

function open(path: string, protocols?: string[]): Promise<{ ws: WebSocket; messages: string[]; next(): Promise<string>; closed: Promise<[number, string]> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace('http', 'ws') + path, protocols);
    const messages: string[] = [];
    const waiting: Array<(m: string) => void> = [];
    ws.on('message', (d, binary) => {
      const m = binary ? `bin:${(d as Buffer).toString('hex')}` : String(d);
      const w = waiting.shift();
      if (w) w(m);
      else messages.push(m);
    });
    const closed = new Promise<[number, string]>((r) => ws.on('close', (code, reason) => r([code, String(reason)])));
    const next = () => within(messages.length ? Promise.resolve(messages.shift()!) : new Promise<string>((r) => waiting.push(r)), `a message on ${path}`);
    ws.on('open', () => resolve({ ws, messages, next, closed }));
    ws.on('error', reject);
  });
}

test('WebSocket: text and binary echo, close codes from the module', async () => {
  const c = await open('/ws/echo');
  assert.equal(await c.next(), 'hello - /ws/echo');
  c.ws.send('hi');
  assert.equal(await c.next(), 'HI');
  c.ws.send(Buffer.from([0, 1, 255]));
  assert.equal(await c.next(), 'bin:0001ff');
  c.ws.send('bye');
  assert.deepEqual(await within(c.closed, 'the close'), [4001, 'asked to']);
});

test('WebSocket: subprotocols and onClose relayed to the module', async () => {
  const a = await open('/ws/room', ['room.v1']);
  assert.equal(a.ws.protocol, 'room.v1');
  const b = await open('/ws/room', ['room.v1']);
  assert.equal(await a.next(), 'joined');
  b.ws.close(4000, 'gone');
  assert.equal(await a.next(), 'left 4000 gone');
  a.ws.close();
  await within(a.closed, 'the close');
});

test('WebSocket: a throwing callback, or peer.send(12345), closes that connection with 1011 and is reported at its line', async () => {
  for (const [text, pattern] of [
    ['throw', /wireplay\.routes\.mjs:46:\d+: WebSocket "WS \/ws\/echo" onMessage threw Error: callback threw/],
    ['bad send', /wireplay\.routes\.mjs:45:\d+: WebSocket "WS \/ws\/echo" onMessage threw TypeError: peer\.send takes a string or bytes/],
  ] as const) {
    const c = await open('/ws/echo');
    await c.next();
    c.ws.send(text);
    assert.deepEqual(await within(c.closed, 'the 1011 close'), [1011, 'handler error']);
    assert.ok(routesErrors.some((e) => pattern.test(e)), routesErrors.join('\n'));
  }
  const after = await open('/ws/echo');
  assert.equal(await after.next(), 'hello - /ws/echo', 'other connections go on');
  after.ws.close();
});
