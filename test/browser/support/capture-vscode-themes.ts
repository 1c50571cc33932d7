// Records what a real VS Code gives the playground's webview in each of its
// four theme kinds: the --vscode-* variables on <html style="…"> and the body's
// classes. The browser suite replays these (vscode-host.ts), so the panel is
// checked under VS Code's own colours, not only under the standalone page's
// stand-ins. Run it again when VS Code's themes change:
//
//   node --import tsx test/browser/support/capture-vscode-themes.ts
//
// It starts code-server (test/vscode/support), opens the playground with the
// extension from the tree, switches the colour theme (the workspace's settings) and
// writes test/browser/vscode-themes/<kind>.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ensureCodeServer, frameWith, launchChromium, openWorkbench, root, runCommand, startCodeServer, workbenchUrl } from '../../vscode/support/code-server.js';

export const THEMES = [
  { kind: 'dark', title: 'Default Dark Modern' },
  { kind: 'light', title: 'Default Light Modern' },
  { kind: 'hc-dark', title: 'Default High Contrast' },
  { kind: 'hc-light', title: 'Default High Contrast Light' },
] as const;

const out = join(root, 'test/browser/vscode-themes');

async function main(): Promise<void> {
  const marker = ensureCodeServer();
  ensureBuilt();
  const workspace = mkdtempSync(join(tmpdir(), 'wireplay-themes-'));
  mkdirSync(join(workspace, '.vscode'));
  const extensionsDir = mkdtempSync(join(tmpdir(), 'wireplay-themes-ext-'));
  const cs = await startCodeServer({ marker, workspace, extensionsDir });
  const browser = await launchChromium();
  try {
    const page = await openWorkbench(browser, workbenchUrl(cs, { devPath: root }), 'themes');
    await page.locator('.activitybar .action-item a[aria-label^="Wireplay"], .activitybar .action-item[aria-label^="Wireplay"]').first().waitFor({ timeout: 90_000 });
    await runCommand(page, 'Wireplay: Open Playground');
    mkdirSync(out, { recursive: true });
    for (const t of THEMES) {
      // The workspace's settings file, which VS Code watches: the theme changes live, the webview gets its new variables.
      writeFileSync(join(workspace, '.vscode/settings.json'), `${JSON.stringify({ 'workbench.colorTheme': t.title })}\n`);
      const kindClass = { dark: 'vscode-dark', light: 'vscode-light', 'hc-dark': 'vscode-high-contrast', 'hc-light': 'vscode-high-contrast-light' }[t.kind];
      const frame = await frameWith(page, `body.${kindClass} vscode-textfield.url`);
      const captured = await frame.evaluate(() => ({
        body: [...document.body.classList],
        kind: document.body.dataset.vscodeThemeKind ?? '',
        name: document.body.dataset.vscodeThemeName ?? '',
        vars: Object.fromEntries(
          (document.documentElement.getAttribute('style') ?? '')
            .split(';')
            .map((d) => d.trim())
            .filter((d) => d.startsWith('--vscode-'))
            .map((d) => [d.slice(0, d.indexOf(':')).trim(), d.slice(d.indexOf(':') + 1).trim()]),
        ),
      }));
      writeFileSync(join(out, `${t.kind}.json`), `${JSON.stringify({ source: `code-server ${marker.codeServer}, theme "${t.title}"`, ...captured }, null, 1)}\n`);
      console.log(`${t.kind}: ${Object.keys(captured.vars).length} variables, body ${captured.body.join(' ')}`);
    }
  } catch (err) {
    await browser.contexts()[0]?.pages()[0]?.screenshot({ path: join(root, 'test-artifacts/vscode/themes-failure.png') }).catch(() => undefined);
    throw err;
  } finally {
    await browser.close();
    await cs.stop();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(extensionsDir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('capture-vscode-themes.ts')) await main();
