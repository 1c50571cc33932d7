// The status bar item: the server's state, port, mode (when sequential: the
// mode that changes what the user sees) and open connection count; a click
// opens the playground. Connection counts are coalesced (one update per
// UPDATE_MS at most), state changes show at once.
import * as vscode from 'vscode';
import { DisposableStore } from '../../server-core/util/disposable.js';
import type { ServerController } from '../server/server-controller.js';

const UPDATE_MS = 250;

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly store = new DisposableStore();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly controller: ServerController) {
    this.item = vscode.window.createStatusBarItem('wireplay.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Wireplay';
    this.item.command = 'wireplay.openPlayground';
    this.store.add(controller.onState(() => this.render()));
    this.store.add(
      controller.traffic.onChange((what) => {
        if (what === 'connections' && !this.timer) {
          this.timer = setTimeout(() => {
            this.timer = undefined;
            this.render();
          }, UPDATE_MS);
        }
      }),
    );
    this.render();
    this.item.show();
  }

  /** The text shown now (the end-to-end test reads the same in the DOM). */
  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const c = this.controller;
    const info = c.listenInfo;
    switch (c.state) {
      case 'running': {
        const open = c.openConnections;
        const mode = c.mode === 'sequential' ? ' $(list-ordered) sequential' : '';
        this.item.text = `$(radio-tower) Wireplay :${info?.port ?? '?'}${mode} $(plug) ${open}`;
        this.item.tooltip = new vscode.MarkdownString(
          `**Wireplay** running at ${info?.url ?? '?'} (${c.mode})  \n${open} open connection${open === 1 ? '' : 's'}  \nClick to open the playground`,
        );
        this.item.backgroundColor = undefined;
        break;
      }
      case 'starting':
      case 'stopping':
        this.item.text = `$(loading~spin) Wireplay ${c.state}`;
        this.item.tooltip = `Wireplay server ${c.state}`;
        this.item.backgroundColor = undefined;
        break;
      case 'failed':
        this.item.text = '$(error) Wireplay';
        this.item.tooltip = `Wireplay server failed to start: ${c.view().message ?? ''}\nClick to open the playground`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
      case 'stopped':
        this.item.text = '$(circle-slash) Wireplay off';
        this.item.tooltip = 'Wireplay server stopped. Click to open the playground; run "Wireplay: Start Server" to start it.';
        this.item.backgroundColor = undefined;
        break;
    }
    const spoken =
      c.state === 'running'
        ? `Wireplay running on port ${info?.port ?? 'unknown'}, ${c.mode} mode, ${c.openConnections} open connection${c.openConnections === 1 ? '' : 's'}`
        : this.item.text.replace(/\$\([^)]*\)\s*/g, '');
    this.item.accessibilityInformation = { label: `${spoken}. Opens the playground`, role: 'button' };
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.store.dispose();
    this.item.dispose();
  }
}
