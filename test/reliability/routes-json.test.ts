// wireplay.routes.json never stalls the server: a large file is read and parsed a
// piece at a time (the server answers built-in routes while it loads, and the
// previous routes serve until the new ones are ready), and a file over the size cap
// is refused with a message before it is read.
//
// "While it loads" is shown by events, not by time: the file is fed through a named
// pipe, so the load cannot end before the test writes the last byte; the test waits
// until the loader has parsed the first half, then asks the server for a built-in
// route.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, truncateSync, writeFileSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router } from '../../server-core/router/router.js';
import { registerDemoRoutes } from '../../server-core/routes/demo-routes.js';
import { DEFAULT_MAX_FILE_BYTES, loadUserRoutes, UserRoutesWatcher } from '../../server-core/routes/user-routes.js';
import { serveHandler } from '../support/handler-server.js';
import { within } from '../support/within.js';
import { startRoutesServer } from './routes-fixture.js';

const MB = 1024 * 1024;

/** A routes file of about `bytes`: fixture routes with JSON bodies, as people keep them. */
function bigRoutesFile(bytes: number, marker: string): string {
  const routes: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const items = Array.from({ length: 40 }, (_, k) => ({ id: k, name: `item ${k} of fixture ${i}`, tags: ['a', 'b'], price: k * 1.5 }));
    const entry = JSON.stringify({ path: `/fixtures/${i}`, description: `fixture ${i}`, body: { items } }, null, 2);
    routes.push(entry);
    size += entry.length + 2;
  }
  routes.push(JSON.stringify({ path: '/marker', body: marker }));
  return `{\n  // generated\n  "routes": [\n${routes.join(',\n')}\n  ]\n}\n`;
}

