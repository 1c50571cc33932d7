// The "Wireplay" sidebar: a webview view showing the server, live connections,
// recent traffic and the routes in force. Updates are coalesced (at most one
// post per list every UPDATE_MS, nothing while hidden, nothing after dispose);
// every message from the webview is validated before it is acted on.
import * as vscode from 'vscode';
import { DisposableStore } from '../../server-core/util/disposable.js';
import {
  MAX_ROWS,
  assertNever,
  validateFromSidebar,
  type FromSidebar,
  type SidebarCommand,
  type ToSidebar,
} from '../../server-core/protocol/sidebar.js';
import type { ServerController } from '../server/server-controller.js';
import type { WireplayLog } from '../log.js';
import { webviewHtml, webviewOptions } from './webview-html.js';

export const SIDEBAR_VIEW_ID = 'wireplay.sidebar';
const UPDATE_MS = 200;

type Part = 'server' | 'connections' | 'traffic' | 'routes';

const COMMAND_IDS: Record<SidebarCommand, string> = {
  start: 'wireplay.startServer',
  stop: 'wireplay.stopServer',
  restart: 'wireplay.restartServer',
  switchMode: 'wireplay.switchMode',
  openPlayground: 'wireplay.openPlayground',
  clearCapture: 'wireplay.clearCapture',
  openRoutesFile: 'wireplay.openRoutesFile',
  showLog: 'wireplay.showLog',
};

export class SidebarProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly viewStore = new DisposableStore();
  private readonly store = new DisposableStore();
  private readonly dirty = new Set<Part>();
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly controller: ServerController,
    private readonly log: WireplayLog,
  ) {
    this.store.add(controller.onState(() => this.mark('server')));
    this.store.add(controller.onRoutes(() => this.mark('routes')));
    this.store.add(controller.traffic.onChange((what) => this.mark(what)));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.extensionUri, { script: 'sidebar.js', title: 'Wireplay' });
    this.viewStore.add(view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this.viewStore.add(
      view.onDidChangeVisibility(() => {
        if (view.visible) this.markAll();
      }),
    );
    this.viewStore.add(
      view.onDidDispose(() => {
        this.view = undefined;
      }),
    );
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.viewStore.dispose();
    this.store.dispose();
    this.view = undefined;
  }

  private receive(raw: unknown): void {
    const msg = validateFromSidebar(raw);
    if (!msg) {
      this.log.warn(`sidebar: ignored a malformed message ${safeJson(raw)}`);
      return;
    }
    this.handle(msg).catch((err) => this.log.failure('sidebar', err));
  }

  private async handle(msg: FromSidebar): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.markAll();
        return;
      case 'command':
        await vscode.commands.executeCommand(COMMAND_IDS[msg.command]);
        return;
      case 'openTraffic':
        await vscode.commands.executeCommand('wireplay.openTrafficItem', msg.id);
        return;
      case 'openUrl': {
        const url = this.controller.listenInfo?.url;
        if (url && (msg.url === url || msg.url.startsWith(`${url}/`))) await vscode.env.openExternal(vscode.Uri.parse(msg.url));
        else this.log.warn(`sidebar: refused to open ${msg.url} (not the running server)`);
        return;
      }
      default:
        assertNever(msg);
    }
  }

  private markAll(): void {
    for (const p of ['server', 'connections', 'traffic', 'routes'] as const) this.dirty.add(p);
    this.schedule(0);
  }

  private mark(part: Part): void {
    this.dirty.add(part);
    // The status of the server shows at once; lists are coalesced.
    this.schedule(part === 'server' ? 0 : UPDATE_MS);
  }

  private schedule(delay: number): void {
    if (this.disposed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delay);
  }

  private flush(): void {
    const view = this.view;
    if (!view || this.disposed || !view.visible) return;
    const parts = [...this.dirty];
    this.dirty.clear();
    for (const part of parts) {
      const msg = this.message(part);
      view.webview.postMessage(msg).then(undefined, (err) => this.log.failure('sidebar post', err));
    }
  }

  private message(part: Part): ToSidebar {
    switch (part) {
      case 'server':
        return { type: 'server', server: this.controller.view() };
      case 'connections': {
        const rows = this.controller.traffic.connectionRows();
        return { type: 'connections', rows: rows.slice(-MAX_ROWS), open: this.controller.openConnections, total: this.controller.traffic.totals().connections };
      }
      case 'traffic': {
        const rows = this.controller.traffic.trafficRows();
        return { type: 'traffic', rows: rows.slice(-MAX_ROWS), total: this.controller.traffic.totals().traffic };
      }
      case 'routes':
        return { type: 'routes', routes: this.controller.routesView() };
      default:
        return assertNever(part);
    }
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 200) ?? String(v);
  } catch {
    return String(v);
  }
}
