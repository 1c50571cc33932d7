// Real peers against the server: node's http client (keep-alive agent,
// pipelined-free reuse, chunked uploads), fetch (undici) and curl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, Agent } from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './helpers.js';

const run = promisify(execFile);

function nodeRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string[]; agent?: Agent },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: options.agent }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (Array.isArray(options.body)) {
      for (const part of options.body) req.write(part);
      req.end();
    } else req.end(options.body);
  });
}

test('node:http client: keep-alive agent reuses one connection; chunked upload; demo routes', async (t) => {
  const { port, server } = await startServer(t, {});
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const echo = await nodeRequest(port, { method: 'POST', path: '/echo?a=1', body: ['chunked ', 'upload'], agent });
  assert.equal(echo.status, 200);
  const json = JSON.parse(echo.body.toString());
  assert.equal(json.method, 'POST');
  assert.match(echo.body.toString(), /chunked upload/);
  const status = await nodeRequest(port, { path: '/status/418', agent });
  assert.equal(status.status, 418);
  const stream = await nodeRequest(port, { path: '/stream/3', agent });
  assert.equal(stream.headers['transfer-encoding'], 'chunked');
  assert.equal(stream.body.toString().trim().split('\n').length, 3);
  const head = await nodeRequest(port, { method: 'HEAD', path: '/bytes/100', agent });
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], '100');
  const missing = await nodeRequest(port, { path: '/no/such/route', agent });
  assert.equal(missing.status, 404);
  const conns = server.connections();
  assert.equal(conns.length, 1, 'one keep-alive connection served them all');
  assert.equal(conns[0].requests, 5);
});

test('fetch (undici): GET, POST JSON, redirects, streaming body', async (t) => {
  const { url } = await startServer(t, {});
  const r1 = await fetch(`${url}/echo`, { method: 'POST', body: JSON.stringify({ hi: 1 }), headers: { 'content-type': 'application/json' } });
  assert.equal(r1.status, 200);
  assert.equal((await r1.json()).method, 'POST');
  const r2 = await fetch(`${url}/redirect/2`);
  assert.equal(r2.status, 200);
  assert.ok(r2.redirected);
  await r2.arrayBuffer();
  const r3 = await fetch(`${url}/bytes/100000`);
  assert.equal((await r3.arrayBuffer()).byteLength, 100000);
  const r4 = await fetch(`${url}/stream/2`);
  assert.equal((await r4.text()).trim().split('\n').length, 2);
});

test('curl: demo routes, --path-as-is, static files, HTTP/1.0, Expect: 100-continue', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'wireplay-root-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, 'hello.txt'), 'hello from the root\n');
  const { url } = await startServer(t, { root });
  const curl = async (...args: string[]) => (await run('curl', ['-sS', '--path-as-is', '-m', '10', ...args])).stdout;

  assert.equal(await curl(`${url}/files/hello.txt`), 'hello from the root\n');
  const traversal = await curl('-o', '/dev/null', '-w', '%{http_code}', `${url}/files/../../etc/passwd`);
  assert.ok(['403', '404'].includes(traversal), traversal);
  const headers = await curl('-i', `${url}/status/201`);
  assert.match(headers, /^HTTP\/1\.1 201 Created\r\n/);
  const http10 = await curl('--http1.0', '-i', `${url}/headers`);
  assert.match(http10, /^HTTP\/1\.1 200 OK/);
  assert.match(http10, /Connection: close/i);
  // curl sends Expect: 100-continue for bodies over 1 MiB.
  const big = join(root, 'big.bin');
  writeFileSync(big, Buffer.alloc(2 * 1024 * 1024, 0x62));
  const up = await curl('-v', '-H', 'Expect: 100-continue', '--data-binary', `@${big}`, '-o', '/dev/null', '-w', '%{http_code}', `${url}/echo`).catch((e) => e.stdout);
  assert.equal(up, '200');
});

test('curl: pipelined-free keep-alive over several URLs on one connection', async (t) => {
  const { url, server } = await startServer(t, {});
  let maxConns = 0;
  server.events.on('connectionOpened', () => (maxConns = Math.max(maxConns, server.connections().length)));
  const out = (await run('curl', ['-sS', '-m', '10', '-o', '/dev/null', '-o', '/dev/null', '-o', '/dev/null', '-w', '%{http_code} %{num_connects}\n', `${url}/status/200`, `${url}/headers`, `${url}/echo`])).stdout;
  assert.deepEqual(out.trim().split('\n'), ['200 1', '200 0', '200 0']);
  assert.equal(maxConns, 1);
});
