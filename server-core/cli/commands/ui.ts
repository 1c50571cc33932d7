// wireplay ui: the playground in a plain browser page. One Wireplay server
// serves the page (the same bundle as the VS Code panel) and the WebSocket the
// page talks to the playground controller over; a second one runs the demo
// routes for the playground to send to. Both listen on 127.0.0.1 only. Every
// path of the UI server sits under a random token (http://127.0.0.1:PORT/TOKEN/),
// so no other page or user on the machine can load the UI or drive the
// controller: anything else, the WebSocket upgrade included, gets 403.
import { spawn } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServerRequest, ServerResponse } from '../../http/handler-types.js';
import { PlaygroundController } from '../../playground/controller.js';
import { serverQueueOf } from '../../playground/queue-jobs.js';
import { createWireplayServer, type WireplayServer } from '../../server/wireplay-server.js';
import type { Disposable } from '../../util/disposable.js';
import { createBuiltinWebSocketRoutes } from '../../ws/builtin-routes.js';
import type { WebSocketPeer } from '../../ws/types.js';
import { parseByteSize } from '../byte-size.js';
import { UsageError, parseFlags, type Command } from '../command.js';

const USAGE = `Usage: wireplay ui [--port P] [--no-open] [--capture-limit SIZE]

Opens the Wireplay playground in your browser: compose HTTP requests, WebSocket
frames and raw TCP bytes, and inspect every byte. It also starts a Wireplay
server on the demo routes (on a free port) to play with.
When ready it prints one line on stdout:  Wireplay UI at http://127.0.0.1:PORT/TOKEN/
Only that URL works: the random token in it is required for the page, its
files and its WebSocket (anything else is answered 403). SIGINT or SIGTERM stops it.

  --port P     port of the UI page (default 0: a free one); always on 127.0.0.1
  --no-open    print the URL but do not open a browser
  --capture-limit SIZE
               bytes of traffic the playground keeps (a ring: the oldest go
               first), e.g. 256MiB or 1GiB; default 64MiB
  --help       this text
`;

const ASSETS: Record<string, string> = {
  'panel.js': 'text/javascript; charset=utf-8',
  'panel.css': 'text/css; charset=utf-8',
  'codicons/codicon.css': 'text/css; charset=utf-8',
  'codicons/codicon.ttf': 'font/ttf',
};

/** Where the built webview lives: next to the CLI bundle (dist/webview), or dist/webview under the working folder. */
export function findAssetsDir(): string | undefined {
  const candidates: string[] = [];
  if (typeof __dirname === 'string') candidates.push(join(__dirname, 'webview'));
  if (process.argv[1]) candidates.push(join(dirname(process.argv[1]), 'webview'));
  candidates.push(join(process.cwd(), 'dist', 'webview'));
  return candidates.find((d) => existsSync(join(d, 'panel.js')));
}

/**
 * Picks the theme (?theme=dark|light|hc-dark|hc-light, else the system's
 * preference, contrast included) and marks it as VS Code marks a webview's
 * body: class vscode-dark, vscode-light, vscode-high-contrast, or
 * vscode-high-contrast-light plus vscode-high-contrast, and
 * data-vscode-theme-kind. panel.css supplies each theme's --vscode-* colours.
 */
const THEME_SCRIPT = `(function () {
  var aliases = { hc: 'hc-dark', 'high-contrast': 'hc-dark', 'high-contrast-light': 'hc-light' };
  var kinds = { dark: 'vscode-dark', light: 'vscode-light', 'hc-dark': 'vscode-high-contrast', 'hc-light': 'vscode-high-contrast-light' };
  var q = new URLSearchParams(location.search).get('theme') || '';
  var t = aliases[q] || q;
  if (!kinds.hasOwnProperty(t)) {
    var is = function (m) { return !!(window.matchMedia && window.matchMedia(m).matches); };
    var light = is('(prefers-color-scheme: light)');
    var hc = is('(prefers-contrast: more)') || is('(forced-colors: active)');
    t = (hc ? 'hc-' : '') + (light ? 'light' : 'dark');
  }
  document.documentElement.dataset.theme = t;
  document.body.className = kinds[t] + (t === 'hc-light' ? ' vscode-high-contrast' : '');
  document.body.dataset.vscodeThemeKind = kinds[t];
})();`;

export function pageHtml(nonce: string): string {
  return `<!DOCTYPE html>
<html lang="en" class="standalone" data-theme="dark">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="wireplay-ws" content="ws">
<title>Wireplay Playground</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="codicons/codicon.css" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="panel.css">
</head>
<body>
<script nonce="${nonce}">${THEME_SCRIPT}</script>
<div id="app"></div>
<script nonce="${nonce}" src="panel.js"></script>
</body>
</html>
`;
}

export interface UiServer extends Disposable {
  /** The one URL that opens the UI (token included). */
  readonly url: string;
  readonly token: string;
  readonly port: number;
  readonly demoUrl: string | undefined;
  readonly controller: PlaygroundController;
  close(): Promise<void>;
}

