// Scratch requests in the JetBrains sense: real `.http` files in the
// extension's global storage (scratches/), so they need no project and
// persist across windows and workspaces. Listed in the "Scratch Requests" tree
// of the Wireplay view (open, rename, delete), refreshed when the folder changes.
import * as vscode from 'vscode';
import { scratchTemplate } from '../../server-core/httpfile/scratch-template.js';
import type { StartResult } from '../server/server-controller.js';
import type { Services } from '../commands/types.js';

export const SCRATCH_VIEW_ID = 'wireplay.scratches';
const CONTEXT_VALUE = 'wireplay.scratch';

export class ScratchStore implements vscode.TreeDataProvider<vscode.Uri>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private disposed = false;

  constructor(private readonly services: Services) {
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (this.contains(d.uri)) this.refresh();
      }),
      vscode.window.registerTreeDataProvider(SCRATCH_VIEW_ID, this),
    );
    void this.watch();
  }

  /** Watches the folder (created first: a watcher on a missing folder sees nothing), e.g. for files added by another window. */
  private async watch(): Promise<void> {
    try {
      await vscode.workspace.fs.createDirectory(this.dir);
    } catch (err) {
      this.services.log.failure('scratch folder', err);
      return;
    }
    if (this.disposed) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.dir, '*'));
    this.disposables.push(watcher, watcher.onDidCreate(() => this.refresh()), watcher.onDidDelete(() => this.refresh()), watcher.onDidChange(() => this.refresh()));
    this.refresh();
  }

  get dir(): vscode.Uri {
    return vscode.Uri.joinPath(this.services.context.globalStorageUri, 'scratches');
  }

  contains(uri: vscode.Uri): boolean {
    return uri.scheme === this.dir.scheme && uri.path.startsWith(this.dir.path + '/');
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** The scratch files, newest first. */
  async list(): Promise<vscode.Uri[]> {
    let entries: [string, vscode.FileType][];
    try {
      entries = await vscode.workspace.fs.readDirectory(this.dir);
    } catch {
      return [];
    }
    const files = entries.filter(([name, type]) => type === vscode.FileType.File && /\.(http|rest)$/i.test(name)).map(([name]) => vscode.Uri.joinPath(this.dir, name));
    const stats = await Promise.all(files.map(async (f) => ({ f, mtime: (await vscode.workspace.fs.stat(f)).mtime })));
    return stats.sort((a, b) => b.mtime - a.mtime || a.f.path.localeCompare(b.f.path)).map((s) => s.f);
  }

  getChildren(element?: vscode.Uri): Promise<vscode.Uri[]> | vscode.Uri[] {
    return element ? [] : this.list();
  }

  getTreeItem(uri: vscode.Uri): vscode.TreeItem {
    const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.None);
    item.contextValue = CONTEXT_VALUE;
    item.tooltip = `Scratch request file (kept in the editor's global storage)`;
    item.command = { command: 'vscode.open', title: 'Open', arguments: [uri] };
    return item;
  }

  /** A free name: scratch.http, scratch-2.http, … */
  private async freeName(): Promise<vscode.Uri> {
    const taken = new Set((await this.list()).map((u) => u.path.split('/').pop()));
    for (let n = 1; ; n++) {
      const name = n === 1 ? 'scratch.http' : `scratch-${n}.http`;
      if (!taken.has(name)) return vscode.Uri.joinPath(this.dir, name);
    }
  }

  /** Creates a scratch file with working examples against the built-in server (started if needed) and opens it. */
  async create(): Promise<vscode.Uri> {
    let info = this.services.controller.listenInfo;
    if (!info) {
      const started = (await vscode.commands.executeCommand('wireplay.startServer')) as StartResult | undefined;
      info = started?.ok ? started.info : this.services.controller.listenInfo;
    }
    await vscode.workspace.fs.createDirectory(this.dir);
    const file = await this.freeName();
    const text = scratchTemplate(info ? { host: info.host === '0.0.0.0' || info.host === '::' ? '127.0.0.1' : info.host, port: info.port } : { host: '127.0.0.1', port: 8080 });
    const note = info ? '' : '# The server is not running: start it ("Wireplay: Start Server") and fix the port in @host below.\n';
    await vscode.workspace.fs.writeFile(file, Buffer.from(note + text, 'utf8'));
    this.refresh();
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    return file;
  }

  async rename(uri: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
    const target = uri ?? (await this.pick('Rename which scratch request?'));
    if (!target) return undefined;
    const current = target.path.split('/').pop() ?? '';
    const name = await vscode.window.showInputBox({
      title: 'Rename Scratch Request',
      value: current,
      valueSelection: [0, current.replace(/\.(http|rest)$/i, '').length],
      validateInput: (v) => (/^[^/\\:*?"<>|]+$/.test(v.trim()) ? undefined : 'A file name, without slashes'),
    });
    if (!name || name.trim() === current) return undefined;
    const finalName = /\.(http|rest)$/i.test(name.trim()) ? name.trim() : `${name.trim()}.http`;
    const next = vscode.Uri.joinPath(this.dir, finalName);
    await vscode.workspace.fs.rename(target, next, { overwrite: false });
    this.refresh();
    return next;
  }

  async delete(uri: vscode.Uri | undefined): Promise<boolean> {
    const target = uri ?? (await this.pick('Delete which scratch request?'));
    if (!target) return false;
    const name = target.path.split('/').pop();
    const yes = await vscode.window.showWarningMessage(`Delete the scratch request ${name}? This cannot be undone.`, { modal: true }, 'Delete');
    if (yes !== 'Delete') return false;
    for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
      if (tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === target.toString()) await vscode.window.tabGroups.close(tab);
    }
    await vscode.workspace.fs.delete(target, { useTrash: false });
    this.refresh();
    return true;
  }

  private async pick(title: string): Promise<vscode.Uri | undefined> {
    const files = await this.list();
    if (files.length === 0) {
      void vscode.window.showInformationMessage('Wireplay: there are no scratch requests yet. Create one with "Wireplay: New Scratch Request".');
      return undefined;
    }
    const choice = await vscode.window.showQuickPick(
      files.map((uri) => ({ label: uri.path.split('/').pop() ?? uri.path, uri })),
      { title },
    );
    return choice?.uri;
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
