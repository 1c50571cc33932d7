// wireplay ui: the playground in a plain browser page. One Wireplay server
// serves the page (the same bundle as the VS Code panel) and the WebSocket the
// page talks to the playground controller over; a second one runs the demo
// routes for the playground to send to. Both listen on 127.0.0.1 only. Every
// path of the UI server sits under a random token (http://127.0.0.1:PORT/TOKEN/),
// so no other page or user on the machine can load the UI or drive the
// controller: anything else, the WebSocket upgrade included, gets 403.
// The pieces: ui/access.ts (token, Host, Origin), ui/page.ts (the page and its
// CSP), ui/assets.ts (the built files), ui/bridge.ts (the WebSocket to the
// controller); this file puts them together and is the command.
import { spawn } from 'node:child_process';
import type { ServerRequest, ServerResponse } from '../../http/handler-types.js';
import { PlaygroundController } from '../../playground/controller.js';
import { serverQueueOf } from '../../playground/queue-jobs.js';
import { createWireplayServer, type WireplayServer } from '../../server/wireplay-server.js';
import type { Disposable } from '../../util/disposable.js';
import { createBuiltinWebSocketRoutes } from '../../ws/builtin-routes.js';
import { parseByteSize } from '../byte-size.js';
import { UsageError, parseFlags, type Command } from '../command.js';
import { UiAccess } from '../ui/access.js';
import { findAssetsDir, readAsset } from '../ui/assets.js';
import { controllerBridge } from '../ui/bridge.js';
import { newNonce, pageCsp, pageHtml } from '../ui/page.js';

export { findAssetsDir } from '../ui/assets.js';
export { pageHtml } from '../ui/page.js';

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

/** Headers of every answer: never cached, never framed, no referrer, the type as declared. */
const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

function deny(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The page at the token's root, its files below it; the access checks first. */
function pageHandler(access: UiAccess, assets: string) {
  return (req: ServerRequest, res: ServerResponse): void => {
    const host = req.header('host');
    const decision = access.check(host, req.path, req.method);
    if (!decision.ok) return deny(res, decision.status, decision.text);
    const head = req.method === 'HEAD';
    if (decision.rest === '') {
      const nonce = newNonce();
      const body = Buffer.from(pageHtml(nonce));
      res.writeHead(200, {
        ...COMMON_HEADERS,
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': body.length,
        'Content-Security-Policy': pageCsp(nonce, (host ?? '').toLowerCase()),
      });
      res.end(head ? undefined : body);
      return;
    }
    const asset = readAsset(assets, decision.rest);
    if (!asset.found) return deny(res, 404, asset.text);
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': asset.type, 'Content-Length': asset.body.length });
    res.end(head ? undefined : asset.body);
  };
}

export async function startUiServer(options: UiOptions = {}): Promise<UiServer> {
  const assets = options.assetsDir ?? findAssetsDir();
  if (!assets) throw new Error('the playground bundle (webview/panel.js) was not found; run `npm run build` first');
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
  const access = new UiAccess();
  const bridge = controllerBridge(controller, access, options.log);
  const ui = createWireplayServer({
    host: '127.0.0.1',
    port: options.port ?? 0,
    handler: pageHandler(access, assets),
    webSocketRoutes: [{ path: access.webSocketPath, route: bridge.route }],
  });
  const addr = await ui.listen();
  access.listening(addr.port);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    bridge.dispose();
    controller.dispose();
    await Promise.allSettled([ui.close(), demo?.close()]);
  };
  return {
    url: `http://127.0.0.1:${addr.port}/${access.token}/`,
    token: access.token,
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
