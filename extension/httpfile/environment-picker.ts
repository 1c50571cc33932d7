// The environment in force for `.http` files: picked with "Wireplay: Select
// Environment" or the status bar item (shown while a .http file is active),
// remembered per workspace. Environments come from http-client.env.json and
// http-client.private.env.json next to the file, merged over the
// `wireplay.environments` setting (the files win, variable by variable). The
// files are read afresh at each use and watched in the folder of every open
// .http file: creating, editing or deleting one announces a change, so the
// diagnostics are recomputed without a reload.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { ENV_FILE, PRIVATE_ENV_FILE, environmentNames, loadEnvironmentFiles, mergeEnvironments, selectEnvironment, type EnvironmentSet } from '../../server-core/httpfile/environments.js';
import { Emitter } from '../../server-core/util/emitter.js';
import { currentSettings } from '../config/settings.js';

const STATE_KEY = 'wireplay.http.environment';
/** Editors save in bursts (a create and a change): one announcement for them. */
const FILE_CHANGE_DELAY_MS = 100;

export function isHttpDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'http' || /\.(http|rest)$/i.test(doc.fileName);
}

export interface DocumentEnvironments {
  set: EnvironmentSet;
  names: string[];
  /** The selected name, if it exists for this file. */
  selected: string | undefined;
  variables: Record<string, string>;
  errors: string[];
}

export class EnvironmentPicker implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('wireplay.httpEnvironment', vscode.StatusBarAlignment.Right, 90);
  private readonly changes = new Emitter<{ changed: string | undefined }>();
  private readonly disposables: vscode.Disposable[] = [];
  /** One watcher per folder holding an open .http file. */
  private readonly watchers = new Map<string, vscode.Disposable>();
  private fileTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.item.name = 'Wireplay Environment';
    this.item.command = 'wireplay.selectEnvironment';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('wireplay.environments')) this.changes.emit('changed', this.selected);
      }),
      vscode.workspace.onDidOpenTextDocument(() => this.watchFolders()),
      vscode.workspace.onDidCloseTextDocument(() => this.watchFolders()),
    );
    this.refresh();
    this.watchFolders();
  }

  /** Watches the environment files of every folder that holds an open .http file on disk; stops for the others. */
  private watchFolders(): void {
    const folders = new Set(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file' && !d.isClosed && isHttpDocument(d)).map((d) => dirname(d.uri.fsPath)));
    for (const [folder, watcher] of this.watchers) {
      if (folders.has(folder)) continue;
      watcher.dispose();
      this.watchers.delete(folder);
    }
    for (const folder of folders) {
      if (this.watchers.has(folder)) continue;
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(folder), `{${ENV_FILE},${PRIVATE_ENV_FILE}}`));
      const changed = () => this.fileChanged();
      const subscriptions = [watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed)];
      this.watchers.set(folder, new vscode.Disposable(() => [...subscriptions, watcher].forEach((d) => d.dispose())));
    }
  }

  private fileChanged(): void {
    clearTimeout(this.fileTimer);
    this.fileTimer = setTimeout(() => {
      this.fileTimer = undefined;
      this.refresh();
      this.changes.emit('changed', this.selected);
    }, FILE_CHANGE_DELAY_MS);
  }

  get selected(): string | undefined {
    return this.context.workspaceState.get<string>(STATE_KEY) || undefined;
  }

  onDidChange(listener: (name: string | undefined) => void): vscode.Disposable {
    return this.changes.on('changed', listener);
  }

  /** The environments for a document (files next to it over the setting) and the variables in force. */
  async forDocument(doc: vscode.TextDocument): Promise<DocumentEnvironments> {
    const fromSettings = currentSettings().environments;
    const loaded = doc.uri.scheme === 'file' ? await loadEnvironmentFiles(dirname(doc.uri.fsPath)) : { environments: {}, errors: [] };
    const set = mergeEnvironments(fromSettings, loaded.environments);
    const names = environmentNames(set);
    const selected = this.selected !== undefined && names.includes(this.selected) ? this.selected : undefined;
    return { set, names, selected, variables: selectEnvironment(set, selected), errors: loaded.errors };
  }

  async pick(): Promise<string | undefined> {
    const doc = vscode.window.activeTextEditor?.document;
    const envs = doc && isHttpDocument(doc) ? await this.forDocument(doc) : { names: environmentNames(currentSettings().environments), errors: [] as string[] };
    const none = { label: '$(circle-slash) No Environment', name: undefined as string | undefined, description: 'only $shared variables' };
    const items = [none, ...envs.names.map((name) => ({ label: name, name, description: name === this.selected ? 'selected' : '' }))];
    if (envs.names.length === 0) none.description = 'no environments: add http-client.env.json next to the file, or the wireplay.environments setting';
    for (const e of envs.errors) void vscode.window.showWarningMessage(`Wireplay: ${e}`);
    const choice = await vscode.window.showQuickPick(items, { title: 'Wireplay: Select Environment for .http files', placeHolder: this.selected ?? 'No Environment' });
    if (!choice) return this.selected;
    await this.context.workspaceState.update(STATE_KEY, choice.name);
    this.refresh();
    this.changes.emit('changed', choice.name);
    return choice.name;
  }

  private refresh(): void {
    const doc = vscode.window.activeTextEditor?.document;
    if (!doc || !isHttpDocument(doc)) {
      this.item.hide();
      return;
    }
    this.item.text = `$(server-environment) ${this.selected ?? 'No Environment'}`;
    this.item.tooltip = 'Wireplay: the environment for {{variables}} in .http files. Click to change.';
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.fileTimer);
    for (const w of this.watchers.values()) w.dispose();
    this.watchers.clear();
    this.changes.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
