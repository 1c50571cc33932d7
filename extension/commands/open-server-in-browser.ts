import * as vscode from 'vscode';
import type { Services } from './types.js';

export const id = 'wireplay.openServerInBrowser';

/** Opens the running server's URL in the browser (the Server view's state row). Only the server's own URL. */
export async function execute(s: Services): Promise<boolean> {
  const url = s.controller.listenInfo?.url;
  if (!url) {
    void vscode.window.showInformationMessage('Wireplay: the server is not running. Start it first.');
    return false;
  }
  return vscode.env.openExternal(vscode.Uri.parse(url));
}
