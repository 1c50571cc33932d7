// wireplay.proxy.rules as VS Code holds it: its scopes (inspect) and a write to
// one of them. The decisions (which scope, which list) are in proxy-rule-form.ts;
// the running proxy follows the setting through SettingsWatcher.
import * as vscode from 'vscode';
import { SCOPE_NAMES, type RulesScope, type SettingScopes, type WritableScope } from './proxy-rule-form.js';

export function rulesScopes(): SettingScopes {
  const i = vscode.workspace.getConfiguration('wireplay').inspect<unknown>('proxy.rules');
  return { globalValue: i?.globalValue, workspaceValue: i?.workspaceValue, workspaceFolderValue: i?.workspaceFolderValue };
}

/** A folder (or a workspace) is open: the commands write the workspace's settings. */
export function folderOpen(): boolean {
  return (vscode.workspace.workspaceFolders?.length ?? 0) > 0;
}

/** Writes the list to that scope; the error's message when VS Code refused (a settings file it cannot parse, …). */
export async function writeRules(scope: WritableScope, list: readonly unknown[]): Promise<string | undefined> {
  try {
    await vscode.workspace.getConfiguration('wireplay').update('proxy.rules', list, scope === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** A warning with Open Settings (on wireplay.proxy.rules), for a list the commands cannot change. */
export function cannotWrite(text: string): void {
  void vscode.window.showWarningMessage(`Wireplay: ${text}`, 'Open Settings').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'wireplay.proxy.rules');
  });
}

export function scopeName(scope: RulesScope): string {
  return SCOPE_NAMES[scope];
}
