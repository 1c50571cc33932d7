// The response of a `.http` request, shown beside the file in a read-only
// document (one per .http file). Each send writes its own section: a send
// started while none of the file's sends is in flight replaces the document;
// sends in flight together are shown one after the other. WebSocket scripts
// fill their section live, message by message.
import { basename } from 'node:path';
import * as vscode from 'vscode';

export const RESPONSE_SCHEME = 'wireplay-response';

/** One send's part of the response document. */
export interface ResponseSection {
  /** Replaces this section's text (and shows the document beside the file if it is not open). */
  update(text: string): Promise<void>;
  /** The final text: the next send that starts alone replaces the document. */
  finish(text: string): Promise<void>;
}

interface SectionState {
  text: string;
  done: boolean;
}

export class ResponseView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly sections = new Map<string, SectionState[]>();
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

  /** A section for one send of `source`. */
  begin(source: vscode.Uri): ResponseSection {
    const key = this.uriFor(source).toString();
    let list = this.sections.get(key);
    if (!list || list.every((s) => s.done)) this.sections.set(key, (list = []));
    const state: SectionState = { text: '', done: false };
    list.push(state);
    const render = () =>
      this.show(
        source,
        list!
          .map((s) => s.text)
          .filter(Boolean)
          .join('\n'),
      );
    return {
      update: (text) => {
        state.text = text;
        return render();
      },
      finish: (text) => {
        state.text = text;
        state.done = true;
        return render();
      },
    };
  }

  /** Sets the whole text; opens the document beside the editor the first time (or when it was closed). */
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
    this.sections.clear();
  }
}
