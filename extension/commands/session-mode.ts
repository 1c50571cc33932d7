// The server mode chosen with Switch Mode for this window's session. The
// switch does not write `wireplay.mode` anywhere unasked (a shared
// .vscode/settings.json would carry it into everyone's checkout): it holds
// here, survives restarts of the server, and yields to the setting as soon as
// the setting changes. Saving it as a default is offered, and only done when
// asked (switch-mode.ts).
import * as vscode from 'vscode';
import type { WireplaySettings } from '../config/settings-model.js';
import type { ConcurrencyMode as ServerMode } from '../../server-core/index.js';

export class SessionMode implements vscode.Disposable {
  private chosen: ServerMode | undefined;
  private readonly subscription = vscode.workspace.onDidChangeConfiguration((e) => {
    // An explicit change of the setting is the newer choice.
    if (e.affectsConfiguration('wireplay.mode')) this.chosen = undefined;
  });

  /** The mode chosen for this session, if any. */
  get mode(): ServerMode | undefined {
    return this.chosen;
  }

  set(mode: ServerMode): void {
    this.chosen = mode;
  }

  /** The settings a start uses: the session's mode over the setting's. */
  apply(settings: WireplaySettings): WireplaySettings {
    return this.chosen ? { ...settings, mode: this.chosen } : settings;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
