import type * as vscode from 'vscode';
import { features } from './http-file.js';
import type { Services } from './types.js';

export const id = 'wireplay.newScratchRequest';

/**
 * Creates a scratch `.http` file in the extension's global storage (outside any
 * workspace, so it needs no project), prefilled with working examples against
 * the built-in server (started if needed), and opens it.
 */
export function execute(s: Services): Promise<vscode.Uri> {
  return features(s).scratches.create();
}