export interface UiOptions {
  port?: number;
  assetsDir?: string;
  /** Start a demo server for the playground to send to. Default true. */
  demo?: boolean;
  /** Bytes of traffic the playground keeps (see PlaygroundControllerOptions.captureMaxBytes). */
  captureMaxBytes?: number;
  log?: (message: string) => void;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startUiServer(options: UiOptions = {}): Promise<UiServer> {
  const assets = options.assetsDir ?? findAssetsDir();
  if (!assets) throw new Error('the playground bundle (webview/panel.js) was not found; run `npm run build` first');
  const token = randomBytes(24).toString('base64url');
  let demo: WireplayServer | undefined;
  if (options.demo !== false) {
    demo = createWireplayServer({ host: '127.0.0.1', port: 0, webSocketRoutes: createBuiltinWebSocketRoutes() });
    await demo.listen();
  }
  const controller = new PlaygroundController({
    serverUrl: () => demo?.url ?? null,
    serverCapture: demo?.capture,
    serverQueue: demo && serverQueueOf(demo),
    captureMaxBytes: options.captureMaxBytes,
    standalone: true,
    log: options.log,
  });
  const origins: string[] = [];
  const hosts: string[] = [];
  const peers = new Map<WebSocketPeer, Disposable>();

  const deny = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  const handler = async (req: ServerRequest, res: ServerResponse) => {
    // DNS rebinding: only our own Host is served.
    const host = (req.header('host') ?? '').toLowerCase();
    if (!hosts.includes(host)) return deny(res, 403, 'Forbidden: wrong Host.\n');
    const parts = req.path.split('/');
    // ['', token, ...rest]
    if (parts.length < 3 || !sameToken(parts[1], token)) {
      return deny(res, 403, 'Forbidden: open the URL printed by `wireplay ui` (it carries a token).\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed.\n');
    const rest = decodeURIComponent(parts.slice(2).join('/'));
    const common: Record<string, string> = {
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    };
    if (rest === '') {
      const nonce = randomBytes(18).toString('base64');
      const body = Buffer.from(pageHtml(nonce));
      const wsOrigin = `ws://${host}`;
      res.writeHead(200, {
        ...common,
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': body.length,
        'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data: blob:; connect-src ${wsOrigin}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const type = ASSETS[rest];
    if (!type) return deny(res, 404, 'Not found.\n');
    let body: Buffer;
    try {
      body = readFileSync(join(assets, rest));
    } catch {
      return deny(res, 404, 'Not found (is the bundle built?).\n');
    }
    res.writeHead(200, { ...common, 'Content-Type': type, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const ui = createWireplayServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    handler,
    webSocketRoutes: [
      {
        path: `/${token}/ws`,
        route: {
          origins,
          handler: {
            onOpen(peer) {
              peers.set(
                peer,
                controller.onMessage((m) => {
                  if (peer.readyState === 'open') peer.send(JSON.stringify(m));
                }),
              );
            },
            onMessage(_peer, message) {
              if (message.binary) return;
              let parsed: unknown;
              try {
                parsed = JSON.parse(message.text ?? message.data.toString('utf8'));
              } catch {
                return;
              }
              void controller.receive(parsed).catch((err: unknown) => options.log?.(`playground: ${String(err)}`));
            },
            onClose(peer) {
              peers.get(peer)?.dispose();
              peers.delete(peer);
            },
          },
        },
      },
    ],
  });
  const addr = await ui.listen();
  hosts.push(`127.0.0.1:${addr.port}`, `localhost:${addr.port}`);
  origins.push(`http://127.0.0.1:${addr.port}`, `http://localhost:${addr.port}`);
  const url = `http://127.0.0.1:${addr.port}/${token}/`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const [peer, d] of peers) {
      d.dispose();
      peer.close(1001, 'wireplay ui stopped');
    }
    peers.clear();
    controller.dispose();
    await Promise.allSettled([ui.close(), demo?.close()]);
  };
  return {
    url,
    token,
    port: addr.port,
    demoUrl: demo?.url,
    controller,
    close,
    dispose: () => void close(),
  };
}

/** Opens a URL in the default browser; failures are ignored (the URL is printed anyway). */
export function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    /* no browser opener: the printed URL is enough */
  }
}

export const uiCommand: Command = {
  name: 'ui',
  summary: 'open the playground in a browser (127.0.0.1 only, with a token in the URL)',
  usage: USAGE,
  async run(argv, io) {
    const flags = parseFlags(argv, { port: { type: 'string' }, 'capture-limit': { type: 'string' }, 'no-open': { type: 'boolean' }, help: { type: 'boolean' } });
    if (flags.switches.has('help')) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (flags.positionals.length > 0) throw new UsageError(`unexpected argument ${flags.positionals[0]}`);
    const portText = flags.values.get('port') ?? '0';
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be 0–65535, got ${portText}`);
    const limitText = flags.values.get('capture-limit');
    let captureMaxBytes: number | undefined;
    try {
      if (limitText !== undefined) captureMaxBytes = parseByteSize(limitText, '--capture-limit', 1024 * 1024, 64 * 1024 ** 3);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    let server: UiServer;
    try {
      server = await startUiServer({ port: Number(portText), captureMaxBytes, log: (m) => io.stderr.write(`${m}\n`) });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      io.stderr.write(`wireplay ui: ${e.code === 'EADDRINUSE' ? `port ${portText} is in use; try --port 0` : e.message}\n`);
      return 1;
    }
    io.stdout.write(`Wireplay UI at ${server.url}\n`);
    if (!flags.switches.has('no-open')) openBrowser(server.url);
    await io.interrupted;
    await server.close();
    return 0;
  },
};
