import * as vscode from 'vscode';
import type { ComposerLoad } from '../../server-core/index.js';
import { proxiedRequest } from './proxied-row.js';
import type { Services } from './types.js';

export const id = 'wireplay.editAndResend';

/**
 * Opens a proxied exchange's request in the playground's composer (a Recent Traffic row, or
 * `connectionId#index`): the bytes the target received, addressed to the target, to edit and send.
 */
export async function execute(s: Services, target?: unknown): Promise<ComposerLoad | undefined> {
  const found = await proxiedRequest(s, target);
  if (!found.ok) {
    void vscode.window.showWarningMessage(`Wireplay: cannot edit and resend: ${found.reason}.`);
    return undefined;
  }
  const { composerLoadFromBytes } = await import('../../server-core/index.js');
  let load: ComposerLoad;
  try {
    load = composerLoadFromBytes(found.request.bytes, found.record.origin, found.what);
  } catch (err) {
    void vscode.window.showWarningMessage(`Wireplay: cannot edit and resend: ${(err as Error).message}.`);
    return undefined;
  }
  if (!(await s.playground.compose(load))) {
    void vscode.window.showWarningMessage('Wireplay: the playground did not open in time; run Edit and Resend again.');
    return undefined;
  }
  s.log.info(`edit and resend: ${found.what} in the composer (${load.mode})`);
  return load;
}
