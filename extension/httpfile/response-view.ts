// The response of a `.http` request, shown beside the file in a read-only
// document (one per .http file, replaced at each send). WebSocket scripts fill
// it live, message by message.
import { basename } from 'node:path';
import * as vscode from 'vscode';

export const RESPONSE_SCHEME = 'wireplay-response';

export class ResponseView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(RESPONSE_SCHEME, this);

  uriFor(source: vscode.Uri): vscode.Uri {
    const name = basename(source.path).replace(/\.(http|rest)$/i, '');
    return vscode.Uri.from({ scheme: RESPONSE_SCHEME, path: `/${name} — response.txt`, query: source.toString() });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** The text now shown for this source (tests read it). */
  textFor(source: vscode.Uri): string | undefined {
    return this.contents.get(this.uriFor(source).toString());
  }

  /** Sets the text; opens the document beside the editor the first time (or when it was closed). */
  async show(source: vscode.Uri, text: string, reveal = true): Promise<void> {
    const uri = this.uriFor(source);
    this.contents.set(uri.toString(), text);
    this.changed.fire(uri);
    if (!reveal) return;
    const open = vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri.toString());
    if (open) return;
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
    this.contents.clear();
  }
}
