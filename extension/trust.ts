// Workspace trust: in an untrusted workspace the server runs, but a .mjs routes
// file (code) is not imported; the controller reports why. When trust is
// granted, offer to restart so the file loads.
import * as vscode from 'vscode';
import { extname } from 'node:path';
import type { ServerController } from './server/server-controller.js';

export function watchTrust(controller: ServerController): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(() => {
    const file = controller.routesView().file;
    if (controller.state !== 'running' || !file || extname(file) !== '.mjs') return;
    void vscode.window
      .showInformationMessage('Wireplay: the workspace is trusted now; restart the server to load the .mjs routes file.', 'Restart Server')
      .then((c) => {
        if (c) void vscode.commands.executeCommand('wireplay.restartServer');
      });
  });
}
