// Reads `wireplay.*` and reacts to changes: the mode applies live; settings that
// shape the listener (host, port, static root, routes file, limits) ask for a
// restart of a running server, with a button that does it.
import * as vscode from 'vscode';
import { DisposableStore } from '../../server-core/index.js';
import type { WireplayLog } from '../log.js';
import type { ProxyController } from '../server/proxy-controller.js';
import type { ServerController } from '../server/server-controller.js';
import { needsRestart, readSettings, type WireplaySettings } from './settings-model.js';

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
    // The running proxy's rules follow the setting at once (session toggles are replaced by it); its other settings apply at its next start.
    if (e.affectsConfiguration('wireplay.proxy.rules') && this.proxy?.state === 'running') {
      const result = this.proxy.setRules(settings.proxy.rules);
      if (!result.ok) void vscode.window.showErrorMessage(`Wireplay: wireplay.proxy.rules not applied (the previous rules stay): ${result.message}`);
      else vscode.window.setStatusBarMessage(`$(check) Wireplay: proxy rules applied (${result.rules.length})`, 4000);
    }
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

  dispose(): void {
    this.store.dispose();
  }
}
