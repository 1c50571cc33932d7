// .http files in a real VS Code (code-server + Chromium, the extension loaded
// from the tree): open a .http file of the workspace, click "Send" on its
// CodeLens and see the response beside it; "Send & Inspect" shows the exchange
// in the playground inspector; "Send" on a WEBSOCKET block opens a live session
// in the playground's WebSocket composer (the scripted echo shows, and a message
// typed there afterwards is echoed too); an unresolved variable is marked until the
// environment that defines it is selected; "New Scratch Request" creates a scratch file
// (listed under Scratch Requests) whose first example works against the
// built-in server. Screenshots in test-artifacts/vscode/httpfile-*.png.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createWireplayServer, type WireplayServer } from '../../server-core/server/wireplay-server.js';
import { frameWith, openWorkbench, quickOpen, root, runCommand, shot, useCodeServer, workbenchUrl } from './support/code-server.js';
import { makeWorkspace } from './support/ui-flow.js';

let server: WireplayServer | undefined;

const session = useCodeServer(async () => {
  server = createWireplayServer({ host: '127.0.0.1', port: 0 });
  const { port } = await server.listen();
  const workspace = makeWorkspace();
  writeFileSync(
    join(workspace, 'requests.http'),
    ['### hello', '# @name hello', `GET http://127.0.0.1:${port}/echo?from=codelens`, 'Accept: application/json', ''].join('\n'),
  );
  writeFileSync(join(workspace, 'events.http'), ['### ticker', `GET http://127.0.0.1:${port}/sse/ticker?interval=100`, ''].join('\n'));
  writeFileSync(join(workspace, 'socket.http'), ['### socket', `WEBSOCKET ws://127.0.0.1:${port}/ws/echo`, '', 'hello from the file', '=== wait-for-server', ''].join('\n'));
  // A variable that only the "local" environment defines: an error until that environment is selected.
  writeFileSync(join(workspace, 'env.http'), ['GET http://{{host}}/echo?from=env', ''].join('\n'));
  writeFileSync(join(workspace, 'http-client.env.json'), JSON.stringify({ local: { host: `127.0.0.1:${port}` } }));
  return workspace;
});

after(async () => {
  await server?.close();
});

function codeLens(page: Page, title: 'Send' | 'Send & Inspect' | 'Copy as cURL') {
  const all = page.locator('.codelens-decoration a', { hasText: title });
  return title === 'Send' ? all.filter({ hasNotText: 'Inspect' }).first() : all.first();
}

