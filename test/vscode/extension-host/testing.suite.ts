/// <reference types="mocha" />
// `.http` files as tests in a real extension host: the TestController lists
// a workspace file's requests and their checks (from the parser's model) and
// follows the file on disk; a run reports pass and fail at the right lines,
// with expected / actual and a link to the exchange; a script error is marked
// in the file; client.global survives across runs until "Clear Script
// Globals"; the "Run tests" CodeLens runs one request; the scratch files are
// listed; wireplay.scripts.timeoutMs stops a script that never ends.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { WireplayApi } from '../../../extension/extension.js';
import type { HttpTests } from '../../../extension/tests/index.js';
import type { SendSummary } from '../../../extension/httpfile/http-file-support.js';
import { createWireplayServer, type WireplayServer } from '../../../server-core/server/wireplay-server.js';
import { until } from './httpfile.suite.js';

function children(item: vscode.TestItem | undefined): vscode.TestItem[] {
  const out: vscode.TestItem[] = [];
  item?.children.forEach((c) => void out.push(c));
  return out.sort((a, b) => (a.range?.start.line ?? 0) - (b.range?.start.line ?? 0));
}

export function defineTestingSuite(): void {
  describe('.http files in the Testing view', function () {
    let server: WireplayServer;
    let host = '';
    let dir = '';
    let tests: HttpTests;
    let file = '';
    let uri: vscode.Uri;

    const fileItem = () => tests.controller.items.get(uri.toString());
    const result = (item: vscode.TestItem | undefined) => (item ? tests.results.get(item.id) : undefined);

    before(async function () {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (!folder) this.skip();
      const api = (await vscode.extensions.getExtension('wireplay.wireplay')!.activate()) as WireplayApi;
      assert.ok(api.tests, 'the extension exposes its tests');
      tests = api.tests;
      server = createWireplayServer({ host: '127.0.0.1', port: 0 });
      host = `127.0.0.1:${(await server.listen()).port}`;
      dir = mkdtempSync(join(folder!, 'testing-suite-'));
      file = join(dir, 'api.http');
      uri = vscode.Uri.file(file);
      writeFileSync(
        file,
        [
          '### login', // 0
          '# @name login',
          `GET http://${host}/echo?token=t-1`,
          '',
          '?? status == 200', // 4
          '> {%',
          '  client.test("token echoed", () => client.assert(response.body.query.token === "t-1"));', // 6
          '  client.global.set("token", response.body.query.token);',
          '%}',
          '',
          '### wrong', // 10
          `GET http://${host}/status/404`,
          '',
          '?? status == 200', // 13
          '',
          '### throws', // 15
          `GET http://${host}/echo?t={{token}}`,
          '',
          '> {%',
          '  response.body.nothing.here;', // 19
          '%}',
          '',
        ].join('\n'),
      );
    });

    after(async function () {
      await vscode.workspace.getConfiguration('wireplay').update('scripts.timeoutMs', undefined, vscode.ConfigurationTarget.Global);
      await server?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('lists the requests of a workspace file and the checks inside them, at their lines', async function () {
      await tests.ready;
      await until('api.http in the Testing view with its three requests', () => children(fileItem()).length === 3);
      const requests = children(fileItem());
      assert.deepEqual(requests.map((r) => [r.label, r.range?.start.line]), [
        [`login — GET http://${host}/echo?token=t-1`, 2],
        [`wrong — GET http://${host}/status/404`, 11],
        [`throws — GET http://${host}/echo?t={{token}}`, 16],
      ]);
      assert.deepEqual(children(requests[0]).map((c) => [c.label, c.range?.start.line]), [['status == 200', 4], ['token echoed', 6]]);
      assert.deepEqual(children(requests[1]).map((c) => [c.label, c.range?.start.line]), [['status == 200', 13]]);
    });

    it('a run reports pass and fail at the right lines, with expected and actual, and the exchange to open', async function () {
      this.timeout(60_000);
      const item = fileItem()!;
      await tests.run([item]);
      const [login, wrong, throws] = children(item);
      assert.equal(result(login)?.state, 'passed');
      assert.deepEqual(children(login).map((c) => result(c)?.state), ['passed', 'passed']);
      assert.ok(result(login)!.connectionId, 'the exchange is known');
      const status = children(wrong)[0];
      assert.equal(result(wrong)?.state, 'failed');
      assert.deepEqual([result(status)?.state, result(status)?.line, result(status)?.expected, result(status)?.actual], ['failed', 13, '200', '404']);
      assert.match(result(status)!.messages[0], /status \(404\) == 200/);
      assert.match(result(status)!.markdown![0], /\]\(command:wireplay\.openTestExchange\?/);
      // The handler that throws: the request fails at the handler's line, and the error is marked in the file.
      assert.equal(result(throws)?.state, 'failed');
      assert.match(result(throws)!.messages.join('\n'), /TypeError: Cannot read properties of undefined \(reading 'here'\)/);
      const marks = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'wireplay script');
      assert.deepEqual(marks.map((d) => [d.range.start.line, d.severity]), [[19, vscode.DiagnosticSeverity.Error]]);
      // The link's command opens the playground on that exchange.
      await vscode.commands.executeCommand('wireplay.openTestExchange', result(login)!.connectionId);
      await until('a playground tab', () =>
        vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => /Wireplay Playground/.test(t.label) && t.input instanceof vscode.TabInputWebview)),
      );
    });

    it('client.global survives across runs until "Clear Script Globals"', async function () {
      const throws = children(fileItem())[2];
      await tests.run([throws]);
      // {{token}} was set by login's handler in the previous run: the request went out with it.
      assert.match(result(throws)!.messages.join('\n'), /TypeError/, 'the request was sent (its handler ran)');
      const cleared = await vscode.commands.executeCommand<number>('wireplay.clearScriptGlobals');
      assert.equal(cleared, 1);
      await tests.run([throws]);
      assert.match(result(throws)!.messages.join('\n'), /"token" is not defined/);
    });

    it('the "Run tests" CodeLens runs one request; the items follow the file on disk', async function () {
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
      const run = lenses.filter((l) => l.command?.command === 'wireplay.runRequestTests');
      assert.deepEqual(run.map((l) => l.range.start.line), [2, 11, 16]);
      const ok = await vscode.commands.executeCommand<boolean>('wireplay.runRequestTests', ...(run[1].command!.arguments ?? []));
      assert.equal(ok, true);
      assert.equal(result(children(fileItem())[1])?.state, 'failed');

      writeFileSync(join(dir, 'second.http'), `### extra\nGET http://${host}/echo\n\n?? status == 200\n`);
      const second = vscode.Uri.file(join(dir, 'second.http'));
      await until('second.http to be listed', () => children(tests.controller.items.get(second.toString())).length === 1);
      rmSync(join(dir, 'second.http'));
      await until('second.http to leave the list', () => !tests.controller.items.get(second.toString()));
    });

    it('scratch files are listed', async function () {
      const scratch = await vscode.commands.executeCommand<vscode.Uri>('wireplay.newScratchRequest');
      try {
        await until('the scratch file in the Testing view', () => children(tests.controller.items.get(scratch.toString())).length > 0);
        assert.match(tests.controller.items.get(scratch.toString())!.label, /^Scratch: scratch(-\d+)?\.http$/);
      } finally {
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
        await vscode.workspace.fs.delete(scratch);
      }
    });

    it('Send runs the scripts too: the response document lists the checks and the script error at its line', async function () {
      const login = await vscode.commands.executeCommand<SendSummary | undefined>('wireplay.sendRequest', uri, 2);
      assert.equal(login?.statusCode, 200);
      assert.match(login!.text, /^\* ✓ status == 200$/m);
      assert.match(login!.text, /^\* ✓ token echoed$/m);
      const throws = await vscode.commands.executeCommand<SendSummary | undefined>('wireplay.sendRequest', uri, 16);
      assert.match(throws!.text, /^\* line 20: The response handler \(`> \{% %\}`\): TypeError/m);
    });

    it('wireplay.scripts.timeoutMs stops a script that never ends, at its line', async function () {
      this.timeout(60_000);
      await vscode.workspace.getConfiguration('wireplay').update('scripts.timeoutMs', 300, vscode.ConfigurationTarget.Global);
      const loop = join(dir, 'loop.http');
      writeFileSync(loop, `### loop\nGET http://${host}/echo\n\n> {% while (true) {} %}\n`);
      const loopUri = vscode.Uri.file(loop);
      await until('loop.http to be listed', () => children(tests.controller.items.get(loopUri.toString())).length === 1);
      const [item] = children(tests.controller.items.get(loopUri.toString()));
      await tests.run([item]);
      assert.equal(result(item)?.state, 'failed');
      assert.match(result(item)!.messages.join('\n'), /still running after 300 ms \(its time limit\) and was stopped/);
      assert.deepEqual(vscode.languages.getDiagnostics(loopUri).filter((d) => d.source === 'wireplay script').map((d) => d.range.start.line), [3]);
    });
  });
}
