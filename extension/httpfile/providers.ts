// The editor features of `.http` files as thin adapters over the parsed file:
// CodeLens above each request (Send, Send & Inspect, Run tests, Copy as
// cURL), folding per request, completion.
import * as vscode from 'vscode';
import { completionEntries, completionPlace, type CompletionKind } from './completions.js';
import type { HttpFileSupport } from './http-file-support.js';

export const HTTP_SELECTOR: vscode.DocumentSelector = [{ language: 'http' }];

export class RequestCodeLenses implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly support: HttpFileSupport) {
    // A file created and opened at once (a new scratch file) can get its first
    // lenses request answered empty by the editor and never asked again; so ask
    // again just after an .http editor becomes active, and once more a little
    // later (in a CI run the first ask, at 300 ms, was also answered before the
    // editor showed lenses, and once a 1.5 s ask was not enough either while the
    // sidebar was opening). The same when an .http editor becomes visible without
    // becoming active. One parse, cached by version, so asking is cheap.
    const askSoon = () => {
      for (const t of this.timers) clearTimeout(t);
      this.timers = [300, 1500, 4000].map((ms) => setTimeout(() => this.changed.fire(), ms));
    };
    this.subscription = vscode.Disposable.from(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor?.document.languageId === 'http') askSoon();
      }),
      vscode.window.onDidChangeVisibleTextEditors((editors) => {
        if (editors.some((e) => e.document.languageId === 'http')) askSoon();
      }),
    );
  }

  private timers: ReturnType<typeof setTimeout>[] = [];

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.subscription.dispose();
    this.changed.dispose();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    return this.support.parse(doc).blocks.flatMap((b) => {
      const at = new vscode.Range(b.requestLine, 0, b.requestLine, 0);
      const args = [doc.uri, b.requestLine];
      const lenses = [
        // A WebSocket block's Send opens a live session in the playground (its script runs there first).
        new vscode.CodeLens(at, { title: '$(send) Send', command: 'wireplay.sendRequest', arguments: args }),
        new vscode.CodeLens(at, { title: 'Send & Inspect', command: 'wireplay.sendRequest', arguments: [...args, { inspect: true }] }),
        // The request as a test (its scripts and ?? checks); the results go to the Testing view and the gutter.
        new vscode.CodeLens(at, { title: '$(beaker) Run tests', command: 'wireplay.runRequestTests', arguments: args }),
      ];
      if (b.kind === 'http') lenses.push(new vscode.CodeLens(at, { title: 'Copy as cURL', command: 'wireplay.copyRequestAsCurl', arguments: args }));
      return lenses;
    });
  }
}

export class RequestFolding implements vscode.FoldingRangeProvider {
  constructor(private readonly support: HttpFileSupport) {}

  provideFoldingRanges(doc: vscode.TextDocument): vscode.FoldingRange[] {
    return this.support
      .parse(doc)
      .blocks.filter((b) => b.range.endLine > b.range.startLine)
      .map((b) => {
        // Fold from the ### line when there is one, so the separator stays visible as the title.
        const above = b.range.startLine - 1;
        const start = above >= 0 && doc.lineAt(above).text.startsWith('###') ? above : b.range.startLine;
        return new vscode.FoldingRange(start, b.range.endLine, vscode.FoldingRangeKind.Region);
      });
  }
}

const KINDS: Record<CompletionKind, vscode.CompletionItemKind> = {
  method: vscode.CompletionItemKind.Method,
  keyword: vscode.CompletionItemKind.Keyword,
  header: vscode.CompletionItemKind.Field,
  metadata: vscode.CompletionItemKind.Property,
  variable: vscode.CompletionItemKind.Variable,
  'environment-variable': vscode.CompletionItemKind.Constant,
  dynamic: vscode.CompletionItemKind.Function,
  reference: vscode.CompletionItemKind.Reference,
};

export class HttpCompletions implements vscode.CompletionItemProvider {
  static readonly triggers = ['{', '$', '@', '.'];

  constructor(private readonly support: HttpFileSupport) {}

  async provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[]> {
    const file = this.support.parse(doc);
    const lines = doc.getText().split(/\r?\n/);
    const { place, typed } = completionPlace(file, lines, position.line, position.character);
    if (place === 'none') return [];
    const envs = await this.support.environments.forDocument(doc);
    const range = new vscode.Range(position.line, position.character - typed.length, position.line, position.character);
    return completionEntries(place, file, { environments: envs.set, ...(envs.selected ? { selected: envs.selected } : {}) }).map((e) => {
      const item = new vscode.CompletionItem(e.label, KINDS[e.kind]);
      item.insertText = e.snippet ? new vscode.SnippetString(e.insertText) : e.insertText;
      item.range = range;
      if (e.detail) item.detail = e.detail;
      return item;
    });
  }
}
