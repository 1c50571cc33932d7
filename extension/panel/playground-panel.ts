// The playground as a VS Code webview panel: one panel, revealed when opened
// again, revived after a window reload by its serializer. The webview runs
// dist/webview/panel.js; every message it posts is validated by the shared
// PlaygroundController (server-core/playground), which does the sending and
// capturing. Nothing is posted to a webview after its panel is disposed.
import * as vscode from 'vscode';
import type { CaptureEvents } from '../../server-core/capture/types.js';
import { PlaygroundController } from '../../server-core/playground/controller.js';
import type { AttachedWebSocket, AttachWebSocketOptions } from '../../server-core/playground/ws-attach.js';
import type { ServerQueueSource } from '../../server-core/playground/queue-jobs.js';
import type { Emitter } from '../../server-core/util/emitter.js';
import type { ComposerLoad, DraftsSnapshot, HistoryEntry, ToWebview } from '../../server-core/protocol/playground.js';
import { webviewHtml, webviewOptions } from '../views/webview-html.js';

export const PLAYGROUND_VIEW_TYPE = 'wireplay.playground';
const HISTORY_KEY = 'wireplay.playground.history';
/** The request tabs, per workspace: closing the playground (not only hiding it) keeps them. */
const DRAFTS_KEY = 'wireplay.playground.drafts';

/** What the panel needs from the rest of the extension. */
export interface PlaygroundEnvironment {
  /** URL of the running server, or null when stopped. */
  serverUrl(): string | null;
  /** Called whenever the server starts, stops or moves. */
  onServerChange(listener: () => void): vscode.Disposable;
  /** The server's capture events, to show server-side connections in the inspector too. */
  serverCapture?: Emitter<CaptureEvents>;
  /** The server's scheduler, for the Timeline's server queue view; its mode changes arrive through onServerChange. */
  serverQueue?: ServerQueueSource;
  /** wireplay.capture.maxBytes: how many bytes of traffic the playground keeps. */
  captureMaxBytes?(): number;
  log?(message: string): void;
}

