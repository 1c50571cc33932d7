// The UI in a real VS Code: code-server on 127.0.0.1 with Chromium as the
// window and the extension loaded from the tree (extensionDevelopmentPath):
// palette commands, the status bar, the sidebar listing a connection made by a
// request, the playground, stop. Screenshots in test-artifacts/vscode/.
// (The extension-host suite and the packaged .vsix have their own files, so
// each stays within the runner's per-file time limit.)
import { test } from 'node:test';
import { openWorkbench, root, shot, useCodeServer, workbenchUrl } from './support/code-server.js';
import { driveUi, makeWorkspace } from './support/ui-flow.js';

const session = useCodeServer(makeWorkspace);

test('palette, status bar, sidebar and playground (extension from the tree)', async () => {
  const page = await openWorkbench(session.browser, workbenchUrl(session.cs, { devPath: root }), 'dev');
  try {
    await driveUi(page, 'dev');
  } catch (err) {
    await shot(page, 'dev-failure').catch(() => undefined);
    throw err;
  } finally {
    await page.close();
  }
});