test('a .http file: CodeLens "Send" shows the response, "Send & Inspect" opens it in the inspector, scratch files work', async () => {
  const page = await openWorkbench(session.browser, workbenchUrl(session.cs, { devPath: root }), 'httpfile');
  try {
    await page.locator('.activitybar .action-item a[aria-label^="Wireplay"], .activitybar .action-item[aria-label^="Wireplay"]').first().waitFor({ timeout: 90_000 });
    await quickOpen(page, 'requests.http');
    const send = codeLens(page, 'Send');
    await send.waitFor({ timeout: 60_000 });
    await shot(page, 'httpfile-01-codelens');

    await send.click();
    // The response opens beside the file (Monaco renders spaces as no-break spaces: match with \s).
    await page.locator('.editor-instance .view-lines', { hasText: /HTTP\/1\.1\s200\sOK/ }).first().waitFor({ timeout: 60_000 });
    await page.locator('.tab', { hasText: 'requests — response' }).first().waitFor({ timeout: 10_000 });
    assert.ok(await page.locator('.editor-instance .view-lines', { hasText: /from=codelens/ }).count());
    await shot(page, 'httpfile-02-response');

    await codeLens(page, 'Send & Inspect').click();
    // The inspector selects the client side of the exchange: its dissected request and response.
    const inspector = await frameWith(page, '.parsed-content', 60_000);
    await inspector.locator('.parsed-content summary', { hasText: 'GET /echo?from=codelens' }).first().waitFor({ timeout: 60_000 });
    await inspector.locator('.parsed-content summary', { hasText: '200 OK' }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'httpfile-03-inspector');

    // A WebSocket block: Send runs its script in a playground session that stays open.
    await quickOpen(page, 'socket.http');
    await codeLens(page, 'Send').click();
    const composer = await frameWith(page, '.ws-state', 60_000);
    await composer.locator('.ws-state', { hasText: /^Open/ }).waitFor({ timeout: 60_000 });
    await composer.locator('.wsrow.c2s', { hasText: 'hello from the file' }).first().waitFor({ timeout: 30_000 });
    await composer.locator('.wsrow.s2c', { hasText: 'hello from the file' }).first().waitFor({ timeout: 30_000 });
    await page.locator('.editor-instance .view-lines', { hasText: /session\sstays\sopen\sin\sthe\splayground/ }).first().waitFor({ timeout: 30_000 });
    // Live: a message typed in the composer after the script goes out on the same connection and comes back.
    await composer.locator('vscode-textarea.wstext textarea').fill('typed after the script');
    await composer.locator('vscode-button.wssend').click();
    await composer.locator('.wsrow.s2c', { hasText: 'typed after the script' }).first().waitFor({ timeout: 30_000 });
    assert.match((await composer.locator('.ws-state').textContent()) ?? '', /^Open \(opened from socket\.http:2\)/);
    await shot(page, 'httpfile-08-websocket-live');

    // Diagnostics and environments: {{host}} is unresolved until "local" is picked.
    await quickOpen(page, 'env.http');
    await page.locator('.editor-instance .squiggly-error').first().waitFor({ timeout: 60_000 });
    await page.locator('.statusbar-item', { hasText: 'No Environment' }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'httpfile-04-unresolved-variable');
    await runCommand(page, 'Wireplay: Select Environment');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'local' }).first().click();
    await page.locator('.statusbar-item', { hasText: 'local' }).first().waitFor({ timeout: 30_000 });
    await page.locator('.editor-instance .squiggly-error').first().waitFor({ state: 'detached', timeout: 30_000 });
    await codeLens(page, 'Send').click();
    await page.locator('.tab', { hasText: 'env — response' }).first().waitFor({ timeout: 60_000 });
    await page.locator('.editor-instance .view-lines', { hasText: /from=env/ }).first().waitFor({ timeout: 60_000 });
    await shot(page, 'httpfile-05-environment');

    // A scratch file: created in the extension's storage with examples against the built-in server (started for it).
    await runCommand(page, 'Wireplay: New Scratch Request');
    await page.locator('.tab', { hasText: 'scratch.http' }).first().waitFor({ timeout: 60_000 });
    await page.locator('.statusbar-item', { hasText: /Wireplay :\d+/ }).first().waitFor({ timeout: 60_000 });
    await page.locator('.activitybar .action-item a[aria-label^="Wireplay"], .activitybar .action-item[aria-label^="Wireplay"]').first().click();
    await page.locator('.pane-header', { hasText: 'Scratch Requests' }).first().waitFor({ timeout: 30_000 });
    await page.locator('.monaco-list-row', { hasText: 'scratch.http' }).first().waitFor({ timeout: 30_000 });
    await codeLens(page, 'Send').waitFor({ timeout: 60_000 });
    await shot(page, 'httpfile-06-scratch');
    await codeLens(page, 'Send').click();
    await page.locator('.tab', { hasText: 'scratch — response' }).first().waitFor({ timeout: 60_000 });
    await page.locator('.editor-instance .view-lines', { hasText: /"path":\s"\/echo"/ }).first().waitFor({ timeout: 60_000 });
    await shot(page, 'httpfile-07-scratch-response');
  } catch (err) {
    await shot(page, 'httpfile-failure').catch(() => undefined);
    throw err;
  } finally {
    await page.close();
  }
});

test('an event stream: Send lists its events in the response tab as they arrive; Cancel ends the stream and keeps them', async () => {
  const page = await openWorkbench(session.browser, workbenchUrl(session.cs, { devPath: root }), 'httpfile-events');
  try {
    await page.locator('.activitybar .action-item a[aria-label^="Wireplay"], .activitybar .action-item[aria-label^="Wireplay"]').first().waitFor({ timeout: 90_000 });
    await quickOpen(page, 'events.http');
    await codeLens(page, 'Send').waitFor({ timeout: 60_000 });
    await codeLens(page, 'Send').click();
    // Live, while the response is still open: the events one per line, and the footer that counts them.
    const lines = page.locator('.editor-instance .view-lines');
    await lines.filter({ hasText: /event\stick\s\sid\s3\s/ }).first().waitFor({ timeout: 60_000 });
    await lines.filter({ hasText: /streaming:\s\d+\srecords\sso\sfar/ }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'httpfile-09-event-stream-live');
    // Cancel from the progress notification: the stream ends, the final response keeps the events that came.
    // (VS Code may have tucked the toast away already: the notification center always lists it.)
    await runCommand(page, 'Notifications: Show Notifications');
    const progress = page.locator('.notifications-center .notification-list-item', { hasText: 'Wireplay: ticker' }).first();
    await progress.waitFor({ timeout: 30_000 });
    await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await lines.filter({ hasText: /HTTP\/1\.1\s200\sOK/ }).first().waitFor({ timeout: 30_000 });
    await lines.filter({ hasText: /event:\stick/ }).first().waitFor({ timeout: 30_000 });
    assert.equal(await lines.filter({ hasText: /streaming:/ }).count(), 0, 'the live footer is gone once the stream ended');
    await shot(page, 'httpfile-10-event-stream-stopped');
  } catch (err) {
    await shot(page, 'httpfile-events-failure').catch(() => undefined);
    throw err;
  } finally {
    await page.close();
  }
});
