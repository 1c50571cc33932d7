import * as vscode from 'vscode';
import { keyboardHelpText } from '../../server-core/index.js';
import type { Services } from './types.js';

export const id = 'wireplay.playgroundAccessibilityHelp';

export const HELP_SCHEME = 'wireplay-help';
const HELP_URI = vscode.Uri.from({ scheme: HELP_SCHEME, path: '/Playground Accessibility Help' });

// The content provider, registered on the first use for each extension context.
const registered = new WeakSet<vscode.ExtensionContext>();

/**
 * The playground's keys as a read-only text document (Alt+F1 in the playground,
 * as Alt+F1 gives an editor's accessibility help): a screen reader reads it
 * line by line, and closing it (Ctrl+W) returns to the playground.
 */
export async function execute(s: Services): Promise<vscode.TextDocument> {
  if (!registered.has(s.context)) {
    registered.add(s.context);
    const mac = process.platform === 'darwin';
    const text = `${keyboardHelpText({ mac })}Close this help with ${mac ? 'Cmd+W' : 'Ctrl+W'} to return to the playground.\n`;
    s.context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(HELP_SCHEME, { provideTextDocumentContent: () => text }));
  }
  const doc = await vscode.workspace.openTextDocument(HELP_URI);
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Active });
  return doc;
}
