/// <reference types="mocha" />
// wireplay.routes.json in the editor: the extension contributes its JSON Schema
// (contributes.jsonValidation) and opens it as JSON with comments, so VS Code's
// JSON support completes the keys of a route and underlines mistakes as the user
// types — without the server running.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

/** Resolves with the file's diagnostics once `ok` holds for them (re-checked on every change), or fails after `ms`. */
function diagnosticsWhen(uri: vscode.Uri, ok: (d: readonly vscode.Diagnostic[]) => boolean, ms = 30_000): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const d = vscode.languages.getDiagnostics(uri);
      if (!ok(d)) return false;
      sub.dispose();
      clearTimeout(timer);
      resolve(d);
      return true;
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => e.uris.some((u) => u.toString() === uri.toString()) && check());
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for the schema's diagnostics; got: ${vscode.languages.getDiagnostics(uri).map((x) => x.message).join(' | ')}`));
    }, ms);
    check();
  });
}

export function defineRoutesSchemaSuite(): void {
  describe('wireplay.routes.json in the editor', function () {
    it('is JSON with comments, checked and completed with the routes schema', async function () {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (!folder) this.skip();
      const file = join(folder!, 'wireplay.routes.json');
      const text = '{\n  // my routes\n  "routes": [\n    { "path": "/a", "status": 700, "stauts": 1 },\n    {  }\n  ]\n}\n';
      writeFileSync(file, text);
      try {
        const doc = await vscode.workspace.openTextDocument(file);
        await vscode.window.showTextDocument(doc);
        assert.equal(doc.languageId, 'jsonc', 'comments are allowed');
        const diagnostics = await diagnosticsWhen(doc.uri, (d) => d.some((x) => x.range.start.line === 3 && x.range.start.character >= 30));
        const onLine = (line: number, column: number) => diagnostics.filter((x) => x.range.start.line === line && x.range.start.character === column);
        assert.ok(onLine(3, 30).length > 0, `status 700 is underlined: ${diagnostics.map((x) => `${x.range.start.line}:${x.range.start.character} ${x.message}`).join(' | ')}`);
        assert.ok(onLine(3, 35).length > 0, `the unknown key "stauts" is underlined: ${diagnostics.map((x) => `${x.range.start.line}:${x.range.start.character} ${x.message}`).join(' | ')}`);
        assert.ok(!diagnostics.some((x) => /comment/i.test(x.message)), 'comments are not errors');
        const items = (await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(4, 6))) as vscode.CompletionList;
        const labels = items.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
        for (const key of ['path', 'method', 'status', 'headers', 'body', 'file', 'dir', 'delay']) assert.ok(labels.includes(key), `completes "${key}": ${labels.join(', ')}`);
      } finally {
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        rmSync(file, { force: true });
      }
    });
  });
}
