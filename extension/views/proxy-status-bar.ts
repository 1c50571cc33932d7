// The recording proxy's status bar item: shown only while the proxy runs,
// `Proxy :PORT → host:port`; a click shows Recent Traffic, where its exchanges
// are listed. The server's own item (status-bar.ts) is unchanged.
import * as vscode from 'vscode';
import type { ProxyController } from '../server/proxy-controller.js';

export class ProxyStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: { dispose(): void };

  constructor(private readonly proxy: ProxyController) {
    this.item = vscode.window.createStatusBarItem('wireplay.proxyStatus', vscode.StatusBarAlignment.Right, 99);
    this.item.name = 'Wireplay Proxy';
    this.item.command = 'wireplay.traffic.focus';
    this.subscription = proxy.onState(() => this.render());
    this.render();
  }

  /** The text shown now ('' while hidden). */
  get text(): string {
    return this.proxy.state === 'running' ? this.item.text : '';
  }

  private render(): void {
    const v = this.proxy.view();
    if (v.state !== 'running' || !v.url) {
      this.item.hide();
      return;
    }
    const port = /:(\d+)$/.exec(v.url)?.[1] ?? '?';
    const target = (v.target ?? '?').replace(/^http:\/\//, '');
    this.item.text = `$(arrow-swap) Proxy :${port} → ${target}`;
    this.item.tooltip = `Wireplay proxy on ${v.url} → ${v.target}${v.message ? `\n${v.message}` : ''}\nClick to show Recent Traffic; "Wireplay: Stop Proxy" stops it.`;
    this.item.accessibilityInformation = { label: `Wireplay proxy on ${v.url} forwarding to ${v.target}. Shows Recent Traffic`, role: 'button' };
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
