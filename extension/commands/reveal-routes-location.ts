import * as vscode from 'vscode';
import { itemRef } from './item-ref.js';
import type { Services } from './types.js';

export const id = 'wireplay.revealRoutesLocation';

/** Opens the routes file of a Routes view row, at the problem's line and column when it has one. */
export async function execute(_s: Services, target?: unknown): Promise<vscode.TextEditor | undefined> {
  const ref = itemRef(target, 'file');
  if (!ref.file) return undefined;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(ref.file));
  const line = Math.min((ref.line ?? 1) - 1, Math.max(0, doc.lineCount - 1));
  const at = new vscode.Position(line, Math.max(0, (ref.column ?? 1) - 1));
  return vscode.window.showTextDocument(doc, { selection: new vscode.Range(at, at) });
}
