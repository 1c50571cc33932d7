import * as vscode from 'vscode';
import { itemRef } from './item-ref.js';
import type { Services } from './types.js';

export const id = 'wireplay.openTrafficItem';

/**
 * Opens an exchange (`connectionId#index`, or a Recent Traffic / Connections
 * row) in the playground's inspector; a connection row opens that connection.
 */
export async function execute(s: Services, target?: unknown): Promise<void> {
  const ref = itemRef(target, 'trafficId');
  if (ref.trafficId) {
    if (!s.controller.traffic.trafficById(ref.trafficId)) {
      void vscode.window.showWarningMessage('Wireplay: that exchange is no longer in the capture (it was cleared or dropped by the size limit).');
      return;
    }
    await s.playground.open({ select: ref.trafficId });
    return;
  }
  if (ref.connectionId && s.controller.traffic.connectionRows().some((c) => c.id === ref.connectionId)) {
    await s.playground.open({ select: ref.connectionId });
    return;
  }
  void vscode.window.showWarningMessage('Wireplay: that connection is no longer in the capture (it was cleared or dropped by the size limit).');
}
