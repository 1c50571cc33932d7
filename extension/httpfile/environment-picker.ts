// The environment in force for `.http` files: picked with "Wireplay: Select
// Environment" or the status bar item (shown while a .http file is active),
// remembered per workspace. Environments come, lowest first, from the
// `wireplay.environments` setting, REST Client's `rest-client.environmentVariables`
// setting, and http-client.env.json / http-client.private.env.json in the
// file's folder and every folder above it up to its workspace folder (the
// nearer file wins, variable by variable). The files are read afresh at each
// use and watched in those folders for every open .http file: creating,
// editing or deleting one announces a change, so the diagnostics are
// recomputed without a reload.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import {
  ENV_FILE,
  PRIVATE_ENV_FILE,
  environmentNames,
  findWorkspaceRoot,
  foldersUpTo,
  loadEnvironmentFiles,
  loadRestClientSettings,
  mergeEnvironments,
  selectEnvironment,
  type EnvironmentSet,
} from '../../server-core/httpfile/environments.js';
import { Emitter } from '../../server-core/util/emitter.js';
import { currentSettings } from '../config/settings.js';

const STATE_KEY = 'wireplay.http.environment';
/** Editors save in bursts (a create and a change): one announcement for them. */
const FILE_CHANGE_DELAY_MS = 100;

export function isHttpDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'http' || /\.(http|rest)$/i.test(doc.fileName);
}

/** Where the search for environment files and .env stops: the document's workspace folder, else the nearest project root. */
export function workspaceRootOf(doc: vscode.TextDocument): string | undefined {
  if (doc.uri.scheme !== 'file') return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath ?? findWorkspaceRoot(dirname(doc.uri.fsPath));
}

/** REST Client's environments, as VS Code resolves the setting for this document (user, workspace and folder settings). */
function restClientEnvironments(doc: vscode.TextDocument): EnvironmentSet {
  const value = vscode.workspace.getConfiguration('rest-client', doc.uri).get<unknown>('environmentVariables');
  if (value === null || typeof value !== 'object') return {};
  const out: EnvironmentSet = {};
  for (const [env, vars] of Object.entries(value as Record<string, unknown>)) {
    if (vars === null || typeof vars !== 'object') continue;
    out[env] = Object.fromEntries(Object.entries(vars as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  return out;
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
        if (e.affectsConfiguration('wireplay.environments') || e.affectsConfiguration('rest-client.environmentVariables')) this.changes.emit('changed', this.selected);
      }),
      vscode.workspace.onDidOpenTextDocument(() => this.watchFolders()),
      vscode.workspace.onDidCloseTextDocument(() => this.watchFolders()),
    );
    this.refresh();
    this.watchFolders();
  }

  /** Watches the environment files of every folder an open .http file reads them from; stops for the others. */
  private watchFolders(): void {
    const folders = new Set<string>();
    for (const d of vscode.workspace.textDocuments) {
      if (d.uri.scheme !== 'file' || d.isClosed || !isHttpDocument(d)) continue;
      for (const f of foldersUpTo(dirname(d.uri.fsPath), workspaceRootOf(d) ?? dirname(d.uri.fsPath))) folders.add(f);
    }
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

  /** The environments for a document (the files up to its workspace folder over the settings) and the variables in force. */
  async forDocument(doc: vscode.TextDocument): Promise<DocumentEnvironments> {
    const dir = doc.uri.scheme === 'file' ? dirname(doc.uri.fsPath) : undefined;
    const root = dir ? (workspaceRootOf(doc) ?? dir) : undefined;
    // REST Client's setting as VS Code resolves it, over the .vscode/settings.json found above the file
    // (the same file the CLI reads; it counts even when the file is outside the open workspace).
    const restClientFile = dir ? await loadRestClientSettings(dir, root) : { environments: {}, errors: [] as string[] };
    const fromSettings = mergeEnvironments(currentSettings().environments, restClientFile.environments, restClientEnvironments(doc));
    const loaded = dir ? await loadEnvironmentFiles(dir, root) : { environments: {}, errors: [] as string[] };
    loaded.errors.unshift(...restClientFile.errors);
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
