// The UI in a real VS Code: code-server on 127.0.0.1 with Chromium as the
// window and the extension loaded from the tree (extensionDevelopmentPath):
// palette commands, the status bar, the sidebar listing a connection made by a
// request, the playground, stop. Screenshots in test-artifacts/vscode/.
// (The extension-host suite and the packaged .vsix have their own files, so
// each stays within the runner's per-file time limit.)
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { ensureBuilt, ensureCodeServer, launchChromium, openWorkbench, root, shot, startCodeServer, workbenchUrl, type CodeServer } from './support/code-server.js';
import { driveUi, makeWorkspace } from './support/ui-flow.js';

let browser: Browser | undefined;
let cs: CodeServer | undefined;
const folders: string[] = [];

before(async () => {
  const marker = ensureCodeServer();
  ensureBuilt();
  const workspace = makeWorkspace();
  const extensions = mkdtempSync(join(tmpdir(), 'wireplay-cs-ext-'));
  folders.push(workspace, extensions);
  cs = await startCodeServer({ marker, workspace, extensionsDir: extensions });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await cs?.stop();
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

test('palette, status bar, sidebar and playground (extension from the tree)', async () => {
  const page = await openWorkbench(browser!, workbenchUrl(cs!, { devPath: root }), 'dev');
  try {
    await driveUi(page, 'dev');
  } catch (err) {
    await shot(page, 'dev-failure').catch(() => undefined);
    throw err;
  } finally {
    await page.close();
  }
});
