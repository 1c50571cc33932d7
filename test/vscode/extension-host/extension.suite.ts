/// <reference types="mocha" />
// The extension in a real extension host, through the vscode API: commands
// registered, the server starts and stops and answers HTTP while running,
// settings respected (mode live, port on restart), a taken port reported,
// and disposal leaves no listening socket. Runs in code-server (test/vscode/e2e.test.ts)
// and in desktop VS Code (npm run test:desktop).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect, createServer, type Server, type Socket } from 'node:net';
import * as vscode from 'vscode';
import type { WireplayApi } from '../../../extension/extension.js';
import { whenTrue } from './wait.js';

const EXTENSION_ID = 'wireplay.wireplay';

/** Measurements reported with the results (never pass/fail criteria). */
export const metrics: Record<string, number> = {};

function get(url: string, agent = false): Promise<{ status: number; body: string; localPort: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: agent ? undefined : false, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), localPort: req.socket?.localPort ?? 0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function listenFree(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

function portOf(srv: Server): number {
  const a = srv.address();
  return typeof a === 'object' && a ? a.port : 0;
}

/** What can make an `until` check come true: the controller's state and routes, the traffic lists, the editor tabs. */
let changes: Array<(listener: () => void) => vscode.Disposable> = [];

/** Resolves once `check` holds, checked again on each of `changes` (no fixed sleep); fails with `what` after `ms`. */
function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  return whenTrue(what, check, changes, ms);
}

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('wireplay').update(key, value, vscode.ConfigurationTarget.Global);
}

