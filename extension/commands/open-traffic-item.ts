import * as vscode from 'vscode';
import type { Services } from './types.js';

export const id = 'wireplay.openTrafficItem';

/** Opens one traffic row (`connectionId#index`) from the sidebar in the playground's inspector. */
export async function execute(s: Services, rowId?: unknown): Promise<void> {
  if (typeof rowId !== 'string' || !s.controller.traffic.trafficById(rowId)) {
    void vscode.window.showWarningMessage('Wireplay: that exchange is no longer in the capture (it was cleared or dropped by the size limit).');
    return;
  }
  await s.playground.open({ select: rowId });
}
