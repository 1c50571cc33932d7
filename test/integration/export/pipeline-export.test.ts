// The pipeline record travels with the capture (issue 18; docs/pipeline.md): a
// capture store attached to a real server keeps each request's stages and route
// with its connection, the transcript prints them, and HAR carries them as the
// documented custom fields `_stages` and `_route` — on the server's entries, and on
// the client's entries when both ends are in the capture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureStore } from '../../../server-core/capture/capture-store.js';
import { toHar } from '../../../server-core/export/har.js';
import { toTranscript } from '../../../server-core/export/transcript.js';
import { exchange, startServer } from '../server/helpers.js';
import { waitFor } from '../../support/wait.js';

test('the capture keeps each request pipeline; the transcript and HAR show it', async (t) => {
  const { server, port } = await startServer(t);
  const store = new CaptureStore();
  t.after(() => store.dispose());
  store.attach(server.capture);
  const r = await exchange(port, 'GET /delay/0 HTTP/1.1\r\nHost: x\r\n\r\nGET /nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.ok(r.closed);
  const [conn] = store.listConnections();
  await waitFor(() => store.getConnection(conn.id)?.closed !== undefined, 'the connection to close in the capture');
  const pipelines = store.pipelines(conn.id);
  assert.deepEqual(
    pipelines.map((p) => [p.index, p.method, p.target, p.status, p.route?.pattern ?? null]),
    [
      [1, 'GET', '/delay/0', 200, '/delay/:ms'],
      [2, 'GET', '/nothing-here', 404, null],
    ],
  );

  const snapshot = store.snapshot();
  const transcript = toTranscript(snapshot);
  assert.match(transcript, new RegExp(`${conn.id}  =  request #1 GET /delay/0 → 200  /delay/:ms \\(built-in, code\\) ms=0\\n`));
  assert.match(transcript, /=  request #2 GET \/nothing-here → 404  no route\n/);
  assert.match(transcript, /=    stages, ms since accept: accepted 0\.000, firstByte \d+\.\d{3}, headParsed /);

  const har = toHar(snapshot);
  assert.equal(har.log.entries.length, 2);
  const [a, b] = har.log.entries;
  assert.deepEqual(a._route, { pattern: '/delay/:ms', method: '*', layer: 'built-in', kind: 'code', params: { ms: '0' } });
  assert.equal(a._stages?.accepted, 0);
  assert.ok(a._stages!.lastResponseByte! >= a._stages!.handlerStart!);
  assert.equal(b._route, null);
  assert.ok(b._stages?.routed !== undefined);
  // The fields survive JSON (what a .har file is).
  assert.deepEqual(JSON.parse(JSON.stringify(har)).log.entries[0]._route, a._route);
});

test('a refused head is in the capture with where it stopped', async (t) => {
  const { server, port } = await startServer(t);
  const store = new CaptureStore();
  t.after(() => store.dispose());
  store.attach(server.capture);
  await exchange(port, 'GET /x HTTP/1.1\r\nBad Header\r\n\r\n');
  const [conn] = store.listConnections();
  await waitFor(() => store.pipelines(conn.id).length === 1, 'the refused head pipeline record');
  const p = store.pipelines(conn.id)[0];
  assert.equal(p.status, 400);
  assert.equal(p.stages.refused?.code, 'WHITESPACE_BEFORE_COLON');
  assert.match(toTranscript(store.snapshot()), /request #1 GET \/x → 400  no route  refused in its head: 400 WHITESPACE_BEFORE_COLON/);
});

test('clear() forgets the pipeline records with the bytes', async (t) => {
  const { server, port } = await startServer(t);
  const store = new CaptureStore();
  t.after(() => store.dispose());
  store.attach(server.capture);
  await exchange(port, 'GET /delay/0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const [conn] = store.listConnections();
  await waitFor(() => store.pipelines(conn.id).length === 1, 'the pipeline record');
  store.clear();
  assert.deepEqual(store.pipelines(conn.id), []);
});
