/// <reference types="mocha" />
// The sidebar's tree views, Switch Mode and the playground's accessibility help
// in a real extension host: the Routes view lists the routes file before the
// server starts (and follows its edits), the Server view shows the state, the
// Connections view counts what it shows (badge: open connections), a traffic
// row opens the inspector, "Copy as cURL" of a row is a command curl runs to
// put the same request on the wire again, Switch Mode leaves every settings
// file alone, and the help lists the playground's keys.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { WireplayApi } from '../../../extension/extension.js';
import type { ItemModel } from '../../../extension/views/tree-model.js';
import { metrics } from './extension.suite.js';
import { whenTrue } from './wait.js';

const EXTENSION_ID = 'wireplay.wireplay';

function all(items: readonly ItemModel[]): ItemModel[] {
  return items.flatMap((i) => [i, ...all(i.children ?? [])]);
}

/** One request on its own connection (closed after it), or kept open (keep-alive) until `close()`. */
function get(url: string, keepOpen = false): Promise<{ status: number; localPort: number; close(): void }> {
  return new Promise((resolve, reject) => {
    // An agent that keeps its socket: a client that closes its sockets after each response would not hold one open.
    const agent = keepOpen ? new Agent({ keepAlive: true }) : false;
    const req = request(url, { agent, headers: { connection: keepOpen ? 'keep-alive' : 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, localPort: req.socket?.localPort ?? 0, close: () => (req.socket?.destroy(), agent && agent.destroy()) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
}

export function defineSidebarSuite(): void {
  describe('The sidebar, Switch Mode and the accessibility help', function () {
    let api: WireplayApi;
    /** Checked again on what can make it true: the server, its traffic, the trees, the tabs. */
    const until = (what: string, check: () => boolean | Promise<boolean>, ms = 10_000) =>
      whenTrue(
        what,
        check,
        [
          (l) => api.controller.onState(l),
          (l) => api.controller.onRoutes(l),
          (l) => api.controller.traffic.onChange(l),
          ...Object.values(api.sidebar.providers).map((p) => (l: () => void) => p.onDidChangeTreeData(l)),
          (l) => vscode.window.tabGroups.onDidChangeTabs(l),
        ],
        ms,
      );
    let folder = '';
    const routesFile = () => join(folder, 'wireplay.routes.json');
    const settingsFile = () => join(folder, '.vscode/settings.json');

    before(async function () {
      const ext = vscode.extensions.getExtension<WireplayApi>(EXTENSION_ID);
      assert.ok(ext);
      const wasActive = ext.isActive;
      const started = performance.now();
      api = await ext.activate();
      if (!wasActive) metrics.loadAndActivateMs = Number((performance.now() - started).toFixed(2));
      folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
      if (!folder) this.skip();
    });

    after(async function () {
      rmSync(routesFile(), { force: true });
      await vscode.commands.executeCommand('wireplay.stopServer');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('lists the routes of wireplay.routes.json before the server starts, and follows its edits', async function () {
      assert.equal(api.controller.state, 'stopped');
      writeFileSync(routesFile(), JSON.stringify({ routes: [{ path: '/from-file', body: 'hi' }] }));
      // Shown, the view rebuilds on its own: the file watcher and the coalesced refresh are part of what is tested.
      await vscode.commands.executeCommand('wireplay.routes.focus');
      const routes = () => all(api.sidebar.providers.routes.roots);
      await until('the routes file listed', () => routes().some((i) => i.label === 'GET /from-file'));
      const file = api.sidebar.providers.routes.roots.find((i) => i.id === 'routes.file');
      assert.equal(file?.label, 'wireplay.routes.json', 'workspace-relative');
      assert.equal(file?.description, '1 route · server stopped');
      assert.ok(routes().some((i) => i.label === 'ANY /echo'), 'with the built-ins');

      writeFileSync(routesFile(), '{ "routes": [\n  { "path": "/a", "body": "x" }\n  oops\n] }\n');
      await until('the problem listed at its line', () => routes().some((i) => /^line 3, column \d+: /.test(i.label)));
      const problems = routes().filter((i) => i.id.startsWith('routes.problem'));
      assert.equal(problems.length, 1, 'once');
      assert.doesNotMatch(problems[0].label, new RegExp(folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no absolute path');
      writeFileSync(routesFile(), JSON.stringify({ routes: [{ path: '/from-file', body: 'hi' }] }));
      await until('the problem gone once the file is fixed', () => !routes().some((i) => i.id.startsWith('routes.problem')));
    });

    it('shows the running server, its connections with counts that say what they count, and its traffic', async function () {
      const started = (await vscode.commands.executeCommand('wireplay.startServer')) as { ok: boolean };
      assert.equal(started.ok, true);
      const url = api.controller.listenInfo!.url;
      for (let i = 0; i < 3; i++) assert.equal((await get(`${url}/echo?closed=${i}`)).status, 200);
      const held = await get(`${url}/from-file`, true);
      try {
        assert.equal(held.status, 200);
        await until('three closed connections and one open', () => api.controller.traffic.connectionRows().filter((c) => c.closedAt !== undefined).length === 3 && api.controller.openConnections === 1);
        await api.sidebar.refreshNow();
        const [state, mode] = api.sidebar.providers.server.roots;
        assert.deepEqual([state.label, state.description], ['Running', url]);
        assert.equal(mode.label, 'Mode: concurrent');
        const connections = api.sidebar.providers.connections.roots;
        assert.deepEqual(connections.map((c) => c.label), [`:${held.localPort}`, 'Closed']);
        assert.equal(connections[1].description, '3');
        assert.equal(api.sidebar.views.connections.badge?.value, 1, 'the badge counts the open connection');
        assert.match(api.sidebar.views.connections.badge?.tooltip ?? '', /^1 open connection$/);
        const traffic = api.sidebar.providers.traffic.roots.map((t) => t.label);
        assert.deepEqual(traffic.slice(0, 4), ['GET /from-file', 'GET /echo?closed=2', 'GET /echo?closed=1', 'GET /echo?closed=0']);
        const routes = all(api.sidebar.providers.routes.roots);
        assert.equal(api.sidebar.providers.routes.roots[0].description, '1 route', 'from the running server now');
        assert.ok(routes.some((i) => i.label === 'GET /from-file'));
      } finally {
        held.close();
      }
      // Kept current while the view is hidden too: no refresh asked for.
      await until('the badge gone with the last open connection', () => api.sidebar.views.connections.badge === undefined);
    });

    it('a traffic row opens its exchange in the playground inspector', async function () {
      const row = api.sidebar.providers.traffic.roots.find((t) => t.label === 'GET /echo?closed=1');
      assert.ok(row?.command);
      await vscode.commands.executeCommand(row.command.id, row);
      await until('a playground tab', () => tabLabels().includes('Wireplay Playground'));
    });

    it('"Copy as cURL" of a row is a curl command that puts the same request on the wire again', async function () {
      const { host, port } = api.controller.listenInfo!;
      const body = JSON.stringify({ name: 'from curl' });
      // Written byte for byte, so the comparison below is with exactly what was sent.
      const sent = `POST /echo?copy=1 HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Type: application/json\r\nX-Trace: seven\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      await new Promise<void>((resolve, reject) => {
        const socket = connect({ host, port }, () => socket.end(sent));
        socket.on('data', () => undefined);
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
      await api.sidebar.refreshNow();
      const row = api.sidebar.providers.traffic.roots.find((t) => t.label === 'POST /echo?copy=1');
      assert.ok(row, 'the POST is listed');
      assert.equal(row.contextValue, 'wireplay.traffic.http', 'its context menu offers Copy as cURL');
      const command = (await vscode.commands.executeCommand('wireplay.copyTrafficAsCurl', row)) as string;
      assert.equal(await vscode.env.clipboard.readText(), command);
      const before = api.controller.traffic.trafficRows().length;
      await new Promise<void>((resolve, reject) => execFile('/bin/sh', ['-c', `${command} -s -o /dev/null`], (err) => (err ? reject(err) : resolve())));
      await until('curl\'s request listed', () => api.controller.traffic.trafficRows().length > before);
      // The request bytes the server received both times, compared.
      const requestBytes = (connectionId: string) =>
        Buffer.concat((api.controller.store?.connection(connectionId)?.entries ?? []).flatMap((e) => (e.kind === 'data' && e.dir === 'c2s' ? [e.bytes] : []))).toString('latin1');
      assert.equal(requestBytes(row.ref!.connectionId!), sent);
      const again = api.controller.traffic.trafficRows().at(-1)!;
      assert.equal(requestBytes(again.connectionId), sent);
    });

    it('Switch Mode switches for this window only: no settings file is written, a restart keeps it, the setting wins when it changes', async function () {
      const settingsBefore = existsSync(settingsFile()) ? readFileSync(settingsFile(), 'utf8') : undefined;
      const config = () => vscode.workspace.getConfiguration('wireplay');
      assert.equal(config().get('mode'), 'concurrent');
      const next = await vscode.commands.executeCommand('wireplay.switchMode');
      assert.equal(next, 'sequential');
      assert.equal(api.controller.mode, 'sequential');
      assert.match(api.statusBarText(), /sequential/, 'the status bar says so');
      assert.equal(config().get('mode'), 'concurrent', 'the setting is untouched');
      assert.equal(config().inspect('mode')?.workspaceValue, undefined);
      assert.equal(config().inspect('mode')?.globalValue, undefined);
      assert.equal(existsSync(settingsFile()) ? readFileSync(settingsFile(), 'utf8') : undefined, settingsBefore, '.vscode/settings.json is untouched');
      const restarted = (await vscode.commands.executeCommand('wireplay.restartServer')) as { ok: boolean };
      assert.equal(restarted.ok, true);
      assert.equal(api.controller.mode, 'sequential', 'the session keeps its mode across a restart');
      await api.sidebar.refreshNow();
      assert.equal(api.sidebar.providers.server.roots[1].label, 'Mode: sequential');
      try {
        await config().update('mode', 'concurrent', vscode.ConfigurationTarget.Global);
        await until('the setting to win once it changes', () => api.controller.mode === 'concurrent');
        await vscode.commands.executeCommand('wireplay.restartServer');
        assert.equal(api.controller.mode, 'concurrent');
      } finally {
        await config().update('mode', undefined, vscode.ConfigurationTarget.Global);
      }
    });

    it('the playground accessibility help lists its keys, and Alt+F1 opens it when the playground has focus', async function () {
      const doc = (await vscode.commands.executeCommand('wireplay.playgroundAccessibilityHelp')) as vscode.TextDocument;
      const text = doc.getText();
      assert.match(text, /^Wireplay Playground: keyboard and screen reader help/);
      assert.match(text, /Ctrl\+Enter: sends from any field/);
      assert.match(text, /Hex view \(Bytes\):\n {2}Left \/ Right: moves one byte back or forward; the byte, its direction and the field under the cursor are announced\./);
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), doc.uri.toString(), 'shown, with the focus');
      const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { keybindings: { command: string; key: string; when?: string }[] } };
      assert.ok(
        manifest.contributes.keybindings.some((k) => k.command === 'wireplay.playgroundAccessibilityHelp' && k.key === 'alt+f1' && k.when === "activeWebviewPanelId == 'wireplay.playground'"),
        'bound to Alt+F1 in the playground',
      );
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });
  });
}
