import * as vscode from 'vscode';
import { features } from './http-file.js';
import type { Services } from './types.js';

export const id = 'wireplay.renameScratchRequest';

/** Renames a scratch request file (from the tree's context menu, or picked from a list). */
export function execute(s: Services, uri?: unknown): Promise<vscode.Uri | undefined> {
  return features(s).scratches.rename(uri instanceof vscode.Uri ? uri : undefined);
}
