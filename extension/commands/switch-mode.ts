import * as vscode from 'vscode';
import type { ConcurrencyMode } from '../../server-core/index.js';
import type { Services } from './types.js';

export const id = 'wireplay.switchMode';

const SAYS: Record<ConcurrencyMode, string> = {
  sequential: 'sequential: one request at a time across all connections; the others wait in a queue',
  concurrent: 'concurrent: every connection is served at once',
};

/**
 * Toggles concurrent ↔ sequential, or sets the mode given as argument: live,
 * for this window's session (session-mode.ts). Said in a message (which offers
 * to save it as the default), on the status bar, and in the playground.
 */
export async function execute(s: Services, mode?: unknown): Promise<ConcurrencyMode> {
  const next: ConcurrencyMode = mode === 'concurrent' || mode === 'sequential' ? mode : s.controller.mode === 'concurrent' ? 'sequential' : 'concurrent';
  s.sessionMode.set(next);
  s.controller.setMode(next);
  const later = s.controller.state === 'running' ? '' : ' It applies when the server starts.';
  vscode.window.setStatusBarMessage(`$(${next === 'sequential' ? 'list-ordered' : 'list-flat'}) Wireplay: ${next} mode`, 5000);
  s.playground.notify('info', `Server mode: ${SAYS[next]}.${later}`);
  void offerToSave(s, next, later);
  return next;
}

/** The message, with the one way the choice reaches a settings file: the user's click. */
async function offerToSave(s: Services, mode: ConcurrencyMode, later: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('wireplay');
  if (config.get('mode') === mode) {
    void vscode.window.showInformationMessage(`Wireplay mode: ${SAYS[mode]}.${later}`);
    return;
  }
  const inspect = config.inspect<string>('mode');
  // A workspace value wins over the user's: saving for the user alone would not take.
  const workspace = inspect?.workspaceFolderValue !== undefined || inspect?.workspaceValue !== undefined;
  const save = workspace ? 'Save in Workspace Settings' : 'Save as Default';
  const choice = await vscode.window.showInformationMessage(`Wireplay mode: ${SAYS[mode]} (for this window).${later}`, save);
  if (choice !== save) return;
  try {
    await config.update('mode', mode, workspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
  } catch (err) {
    void vscode.window.showErrorMessage(`Wireplay: could not save wireplay.mode: ${s.log.failure('wireplay.mode', err)}`);
  }
}
