// Shared by the commands that work on a `.http` request at the cursor. Full
// `.http` support (parsing, CodeLens, sending) lands with the scratch-files
// work; until then these commands say what they need.
import * as vscode from 'vscode';

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

export function comesWithHttpSupport(action: string): void {
  void vscode.window.showInformationMessage(`Wireplay: ${action} comes with .http file support, which this build does not include yet. Use the playground (Wireplay: Open Playground) to send requests.`);
}
