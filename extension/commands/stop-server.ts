import * as vscode from 'vscode';
import type { Services } from './types.js';

export const id = 'wireplay.stopServer';

export async function execute(s: Services): Promise<boolean> {
  const url = s.controller.listenInfo?.url;
  const stopped = await s.controller.stop();
  void vscode.window.showInformationMessage(stopped ? `Wireplay stopped (was ${url}); every connection is closed.` : 'Wireplay is not running.');
  return stopped;
}
