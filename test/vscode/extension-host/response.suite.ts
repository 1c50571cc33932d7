/// <reference types="mocha" />
// The response tab of a `.http` send in a real extension host: its language
// follows the Content-Type (JSON, XML, HTML), its first line is the request
// line as sent (variables resolved), "Open in Inspector" is a CodeLens that
// opens the exchange in the playground, and wireplay.response.reuseTab picks
// one tab per file or one per send.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SendSummary } from '../../../extension/httpfile/http-file-support.js';
import { whenTrue } from './wait.js';

const BODIES: Record<string, [string, string]> = {
  '/json': ['application/json; charset=utf-8', '{\n  "greeting": "hello",\n  "list": [1, 2, 3]\n}\n'],
  '/xml': ['application/xml', '<?xml version="1.0"?>\n<root>\n  <item>1</item>\n</root>\n'],
  '/html': ['text/html; charset=utf-8', '<!doctype html>\n<html>\n  <body><p>hi</p></body>\n</html>\n'],
};

/** Checked again on what can make it true: documents opening, changing, closing, the tabs. */
function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000, more: ((l: () => void) => vscode.Disposable)[] = []): Promise<void> {
  return whenTrue(
    what,
    check,
    [
      (l) => vscode.workspace.onDidOpenTextDocument(l),
      (l) => vscode.workspace.onDidChangeTextDocument(l),
      (l) => vscode.workspace.onDidCloseTextDocument(l),
      (l) => vscode.window.tabGroups.onDidChangeTabs(l),
      ...more,
    ],
    ms,
  );
}

/** A bounded re-check every 250 ms, for what announces nothing (a language service taking a new document). */
function every250ms(listener: () => void): vscode.Disposable {
  const timer = setInterval(listener, 250);
  return new vscode.Disposable(() => clearInterval(timer));
}

function responseDoc(source: vscode.Uri, n?: number): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'wireplay-response' && d.uri.query === source.toString() && d.uri.path.endsWith(n ? `response ${n}` : 'response'));
}

export function defineResponseSuite(): void {
  describe('The .http response tab', function () {
    let server: Server;
    let port = 0;
    let dir = '';
    let file: vscode.Uri;

    before(async function () {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (!folder) this.skip();
      await vscode.extensions.getExtension('wireplay.wireplay')!.activate();
      server = createServer((req, res) => {
        const [type, body] = BODIES[new URL(req.url ?? '/', 'http://x').pathname] ?? ['text/plain', 'nothing here\n'];
        res.writeHead(200, { 'content-type': type, connection: 'close' }).end(body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      port = (server.address() as { port: number }).port;
      dir = mkdtempSync(join(folder!, 'response-suite-'));
      const path = join(dir, 'api.http');
      writeFileSync(path, ['@host = 127.0.0.1:' + port, '', '### json', 'GET http://{{host}}/json', '', '### xml', 'GET http://{{host}}/xml', '', '### html', 'GET http://{{host}}/html', ''].join('\n'));
      file = vscode.Uri.file(path);
    });

    after(async function () {
      await vscode.workspace.getConfiguration('wireplay').update('response.reuseTab', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const send = (line: number) => vscode.commands.executeCommand<SendSummary | undefined>('wireplay.sendRequest', file, line);

    it('a JSON response is a jsonc document whose first line is the resolved request line, with Open in Inspector', async function () {
      const summary = await send(3);
      assert.equal(summary?.statusCode, 200, summary?.message);
      await until('the response tab in JSON', () => responseDoc(file)?.languageId === 'jsonc' && /\/json$/.test(responseDoc(file)!.lineAt(0).text));
      const doc = responseDoc(file)!;
      assert.equal(doc.lineAt(0).text, `// json — GET http://127.0.0.1:${port}/json`);
      assert.doesNotMatch(doc.getText(), /\{\{host\}\}/);
      assert.match(doc.getText(), /^\/\/ HTTP\/1\.1 200 OK$/m);
      assert.ok(doc.getText().endsWith(BODIES['/json'][1]), 'the body as received');
      assert.ok(vscode.window.visibleTextEditors.some((e) => e.document === doc), 'shown beside the file');
      // The tab is named after the file, not a .txt.
      assert.ok(vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === 'api — response')));

      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      const lens = lenses.find((l) => l.command?.command === 'wireplay.openResponseInInspector');
      assert.ok(lens?.command, 'an Open in Inspector CodeLens');
      assert.equal(lens.range.start.line, 0);
      assert.equal(lens.command.arguments?.[1], summary?.connectionId, 'it names the exchange that was sent');
      const opened = await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
      assert.equal(opened, summary?.connectionId);
      await until('the playground tab', () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === 'Wireplay Playground')));
      // The editor title button: the same command with the tab's URI only.
      assert.equal(await vscode.commands.executeCommand('wireplay.openResponseInInspector', doc.uri), summary?.connectionId);

      // Folding comes from the JSON language service once it has the document.
      await until('the JSON body to fold', async () => {
        const folds = await vscode.commands.executeCommand<vscode.FoldingRange[]>('vscode.executeFoldingRangeProvider', doc.uri);
        return folds.some((f) => doc.lineAt(f.start).text.trimEnd().endsWith('{'));
      }, 30_000, [every250ms]);
    });

    it('XML and HTML responses get their language in the same reused tab', async function () {
      await send(6);
      await until('the tab in XML', () => responseDoc(file)?.languageId === 'xml' && responseDoc(file)!.lineAt(0).text === '<!--');
      assert.equal(responseDoc(file)!.lineAt(0).text, '<!--');
      assert.equal(responseDoc(file)!.lineAt(1).text, `  xml — GET http://127.0.0.1:${port}/xml`);
      await send(9);
      await until('the tab in HTML', () => responseDoc(file)?.languageId === 'html' && /\/html$/.test(responseDoc(file)!.lineAt(1).text));
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label.startsWith('api — response'));
      assert.equal(tabs.length, 1, 'one tab, reused');
    });

    it('with wireplay.response.reuseTab off, each send opens its own tab', async function () {
      await vscode.workspace.getConfiguration('wireplay').update('response.reuseTab', false, vscode.ConfigurationTarget.Global);
      await send(3);
      await send(6);
      await until('two more tabs', () => {
        const labels = vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
        return labels.some((l) => /^api — response \d+$/.test(l)) && labels.filter((l) => /^api — response \d+$/.test(l)).length === 2;
      });
      const numbered = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'wireplay-response' && /response \d+$/.test(d.uri.path));
      assert.deepEqual(numbered.map((d) => d.languageId).sort(), ['jsonc', 'xml']);
    });
  });
}