function folder(t: { after(fn: () => unknown): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-routes-json-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function text(url: string): Promise<string> {
  const res = await fetch(url);
  return `${res.status} ${await res.text()}`;
}

function write(stream: WriteStream, data: string): Promise<void> {
  // Resolves once the pipe has taken it: the reader has consumed all but a pipe buffer's worth.
  return new Promise((resolve, reject) => {
    stream.write(data, (err) => (err ? reject(err) : resolve()));
  });
}

for (const size of [1, 26]) {
  test(`a ${size} MB routes file loads without stalling the server: built-in routes answer while it is parsed, the previous routes until it is done`, async (t) => {
    const dir = folder(t);
    const file = join(dir, 'wireplay.routes.json');
    writeFileSync(file, '{ "routes": [ { "path": "/marker", "body": "old" } ] }');
    const router = new Router({ log: () => {} });
    registerDemoRoutes(router);
    let parsed = 0;
    const progress: Array<() => void> = [];
    const watcher = new UserRoutesWatcher(router, {
      files: [file],
      watch: false,
      onProgress: (bytes) => {
        parsed = bytes;
        for (const p of progress) p();
      },
    });
    t.after(() => watcher.dispose());
    await watcher.start();
    const server = await serveHandler(router.handle);
    t.after(() => server.close());
    assert.equal(await text(`${server.url}/marker`), '200 old');

    // The new version comes through a pipe: its load cannot finish before the last byte is written.
    rmSync(file);
    assert.equal(spawnSync('mkfifo', [file]).status, 0, 'mkfifo');
    const content = bigRoutesFile(size * MB, 'new');
    const half = Math.floor(content.length / 2);
    let done = false;
    const reloading = watcher.reload().then((r) => ((done = true), r));
    const pipe = createWriteStream(file);
    t.after(() => pipe.destroy());
    await within(write(pipe, content.slice(0, half)), 'the loader to read the first half');
    // The loader parses each piece as it arrives: wait until it has parsed the first half (less a pipe buffer).
    await within(
      new Promise<void>((resolve) => {
        const check = () => parsed >= half - 128 * 1024 && resolve();
        progress.push(check);
        check();
      }),
      'the first half to be parsed',
    );
    assert.equal(await text(`${server.url}/status/204`), '204 ', 'a built-in route answers while the file loads');
    assert.equal(await text(`${server.url}/marker`), '200 old', 'the previous routes serve until the new ones are ready');
    assert.equal(done, false, 'the load is still waiting for the rest of the file');

    pipe.end(content.slice(half));
    const [result] = await within(reloading, 'the load to finish', 120_000);
    assert.deepEqual(result.errors, []);
    assert.equal(await text(`${server.url}/marker`), '200 new');
    assert.equal((await fetch(`${server.url}/fixtures/0`)).headers.get('content-type'), 'application/json; charset=utf-8');
  });
}

test('a 26 MB routes file saved over a running server loads, and its routes serve', async (t) => {
  const s = await startRoutesServer(t, 'wireplay.routes.json', '{ "routes": [ { "path": "/marker", "body": "old" } ] }');
  writeFileSync(s.file, bigRoutesFile(26 * MB, 'new'));
  assert.deepEqual(await within(s.server.reloadRoutes(), 'the 26 MB file to load', 120_000), []);
  assert.deepEqual(await s.get('/marker'), { status: 200, text: 'new' });
  assert.equal((await s.get('/echo')).status, 200);
});

test('a routes file over wireplay.routes.maxFileBytes is refused with a message; the built-in routes serve', async (t) => {
  const s = await startRoutesServer(t, 'wireplay.routes.json', JSON.stringify({ routes: [{ path: '/big', body: 'x'.repeat(2000) }] }), {
    routesLimits: { maxFileBytes: 1000 },
  });
  const error = await s.routesError(/FILE_TOO_LARGE|over the/, 'the size error');
  assert.match(error.message, /^wireplay\.routes\.json is 2\.0 KiB, over the 1000 B limit for a routes file \(wireplay\.routes\.maxFileBytes\); it was not loaded$/);
  assert.equal((await s.get('/big')).status, 404);
  assert.equal((await s.get('/echo')).status, 200);
});

test('a 200 MiB routes file is refused by its size, without reading a byte of it', async (t) => {
  const dir = folder(t);
  const file = join(dir, 'wireplay.routes.json');
  writeFileSync(file, '{ "routes": [');
  truncateSync(file, 200 * MB); // sparse: no disk space, and nothing to read quickly either
  let read = 0;
  assert.equal(DEFAULT_MAX_FILE_BYTES, 64 * MB);
  const result = await loadUserRoutes(file, { onProgress: (bytes) => (read = bytes) });
  assert.equal(read, 0, 'nothing was read');
  assert.equal(result.routes.length, 0);
  assert.deepEqual(
    result.errors.map((e) => [e.code, e.message]),
    [['FILE_TOO_LARGE', 'wireplay.routes.json is 200.0 MiB, over the 64 MiB limit for a routes file (wireplay.routes.maxFileBytes); it was not loaded']],
  );
});

test('a routes file that grows past the cap while it is read (a pipe) is cut off at the cap', async (t) => {
  const dir = folder(t);
  const file = join(dir, 'wireplay.routes.json');
  assert.equal(spawnSync('mkfifo', [file]).status, 0, 'mkfifo');
  let read = 0;
  const loading = loadUserRoutes(file, { maxFileBytes: 256 * 1024, onProgress: (bytes) => (read = bytes) });
  const pipe = createWriteStream(file);
  t.after(() => pipe.destroy());
  pipe.on('error', () => {}); // the reader goes away at the cap: EPIPE
  pipe.write(bigRoutesFile(2 * MB, 'x'));
  const result = await within(loading, 'the load to stop at the cap');
  pipe.destroy();
  assert.equal(result.errors[0]?.code, 'FILE_TOO_LARGE');
  assert.match(result.errors[0].message, /is larger than 256 KiB, over the 256 KiB limit/);
  assert.ok(read <= 256 * 1024, `read ${read} bytes`);
});
