import * as vscode from 'vscode';
import { features } from './http-file.js';
import type { Services } from './types.js';

export const id = 'wireplay.clearScriptGlobals';

/** Empties the `client.global` / `$global` store that `.http` scripts share across sends, test runs and files in this window. */
export function execute(s: Services): number {
  const globals = features(s).files.scripts.globals;
  const count = globals.size;
  globals.clear();
  s.log.info(`script globals cleared (${count})`);
  void vscode.window.showInformationMessage(`Wireplay: script globals cleared (${count} value${count === 1 ? '' : 's'} removed).`);
  return count;
}
