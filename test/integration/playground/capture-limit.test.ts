// `wireplay ui --capture-limit SIZE`: a size the playground's capture keeps
// (a ring), default 64 MiB; anything that is not a size is a usage error.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startUiServer } from '../../../server-core/cli/commands/ui.js';
import { pipelinedDownload } from '../../support/pipelined-download.js';

const root = join(import.meta.dirname, '../../..');
const MiB = 1024 * 1024;

before(() => {
  if (!existsSync(join(root, 'dist/cli.js')) || !existsSync(join(root, 'dist/webview/panel.js'))) {
    const r = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
    assert.equal(r.status, 0, 'build failed');
  }
});

test('a capture limit that is not a size is refused with exit 2 and the usage', () => {
  for (const bad of ['lots', '512KiB', '-1MiB']) {
    const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'ui', '--no-open', '--capture-limit', bad], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /--capture-limit must be/);
    assert.match(r.stderr, /Usage: wireplay ui .*--capture-limit SIZE/);
    assert.equal(r.stdout, '', 'no URL printed');
  }
});

test('the playground keeps at most the capture limit (oldest bytes dropped); the default keeps a 3 MiB download whole', async (t) => {
  const assetsDir = join(root, 'dist/webview');
  for (const [limit, dropped] of [[1 * MiB, true], [undefined, false]] as const) {
    const ui = await startUiServer({ port: 0, assetsDir, captureMaxBytes: limit });
    t.after(() => ui.close());
    const dl = await pipelinedDownload(Number(new URL(ui.demoUrl!).port), 3, MiB);
    t.after(() => dl.socket.destroy());
    const store = ui.controller.store;
    const conn = store.listConnections().find((c) => c.info.side === 'server' && c.info.remote.port === dl.localPort)!;
    assert.ok(conn, 'the server side of the download is captured');
    if (dropped) {
      assert.ok(store.totalBytes <= MiB, `${store.totalBytes} bytes kept under a 1 MiB limit`);
      assert.ok(conn.stats.droppedBytes >= 2 * MiB, 'the oldest bytes were dropped');
    } else {
      assert.equal(conn.stats.droppedBytes, 0);
      assert.ok(conn.stats.s2cBytes >= 3 * MiB);
    }
    await ui.close();
  }
});
