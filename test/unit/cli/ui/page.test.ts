// The standalone page and its policy (server-core/cli/ui/page.ts) and the
// files it may load (server-core/cli/ui/assets.ts): scripts only by nonce, no
// eval, the WebSocket to this server only; nothing but the listed files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newNonce, pageCsp, pageHtml } from '../../../../server-core/cli/ui/page.js';
import { readAsset, UI_ASSETS } from '../../../../server-core/cli/ui/assets.js';

test('every script of the page carries the nonce the policy names; nothing else may run', () => {
  const nonce = newNonce();
  assert.notEqual(nonce, newNonce());
  const html = pageHtml(nonce);
  const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
  assert.equal(scripts.length, 2);
  for (const attrs of scripts) assert.match(attrs, new RegExp(`nonce="${nonce.replace(/[+/=]/g, '\\$&')}"`));
  const csp = pageCsp(nonce, '127.0.0.1:4000');
  assert.match(csp, /^default-src 'none'; script-src 'nonce-[^']+';/);
  assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline/);
  assert.match(csp, /connect-src ws:\/\/127\.0\.0\.1:4000;/);
  assert.match(csp, /frame-ancestors 'none'/);
});

test('only the listed files are served, whatever the path', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wireplay-ui-assets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'panel.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'no');
  const js = readAsset(dir, 'panel.js');
  assert.ok(js.found && js.type === UI_ASSETS['panel.js'] && js.body.toString() === 'console.log(1)');
  for (const path of ['secret.txt', '../panel.js', 'codicons/../secret.txt', 'constructor', '__proto__']) assert.deepEqual(readAsset(dir, path), { found: false, text: 'Not found.\n' }, path);
  assert.deepEqual(readAsset(dir, 'panel.css'), { found: false, text: 'Not found (is the bundle built?).\n' });
});
