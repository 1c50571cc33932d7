/// <reference types="mocha" />
// The recording proxy in a real extension host, in front of a real node:http
// app on 127.0.0.1 that records the bytes it receives: Start Proxy and Stop
// Proxy through their commands, the status bar item and the Server view's
// row, a proxied row in Recent Traffic, and the row's commands: Save to .http
// into a CRLF file (parsed and resolved back to the bytes the app received),
// Edit and Resend (the composer gets those exact bytes), Copy as cURL. The
// server's start and stop leave the proxy alone.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { WireplayApi } from '../../../extension/extension.js';
import type { ItemModel } from '../../../extension/views/tree-model.js';
import { parseHttpFile } from '../../../server-core/httpfile/parse-http-file.js';
import { resolveBlock } from '../../../server-core/httpfile/resolve-block.js';
import type { ComposerLoad, TrafficRow } from '../../../server-core/index.js';
import { whenTrue } from './wait.js';

const EXTENSION_ID = 'wireplay.wireplay';

function all(items: readonly ItemModel[]): ItemModel[] {
  return items.flatMap((i) => [i, ...all(i.children ?? [])]);
}

export function defineProxySuite(): void {
  describe('The recording proxy', function () {
    let api: WireplayApi;
    let app: Server;
    let origin = '';
    let proxyUrl = '';
    /** What the app received, per connection, in order. */
    const received: Buffer[][] = [];
    let folder = '';
    const until = (what: string, check: () => boolean | Promise<boolean>, ms = 10_000) =>
      whenTrue(what, check, [(l) => api.controller.traffic.onChange(l), (l) => api.proxy.onState(l), (l) => api.controller.onState(l)], ms);

    /** Writes `bytes` through the proxy on a new connection, and resolves once it closes (the request asks for that). */
    const through = (bytes: Buffer) =>
      new Promise<string>((resolve, reject) => {
        const u = new URL(proxyUrl);
        let answer = '';
        const socket = connect({ host: u.hostname, port: Number(u.port) }, () => socket.write(bytes));
        socket.on('data', (d) => (answer += d.toString('latin1')));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
      });

    before(async function () {
      api = await vscode.extensions.getExtension<WireplayApi>(EXTENSION_ID)!.activate();
      folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
      if (!folder) this.skip();
      app = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.end(`app saw ${req.method} ${req.url}\n`));
      });
      app.on('connection', (socket) => {
        const list: Buffer[] = [];
        received.push(list);
        socket.on('data', (d: Buffer) => list.push(Buffer.from(d)));
      });
      await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
      origin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    });

    after(async function () {
      await vscode.commands.executeCommand('wireplay.stopProxy');
      await vscode.commands.executeCommand('wireplay.stopServer');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      app?.closeAllConnections();
      await new Promise<void>((r) => (app ? app.close(() => r()) : r()));
      rmSync(join(folder, 'crlf.http'), { force: true });
    });

    const sent = () =>
      Buffer.from(`POST /items?via=proxy HTTP/1.1\r\nHost: ${new URL(proxyUrl).host}\r\nUser-Agent: suite\r\nAccept: */*\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 11\r\n\r\n{"id":"a1"}`, 'latin1');
    let row: TrafficRow | undefined;

    it('Start Proxy: running on 127.0.0.1, said on the status bar and in the Server view; a second start changes nothing', async function () {
      const result = (await vscode.commands.executeCommand('wireplay.startProxy', { target: origin, port: 0 })) as { ok: boolean; url: string };
      assert.equal(result.ok, true, JSON.stringify(result));
      proxyUrl = result.url;
      assert.match(proxyUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(api.proxy.state, 'running');
      assert.equal(api.proxyStatusBarText(), `$(arrow-swap) Proxy :${new URL(proxyUrl).port} → ${origin.replace('http://', '')}`);
      await api.sidebar.refreshNow();
      const proxyRow = api.sidebar.providers.server.roots.find((i) => i.id === 'proxy.state');
      assert.equal(proxyRow?.description, `${proxyUrl} → ${origin}`);
      const again = (await vscode.commands.executeCommand('wireplay.startProxy', { target: 'http://127.0.0.1:1', port: 0 })) as { ok: boolean; alreadyRunning?: boolean };
      assert.equal(again.alreadyRunning, true);
    });

    it('a request through the proxy: the app gets the bytes unchanged, Recent Traffic lists it as proxied with its two legs', async function () {
      const answer = await through(sent());
      assert.match(answer, /^HTTP\/1\.1 200 OK\r\n[\s\S]*app saw POST \/items\?via=proxy\n$/);
      assert.deepEqual(Buffer.concat(received.at(-1)!), sent());
      await until('the proxied row complete', () => (row = api.controller.traffic.trafficRows().find((r) => r.target === '/items?via=proxy' && r.proxy?.outcome === 'complete')) !== undefined);
      await api.sidebar.refreshNow();
      const item = api.sidebar.providers.traffic.roots.find((i) => i.label === 'POST /items?via=proxy');
      assert.ok(item);
      assert.equal(item.contextValue, 'wireplay.traffic.proxied');
      assert.match(item.description ?? '', /^200 · proxied · /);
      assert.deepEqual(
        (item.children ?? []).map((c: ItemModel) => c.label),
        ['client ↔ proxy', `proxy ↔ ${origin.replace('http://', '')}`],
      );
    });

    it('Save to .http appends to a CRLF file in its line ends; the block reads back as the bytes the app received', async function () {
      const file = join(folder, 'crlf.http');
      writeFileSync(file, 'GET http://127.0.0.1:1/kept\r\n');
      const result = (await vscode.commands.executeCommand('wireplay.saveTrafficToHttpFile', row!.id, { file })) as { file: string; form: string };
      assert.equal(result.form, 'http', 'curl-like headers: the readable form');
      const text = readFileSync(file, 'utf8');
      assert.ok(text.startsWith('GET http://127.0.0.1:1/kept\r\n\r\n### POST /items?via=proxy'), JSON.stringify(text.slice(0, 80)));
      assert.doesNotMatch(text, /[^\r]\n/, 'CRLF throughout');
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
      assert.equal(doc?.isDirty, false, 'saved');
      const parsed = parseHttpFile(text);
      assert.equal(parsed.blocks.length, 2);
      const resolved = await resolveBlock(parsed.blocks[1], { fileVariables: [], environment: {}, exchanges: new Map(), processEnv: {}, dotenv: {} }, text.split(/\r?\n/), { baseDir: folder, file: parsed });
      assert.equal(resolved.request?.kind, 'http');
      const { prepareRequest } = await import('../../../server-core/client/request-spec.js');
      if (resolved.request?.kind === 'http') {
        assert.equal(resolved.request.spec.url, `${origin}/items?via=proxy`);
        assert.deepEqual(prepareRequest(resolved.request.spec).bytes, sent());
      }
    });

    it('Edit and Resend opens the playground with the exact bytes, to the app', async function () {
      const load = (await vscode.commands.executeCommand('wireplay.editAndResend', row!.id)) as ComposerLoad;
      assert.equal(load.mode, 'raw');
      assert.deepEqual(load.raw, { host: '127.0.0.1', port: Number(new URL(origin).port), data: sent().toString('base64') });
      await whenTrue('a playground tab', () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === 'Wireplay Playground')), [(l) => vscode.window.tabGroups.onDidChangeTabs(l)], 30_000);
    });

    it('Copy as cURL copies the request to the app, exactly', async function () {
      const command = (await vscode.commands.executeCommand('wireplay.copyTrafficAsCurl', row!.id)) as string;
      assert.equal(await vscode.env.clipboard.readText(), command);
      assert.match(command, new RegExp(`${origin.replace(/\./g, '\\.')}/items\\?via=proxy`));
    });

    it('the server starting and stopping leaves the proxy running and recording', async function () {
      assert.equal(((await vscode.commands.executeCommand('wireplay.startServer')) as { ok: boolean }).ok, true);
      assert.equal(await vscode.commands.executeCommand('wireplay.stopServer'), true);
      assert.equal(api.proxy.state, 'running');
      const answer = await through(Buffer.from('GET /after-server HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'latin1'));
      assert.match(answer, /app saw GET \/after-server/);
      await until('the second proxied row', () => api.controller.traffic.trafficRows().some((r) => r.target === '/after-server' && r.proxy?.outcome === 'complete'));
    });

    it('wireplay.proxy.rules applies live; Toggle Proxy Rule turns a rule off for the session', async function () {
      const config = vscode.workspace.getConfiguration('wireplay');
      try {
        await config.update('proxy.rules', [{ id: 'maintenance', path: '/items', respond: { status: 503, body: 'down\n' } }], vscode.ConfigurationTarget.Global);
        await until('the rule applied', () => api.proxy.view().rules?.length === 1);
        const answer = await through(Buffer.from('GET /items HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'latin1'));
        assert.match(answer, /^HTTP\/1\.1 503 [\s\S]*down\n$/);
        await api.sidebar.refreshNow();
        const ruleRow = all(api.sidebar.providers.server.roots).find((i) => i.id === 'proxy.rule:maintenance');
        assert.equal(ruleRow?.contextValue, 'wireplay.proxy.rule.on');
        assert.equal(await vscode.commands.executeCommand('wireplay.toggleProxyRule', ruleRow), false);
        assert.match(await through(Buffer.from('GET /items HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'latin1')), /app saw GET \/items/);
      } finally {
        await config.update('proxy.rules', undefined, vscode.ConfigurationTarget.Global);
      }
      await until('the rules gone with the setting', () => api.proxy.view().rules === undefined);
    });

    it('Stop Proxy: the status bar item goes, the rows stay; stopping again says it was not running', async function () {
      assert.equal(await vscode.commands.executeCommand('wireplay.stopProxy'), true);
      assert.equal(api.proxy.state, 'stopped');
      assert.equal(api.proxyStatusBarText(), '');
      assert.ok(api.controller.traffic.trafficById(row!.id));
      assert.equal(await vscode.commands.executeCommand('wireplay.stopProxy'), false);
      const bad = (await vscode.commands.executeCommand('wireplay.startProxy', { target: 'ws://127.0.0.1:1' })) as { ok: boolean; reason?: string };
      assert.deepEqual([bad.ok, bad.reason], [false, 'invalid-target']);
      assert.equal(api.proxy.state, 'stopped', 'a refused target starts nothing');
      await new Promise<void>((resolve, reject) => {
        const req = request(proxyUrl, () => reject(new Error('the proxy still answers')));
        req.on('error', () => resolve());
        req.end();
      });
    });
  });
}
