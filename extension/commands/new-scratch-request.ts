import * as vscode from 'vscode';
import type { Services } from './types.js';

export const id = 'wireplay.newScratchRequest';

/**
 * Creates a scratch `.http` file in the extension's global storage (outside any
 * workspace, so it needs no project) with a request against the running server.
 * The full scratch-file experience (examples for every protocol, listing in the
 * sidebar) comes with .http support.
 */
export async function execute(s: Services): Promise<vscode.Uri> {
  const dir = vscode.Uri.joinPath(s.context.globalStorageUri, 'scratches');
  await vscode.workspace.fs.createDirectory(dir);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const file = vscode.Uri.joinPath(dir, `scratch-${stamp}.http`);
  const base = s.controller.listenInfo?.url ?? 'http://127.0.0.1:8080';
  const content = [
    '# Wireplay scratch requests. Start the server with "Wireplay: Start Server".',
    s.controller.listenInfo ? '' : '# The server is not running: the URLs below use port 8080 as a placeholder.',
    '',
    '### Echo',
    `GET ${base}/echo`,
    'Accept: application/json',
    '',
    '### Post JSON',
    `POST ${base}/echo`,
    'Content-Type: application/json',
    '',
    '{ "hello": "wire" }',
    '',
  ].join('\n');
  await vscode.workspace.fs.writeFile(file, Buffer.from(content, 'utf8'));
  const doc = await vscode.workspace.openTextDocument(file);
  await vscode.window.showTextDocument(doc);
  void vscode.window.showInformationMessage(`Wireplay: scratch file created in the extension's storage (${file.path.split('/').pop()}); it lives outside the workspace.`);
  return file;
}
