// `.http` files in the editor: one HttpFileSession per document (named
// exchanges survive between sends; each send is its own run), sending the
// request at a line, copying it as cURL, and diagnostics (the parser's and
// unresolved variables), refreshed on edit with a debounce. Requests go out
// with the server controller's capture emitter, so the playground inspector
// holds every exchange; WebSocket blocks become live sessions of the playground.
// Scripts run through the window's script engine (window-scripts.ts); what
// they report shows in the response document, and their errors (and, in an
// untrusted workspace, the scripts not run) are marked at their lines.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { toCurl } from '../../server-core/export/curl.js';
import { loadDotenv } from '../../server-core/httpfile/environments.js';
import { blockLabel, formatOutcome, formatWebSocketEntry, outcomeStatus } from '../../server-core/httpfile/format-outcome.js';
import { lintHttpFile } from '../../server-core/httpfile/lint.js';
import { formatStreamRecord, LiveStreamLines } from '../../server-core/httpfile/stream-lines.js';
import type { StreamRecord } from '../../server-core/client/body-stream.js';
import { blockAtLine, parseHttpFile } from '../../server-core/httpfile/parse-http-file.js';
import { resolveBlock } from '../../server-core/httpfile/resolve-block.js';
import { HttpFileSession, type BlockOutcome, type RunOptions } from '../../server-core/httpfile/run-http-file.js';
import { DIALECTS, type Diagnostic, type Dialect, type HttpFile, type RequestBlock } from '../../server-core/httpfile/types.js';
import { createLiveWebSocketRunner } from '../../server-core/httpfile/ws-live.js';
import { asTextRecord } from '../../server-core/httpfile/script-io.js';
import type { Services } from '../commands/types.js';
import { EnvironmentPicker, isHttpDocument, workspaceRootOf } from './environment-picker.js';
import { ResponseView } from './response-view.js';
import { ScriptDiagnostics, toVscodeDiagnostic } from './script-diagnostics.js';
import { UNTRUSTED_REASON, WindowScripts } from './window-scripts.js';

/** What the send command returns (tests read it). */
export interface SendSummary {
  kind: BlockOutcome['kind'];
  statusCode?: number;
  connectionId?: string;
  /** A WebSocket block: the playground session that stays open after the script. */
  sessionId?: string;
  message?: string;
  /** The text shown in the response document. */
  text: string;
}

const LINT_DELAY_MS = 300;

/** `wireplay.httpFiles.dialect` for a document (or a file): which tool to follow where the tools disagree. */
export function dialectOf(doc: { readonly uri: vscode.Uri }): Dialect {
  const value = vscode.workspace.getConfiguration('wireplay', doc.uri).get<string>('httpFiles.dialect', 'auto');
  return (DIALECTS as readonly string[]).includes(value) ? (value as Dialect) : 'auto';
}

/** What a run of a document's requests (a send, a test run) may set. */
export interface DocumentRunOptions {
  signal?: AbortSignal;
  onStart?(block: RequestBlock): void;
  onOutcome?(outcome: BlockOutcome): void;
  /** Runs WebSocket blocks; default: a live session of the playground. */
  runWebSocket?: RunOptions['runWebSocket'];
}

