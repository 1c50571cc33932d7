// The playground as a VS Code webview shows it, in a plain Chromium page: the
// extension's page shell and exact CSP, VS Code's own theme variables and body
// classes for each theme kind (recorded from code-server by
// capture-vscode-themes.ts into test/browser/vscode-themes/), and a webview API
// whose host is a real PlaygroundController in this process (the extension's
// panel does the same), talking to a real demo Wireplay server. No standalone
// stand-in colours: what the panel looks like inside VS Code.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Page } from 'playwright-core';
import { webviewCsp } from '../../../extension/views/webview-csp.js';
import { PlaygroundController } from '../../../server-core/playground/controller.js';
import { serverQueueOf } from '../../../server-core/playground/queue-jobs.js';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { createBuiltinWebSocketRoutes } from '../../../server-core/ws/builtin-routes.js';
import { root } from './standalone.js';

export type ThemeKind = 'dark' | 'light' | 'hc-dark' | 'hc-light';
export const THEME_KINDS: readonly ThemeKind[] = ['dark', 'light', 'hc-dark', 'hc-light'];

interface CapturedTheme {
  body: string[];
  kind: string;
  name: string;
  vars: Record<string, string>;
}

const dist = join(root, 'dist/webview');
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };

export function vscodeTheme(kind: ThemeKind): CapturedTheme {
  return JSON.parse(readFileSync(join(root, 'test/browser/vscode-themes', `${kind}.json`), 'utf8')) as CapturedTheme;
}

/** The page VS Code would show: its CSP, the stylesheets, a webview API stub that applies the theme as VS Code does, the bundle. */
function page(origin: string, kind: ThemeKind): string {
  const nonce = randomBytes(18).toString('base64');
  const csp = webviewCsp({ source: origin, nonce, allowInlineStyles: true });
  const t = vscodeTheme(kind);
  // VS Code sets the variables on <html> and the classes on <body> from its own frame, through the CSSOM.
  const setup = `(function () {
    var vars = ${JSON.stringify(t.vars)};
    for (var k in vars) document.documentElement.style.setProperty(k, vars[k]);
    document.body.className = ${JSON.stringify(t.body.join(' '))};
    document.body.dataset.vscodeThemeKind = ${JSON.stringify(t.kind)};
    document.body.dataset.vscodeThemeName = ${JSON.stringify(t.name)};
    var state;
    window.acquireVsCodeApi = function () {
      return {
        postMessage: function (m) { window.__wireplayHost(m); },
        getState: function () { return state; },
        setState: function (s) { state = s; },
      };
    };
  })();`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="/codicons/codicon.css" id="vscode-codicon-stylesheet"><link rel="stylesheet" href="/panel.css"><title>Wireplay Playground</title></head>
<body><script nonce="${nonce}">${setup}</script><div id="app"></div><script nonce="${nonce}" src="/panel.js"></script></body></html>`;
}

export interface VsCodeHost {
  demo: WireplayServer;
  /** Opens the playground in `page` under a theme kind, with its own controller (closed with the host). */
  open(page: Page, kind: ThemeKind): Promise<PlaygroundController>;
  close(): Promise<void>;
}

export async function startVsCodeHost(): Promise<VsCodeHost> {
  const demo = createWireplayServer({ host: '127.0.0.1', port: 0, webSocketRoutes: createBuiltinWebSocketRoutes() });
  await demo.listen();
  const controllers: PlaygroundController[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/panel-(dark|light|hc-dark|hc-light)\.html$/.exec(path);
    if (m) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end(page(origin, m[1] as ThemeKind));
    }
    const file = normalize(join(dist, path));
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    demo,
    async open(p, kind) {
      const controller = new PlaygroundController({ serverUrl: () => demo.url ?? null, serverCapture: demo.capture, serverQueue: serverQueueOf(demo) });
      controllers.push(controller);
      controller.onMessage((msg) => void p.evaluate((x) => window.postMessage(x, '*'), msg).catch(() => undefined));
      await p.exposeBinding('__wireplayHost', (_source, msg: unknown) => void controller.receive(msg));
      await p.goto(`${origin}/panel-${kind}.html`);
      await p.waitForSelector('.server code');
      return controller;
    },
    async close() {
      for (const c of controllers) c.dispose();
      await new Promise((resolve) => server.close(resolve));
      await demo.close();
    },
  };
}
