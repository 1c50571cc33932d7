// The playground host and the Pipeline view's data (issue 18), against a real
// Wireplay server with a routes file: each server request's pipeline record is
// pushed to the UI (capture.pipelines) and comes again with its connection's
// snapshot; source.open reaches the host's opener only for a routes file that a
// record named, anything else is a warning in the UI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlaygroundController } from '../../../server-core/playground/controller.js';
import { parseFromWebview } from '../../../server-core/playground/validate.js';
import { createWireplayServer } from '../../../server-core/server/wireplay-server.js';
import { logMessages } from './message-log.js';

function get(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    s.on('data', () => {});
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

test('pipeline records are pushed and snapshotted; source.open opens only a routes file a record named', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-pipe-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const routesFile = join(dir, 'wireplay.routes.json');
  writeFileSync(routesFile, `${JSON.stringify({ routes: [{ path: '/hello', body: 'Hello\n' }] }, null, 2)}\n`);
  const server = createWireplayServer({ host: '127.0.0.1', port: 0, root: dir, routesFile });
  const { port } = await server.listen();
  t.after(() => server.close());
  const opened: [string, number | undefined][] = [];
  const controller = new PlaygroundController({ serverCapture: server.capture, flushIntervalMs: 1, openSource: (file, line) => opened.push([file, line]) });
  t.after(() => controller.dispose());
  const { next } = logMessages(controller, t);

  await get(port, '/hello?n=1');
  const push = await next('capture.pipelines', (m) => m.pipelines.some((p) => p.target === '/hello?n=1'));
  const rec = push.pipelines.find((p) => p.target === '/hello?n=1')!;
  assert.equal(rec.route?.file, routesFile);
  assert.equal(rec.route?.kind, 'fixed');
  assert.ok(rec.route?.line && rec.route.line > 0);

  await controller.receive({ type: 'capture.load', connectionId: rec.connectionId });
  const snap = await next('capture.snapshot', (m) => m.connectionId === rec.connectionId);
  assert.deepEqual(snap.pipelines?.map((p) => p.target), ['/hello?n=1']);

  await controller.receive({ type: 'source.open', file: join(dir, 'secret.txt'), line: 1 });
  const warning = await next('notice', (m) => m.level === 'warning');
  assert.match(warning.message, /Not a routes file of a request this playground saw/);
  await controller.receive({ type: 'source.open', file: routesFile, line: rec.route!.line });
  assert.deepEqual(opened, [[routesFile, rec.route!.line]]);
});

test('source.open is validated: a file name, and a line that is a positive integer', () => {
  assert.deepEqual(parseFromWebview({ type: 'source.open', file: '/w/wireplay.routes.mjs', line: 12 }), { type: 'source.open', file: '/w/wireplay.routes.mjs', line: 12 });
  assert.throws(() => parseFromWebview({ type: 'source.open', file: '/x', line: 0 }), /line/);
  assert.throws(() => parseFromWebview({ type: 'source.open', line: 3 }), /file/);
});
