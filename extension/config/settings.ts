// Reads `wireplay.*` and reacts to changes: the mode applies live; settings that
// shape the listener (host, port, static root, routes file, limits) ask for a
// restart of a running server, with a button that does it. The running proxy
// takes every wireplay.proxy.* change at once (a new port or target restarts
// its listener, said in the status bar).
import * as vscode from 'vscode';
import { DisposableStore } from '../../server-core/index.js';
import type { WireplayLog } from '../log.js';
import type { ProxyController, ProxySettingKey } from '../server/proxy-controller.js';
import type { ServerController } from '../server/server-controller.js';
import { needsRestart, readSettings, type WireplaySettings } from './settings-model.js';

const PROXY_KEYS: readonly ProxySettingKey[] = ['target', 'port', 'timeoutMs', 'passMalformed', 'rewriteHost', 'xForwarded', 'insecure'];

export function currentSettings(): WireplaySettings {
  const config = vscode.workspace.getConfiguration('wireplay');
  return readSettings((key) => config.get(key));
}

export class SettingsWatcher implements vscode.Disposable {
  private readonly store = new DisposableStore();

  constructor(
    private readonly controller: ServerController,
    private readonly log: WireplayLog,
    private readonly proxy?: ProxyController,
  ) {
    this.store.add(vscode.workspace.onDidChangeConfiguration((e) => this.changed(e)));
  }

  private changed(e: vscode.ConfigurationChangeEvent): void {
    if (!e.affectsConfiguration('wireplay')) return;
    const settings = currentSettings();
    if (e.affectsConfiguration('wireplay.mode') && settings.mode !== this.controller.mode) {
      this.controller.setMode(settings.mode);
    }
    if (e.affectsConfiguration('wireplay.capture.maxBytes')) this.controller.setCaptureMaxBytes(settings.captureMaxBytes);
    // The running proxy's rules follow the setting at once (session toggles are replaced by it).
    if (e.affectsConfiguration('wireplay.proxy.rules') && this.proxy?.state === 'running') {
      const result = this.proxy.setRules(settings.proxy.rules);
      if (!result.ok) void vscode.window.showErrorMessage(`Wireplay: wireplay.proxy.rules not applied (the previous rules stay): ${result.message}`);
      else vscode.window.setStatusBarMessage(`$(check) Wireplay: proxy rules applied (${result.rules.length})`, 4000);
    }
    // Its other settings apply live too: a new port or target restarts its listener, the rest apply as they are.
    const proxyKeys = new Set(PROXY_KEYS.filter((k) => e.affectsConfiguration(`wireplay.proxy.${k}`)));
    if (proxyKeys.size > 0 && this.proxy?.state === 'running') void this.applyProxySettings(settings, proxyKeys);
    const restart = needsRestart((k) => e.affectsConfiguration(`wireplay.${k}`));
    if (restart.length === 0) return;
    this.log.info(`settings changed: ${restart.map((k) => `wireplay.${k}`).join(', ')}`);
    if (this.controller.state !== 'running') return;
    void vscode.window
      .showInformationMessage(`Wireplay: ${restart.map((k) => `wireplay.${k}`).join(', ')} changed; restart the server to apply.`, 'Restart Server')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('wireplay.restartServer');
      });
  }

  private async applyProxySettings(settings: WireplaySettings, keys: ReadonlySet<ProxySettingKey>): Promise<void> {
    const proxy = this.proxy!;
    const { rules: _rules, ...options } = settings.proxy;
    const restarting = keys.has('port') || keys.has('target');
    const busy = restarting ? vscode.window.setStatusBarMessage('$(sync~spin) Wireplay: restarting the proxy for its new settings…') : undefined;
    const result = await proxy.applySettings(options, keys);
    busy?.dispose();
    const names = (ks: readonly string[]) => ks.map((k) => `wireplay.proxy.${k}`).join(', ');
    if (result.kind === 'applied') vscode.window.setStatusBarMessage(`$(check) Wireplay: proxy settings applied (${names(result.changed)})`, 5000);
    else if (result.kind === 'restarted') {
      const r = result.result;
      if (r.ok) vscode.window.setStatusBarMessage(`$(check) Wireplay: proxy restarted on ${r.url} → ${r.target} (${names(result.changed)})`, 6000);
      else void vscode.window.showErrorMessage(`Wireplay: the proxy stopped for its new settings (${names(result.changed)}) and could not start again: ${r.message}`, 'Show Log').then((c) => c && this.log.show());
    }
  }

  dispose(): void {
    this.store.dispose();
  }
}
