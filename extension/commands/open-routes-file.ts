import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { ROUTES_FILE_NAMES } from '../server/server-controller.js';
import type { Services } from './types.js';

export const id = 'wireplay.openRoutesFile';

export const EXAMPLE_ROUTES = `${JSON.stringify(
  {
    routes: [
      { method: 'GET', path: '/hello', status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Hello from a Wireplay routes file\n' },
      { method: 'GET', path: '/slow', delay: 1000, status: 200, body: 'one second later\n' },
      { method: 'GET', path: '/page', file: 'index.html' },
    ],
  },
  null,
  2,
)}\n`;

/** Opens the routes file in force; with none, offers to create wireplay.routes.json in the first folder. */
export async function execute(s: Services): Promise<vscode.Uri | undefined> {
  const file = s.controller.routesView().file;
  if (file && existsSync(file)) {
    const uri = vscode.Uri.file(file);
    await vscode.window.showTextDocument(uri);
    void offerReload(s);
    return uri;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('Wireplay: a routes file lives in a workspace folder, and no folder is open. Open a folder first; the built-in routes keep working meanwhile.');
    return undefined;
  }
  for (const name of ROUTES_FILE_NAMES) {
    const uri = vscode.Uri.joinPath(folder.uri, name);
    if (existsSync(uri.fsPath)) {
      await vscode.window.showTextDocument(uri);
      return uri;
    }
  }
  const choice = await vscode.window.showInformationMessage(
    `Wireplay: no routes file in ${folder.name}. Create ${ROUTES_FILE_NAMES[0]} with a few example routes?`,
    'Create',
  );
  if (choice !== 'Create') return undefined;
  const uri = vscode.Uri.joinPath(folder.uri, ROUTES_FILE_NAMES[0]);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(EXAMPLE_ROUTES, 'utf8'));
  await vscode.window.showTextDocument(uri);
  void vscode.window.showInformationMessage(`Wireplay: created ${ROUTES_FILE_NAMES[0]}. Restart the server to load it; after that it reloads on save.`);
  return uri;
}

/** The file reloads on save; a "Reload" button reloads it now and says how it went. */
async function offerReload(s: Services): Promise<void> {
  const choice = await vscode.window.showInformationMessage('Wireplay: the routes file reloads when you save it.', 'Reload');
  if (choice !== 'Reload') return;
  const problems = await s.controller.reloadRoutes();
  if (problems === undefined) void vscode.window.showWarningMessage('Wireplay: the server is not running; the routes load when it starts.');
  else if (problems.length > 0) void vscode.window.showErrorMessage(`Wireplay: the routes file was not reloaded (the previous routes keep serving): ${problems.join('; ')}`);
  else void vscode.window.showInformationMessage('Wireplay: routes reloaded.');
}
