// Issue 18 in a real VS Code (code-server + Chromium, the extension loaded from
// the tree). "See How a Request Flows", started from the Server view's title
// bar (two clicks: the sidebar, the action), sends its five requests over real
// sockets and opens each one's Pipeline view in the playground, a Next button
// in the notification stepping through them: a code route, a file of the
// workspace, a head the parser refused, two at once in sequential mode (the
// second waited). Then a user route's "Open wireplay.routes.json:N" link opens
// the routes file in the editor with the cursor on that line.
// Screenshots: test-artifacts/vscode/pipeline-*.png.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { frameWith, openWorkbench, root, runCommand, shot, useCodeServer, workbenchUrl } from './support/code-server.js';
import { openSidebar, pane } from './support/sidebar.js';
import { makeWorkspace } from './support/ui-flow.js';

const session = useCodeServer(() => {
  const workspace = makeWorkspace();
  writeFileSync(join(workspace, 'wireplay.routes.json'), `${JSON.stringify({ routes: [{ path: '/hello', body: 'Hello\n' }] }, null, 2)}\n`);
  return workspace;
});

let page: Page;
after(async () => {
  await page?.close();
});

async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  page ??= await openWorkbench(session.browser, workbenchUrl(session.cs, { devPath: root }), 'pipeline');
  try {
    return await body();
  } catch (err) {
    await shot(page, `pipeline-failure-${name}`).catch(() => undefined);
    throw err;
  }
}

/** The playground's frame once its Pipeline view shows a request whose title contains `text`. */
async function pipelineShowing(text: string): Promise<Frame> {
  const frame = await frameWith(page, '.pipeline-view', 60_000);
  await frame.waitForFunction((t) => document.body.dataset.tab === 'pipeline' && document.querySelector('.pl-title')?.textContent?.includes(t), text, { timeout: 30_000 });
  return frame;
}

/** Clicks Next on the tour's notification `n`: on its toast, or (a toast VS Code already tucked away) in the notification center. */
async function next(n: number): Promise<void> {
  const item = page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item', { hasText: `Request flow ${n}/5` }).first();
  try {
    await item.waitFor({ timeout: 10_000 });
  } catch {
    await runCommand(page, 'Notifications: Show Notifications');
    await item.waitFor({ timeout: 30_000 });
  }
  await item.locator('.monaco-button', { hasText: 'Next' }).click();
}

test('See How a Request Flows: from the Server view, each of the five requests in its Pipeline view', () =>
  step('tour', async () => {
    await openSidebar(page);
    const server = pane(page, 'Server');
    await server.hover();
    await server.locator('.action-label[aria-label="See How a Request Flows"]').click();
    let frame = await pipelineShowing('/echo?tour=');
    assert.match(await frame.locator('.pl-stage[data-stage="route"] .pl-words').innerText(), /matched \/echo in the built-in routes — runs code/);
    await shot(page, 'pipeline-tour-1-code');
    await next(1);
    frame = await pipelineShowing('/files/index.html?tour=');
    assert.match(await frame.locator('.pl-stage[data-stage="route"] .pl-words').innerText(), /returns index\.html from a folder/);
    await next(2);
    frame = await pipelineShowing('/?tour=');
    assert.match(await frame.locator('.pl-stage[data-stage="parser"] .pl-words').innerText(), /^refused the head: 400 WHITESPACE_BEFORE_COLON/);
    await shot(page, 'pipeline-tour-3-refused');
    await next(3);
    frame = await pipelineShowing('seq-a');
    await next(4);
    frame = await pipelineShowing('seq-b');
    assert.match(await frame.locator('.pl-stage[data-stage="queue"] .pl-words').innerText(), /^waited .+ behind 1 request \(sequential\)$/);
    await shot(page, 'pipeline-tour-5-queued');
  }));

test("a user route's source link opens the routes file at its line", () =>
  step('source', async () => {
    const url = /Running (http:\/\/127\.0\.0\.1:\d+)/.exec(await pane(page, 'Server').innerText())?.[1];
    assert.ok(url, 'the server runs (the tour started it)');
    await new Promise<void>((resolve, reject) => {
      const req = request(`${url}/hello?src=1`, { headers: { connection: 'close' } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    const frame = await frameWith(page, '.net-list', 30_000);
    const rowEl = frame.locator('.net-list .nrow', { hasText: '/hello?src=1' }).first();
    await rowEl.waitFor({ timeout: 30_000 });
    await rowEl.click();
    await page.keyboard.press('p');
    await pipelineShowing('/hello?src=1');
    const link = frame.locator('.pl-source');
    const line = Number(/wireplay\.routes\.json:(\d+)/.exec(await link.innerText())?.[1]);
    assert.ok(line > 0, 'the link names the file and its line');
    await link.click();
    await page.locator('.tabs-container .tab.active', { hasText: 'wireplay.routes.json' }).waitFor({ timeout: 30_000 });
    await page.locator('.statusbar-item', { hasText: new RegExp(`Ln ${line}, Col 1`) }).first().waitFor({ timeout: 30_000 });
    await shot(page, 'pipeline-source-opened');
  }));
