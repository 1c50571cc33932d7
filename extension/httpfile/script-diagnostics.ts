// Where a script went wrong, marked in the `.http` file: each script error
// (and each script not run in an untrusted workspace) of the last send or
// test run of a request, at its line, until the request runs again or the
// text changes (the lines would no longer match).
import * as vscode from 'vscode';
import type { BlockOutcome, Diagnostic } from '../../server-core/index.js';

export class ScriptDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('wireplay-scripts');
  /** Per document, per request (its request line): the marks of its last run. */
  private readonly marks = new Map<string, Map<number, vscode.Diagnostic[]>>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.clear(e.document.uri);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
    ];
  }

  /** Records what one run of a request's scripts reported (nothing: its marks go). */
  record(uri: vscode.Uri, outcome: BlockOutcome): void {
    const key = uri.toString();
    const perDoc = this.marks.get(key) ?? new Map<number, vscode.Diagnostic[]>();
    this.marks.set(key, perDoc);
    const report = outcome.scripts;
    const list = [
      ...(report?.errors ?? []),
      ...(report?.notRun ?? []),
      // A pre-request script that failed is the reason the request was not sent.
      ...(outcome.kind === 'failed' ? outcome.diagnostics.filter((d) => d.code === 'script' && !report?.errors.includes(d)) : []),
    ].map((d) => toVscodeDiagnostic(d, 'wireplay script'));
    perDoc.set(outcome.block.requestLine, list);
    this.collection.set(uri, [...perDoc.values()].flat());
  }

  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  clear(uri: vscode.Uri): void {
    if (!this.marks.delete(uri.toString())) return;
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
  }
}

/** A diagnostic of the `.http` model as VS Code shows it (lines and columns are 0-based in both). */
export function toVscodeDiagnostic(d: Diagnostic, source = 'wireplay'): vscode.Diagnostic {
  const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const out = new vscode.Diagnostic(new vscode.Range(d.line, d.column, d.endLine, Math.max(d.endColumn, d.column)), d.message, severity);
  out.source = source;
  return out;
}
