// The response of a `.http` request, shown beside the file in a read-only
// virtual document whose language follows the response's Content-Type (so
// JSON, XML and HTML are highlighted and fold), headed by the resolved request
// line, the status and the headers (response-document.ts). "Open in
// Inspector" is a CodeLens over each exchange and a button in the editor's
// title bar.
//
// `wireplay.response.reuseTab` (default true): one tab per .http file, which
// the next send replaces (sends in flight together are shown one after the
// other); false: a tab per send. WebSocket scripts fill their section live.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { BlockOutcome } from '../../server-core/httpfile/run-http-file.js';
import { responseDocument, type ResponseDocument } from './response-document.js';

export const RESPONSE_SCHEME = 'wireplay-response';
/** Response tabs whose text is kept while closed (a tab per send adds up); the oldest closed ones go first. */
const MAX_KEPT = 50;
export const OPEN_IN_INSPECTOR = 'wireplay.openResponseInInspector';

/** One send's part of the response document. */
export interface ResponseSection {
  /** Replaces this section's text while the send runs (and shows the document beside the file if it is not open). */
  update(text: string): Promise<void>;
  /** The final text; with the send's outcomes (the requested block last) the tab is typed by the response's Content-Type. */
  finish(text: string, outcomes?: readonly BlockOutcome[]): Promise<void>;
}

interface SectionState {
  text: string;
  outcomes?: readonly BlockOutcome[];
  done: boolean;
}

function withLanguage(doc: vscode.TextDocument, languageId: string): Thenable<vscode.TextDocument> {
  return doc.languageId === languageId ? Promise.resolve(doc) : vscode.languages.setTextDocumentLanguage(doc, languageId);
}

function reuseTab(source: vscode.Uri): boolean {
  return vscode.workspace.getConfiguration('wireplay', source).get<boolean>('response.reuseTab', true);
}

export class ResponseView implements vscode.TextDocumentContentProvider, vscode.CodeLensProvider, vscode.FoldingRangeProvider, vscode.Disposable {
  private readonly docs = new Map<string, ResponseDocument>();
  private readonly sections = new Map<string, SectionState[]>();
  /** Sends so far per .http file, to name a tab per send. */
  private readonly counts = new Map<string, number>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;
  private readonly registrations = [
    vscode.workspace.registerTextDocumentContentProvider(RESPONSE_SCHEME, this),
    vscode.languages.registerCodeLensProvider({ scheme: RESPONSE_SCHEME }, this),
    // Typed documents fold by their language; a text one folds by section.
    vscode.languages.registerFoldingRangeProvider({ scheme: RESPONSE_SCHEME, language: 'plaintext' }, this),
  ];

  /** The tab of `source` (`n`: the tab of its n-th send, when each send has its own). */
  uriFor(source: vscode.Uri, n?: number): vscode.Uri {
    const name = basename(source.path).replace(/\.(http|rest)$/i, '');
    return vscode.Uri.from({ scheme: RESPONSE_SCHEME, path: `/${name} — response${n ? ` ${n}` : ''}`, query: source.toString() });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString())?.text ?? '';
  }

  /** The text now shown in the tab of `source` (the latest, when each send has its own tab). */
  textFor(source: vscode.Uri): string | undefined {
    return this.docs.get(this.latest(source).toString())?.text;
  }

  /** The exchange a response tab shows last (its title button opens it), if any. */
  connectionFor(uri: vscode.Uri): string | undefined {
    return this.docs.get(uri.toString())?.targets.at(-1)?.connectionId;
  }

  /** A section for one send of `source`. */
  begin(source: vscode.Uri): ResponseSection {
    const key = source.toString();
    const n = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, n);
    const uri = reuseTab(source) ? this.uriFor(source) : this.uriFor(source, n);
    let list = this.sections.get(uri.toString());
    if (!list || list.every((s) => s.done)) this.sections.set(uri.toString(), (list = []));
    const state: SectionState = { text: '', done: false };
    list.push(state);
    const render = () => this.show(uri, this.documentOf(list!));
    return {
      update: (text) => {
        state.text = text;
        return render();
      },
      finish: (text, outcomes) => {
        state.text = text;
        state.outcomes = outcomes;
        state.done = true;
        return render();
      },
    };
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const targets = this.docs.get(doc.uri.toString())?.targets ?? [];
    return targets.map(
      (t) =>
        new vscode.CodeLens(new vscode.Range(t.line, 0, t.line, 0), {
          title: 'Open in Inspector',
          tooltip: `Show ${t.title} in the playground inspector: its bytes, dissection and timeline`,
          command: OPEN_IN_INSPECTOR,
          arguments: [doc.uri, t.connectionId],
        }),
    );
  }

  provideFoldingRanges(doc: vscode.TextDocument): vscode.FoldingRange[] {
    const starts = (this.docs.get(doc.uri.toString())?.targets ?? []).map((t) => t.line);
    return starts.map((line, i) => new vscode.FoldingRange(line, Math.max(line, (starts[i + 1] ?? doc.lineCount) - 1))).filter((r) => r.end > r.start);
  }

  dispose(): void {
    for (const r of this.registrations) r.dispose();
    this.changed.dispose();
    this.lensesChanged.dispose();
    this.docs.clear();
    this.sections.clear();
  }

  /** Past MAX_KEPT tabs, the text of the oldest closed ones (a closed tab's text is not read again). */
  private forgetClosed(keep: string): void {
    if (this.docs.size <= MAX_KEPT) return;
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
    for (const key of this.docs.keys()) {
      if (this.docs.size <= MAX_KEPT) break;
      if (key === keep || open.has(key)) continue;
      this.docs.delete(key);
      this.sections.delete(key);
    }
  }

  private latest(source: vscode.Uri): vscode.Uri {
    const n = this.counts.get(source.toString());
    const own = n ? this.uriFor(source, n) : undefined;
    return own && this.docs.has(own.toString()) ? own : this.uriFor(source);
  }

  /** Finished sends with outcomes are typed; anything still running, or text alone, is shown as the text given. */
  private documentOf(list: readonly SectionState[]): ResponseDocument {
    if (list.every((s) => s.done && s.outcomes)) return responseDocument(list.map((s) => s.outcomes!));
    const text = list
      .map((s) => s.text)
      .filter(Boolean)
      .join('\n');
    return { text, languageId: 'plaintext', targets: [] };
  }

  /** Sets the tab's content and language; opens it beside the editor the first time (or when it was closed). */
  private async show(uri: vscode.Uri, doc: ResponseDocument): Promise<void> {
    this.docs.delete(uri.toString());
    this.docs.set(uri.toString(), doc);
    this.forgetClosed(uri.toString());
    this.changed.fire(uri);
    this.lensesChanged.fire();
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const textDoc = await withLanguage(open ?? (await vscode.workspace.openTextDocument(uri)), doc.languageId);
    if (vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri.toString())) return;
    await vscode.window.showTextDocument(textDoc, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: false });
  }
}
