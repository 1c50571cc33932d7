// The artifact users get: `npm run package` builds wireplay.vsix (under 1 MiB),
// code-server installs it with --install-extension, and the same UI walk as
// e2e.test.ts runs against the installed extension.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ensureCodeServer, launchChromium, openWorkbench, root, shot, startCodeServer, workbenchUrl, type CodeServer } from './support/code-server.js';
import { driveUi, makeWorkspace } from './support/ui-flow.js';

let browser: Browser | undefined;
let cs: CodeServer | undefined;
let marker: ReturnType<typeof ensureCodeServer>;
const folders: string[] = [];

before(async () => {
  marker = ensureCodeServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await cs?.stop();
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

test('the packaged .vsix installs into code-server and works', async () => {
  const pkg = spawnSync('npm', ['run', 'package'], { cwd: root, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  assert.equal(pkg.status, 0, `npm run package failed:\n${pkg.stdout}\n${pkg.stderr}`);
  const vsix = join(root, 'wireplay.vsix');
  assert.ok(existsSync(vsix), 'wireplay.vsix was written');
  const size = statSync(vsix).size;
  console.log(`wireplay.vsix: ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
  assert.ok(size < 1024 * 1024, `the .vsix stays under 1 MiB (${size} bytes)`);

  const extensions = mkdtempSync(join(tmpdir(), 'wireplay-cs-ext-'));
  const workspace = makeWorkspace();
  folders.push(extensions, workspace);
  const install = spawnSync(marker.codeServerBin, ['--extensions-dir', extensions, '--install-extension', vsix], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dirname(marker.nodeBin)}${delimiter}${process.env.PATH ?? ''}` },
  });
  assert.equal(install.status, 0, `--install-extension failed:\n${install.stdout}\n${install.stderr}`);
  assert.match(install.stdout + install.stderr, /successfully installed/i);
  assert.ok(readdirSync(extensions).some((d) => d.startsWith('wireplay.wireplay-')), 'the extension folder is in the extensions dir');

  cs = await startCodeServer({ marker, workspace, extensionsDir: extensions });
  const page = await openWorkbench(browser!, workbenchUrl(cs), 'vsix');
  try {
    await driveUi(page, 'vsix');
  } catch (err) {
    await shot(page, 'vsix-failure').catch(() => undefined);
    throw err;
  } finally {
    await page.close();
  }
});
