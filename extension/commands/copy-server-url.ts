import * as vscode from 'vscode';
import type { Services } from './types.js';

export const id = 'wireplay.copyServerUrl';

/** Copies the running server's URL. */
export async function execute(s: Services): Promise<string | undefined> {
  const url = s.controller.listenInfo?.url;
  if (!url) {
    void vscode.window.showInformationMessage('Wireplay: the server is not running, so it has no URL yet.');
    return undefined;
  }
  await vscode.env.clipboard.writeText(url);
  vscode.window.setStatusBarMessage(`$(check) Wireplay: copied ${url}`, 4000);
  return url;
}
