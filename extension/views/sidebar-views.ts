// The Wireplay sidebar: four native tree views (Server, Connections, Recent
// Traffic, Routes) fed by the server controller. Lists are rebuilt coalesced
// (at most one rebuild per view every UPDATE_MS) and only while their view is
// visible; a hidden view is rebuilt when it is shown again. The Connections
// badge counts open connections and is kept current even while hidden (it
// shows on the activity bar). While the server is stopped the Routes view
// lists the routes file itself (routes-listing.ts), refreshed when it changes.
//
// Why no webview: everything the sidebar shows is a list or a tree, which VS
// Code's own tree views draw with its keyboard model, screen-reader support,
// theming (high contrast included), collapse state and context menus. The
// playground panel is where Wireplay draws (bytes, timelines, the queue).
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { DisposableStore } from '../../server-core/util/disposable.js';
import type { WireplayLog } from '../log.js';
import type { ProxyController } from '../server/proxy-controller.js';
import type { ServerController } from '../server/server-controller.js';
import { proxyItems } from './proxy-items.js';
import { routeItems } from './route-items.js';
import { listingFromFile, listingFromServer, routesFileFor } from './routes-listing.js';
import { connectionItems, trafficItems } from './traffic-items.js';
import { plural, relativeTo, serverItems, type ItemModel } from './tree-model.js';
import { ModelTreeProvider } from './tree-views.js';

export const VIEW_IDS = {
  server: 'wireplay.server',
  connections: 'wireplay.connections',
  traffic: 'wireplay.traffic',
  routes: 'wireplay.routes',
} as const;

type Part = keyof typeof VIEW_IDS;

const UPDATE_MS = 250;

export interface SidebarEnvironment {
  /** Absolute path of the first workspace folder, if any. */
  workspaceFolder(): string | undefined;
  /** The wireplay.routesFile setting ('' when unset). */
  routesSetting(): string;
}

export class SidebarViews implements vscode.Disposable {
  readonly providers: Record<Part, ModelTreeProvider> = {
    server: new ModelTreeProvider(),
    connections: new ModelTreeProvider(),
    traffic: new ModelTreeProvider(),
    routes: new ModelTreeProvider(),
  };
  readonly views: Record<Part, vscode.TreeView<ItemModel>>;
  private readonly store = new DisposableStore();
  /** Watchers of the routes file, set up when the Routes view first needs them (not at activation). */
  private watchers: DisposableStore | undefined;
  private readonly dirty = new Set<Part>();
  private timer: NodeJS.Timeout | undefined;
  private routesRun = 0;
  private disposed = false;

