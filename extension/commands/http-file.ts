// Shared by the commands that work on a `.http` request: which document and
// line (from a CodeLens's arguments, or the active editor and its cursor), and
// the .http support registered in activate().
import * as vscode from 'vscode';
import { httpFileSupport, type HttpFileFeatures } from '../httpfile/index.js';
import type { Services } from './types.js';

export function activeHttpEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const doc = editor.document;
  return doc.languageId === 'http' || /\.(http|rest)$/i.test(doc.fileName) ? editor : undefined;
}

export function needHttpFile(action: string): void {
  void vscode.window
    .showWarningMessage(`Wireplay: ${action} works on a request in a .http file. Open one, or create one with "Wireplay: New Scratch Request".`, 'New Scratch Request')
    .then((c) => {
      if (c) void vscode.commands.executeCommand('wireplay.newScratchRequest');
    });
}

/** The document and line a request command applies to: its arguments (uri, line) when given, else the active .http editor's cursor. */
export async function requestTarget(uri: unknown, line: unknown): Promise<{ doc: vscode.TextDocument; line: number } | undefined> {
  if (uri instanceof vscode.Uri) {
    const doc = await vscode.workspace.openTextDocument(uri);
    return { doc, line: typeof line === 'number' ? line : 0 };
  }
  const editor = activeHttpEditor();
  return editor ? { doc: editor.document, line: editor.selection.active.line } : undefined;
}

export function features(s: Services): HttpFileFeatures {
  const f = httpFileSupport(s);
  if (!f) throw new Error('.http support is not available (the extension is shutting down)');
  return f;
}
