// Activation wires the services together and nothing else: each one is built
// with its dependencies passed in, and every Disposable goes into
// context.subscriptions. deactivate() closes the server and every socket.
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { CommandManager } from './commands/command-manager.js';
import { COMMANDS } from './commands/index.js';
import { SessionMode } from './commands/session-mode.js';
import type { Services } from './commands/types.js';
import { SettingsWatcher, currentSettings } from './config/settings.js';
import { registerHttpFileSupport } from './httpfile/index.js';
import { createLog } from './log.js';
import { LazyPlayground } from './playground.js';
import { createServerHandle } from './server/core-server.js';
import { ProxyController } from './server/proxy-controller.js';
import { ReplayingCapture } from './server/replaying-capture.js';
import { ServerController } from './server/server-controller.js';
import { watchTrust } from './trust.js';
import { SidebarViews } from './views/sidebar-views.js';
import { ProxyStatusBar } from './views/proxy-status-bar.js';
import { StatusBar } from './views/status-bar.js';
import { httpTests, registerHttpTests, type HttpTests } from './tests/index.js';

/** What the extension returns from activate(): read by the extension-host tests. */
export interface WireplayApi {
  readonly activationMs: number;
  readonly controller: ServerController;
  /** The recording proxy (Start Proxy… / Stop Proxy). */
  readonly proxy: ProxyController;
  readonly commands: readonly string[];
  /** The sidebar's tree views: what each shows (tests read the item models). */
  readonly sidebar: SidebarViews;
  statusBarText(): string;
  /** The proxy's status bar item ('' while it is hidden). */
  proxyStatusBarText(): string;
  /** The `.http` requests in the Testing view. */
  readonly tests: HttpTests | undefined;
}

let shutdown: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): WireplayApi {
  const started = performance.now();
  const log = createLog();
  context.subscriptions.push(log);

  const warned = new Set<string>();
  // Switch Mode holds its choice for this window's session; a start applies it over wireplay.mode.
  const sessionMode = new SessionMode();
  context.subscriptions.push(sessionMode);
  const workspaceFolder = () => vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  const controller = new ServerController(
    createServerHandle,
    {
      settings: () => sessionMode.apply(currentSettings()),
      workspaceFolder,
      isTrusted: () => vscode.workspace.isTrusted,
      warnOnce: (key, message) => {
        if (warned.has(key)) return;
        warned.add(key);
        log.warn(message);
        void vscode.window.showWarningMessage(message);
      },
    },
    log,
  );
  // Its traffic goes into the server's capture and sidebar models; it is closed before the server.
  const proxy = new ProxyController(controller, log);
  shutdown = async () => {
    await proxy.dispose();
    await controller.dispose();
  };
  context.subscriptions.push({ dispose: () => void proxy.dispose().then(() => controller.dispose()) });
  context.subscriptions.push(
    controller.onState((state) => void vscode.commands.executeCommand('setContext', 'wireplay.serverRunning', state === 'running')),
    proxy.onState((state) => void vscode.commands.executeCommand('setContext', 'wireplay.proxyRunning', state === 'running')),
  );

  const statusBar = new StatusBar(controller);
  const proxyStatusBar = new ProxyStatusBar(proxy);
  // The panel may open after the traffic happened: it gets the capture so far, then the live events.
  const panelCapture = new ReplayingCapture(controller.capture, () => controller.store?.snapshot() ?? [], (err) => log.failure('playground capture', err));
  context.subscriptions.push(panelCapture);
  const playground = new LazyPlayground(context, {
    serverUrl: () => controller.listenInfo?.url ?? null,
    onServerChange: (listener) => controller.onState(() => listener()),
    serverCapture: panelCapture,
    serverQueue: {
      onQueue: (listener) => controller.queue.on('job', listener),
      mode: () => controller.mode,
      // Through the command, so the choice is saved in the settings as the sidebar's switch does.
      setMode: (mode) => vscode.commands.executeCommand('wireplay.switchMode', mode),
    },
    captureMaxBytes: () => currentSettings().captureMaxBytes,
    log: (message) => log.info(`playground: ${message}`),
  });
  const sidebar = new SidebarViews(controller, { workspaceFolder, routesSetting: () => currentSettings().routesFile }, log, proxy);
  const services: Services = { context, controller, log, playground, sessionMode, proxy };
  const commands = new CommandManager(services).registerAll(COMMANDS);
  context.subscriptions.push(
    statusBar,
    proxyStatusBar,
    playground,
    sidebar,
    commands,
    registerHttpFileSupport(services, (features) => registerHttpTests(services, features)),
    new SettingsWatcher(controller, log, proxy),
    watchTrust(controller),
  );

  if (currentSettings().autoStart) void vscode.commands.executeCommand('wireplay.startServer');
  // After activation: load the playground module so its panel serializer is registered.
  const warm = setTimeout(() => void playground.load().catch((err) => log.failure('playground', err)), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(warm) });

  const activationMs = performance.now() - started;
  log.info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    controller,
    proxy,
    commands: commands.registered,
    sidebar,
    statusBarText: () => statusBar.text,
    proxyStatusBarText: () => proxyStatusBar.text,
    tests: httpTests(services),
  };
}

export async function deactivate(): Promise<void> {
  const close = shutdown;
  shutdown = undefined;
  await close?.();
}