/** The playground panel manager: implements the extension's `Playground` (open({ select })). */
export class PlaygroundPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  /**
   * One controller for the manager's lifetime: it records the server's traffic
   * from the moment the module loads, so a connection clicked in the sidebar can
   * be shown even if it happened before the panel was opened. Panels come and go.
   */
  private readonly controller: PlaygroundController;
  private panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private pendingSelect: { connectionId: string; pipeline: number | undefined } | undefined;
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  private disposed = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly env: PlaygroundEnvironment,
  ) {
    this.controller = new PlaygroundController({
      serverUrl: () => this.env.serverUrl(),
      serverCapture: this.env.serverCapture,
      serverQueue: this.env.serverQueue,
      ...(this.env.captureMaxBytes !== undefined ? { captureMaxBytes: this.env.captureMaxBytes() } : {}),
      history: this.context.globalState.get<HistoryEntry[]>(HISTORY_KEY, []),
      onHistoryChange: (entries) => void this.context.globalState.update(HISTORY_KEY, entries),
      drafts: this.context.workspaceState.get<DraftsSnapshot>(DRAFTS_KEY),
      onDraftsChange: (drafts) => void this.context.workspaceState.update(DRAFTS_KEY, drafts),
      openSource: (file, line) => void openRouteSource(file, line),
      log: this.env.log,
    });
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(PLAYGROUND_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => {
          this.adopt(panel);
        },
      }),
      env.onServerChange(() => this.controller.serverChanged()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (env.captureMaxBytes && e.affectsConfiguration('wireplay.capture.maxBytes')) this.controller.setCaptureMaxBytes(env.captureMaxBytes());
      }),
    );
  }

  /** Opens or reveals the panel; `select` names a connection (`connectionId` or `connectionId#index`) to show. */
  async open(options: { select?: string; pipeline?: boolean } = {}): Promise<void> {
    if (this.disposed) return;
    if (this.panel) this.panel.reveal();
    else {
      const panel = vscode.window.createWebviewPanel(
        PLAYGROUND_VIEW_TYPE,
        'Wireplay Playground',
        vscode.ViewColumn.Active,
        webviewOptions(this.context.extensionUri),
      );
      this.adopt(panel);
    }
    if (options.select) {
      const [id, index] = options.select.split('#');
      this.select(id, options.pipeline ? Number(index || 1) : undefined);
    }
  }

  /**
   * Opens the playground and, once its UI listens, a WebSocket session bound to
   * its composer (a WEBSOCKET block sent from a .http file). The session stays
   * open after the opener is done with it: the user closes it, or the server.
   */
  async attachWebSocket(options: AttachWebSocketOptions): Promise<AttachedWebSocket> {
    await this.open();
    await this.whenReady();
    return this.controller.attachWebSocket(options);
  }

  /** Opens the playground with a request in its composer (Edit and Resend), once its UI listens. */
  async compose(request: ComposerLoad): Promise<boolean> {
    await this.open();
    await this.whenReady();
    const panel = this.panel;
    if (!panel || !this.ready) return false;
    const m: ToWebview = { type: 'composer.load', request };
    return panel.webview.postMessage(m);
  }

  /** Resolves once the webview has said `ready` (messages posted before that are lost); at the latest after 15 s or when the panel goes. */
  private whenReady(): Promise<void> {
    if (this.ready || !this.panel) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, 15_000);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.readyWaiters.push(done);
    });
  }

  /** A notice in the open playground (its status region announces it); nothing when it is closed or still loading. */
  notify(level: 'info' | 'warning' | 'error', message: string): void {
    if (!this.panel || !this.ready) return;
    const notice: ToWebview = { type: 'notice', level, message };
    void this.panel.webview.postMessage(notice);
  }

  private wake(): void {
    for (const w of this.readyWaiters.splice(0)) w();
  }

  private select(connectionId: string, pipeline?: number): void {
    if (this.ready) this.controller.select(connectionId, pipeline);
    else this.pendingSelect = { connectionId, pipeline };
  }

  /** Wires a new or revived panel to a fresh controller. */
  private adopt(panel: vscode.WebviewPanel): void {
    if (this.panel && this.panel !== panel) this.panel.dispose();
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'media', 'icon.png');
    panel.webview.options = webviewOptions(this.context.extensionUri);
    const controller = this.controller;
    let alive = true;
    this.panelDisposables.push(
      controller.onMessage((m) => {
        if (alive) void panel.webview.postMessage(m);
      }),
      panel.webview.onDidReceiveMessage(async (m: unknown) => {
        await controller.receive(m);
        if (!this.ready && typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'ready') {
          this.ready = true;
          this.wake();
          if (this.pendingSelect) controller.select(this.pendingSelect.connectionId, this.pendingSelect.pipeline);
          this.pendingSelect = undefined;
        }
      }),
      // Hidden, the webview is discarded (no retainContextWhenHidden): shown again, it reloads and says `ready` anew.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        alive = false;
        if (this.panel === panel) this.panel = undefined;
        this.ready = false;
        this.wake();
        for (const d of this.panelDisposables.splice(0)) d.dispose();
      }),
    );
    panel.webview.html = webviewHtml(panel.webview, this.context.extensionUri, {
      script: 'panel.js',
      title: 'Wireplay Playground',
      stylesheets: ['panel.css'],
      mountId: 'app',
      allowInlineStyles: true,
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.controller.dispose();
  }
}

/** Creates the panel manager (registers the serializer) and opens the playground. */
export async function openPlayground(
  context: vscode.ExtensionContext,
  env: PlaygroundEnvironment,
  options: { select?: string } = {},
): Promise<PlaygroundPanel> {
  const playground = new PlaygroundPanel(context, env);
  context.subscriptions.push(playground);
  await playground.open(options);
  return playground;
}

/** The Pipeline view's "open the route's source": the routes file beside the playground, its line selected. */
async function openRouteSource(file: string, line: number | undefined): Promise<void> {
  try {
    const at = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.Beside, selection: new vscode.Range(at, at), preview: true });
  } catch (e) {
    void vscode.window.showErrorMessage(`Wireplay: could not open ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
