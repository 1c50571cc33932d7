import * as vscode from 'vscode';
import type { Services } from './types.js';

export const id = 'wireplay.stopProxy';

/** Stops the recording proxy (exchanges in flight finish, 5 s at most); what it recorded stays in the capture. */
export async function execute(s: Services): Promise<boolean> {
  const url = s.proxy.view().url;
  const stopped = await s.proxy.stop();
  void vscode.window.showInformationMessage(stopped ? `Wireplay proxy stopped (was ${url}); what it recorded stays in Recent Traffic until Clear Capture.` : 'The Wireplay proxy is not running.');
  return stopped;
}
