/// <reference types="mocha" />
// `.http` support in a real extension host: environment files are watched
// (creating, editing, deleting http-client(.private).env.json next to a .http
// file updates its diagnostics and completions without a reload), two sends of
// one document in flight at once each get their own result, a WebSocket
// block's Send leaves a live session in the playground, and the files of the
// `.http` corpus (test/corpus/httpfile/) open with a CodeLens on each request
// and no diagnostic the corpus does not expect.
import assert from 'node:assert/strict';
import { readdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import type { SendSummary } from '../../../extension/httpfile/http-file-support.js';

/** A bounded poll: checks every 50 ms, fails with `what` after `ms`. Used where no event says "done". */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Opens a document and resolves once the extension has published its diagnostics (the event that means "linted"). */
async function openLinted(file: string): Promise<vscode.TextDocument> {
  const uri = vscode.Uri.file(file);
  let sub: vscode.Disposable | undefined;
  const published = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no diagnostics were published for ${file} within 20 s`)), 20_000);
    sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  try {
    const doc = await vscode.workspace.openTextDocument(uri);
    await published;
    return doc;
  } finally {
    sub?.dispose();
  }
}

/** Where the corpus lives: the extension's folder holds the tree. */
function corpusRoot(): string {
  return join(vscode.extensions.getExtension('wireplay.wireplay')!.extensionPath, 'test/corpus/httpfile');
}

function httpFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...httpFiles(p));
    else if (/\.(http|rest)$/.test(name)) out.push(p);
  }
  return out;
}

/** The cases of an expectation file: name, and whether the request must not be sent (refused or failing). */
function corpusCases(file: string): { name: string; notSent: boolean }[] {
  let text: string;
  try {
    text = readFileSync(file.replace(/\.(http|rest)$/, '.expected.md'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split(/^## /m)
    .slice(1)
    .map((section) => ({ name: section.split('\n')[0].trim(), notSent: /^```(refused|failed)$/m.test(section) }));
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
    /** Answers /barrier?run=… only once two requests are waiting: proof that both were in flight together. */
    let barrier: Server | undefined;
    let barrierPort = 0;

    before(async function () {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (!folder) this.skip();
      await vscode.extensions.getExtension('wireplay.wireplay')!.activate();
      dir = mkdtempSync(join(folder!, 'httpfile-suite-'));
      server = createWireplayServer({ host: '127.0.0.1', port: 0 });
      ({ port } = await server.listen());
      const waiting: { run: string; res: ServerResponse }[] = [];
      barrier = createServer((req, res) => {
        waiting.push({ run: new URL(req.url ?? '/', 'http://x').searchParams.get('run') ?? '', res });
        if (waiting.length < 2) return;
        for (const w of waiting.splice(0)) w.res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' }).end(`run=${w.run}`);
      });
      await new Promise<void>((resolve) => barrier!.listen(0, '127.0.0.1', () => resolve()));
      barrierPort = (barrier.address() as { port: number }).port;
    });

    after(async function () {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await server?.close();
      barrier?.closeAllConnections();
      await new Promise<void>((resolve) => (barrier ? barrier.close(() => resolve()) : resolve()));
      await vscode.workspace.getConfiguration('wireplay').update('httpFiles.dialect', undefined, vscode.ConfigurationTarget.Global);
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
      writeFileSync(file, [`GET http://127.0.0.1:${barrierPort}/barrier?run=a`, '', '###', `GET http://127.0.0.1:${barrierPort}/barrier?run=b`, ''].join('\n'));
      const doc = await vscode.workspace.openTextDocument(file);
      await vscode.window.showTextDocument(doc);
      const [a, b] = await Promise.all([send(doc.uri, 0), send(doc.uri, 3)]);
      assert.equal(a?.statusCode, 200);
      assert.equal(b?.statusCode, 200);
      assert.match(a!.text, /run=a/);
      assert.doesNotMatch(a!.text, /run=b/);
      assert.match(b!.text, /run=b/);
      assert.doesNotMatch(b!.text, /run=a/);
      // The barrier answered only once both were waiting: the response document shows both, one after the other.
      await until('both results in the response document', () => /run=a[\s\S]*run=b|run=b[\s\S]*run=a/.test(responseText(doc.uri) ?? ''));
      // The next send alone replaces them (with a partner on the barrier, sent from outside the editor).
      const partner = fetch(`http://127.0.0.1:${barrierPort}/barrier?run=partner`).then((r) => r.text());
      const again = await send(doc.uri, 3);
      assert.equal(again?.statusCode, 200);
      assert.equal(await partner, 'run=partner');
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

    it('the corpus files open with a CodeLens on each request and no diagnostic the corpus does not expect', async function () {
      this.timeout(240_000);
      const config = vscode.workspace.getConfiguration('wireplay');
      // What the corpus runner gives the CLI's process: $processEnv reads the extension host's environment here.
      process.env.CORPUS_TOKEN = 'token-from-the-process';
      let files = 0;
      let requests = 0;
      for (const tool of ['rest-client', 'httpyac', 'jetbrains']) {
        // Each tool's files in its own reading, as the corpus runner sends them.
        await config.update('httpFiles.dialect', tool, vscode.ConfigurationTarget.Global);
        for (const file of httpFiles(join(corpusRoot(), tool))) {
          const doc = await openLinted(file);
          files++;
          const lines = doc.getText().split(/\r\n|\r|\n/);
          const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
          const sendLines = lenses.filter((l) => l.command?.title === '$(send) Send').map((l) => l.range.start.line);
          const cases = corpusCases(file);
          // Where each case starts: its "### name" or "# @name name" line.
          const starts = cases.map((c) => ({
            ...c,
            line: c.name === '(file)' ? 0 : lines.findIndex((l) => new RegExp(`^(###\\s*|#\\s*@name\\s*=?\\s*)${c.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`).test(l)),
          }));
          for (const c of starts) {
            assert.ok(c.line >= 0, `${file}: the case ${c.name} is in the file`);
            const next = lines.findIndex((l, i) => i > c.line && /^###/.test(l));
            assert.ok(
              sendLines.some((l) => l > c.line && (next < 0 || l < next)),
              `${file}:${c.line + 1}: a Send CodeLens for ${c.name} (lenses on lines ${sendLines.map((l) => l + 1).join(', ')})`,
            );
            requests++;
          }
          for (const d of vscode.languages.getDiagnostics(doc.uri)) {
            const owner = [...starts].filter((c) => c.line <= d.range.start.line).sort((a, b) => b.line - a.line)[0];
            assert.ok(
              d.severity === vscode.DiagnosticSeverity.Error && owner?.notSent,
              `${file}:${d.range.start.line + 1}: an unexpected ${vscode.DiagnosticSeverity[d.severity]} in ${owner?.name ?? 'no case'}: ${d.message}`,
            );
          }
        }
      }
      assert.ok(files >= 8 && requests >= 80, `${files} files, ${requests} requests checked`);
    });
  });
}
