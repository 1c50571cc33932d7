import * as vscode from 'vscode';
import { httpTests } from '../tests/index.js';
import type { Services } from './types.js';

export const id = 'wireplay.openTestExchange';

/**
 * Opens the exchange of a test in the playground inspector: from the link in a test's failure message
 * (a connection id), or from a request or check in the Testing view (its last run's exchange).
 */
export async function execute(s: Services, target?: unknown): Promise<void> {
  let connectionId = typeof target === 'string' ? target : undefined;
  if (!connectionId && target && typeof target === 'object' && 'id' in target) {
    connectionId = httpTests(s)?.exchangeOf(target as vscode.TestItem);
  }
  if (!connectionId) {
    void vscode.window.showInformationMessage('Wireplay: this test has no exchange yet; run it first.');
    return;
  }
  await s.playground.open({ select: connectionId });
}
