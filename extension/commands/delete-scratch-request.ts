import * as vscode from 'vscode';
import { features } from './http-file.js';
import type { Services } from './types.js';

export const id = 'wireplay.deleteScratchRequest';

/** Deletes a scratch request file after confirmation (from the tree's context menu, or picked from a list). */
export function execute(s: Services, uri?: unknown): Promise<boolean> {
  return features(s).scratches.delete(uri instanceof vscode.Uri ? uri : undefined);
}
