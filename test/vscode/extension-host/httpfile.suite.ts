/// <reference types="mocha" />
// `.http` support in a real extension host: environment files are watched
// (creating, editing, deleting http-client(.private).env.json next to a .http
// file updates its diagnostics and completions without a reload), two sends of
// one document in flight at once each get their own result, and a WebSocket
// block's Send leaves a live session in the playground.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import type { SendSummary } from '../../../extension/httpfile/http-file-support.js';

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function errors(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
}

function send(uri: vscode.Uri, line: number): Thenable<SendSummary | undefined> {
  return vscode.commands.executeCommand<SendSummary | undefined>('wireplay.sendRequest', uri, line);
}

/** The response document shown beside a .http file. */
function responseText(source: vscode.Uri): string | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'wireplay-response' && d.uri.query === source.toString())?.getText();
}

export function defineHttpFileSuite(): void {
  describe('.http files in the extension host', function () {
    let server: WireplayServer;
    let port = 0;
    let dir = '';

    before(async function () {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (!folder) this.skip();
      await vscode.extensions.getExtension('wireplay.wireplay')!.activate();
      dir = mkdtempSync(join(folder!, 'httpfile-suite-'));
      server = createWireplayServer({ host: '127.0.0.1', port: 0 });
      ({ port } = await server.listen());
    });

    after(async function () {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('environment files are watched: creating, editing and deleting them updates diagnostics and completions', async function () {
      const file = join(dir, 'vars.http');
      writeFileSync(file, 'GET http://{{host}}/echo\n');
      const doc = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(doc);
      const unresolved = () => errors(doc.uri).some((d) => /host/.test(d.message));
      await until('{{host}} marked as undefined', unresolved);

      const env = join(dir, 'http-client.env.json');
      writeFileSync(env, JSON.stringify({ $shared: { host: `127.0.0.1:${port}` }, dev: { only_dev: 'x' } }));
      await until('the mark to go once http-client.env.json defines host', () => !unresolved());
      const inside = new vscode.Position(0, 'GET http://{{'.length);
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, inside, '{');
      const label = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);
      assert.ok(list.items.some((i) => label(i) === 'only_dev' && /dev/.test(String(i.detail))), 'the new environment\'s variables are offered');

      writeFileSync(env, JSON.stringify({ $shared: { elsewhere: '1' } }));
      await until('the mark to come back when the file no longer defines host', unresolved);

      const privateEnv = join(dir, 'http-client.private.env.json');
      writeFileSync(privateEnv, JSON.stringify({ $shared: { host: `127.0.0.1:${port}` } }));
      await until('http-client.private.env.json to define host', () => !unresolved());
      rmSync(privateEnv);
      await until('the mark to come back when the private file is deleted', unresolved);
      rmSync(env);
    });

    it('two sends of one document in flight at once each get their own result', async function () {
      const file = join(dir, 'slow.http');
      writeFileSync(file, [`GET http://127.0.0.1:${port}/delay/300?run=a`, '', '###', `GET http://127.0.0.1:${port}/delay/300?run=b`, ''].join('\n'));
      const doc = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(doc);
      const [a, b] = await Promise.all([send(doc.uri, 0), send(doc.uri, 3)]);
      assert.equal(a?.statusCode, 200);
      assert.equal(b?.statusCode, 200);
      assert.match(a!.text, /run=a/);
      assert.doesNotMatch(a!.text, /run=b/);
      assert.match(b!.text, /run=b/);
      assert.doesNotMatch(b!.text, /run=a/);
      // Both were in flight together: the response document shows both, one after the other.
      await until('both results in the response document', () => /run=a[\s\S]*run=b|run=b[\s\S]*run=a/.test(responseText(doc.uri) ?? ''));
      // The next send alone replaces them.
      const again = await send(doc.uri, 3);
      assert.equal(again?.statusCode, 200);
      await until('the document to hold only the new send', () => !/run=a/.test(responseText(doc.uri) ?? 'run=a'));
    });

    it('Send on a WebSocket block leaves a live session in the playground; a second Send opens a new one', async function () {
      const file = join(dir, 'socket.http');
      writeFileSync(file, ['### socket', `WEBSOCKET ws://127.0.0.1:${port}/ws/echo`, '', 'hello', '=== wait-for-server', ''].join('\n'));
      const doc = await vscode.workspace.openTextDocument(file);
      const first = await send(doc.uri, 1);
      assert.equal(first?.kind, 'websocket', first?.message);
      assert.ok(first?.sessionId, 'a session id');
      assert.match(first!.text, /^> hello$/m);
      assert.match(first!.text, /^< hello$/m);
      assert.match(first!.text, /session stays open in the playground/);
      await until('a playground tab', () =>
        vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => /Wireplay Playground/.test(t.label) && t.input instanceof vscode.TabInputWebview)),
      );
      const second = await send(doc.uri, 1);
      assert.equal(second?.kind, 'websocket', second?.message);
      assert.notEqual(second?.sessionId, first?.sessionId);
      assert.notEqual(second?.connectionId, first?.connectionId);
    });
  });
}