export class HttpFileSupport implements vscode.Disposable {
  readonly environments: EnvironmentPicker;
  readonly responses = new ResponseView();
  readonly scripts = new WindowScripts();
  readonly scriptMarks = new ScriptDiagnostics();
  private readonly sessions = new Map<string, HttpFileSession>();
  private readonly parsed = new Map<string, { version: number; dialect: Dialect; file: HttpFile }>();
  private readonly collection = vscode.languages.createDiagnosticCollection('wireplay-http');
  private readonly lintTimers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly services: Services) {
    this.environments = new EnvironmentPicker(services.context);
    this.disposables.push(
      this.environments,
      this.responses,
      this.scripts,
      this.scriptMarks,
      this.collection,
      // A value a script set globally is defined from now on (and no longer once cleared).
      { dispose: this.scripts.globals.onDidChange(() => this.lintAll()).dispose },
      vscode.workspace.onDidOpenTextDocument((d) => this.scheduleLint(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.scheduleLint(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)),
      this.environments.onDidChange(() => this.lintAll()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('wireplay.httpFiles.dialect')) return;
        // Another reading of the same text: parse and lint again; sessions start afresh in the new dialect.
        this.parsed.clear();
        this.sessions.clear();
        for (const d of vscode.workspace.textDocuments) this.scheduleLint(d, 0);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.scheduleLint(d, 0);
  }

  private lintAll(): void {
    for (const d of vscode.workspace.textDocuments) this.scheduleLint(d, 0);
  }

  /** The parsed file, cached per document version and dialect. */
  parse(doc: vscode.TextDocument): HttpFile {
    const key = doc.uri.toString();
    const dialect = dialectOf(doc);
    const hit = this.parsed.get(key);
    if (hit && hit.version === doc.version && hit.dialect === dialect) return hit.file;
    const file = parseHttpFile(doc.getText(), { dialect });
    this.parsed.set(key, { version: doc.version, dialect, file });
    return file;
  }

  private baseDir(doc: vscode.TextDocument): string {
    return doc.uri.scheme === 'file' ? dirname(doc.uri.fsPath) : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd());
  }

  /** The `.env` for `{{$dotenv}}`: `.env.ENV` or `.env` in the nearest folder up to the workspace folder. */
  private dotenv(doc: vscode.TextDocument): Promise<Record<string, string>> {
    const dir = this.baseDir(doc);
    return loadDotenv(dir, workspaceRootOf(doc) ?? dir, this.environments.selected);
  }

  private sessionFor(doc: vscode.TextDocument): HttpFileSession {
    const key = doc.uri.toString();
    let session = this.sessions.get(key);
    if (!session) {
      session = new HttpFileSession(doc.getText(), {
        baseDir: this.baseDir(doc),
        ...(doc.uri.scheme === 'file' ? { filePath: doc.uri.fsPath } : {}),
        dialect: dialectOf(doc),
        environment: {},
      });
      this.sessions.set(key, session);
    } else session.update(doc.getText());
    return session;
  }

  blockAt(doc: vscode.TextDocument, line: number): RequestBlock | undefined {
    return blockAtLine(this.parse(doc), line);
  }

  /**
   * Sends the request at `line` (and the named requests it references, first);
   * shows the response beside. A WebSocket block opens a live session in the
   * playground: its script runs there and the connection stays open after it.
   * Each send has its own run (abort, outcomes, live transcript), so sends of
   * one document may overlap; named results are shared by the document.
   */
  async send(doc: vscode.TextDocument, line: number, options: { inspect?: boolean } = {}): Promise<SendSummary | undefined> {
    const block = this.blockAt(doc, line);
    if (!block) {
      void vscode.window.showWarningMessage('Wireplay: there is no request at the cursor. Requests start with a request line such as "GET https://…", separated by ###.');
      return undefined;
    }
    if (options.inspect) await this.services.playground.open();
    const label = blockLabel(block);
    const section = this.responses.begin(doc.uri);
    const outcomes: BlockOutcome[] = [];
    const live: string[] = [];
    // A streamed response (event stream, NDJSON…) is listed record by record while it arrives.
    const records = new LiveStreamLines();
    let sentAt = performance.now();
    // Cancel during a stream ends it and keeps what arrived (as `wireplay send --max-time` does); otherwise it aborts the run.
    const stop = new AbortController();
    let liveTimer: NodeJS.Timeout | undefined;
    let running: RequestBlock = block;
    const showLive = () => {
      liveTimer = undefined;
      const footer = records.count ? `* streaming: ${records.count} record${records.count === 1 ? '' : 's'} so far (Cancel in the notification ends the stream and keeps what arrived)` : '* running… (cancel from the notification)';
      void section.update([...outcomes.map(formatOutcome), `### ${blockLabel(running)}`, ...live, ...records.text(), '', footer, ''].join('\n'));
    };
    const playground = this.services.playground;
    const file = basename(doc.uri.path);
    const run = await this.runOptions(doc, {
      onStart: (b) => {
        running = b;
        live.length = 0;
        records.clear();
        sentAt = performance.now();
      },
      onOutcome: (o) => {
        outcomes.push(o);
        live.length = 0;
        records.clear();
        this.scriptMarks.record(doc.uri, o);
      },
      runWebSocket: createLiveWebSocketRunner(
        (request) =>
          playground.attachWebSocket({
            url: request.url,
            protocols: request.protocols,
            headers: request.headers,
            insecure: request.insecure,
            handshakeTimeoutMs: request.handshakeTimeoutMs,
            source: `${file}:${running.requestLine + 1}`,
            ...(request.signal ? { signal: request.signal } : {}),
          }),
        {
          onEntry: (e) => {
            live.push(formatWebSocketEntry(e));
            liveTimer ??= setTimeout(showLive, 50);
          },
        },
      ),
    });
    const session = this.sessionFor(doc);
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Wireplay: ${label}`, cancellable: true },
      (_progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => (records.count ? stop.abort() : abort.abort()));
        const sendOptions = {
          ...run.sendOptions,
          onRecord: (r: StreamRecord) => {
            records.add(formatStreamRecord(r, sentAt));
            liveTimer ??= setTimeout(showLive, 50);
          },
          stop: stop.signal,
        };
        return session.run(block, { ...run, sendOptions, signal: abort.signal }).finally(() => sub.dispose());
      },
    );
    clearTimeout(liveTimer);
    const text = outcomes.map(formatOutcome).join('\n');
    await section.finish(text, outcomes);
    this.services.log.info(`.http: ${label} → ${outcomeStatus(outcome)}`);
    this.scheduleLint(doc, 0);
    const summary: SendSummary = { kind: outcome.kind, text };
    this.reportScriptsNotRun(outcomes);
    if (outcome.kind === 'failed') {
      summary.message = outcome.message;
      void vscode.window.showErrorMessage(`Wireplay: ${label}: ${outcome.message}`);
      return summary;
    }
    if (outcome.kind === 'skipped') {
      summary.message = `not sent: ${outcome.reason}`;
      return summary;
    }
    if (outcome.kind === 'http') summary.statusCode = outcome.result.response.statusCode;
    if (outcome.kind === 'websocket' && outcome.result.live) summary.sessionId = outcome.result.live.sessionId;
    summary.connectionId = outcome.result.connectionId;
    if (options.inspect && summary.connectionId) await this.services.playground.open({ select: summary.connectionId });
    return summary;
  }

  /**
   * The options of one run of a document's requests: the selected environment, `.env`, the server's
   * capture (the inspector shows every exchange), the window's scripts, `# @prompt` in an input box.
   */
  async runOptions(doc: vscode.TextDocument, options: DocumentRunOptions = {}): Promise<RunOptions> {
    const envs = await this.environments.forDocument(doc);
    for (const e of envs.errors) void vscode.window.showWarningMessage(`Wireplay: ${e}`);
    const label = basename(doc.uri.path);
    return {
      baseDir: this.baseDir(doc),
      environment: envs.variables,
      dotenv: await this.dotenv(doc),
      capture: this.services.controller.capture,
      scripts: this.scripts.host(),
      // REST Client's `# @prompt name description`: an input box per value, hidden for passwords; Escape cancels the send.
      prompt: ({ name, description, password }) =>
        Promise.resolve(
          vscode.window.showInputBox({ title: `Wireplay: ${label}`, prompt: `Value for "${name}"`, placeHolder: description, password, ignoreFocusOut: true }),
        ),
      ...(options.onStart ? { onStart: options.onStart } : {}),
      ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
      ...(options.runWebSocket ? { runWebSocket: options.runWebSocket } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
  }

  /** Runs one block of a document (and the named requests it references, first) with the document's session. */
  async runBlock(doc: vscode.TextDocument, block: RequestBlock, options: DocumentRunOptions = {}): Promise<BlockOutcome> {
    const run = await this.runOptions(doc, {
      ...options,
      onOutcome: (o) => {
        this.scriptMarks.record(doc.uri, o);
        options.onOutcome?.(o);
      },
    });
    return this.sessionFor(doc).run(block, run);
  }

  /** Scripts that did not run (an untrusted workspace) are said once per run, with the way to trust it. */
  reportScriptsNotRun(outcomes: readonly BlockOutcome[]): void {
    const count = outcomes.reduce((n, o) => n + (o.scripts?.notRun.length ?? 0), 0);
    if (!count) return;
    this.services.log.warn(`.http: ${count} script${count === 1 ? '' : 's'} not run: ${UNTRUSTED_REASON}`);
    void vscode.window
      .showWarningMessage(`Wireplay: ${count} script${count === 1 ? ' was' : 's were'} not run: ${UNTRUSTED_REASON}. The requests were sent without them.`, 'Manage Workspace Trust')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
      });
  }

  /** The request at `line` as a curl command (on the clipboard too). */
  async copyAsCurl(doc: vscode.TextDocument, line: number): Promise<string | undefined> {
    const block = this.blockAt(doc, line);
    if (!block) {
      void vscode.window.showWarningMessage('Wireplay: there is no request at the cursor.');
      return undefined;
    }
    if (block.kind !== 'http') {
      void vscode.window.showWarningMessage(`Wireplay: a ${block.kind === 'raw' ? 'RAW block' : 'WebSocket script'} has no cURL equivalent; only HTTP requests can be copied as cURL.`);
      return undefined;
    }
    const file = this.parse(doc);
    const envs = await this.environments.forDocument(doc);
    const session = this.sessionFor(doc);
    const imports = session.imports();
    const resolved = await resolveBlock(
      block,
      {
        fileVariables: file.fileVariables,
        regionVariables: block.variables,
        allVariables: file.allVariables,
        importedVariables: imports.imported.flatMap((i) => i.file.fileVariables),
        requestNames: imports.requestNames,
        environment: envs.variables,
        exchanges: session.exchanges,
        processEnv: process.env,
        dotenv: await this.dotenv(doc),
        dialect: file.dialect,
      },
      doc.getText().split(/\r\n|\r|\n/),
      { baseDir: this.baseDir(doc), file },
    );
    if (!resolved.request || resolved.request.kind !== 'http') {
      const first = resolved.diagnostics.find((d) => d.severity === 'error');
      void vscode.window.showErrorMessage(`Wireplay: cannot copy as cURL: ${first ? `line ${first.line + 1}: ${first.message}` : 'the request did not resolve'}`);
      return undefined;
    }
    const command = toCurl(resolved.request.spec);
    await vscode.env.clipboard.writeText(command);
    void vscode.window.showInformationMessage('Wireplay: copied the request as a curl command.');
    return command;
  }

  private scheduleLint(doc: vscode.TextDocument, delay = LINT_DELAY_MS): void {
    // Files on disk and unsaved ones; not the read-only copies of diffs and other virtual documents.
    if (!isHttpDocument(doc) || (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled')) return;
    const key = doc.uri.toString();
    clearTimeout(this.lintTimers.get(key));
    this.lintTimers.set(
      key,
      setTimeout(() => {
        this.lintTimers.delete(key);
        void this.lint(doc).catch((err) => this.services.log.failure('.http diagnostics', err));
      }, delay),
    );
  }

  /** Recomputes the diagnostics of one document now. */
  async lint(doc: vscode.TextDocument): Promise<readonly vscode.Diagnostic[]> {
    const version = doc.version;
    const envs = await this.environments.forDocument(doc);
    const imports = this.sessionFor(doc).imports();
    const { diagnostics } = await lintHttpFile(
      doc.getText(),
      {
        environment: envs.variables,
        exchanges: this.sessions.get(doc.uri.toString())?.exchanges ?? new Map(),
        processEnv: process.env,
        dotenv: await this.dotenv(doc),
        scriptValues: { globals: asTextRecord(this.scripts.globals.snapshot()), exports: asTextRecord(this.sessions.get(doc.uri.toString())?.scriptExports ?? {}) },
      },
      this.baseDir(doc),
      { dialect: dialectOf(doc), importedNames: imports.requestNames, importedVariables: imports.imported.flatMap((i) => i.file.fileVariables) },
    );
    // Errors of `# @import` lines (a file that cannot be read) are marked at their line too.
    for (const e of imports.errors) diagnostics.push({ line: e.line, column: 0, endLine: e.line, endColumn: doc.lineAt(e.line).text.length, message: e.message, severity: 'error', code: 'reference' });
    if (doc.isClosed || doc.version !== version) return this.collection.get(doc.uri) ?? [];
    const out = diagnostics.map((d) => toVscodeDiagnostic(d));
    this.collection.set(doc.uri, out);
    return out;
  }

  private forget(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.lintTimers.get(key));
    this.lintTimers.delete(key);
    this.parsed.delete(key);
    this.sessions.delete(key);
    this.collection.delete(doc.uri);
  }

  dispose(): void {
    for (const t of this.lintTimers.values()) clearTimeout(t);
    this.lintTimers.clear();
    this.sessions.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
