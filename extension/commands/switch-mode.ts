import * as vscode from 'vscode';
import type { ConcurrencyMode } from '../../server-core/index.js';
import type { Services } from './types.js';

export const id = 'wireplay.switchMode';

/** Toggles concurrent ↔ sequential, or sets the mode given as argument; live, and saved in the settings. */
export async function execute(s: Services, mode?: unknown): Promise<ConcurrencyMode> {
  const next: ConcurrencyMode = mode === 'concurrent' || mode === 'sequential' ? mode : s.controller.mode === 'concurrent' ? 'sequential' : 'concurrent';
  s.controller.setMode(next);
  const config = vscode.workspace.getConfiguration('wireplay');
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  try {
    if (config.get('mode') !== next) await config.update('mode', next, target);
  } catch (err) {
    s.log.failure('could not save wireplay.mode', err);
  }
  const what =
    next === 'sequential'
      ? 'sequential: one request at a time across all connections; the others wait in a queue'
      : 'concurrent: every connection is served at once';
  void vscode.window.showInformationMessage(`Wireplay mode: ${what}.${s.controller.state === 'running' ? '' : ' (Applies when the server starts.)'}`);
  return next;
}
