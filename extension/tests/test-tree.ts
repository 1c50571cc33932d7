// The Test Explorer's items for `.http` files, discovered from the parser's
// model: one item per file of the workspace (and per scratch file, and per
// `.http` document open elsewhere), one per request under it, one per check
// the request declares (`client.test("…")`, `test("…")`, each `??` line)
// under that — each with its range, so the editor's gutter shows the results.
// Refreshed when a file is created, changed or deleted on disk, when an open
// document is edited (debounced), and when the scratch folder changes.
import * as vscode from 'vscode';
import { blockLabel, parseHttpFile, discoverChecks, type HttpFile, type RequestBlock } from '../../server-core/index.js';
import { isHttpDocument } from '../httpfile/environment-picker.js';
import { dialectOf } from '../httpfile/http-file-support.js';
import type { ScratchStore } from '../httpfile/scratches.js';

export type ItemData =
  | { kind: 'file'; uri: vscode.Uri }
  | { kind: 'request'; uri: vscode.Uri; requestLine: number }
  | { kind: 'check'; uri: vscode.Uri; requestLine: number; name: string; line: number };

const HTTP_GLOB = '**/*.{http,rest}';
const EXCLUDE_GLOB = '**/{node_modules,.git}/**';
const MAX_FILES = 5000;
const EDIT_DELAY_MS = 300;

export class HttpTestTree implements vscode.Disposable {
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  /** Files found on disk (workspace or scratch folder): they stay listed when their editor closes. */
  private readonly onDisk = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  /** Resolves once the first scan of the workspace and the scratch folder is done. */
  readonly ready: Promise<void>;

