import * as vscode from 'vscode';
import { OPEN_IN_INSPECTOR, RESPONSE_SCHEME } from '../httpfile/response-view.js';
import { features } from './http-file.js';
import type { Services } from './types.js';

export const id = OPEN_IN_INSPECTOR;

/**
 * Opens the exchange of a `.http` response tab in the playground inspector:
 * the one a CodeLens names, else the tab's last (its title button), else the
 * active response tab's.
 */
export async function execute(s: Services, uri?: unknown, connectionId?: unknown): Promise<string | undefined> {
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  const id =
    typeof connectionId === 'string' && connectionId.length > 0 && connectionId.length <= 200
      ? connectionId
      : target?.scheme === RESPONSE_SCHEME
        ? features(s).files.responses.connectionFor(target)
        : undefined;
  if (!id) {
    void vscode.window.showInformationMessage('Wireplay: this response has no exchange to inspect (the request was not sent, or the tab is not a Wireplay response).');
    return undefined;
  }
  await s.playground.open({ select: id });
  return id;
}