export function defineExtensionSuite(): void {
  describe('Wireplay in the extension host', function () {
    let api: WireplayApi;

    before(async function () {
      const ext = vscode.extensions.getExtension<WireplayApi>(EXTENSION_ID);
      assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
      const wasActive = ext.isActive;
      const started = performance.now();
      api = await ext.activate();
      changes = [
        (l) => api.controller.onState(l),
        (l) => api.controller.onRoutes(l),
        (l) => api.controller.traffic.onChange(l),
        (l) => vscode.window.tabGroups.onDidChangeTabs(l),
        (l) => vscode.window.tabGroups.onDidChangeTabGroups(l),
      ];
      // Module loading plus activate(), as the extension host runs them (only when this call activated it).
      if (!wasActive) metrics.loadAndActivateMs = Number((performance.now() - started).toFixed(2));
      await setSetting('port', undefined);
      await setSetting('mode', undefined);
    });

    after(async function () {
      await setSetting('port', undefined);
      await setSetting('mode', undefined);
    });

    it('activates without starting the server, quickly', function () {
      assert.equal(typeof api.activationMs, 'number');
      assert.equal(api.controller.state, 'stopped');
      // Reported, not judged here: timings never decide pass or fail.
      metrics.activationMs = Number(api.activationMs.toFixed(2));
    });

    it('registers every command of the manifest', async function () {
      const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string }[] } };
      const declared = manifest.contributes.commands.map((c) => c.command);
      const all = new Set(await vscode.commands.getCommands(true));
      for (const id of declared) assert.ok(all.has(id), `${id} is registered`);
      for (const id of api.commands) assert.ok(declared.includes(id), `${id} is declared in package.json`);
    });

    it('starts the server and answers HTTP while running', async function () {
      const result = (await vscode.commands.executeCommand('wireplay.startServer')) as { ok: boolean; info?: { url: string; port: number } };
      assert.equal(result.ok, true);
      assert.equal(api.controller.state, 'running');
      const info = api.controller.listenInfo!;
      assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await get(`${info.url}/echo`);
      assert.equal(res.status, 200);
      assert.match(api.statusBarText(), new RegExp(`:${info.port}\\b`));
      await until('the exchange in the traffic list', () => api.controller.traffic.trafficRows().some((r) => r.target.startsWith('/echo') && r.status === 200));
      await until('the connection in the connection list', () =>
        api.controller.traffic.connectionRows().some((c) => c.peer.endsWith(`:${res.localPort}`)),
      );
      assert.ok(api.controller.routesView().routes.length > 0, 'routes in force are listed');
    });

    it('says it is already running instead of starting twice', async function () {
      const port = api.controller.listenInfo!.port;
      const result = (await vscode.commands.executeCommand('wireplay.startServer')) as { ok: boolean; alreadyRunning?: boolean };
      assert.equal(result.ok, true);
      assert.equal(result.alreadyRunning, true);
      assert.equal(api.controller.listenInfo!.port, port);
    });

    it('applies wireplay.mode live and Switch Mode toggles it', async function () {
      await setSetting('mode', 'sequential');
      await until('mode sequential', () => api.controller.mode === 'sequential');
      assert.equal(api.controller.state, 'running', 'no restart needed');
      const next = await vscode.commands.executeCommand('wireplay.switchMode');
      assert.equal(next, 'concurrent');
      assert.equal(api.controller.mode, 'concurrent');
      // For this window only: the setting is not written (sidebar.suite.ts checks the files).
      assert.equal(vscode.workspace.getConfiguration('wireplay').get('mode'), 'sequential');
    });

    it('listens on wireplay.port after a restart', async function () {
      const probe = await listenFree();
      const port = portOf(probe);
      await new Promise<void>((r) => probe.close(() => r()));
      await setSetting('port', port);
      const result = (await vscode.commands.executeCommand('wireplay.restartServer')) as { ok: boolean };
      assert.equal(result.ok, true);
      assert.equal(api.controller.listenInfo?.port, port);
      assert.equal((await get(`http://127.0.0.1:${port}/echo`)).status, 200);
    });

    it('reports a port in use with its number', async function () {
      await vscode.commands.executeCommand('wireplay.stopServer');
      const taken = await listenFree();
      try {
        await setSetting('port', portOf(taken));
        const result = await api.controller.start();
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.reason, 'portInUse');
        assert.equal(!result.ok && result.reason === 'portInUse' && result.port, portOf(taken));
        assert.equal(api.controller.state, 'failed');
      } finally {
        await new Promise<void>((r) => taken.close(() => r()));
        await setSetting('port', undefined);
      }
    });

    it('stops: the port no longer accepts connections', async function () {
      const started = (await vscode.commands.executeCommand('wireplay.startServer')) as { ok: boolean };
      assert.equal(started.ok, true);
      const port = api.controller.listenInfo!.port;
      assert.equal(await canConnect(port), true);
      const stopped = await vscode.commands.executeCommand('wireplay.stopServer');
      assert.equal(stopped, true);
      assert.equal(api.controller.state, 'stopped');
      assert.equal(await canConnect(port), false);
      assert.match(api.statusBarText(), /off/);
    });

    it('opens the playground', async function () {
      await vscode.commands.executeCommand('wireplay.openPlayground');
      await until('a playground tab', () =>
        vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => /Wireplay/i.test(t.label) && t.input instanceof vscode.TabInputWebview)),
      );
    });

    it('commands that need a .http file say so instead of failing', async function () {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      assert.equal(await vscode.commands.executeCommand('wireplay.sendRequest'), undefined);
      assert.equal(await vscode.commands.executeCommand('wireplay.copyRequestAsCurl'), undefined);
    });

    it('imports a curl command into a .http document', async function () {
      const text = (await vscode.commands.executeCommand('wireplay.importCurl', "curl -X POST -H 'X-Test: 1' -d 'hi' http://127.0.0.1:9/echo")) as string;
      assert.match(text, /^POST http:\/\/127\.0\.0\.1:9\/echo$/m);
      assert.match(text, /^X-Test: 1$/m);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('a throwing handler in the routes file answers 500; a broken routes file is reported; the server keeps serving', async function () {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (!folder) this.skip();
      const mjs = join(folder!, 'wireplay.routes.mjs');
      const json = join(folder!, 'wireplay.routes.json');
      try {
        writeFileSync(mjs, "export default { 'GET /boom': () => { throw new Error('boom from the routes file'); } };\n");
        const result = (await vscode.commands.executeCommand('wireplay.restartServer')) as { ok: boolean };
        if (!result.ok) assert.equal((await vscode.commands.executeCommand('wireplay.startServer') as { ok: boolean }).ok, true);
        const url = api.controller.listenInfo!.url;
        await until('the routes file to load', () => api.controller.routesView().routes.some((r) => r.path === '/boom'));
        assert.equal((await get(`${url}/boom`)).status, 500);
        assert.equal((await get(`${url}/echo`)).status, 200, 'still serving after a handler threw');
        await vscode.commands.executeCommand('wireplay.stopServer');
        rmSync(mjs);
        writeFileSync(json, '{ "routes": [\n  { "path": "/a", "status": 200 }\n  oops\n] }\n');
        assert.equal(((await vscode.commands.executeCommand('wireplay.startServer')) as { ok: boolean }).ok, true);
        await until('the routes problem', () => /wireplay\.routes\.json:3/.test(api.controller.routesView().problem ?? ''));
        assert.equal((await get(`${api.controller.listenInfo!.url}/echo`)).status, 200, 'built-in routes still served');
      } finally {
        rmSync(mjs, { force: true });
        rmSync(json, { force: true });
        await vscode.commands.executeCommand('wireplay.stopServer');
      }
    });

    it('exports the capture as HAR, pcap and a transcript', async function () {
      const started = (await vscode.commands.executeCommand('wireplay.startServer')) as { ok: boolean };
      assert.equal(started.ok, true);
      await get(`${api.controller.listenInfo!.url}/echo?export=1`);
      await until('the exchange', () => api.controller.traffic.trafficRows().some((r) => r.target === '/echo?export=1'));
      const dir = mkdtempSync(join(tmpdir(), 'wireplay-export-'));
      try {
        const har = vscode.Uri.file(join(dir, 'c.har'));
        assert.ok(await vscode.commands.executeCommand('wireplay.exportCapture', 'har', har));
        const parsed = JSON.parse(readFileSync(har.fsPath, 'utf8')) as { log: { entries: { request: { url: string } }[] } };
        assert.ok(parsed.log.entries.some((e) => e.request.url.includes('/echo?export=1')), 'the HAR has the request');
        const pcap = vscode.Uri.file(join(dir, 'c.pcap'));
        assert.ok(await vscode.commands.executeCommand('wireplay.exportCapture', 'pcap', pcap));
        assert.equal(readFileSync(pcap.fsPath).readUInt32LE(0), 0xa1b2c3d4, 'a pcap file');
        const txt = vscode.Uri.file(join(dir, 'c.txt'));
        assert.ok(await vscode.commands.executeCommand('wireplay.exportCapture', 'transcript', txt));
        assert.match(readFileSync(txt.fsPath, 'utf8'), /GET \/echo\?export=1 HTTP\/1\.1/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await vscode.commands.executeCommand('wireplay.stopServer');
      }
    });

    it('clears the capture', async function () {
      await vscode.commands.executeCommand('wireplay.clearCapture');
      assert.equal(api.controller.traffic.trafficRows().length, 0);
    });

    it('disposal closes the listener and every open socket', async function () {
      const result = await api.controller.start();
      assert.equal(result.ok, true);
      const port = api.controller.listenInfo!.port;
      const socket: Socket = connect({ host: '127.0.0.1', port });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('error', reject);
      });
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('error', () => undefined);
      await until('the open connection to be tracked', () => api.controller.openConnections > 0);
      await api.controller.dispose();
      await closed;
      assert.equal(await canConnect(port), false);
      assert.equal(api.controller.state, 'stopped');
    });
  });
}