  constructor(
    private readonly controller: vscode.TestController,
    private readonly scratches: ScratchStore,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(HTTP_GLOB);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => void this.addFromDisk(uri)),
      watcher.onDidChange((uri) => {
        if (!this.openDocument(uri)?.isDirty) void this.addFromDisk(uri);
      }),
      watcher.onDidDelete((uri) => this.remove(uri)),
      vscode.workspace.onDidOpenTextDocument((doc) => this.fromDocument(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => this.scheduleDocument(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        // A file outside the workspace leaves the list with its editor; a workspace file goes back to its text on disk.
        if (!this.onDisk.has(doc.uri.toString())) this.remove(doc.uri);
        else if (doc.isDirty) void this.addFromDisk(doc.uri);
      }),
      scratches.onDidChangeTreeData(() => void this.scanScratches()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('wireplay.httpFiles.dialect')) void this.scan();
      }),
    );
    controller.refreshHandler = () => this.scan();
    this.ready = this.scan();
  }

  /** What an item stands for. */
  dataOf(item: vscode.TestItem): ItemData | undefined {
    return this.data.get(item);
  }

  /** The request item of a file at a request line, if listed. */
  requestItem(uri: vscode.Uri, requestLine: number): vscode.TestItem | undefined {
    const file = this.controller.items.get(uri.toString());
    let found: vscode.TestItem | undefined;
    file?.children.forEach((item) => {
      const d = this.data.get(item);
      if (d?.kind === 'request' && d.requestLine === requestLine) found = item;
    });
    return found;
  }

  /** Scans the workspace, the scratch folder and the open `.http` documents again. */
  async scan(): Promise<void> {
    const found = await vscode.workspace.findFiles(HTTP_GLOB, EXCLUDE_GLOB, MAX_FILES);
    await Promise.all(found.map((uri) => this.addFromDisk(uri)));
    await this.scanScratches();
    for (const doc of vscode.workspace.textDocuments) this.fromDocument(doc);
  }

  private async scanScratches(): Promise<void> {
    const files = await this.scratches.list();
    const listed = new Set(files.map((f) => f.toString()));
    this.controller.items.forEach((item) => {
      if (item.uri && this.scratches.contains(item.uri) && !listed.has(item.id)) this.remove(item.uri);
    });
    await Promise.all(files.map((uri) => this.addFromDisk(uri)));
  }

  private openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  }

  private async addFromDisk(uri: vscode.Uri): Promise<void> {
    const open = this.openDocument(uri);
    if (open) {
      this.onDisk.add(uri.toString());
      return this.fromDocument(open);
    }
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      this.remove(uri);
      return;
    }
    if (this.disposed) return;
    this.onDisk.add(uri.toString());
    this.update(uri, parseHttpFile(text, { dialect: dialectOf({ uri }) }));
  }

  private scheduleDocument(doc: vscode.TextDocument): void {
    if (!isHttpDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.fromDocument(doc);
      }, EDIT_DELAY_MS),
    );
  }

  private fromDocument(doc: vscode.TextDocument): void {
    if (this.disposed || doc.isClosed || !isHttpDocument(doc) || (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled')) return;
    this.update(doc.uri, parseHttpFile(doc.getText(), { dialect: dialectOf(doc) }));
  }

  private remove(uri: vscode.Uri): void {
    this.onDisk.delete(uri.toString());
    this.controller.items.delete(uri.toString());
  }

  private label(uri: vscode.Uri): string {
    if (this.scratches.contains(uri)) return `Scratch: ${uri.path.split('/').pop()}`;
    return uri.scheme === 'file' ? vscode.workspace.asRelativePath(uri) : uri.path.split('/').pop() || uri.toString();
  }

  /** Puts the file's items in line with its parsed text. */
  private update(uri: vscode.Uri, file: HttpFile): void {
    if (file.blocks.length === 0) {
      this.controller.items.delete(uri.toString());
      return;
    }
    let fileItem = this.controller.items.get(uri.toString());
    if (!fileItem) {
      fileItem = this.controller.createTestItem(uri.toString(), this.label(uri), uri);
      this.data.set(fileItem, { kind: 'file', uri });
      this.controller.items.add(fileItem);
    }
    fileItem.sortText = `${this.scratches.contains(uri) ? '1' : '0'}${fileItem.label}`;
    const seen = new Map<string, number>();
    const unique = (id: string) => {
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      return n === 1 ? id : `${id}#${n}`;
    };
    fileItem.children.replace(file.blocks.map((b) => this.buildRequestItem(fileItem, uri, b, unique)));
  }

  private buildRequestItem(fileItem: vscode.TestItem, uri: vscode.Uri, block: RequestBlock, unique: (id: string) => string): vscode.TestItem {
    // Named requests keep their id (and their last result) when lines move.
    const id = unique(`${fileItem.id}|${block.name ? `name:${block.name}` : `line:${block.requestLine}`}`);
    const item = this.controller.createTestItem(id, blockLabel(block), uri);
    item.range = new vscode.Range(block.requestLine, 0, block.requestLine, 0);
    item.sortText = String(block.requestLine).padStart(8, '0');
    this.data.set(item, { kind: 'request', uri, requestLine: block.requestLine });
    const checkIds = new Map<string, number>();
    item.children.replace(
      discoverChecks(block).map((c) => {
        const n = (checkIds.get(c.name) ?? 0) + 1;
        checkIds.set(c.name, n);
        const child = this.controller.createTestItem(`${id}/${c.name}${n > 1 ? `#${n}` : ''}`, c.name, uri);
        child.range = new vscode.Range(c.line, 0, c.line, 0);
        child.sortText = String(c.line).padStart(8, '0');
        this.data.set(child, { kind: 'check', uri, requestLine: block.requestLine, name: c.name, line: c.line });
        return child;
      }),
    );
    return item;
  }

  /** A check the run reported that discovery could not see (a helper, a script file, a computed name): added under its request. */
  addRunCheck(request: vscode.TestItem, name: string, line: number): vscode.TestItem {
    const data = this.data.get(request);
    const uri = data?.uri ?? request.uri!;
    const child = this.controller.createTestItem(`${request.id}/${name}`, name, uri);
    child.range = new vscode.Range(line, 0, line, 0);
    child.sortText = String(line).padStart(8, '0');
    this.data.set(child, { kind: 'check', uri, requestLine: data?.kind === 'request' ? data.requestLine : line, name, line });
    request.children.add(child);
    return child;
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
