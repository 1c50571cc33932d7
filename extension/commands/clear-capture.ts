import * as vscode from 'vscode';
import type { Services } from './types.js';

export const id = 'wireplay.clearCapture';

export function execute(s: Services): void {
  const { traffic } = s.controller.traffic.totals();
  s.controller.clearCapture();
  s.log.info('capture cleared');
  void vscode.window.showInformationMessage(`Wireplay: capture cleared (${traffic} exchange${traffic === 1 ? '' : 's'} removed; open connections stay listed).`);
}