  constructor(
    private readonly controller: ServerController,
    private readonly env: SidebarEnvironment,
    private readonly log: WireplayLog,
    private readonly proxy?: ProxyController,
  ) {
    const view = (part: Part) =>
      vscode.window.createTreeView(VIEW_IDS[part], { treeDataProvider: this.providers[part], showCollapseAll: part !== 'server' });
    this.views = { server: view('server'), connections: view('connections'), traffic: view('traffic'), routes: view('routes') };
    for (const part of Object.keys(VIEW_IDS) as Part[]) {
      this.store.add(this.providers[part]);
      this.store.add(this.views[part]);
      this.store.add(this.views[part].onDidChangeVisibility((e) => e.visible && this.mark(part, 0)));
    }
    this.store.add(controller.onState(() => (this.mark('server', 0), this.mark('routes', 0))));
    this.store.add(controller.onRoutes(() => (this.mark('server', 0), this.mark('routes', 0))));
    if (proxy) this.store.add(proxy.onState(() => this.mark('server', 0)));
    this.store.add(controller.traffic.onChange((what) => (this.mark(what), what === 'traffic' && this.mark('connections'))));
    const rewatch = () => {
      if (!this.watchers) return;
      this.watchRoutesFile();
      this.mark('routes', 0);
    };
    this.store.add(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('wireplay.routesFile') && rewatch()));
    this.store.add(vscode.workspace.onDidChangeWorkspaceFolders(rewatch));
    for (const part of Object.keys(VIEW_IDS) as Part[]) this.dirty.add(part);
    this.schedule(0);
  }

  /** Rebuilds every view now, visible or not (the extension-host tests read the result). */
  async refreshNow(): Promise<void> {
    this.build('server');
    this.build('connections');
    this.build('traffic');
    await this.buildRoutes();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.watchers?.dispose();
    this.store.dispose();
  }

  private mark(part: Part, delay = UPDATE_MS): void {
    this.dirty.add(part);
    this.schedule(delay);
  }

  private schedule(delay: number): void {
    if (this.disposed) return;
    if (this.timer && delay > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, delay);
  }

  private flush(): void {
    if (this.disposed) return;
    this.badge();
    for (const part of [...this.dirty]) {
      if (!this.views[part].visible) continue;
      this.dirty.delete(part);
      if (part === 'routes') void this.buildRoutes();
      else this.build(part);
    }
  }

  /** The Connections badge (on the activity bar too): the open connections, nothing when there are none. */
  private badge(): void {
    const open = this.controller.openConnections;
    this.views.connections.badge = open > 0 ? { value: open, tooltip: `${plural(open, 'open connection')}` } : undefined;
  }

  private build(part: Exclude<Part, 'routes'>): void {
    const c = this.controller;
    switch (part) {
      case 'server': {
        const problem = c.routesView().problem;
        const server = serverItems(c.view(), { shownElsewhere: problem ? [problem] : [], relative: this.relative() });
        this.providers.server.set(this.proxy ? [...server, ...proxyItems(this.proxy.view())] : server);
        return;
      }
      case 'connections': {
        // The counts are the badge (open) and the "Closed" row: a view description is left out of
        // the header's accessible name by VS Code, so none is used.
        this.providers.connections.set(connectionItems(c.traffic.connectionRows(), c.traffic.trafficRows()).items);
        this.badge();
        return;
      }
      case 'traffic': {
        this.providers.traffic.set(trafficItems(c.traffic.trafficRows()));
        return;
      }
    }
  }

  private async buildRoutes(): Promise<void> {
    const run = ++this.routesRun;
    const c = this.controller;
    try {
      if (!this.watchers) this.watchRoutesFile();
      const listing = c.state === 'running' ? listingFromServer(c.routesView()) : await listingFromFile(routesFileFor(this.env.routesSetting(), this.env.workspaceFolder()));
      if (run !== this.routesRun || this.disposed) return;
      this.providers.routes.set(routeItems(listing, this.relative()).items);
    } catch (err) {
      this.log.failure('routes view', err);
    }
  }

  private relative(): (text: string) => string {
    return relativeTo(this.env.workspaceFolder());
  }

  /** Watches the routes file(s) a start would load, so the stopped server's list follows edits, creation and deletion. */
  private watchRoutesFile(): void {
    this.watchers?.dispose();
    if (this.disposed) return;
    const watchers = (this.watchers = new DisposableStore());
    const folder = this.env.workspaceFolder();
    const setting = this.env.routesSetting();
    const patterns: vscode.RelativePattern[] = [];
    if (folder) patterns.push(new vscode.RelativePattern(vscode.Uri.file(folder), 'wireplay.routes.{json,mjs}'));
    const configured = routesFileFor(setting, folder);
    if (setting && configured) patterns.push(new vscode.RelativePattern(vscode.Uri.file(dirname(configured)), basename(configured)));
    for (const pattern of patterns) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      const changed = () => this.controller.state !== 'running' && this.mark('routes');
      watchers.add(watcher);
      watchers.add(watcher.onDidCreate(changed));
      watchers.add(watcher.onDidChange(changed));
      watchers.add(watcher.onDidDelete(changed));
    }
  }
}
