// Runs the blocks of a `.http` file through the sender: one HttpFileSession per
// file keeps the named exchanges that `{{name.response…}}` references read. A
// block that references a named request nobody has sent yet sends that one
// first (as httpYac does), as do `# @ref` and `# @forceRef`; `# @import`
// brings the named requests and variables of other files in. Each run takes
// its own options (abort signal, outcome listener, WebSocket runner, prompt…)
// and a snapshot of the text, so two runs of one file can be in flight at
// once; only the named exchanges and httpYac's exported variables are shared.
// Each pass of a request runs its scripts (request-scripts.ts) around the
// exchange: pre-request scripts before it is built, the rest on the response.
import { basename, dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CaptureEvents } from '../capture/types.js';
import type { HttpSendOptions, HttpSendResult } from '../client/http-sender.js';
import type { RawExchange } from '../client/raw-sender.js';
import type { JsonValue } from '../scripts/index.js';
import type { Emitter } from '../util/emitter.js';
import { blockDependencies, loadImports, type ImportedFile } from './dependencies.js';
import { splitLines } from './line-patterns.js';
import { parseHttpFile } from './parse-http-file.js';
import { RequestScripts, variablesInScope } from './request-scripts.js';
import { blockRefusals, resolveBlock, type ResolvedRequest } from './resolve-block.js';
import { loopPasses, promptValues } from './request-inputs.js';
import { applyRequestChanges, asTextRecord, partialSubstitute, requestBeforeSending } from './script-io.js';
import type { ScriptHost } from './script-host.js';
import { hasScriptNews, type ScriptReport } from './script-report.js';
import { sendBlock } from './send-block.js';
import type { Diagnostic, Dialect, HttpFile, RequestBlock } from './types.js';
import { substitute, type NamedExchange, type VariableContext } from './variables.js';

export interface WebSocketTranscriptEntry {
  dir: 'sent' | 'received';
  /** Milliseconds since the connection opened. */
  t: number;
  binary: boolean;
  data: Buffer;
}

export interface WebSocketRunResult {
  url: string;
  protocol: string;
  extensions: string;
  transcript: WebSocketTranscriptEntry[];
  /** How the connection closed; absent while it is still open (a live session). */
  close?: { code: number; reason: string; wasClean: boolean };
  /** How the script ended: it ran to its end, the server closed first, a wait timed out, or it was aborted. */
  ended?: 'script' | 'server-closed' | 'timeout' | 'aborted';
  /** The connection id in the capture (the client side of the connection). */
  connectionId?: string;
  /** Set when the connection stays open after the script, as a session of the playground (the editor's runner). */
  live?: { sessionId: string };
}

export type BlockOutcome = (
  | { kind: 'http'; block: RequestBlock; result: HttpSendResult }
  | { kind: 'websocket'; block: RequestBlock; result: WebSocketRunResult }
  | { kind: 'raw'; block: RequestBlock; result: RawExchange }
  /** `# @disabled`, or a script cancelled it (httpYac `exports.$cancel`): not sent, on purpose. */
  | { kind: 'skipped'; block: RequestBlock; reason: string }
  /**
   * Nothing was sent: the block did not resolve (diagnostics), a pre-request script failed (diagnostics,
   * code `script`) or the exchange could not happen (message).
   * `refused`: the file is wrong or asks for a feature Wireplay refuses (exit 2 on the CLI), not a failure of the exchange.
   */
  | { kind: 'failed'; block: RequestBlock; message: string; diagnostics: Diagnostic[]; refused?: boolean }
) & {
  /** What the request's scripts did (checks, errors, logs, scripts not run); absent when it has none. */
  scripts?: ScriptReport;
  /** From the start of the pass (pre-request scripts included) to the end of its last script. */
  durationMs?: number;
};

/**
 * How the session listens to a WebSocket while its script runs, for response handlers that read the
 * messages (`response.body.onEachMessage`).
 */
export interface WebSocketTap {
  /** Each message received, as it arrives. */
  message(data: Buffer, binary: boolean): void;
  /** Once connected: `send` answers on the connection (a handler's output()); `stop` ends listening (every handler unsubscribed). */
  connected(control: { send(text: string): void; stop(): void }): void;
}

/** Runs a resolved WebSocket script; supplied by the WebSocket layer so this module stays transport-agnostic. */
export type WebSocketScriptRunner = (
  request: Extract<ResolvedRequest, { kind: 'websocket' }>,
  options: { capture?: Emitter<CaptureEvents>; signal?: AbortSignal; timeoutMs: number; tap?: WebSocketTap },
) => Promise<WebSocketRunResult>;

/** `# @prompt name description`: asks for a value; undefined when the user gave none (cancelled, or no terminal). */
export type PromptForValue = (request: { name: string; description?: string; password: boolean; line: number; block: RequestBlock }) => Promise<string | undefined>;

export interface HttpFileSessionOptions {
  /** Folder of the .http file (body files, `>>` outputs). */
  baseDir: string;
  /** Path of the .http file: `# @import` is relative to it. */
  filePath?: string;
  dialect?: Dialect;
  environment: Record<string, string>;
  /** `--var name=value`: prompt answers, and variables above the environment. */
  cliVariables?: Record<string, string>;
  processEnv?: Record<string, string | undefined>;
  dotenv?: Record<string, string>;
  capture?: Emitter<CaptureEvents>;
  runWebSocket?: WebSocketScriptRunner;
  /** Runs the requests' scripts (and holds `client.global`); without one, each script is reported as not run. */
  scripts?: ScriptHost;
  prompt?: PromptForValue;
  /** Default timeout per request. */
  timeoutMs?: number;
  /** Follow redirects unless a request says `# @no-redirect` (the CLI's --follow). */
  followRedirects?: boolean;
  /** TLS without certificate verification for every request (the CLI's --insecure). */
  insecure?: boolean;
  /** Extra options for every HTTP exchange (a body file, live printing). */
  sendOptions?: Pick<HttpSendOptions, 'onHead' | 'onBody' | 'onRecord' | 'stop' | 'previewBytes' | 'bodyFile' | 'lastEventId' | 'setHeaders'>;
  onOutcome?(outcome: BlockOutcome): void;
  /** Called when a block resolved and is about to be sent (before its outcome). */
  onStart?(block: RequestBlock): void;
  /** The warnings of a block that resolved (the tools disagree here, …): shown with the outcome, never hidden. */
  onWarnings?(block: RequestBlock, warnings: Diagnostic[]): void;
  /** Clock and randomness, for tests. */
  now?: () => Date;
  randomInt?: (min: number, max: number) => number;
}

/** What one run may set for itself, over the session's options. */
export interface RunOptions extends Partial<HttpFileSessionOptions> {
  signal?: AbortSignal;
}

/** A parsed file and where it lives: the one being run, or one it imports. */
interface FileUnit {
  file: HttpFile;
  lines: string[];
  baseDir: string;
  /** Shown in script stack traces. */
  name: string;
}

/** One run: its options and the text it started from (an edit during the run does not change it). */
interface RunContext {
  options: HttpFileSessionOptions;
  signal: AbortSignal | undefined;
  main: FileUnit;
  imports: ImportedFile[];
  importErrors: { line: number; message: string }[];
  requestNames: Set<string>;
  chain: Set<RequestBlock>;
}

const REFUSED: ReadonlySet<Diagnostic['code']> = new Set(['syntax', 'unsupported', 'reference', 'prompt']);

export function isRefusal(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error' && REFUSED.has(d.code));
}

export class HttpFileSession {
  readonly exchanges = new Map<string, NamedExchange>();
  /** httpYac's `exports.name = …`: set by a script, read by the file's later requests (kept like the named exchanges). */
  readonly scriptExports: Record<string, JsonValue> = {};
  private file: HttpFile;
  private lines: string[];
  private readonly options: HttpFileSessionOptions;
  private readonly importCache = new Map<string, ImportedFile | Error>();

  constructor(text: string, options: HttpFileSessionOptions) {
    this.options = { ...options };
    this.file = parseHttpFile(text, { dialect: options.dialect ?? 'auto' });
    this.lines = splitLines(text);
  }

  /** Re-reads the text after an edit; named exchanges are kept. */
  update(text: string): void {
    this.file = parseHttpFile(text, { dialect: this.options.dialect ?? 'auto' });
    this.lines = splitLines(text);
    this.importCache.clear();
  }

  get parsed(): HttpFile {
    return this.file;
  }

  /** Every block in order; stops at nothing: a failure is an outcome. */
  async runAll(options: RunOptions = {}): Promise<BlockOutcome[]> {
    const out: BlockOutcome[] = [];
    for (const block of this.file.blocks) {
      if (options.signal?.aborted) break;
      out.push(await this.run(block, options));
    }
    return out;
  }

  /** The files `# @import` brings in, and the request names they and this file define. */
  imports(): { imported: ImportedFile[]; errors: { line: number; message: string }[]; requestNames: Set<string> } {
    const dialect = this.options.dialect ?? 'auto';
    const { imported, errors } = loadImports(this.file, this.options.filePath, dialect, this.importCache);
    const requestNames = new Set<string>();
    for (const f of [this.file, ...imported.map((i) => i.file)]) for (const b of f.blocks) if (b.name) requestNames.add(b.name);
    return { imported, errors, requestNames };
  }

  /** Sends one block of the current text (and, first, the named requests it references that nobody has sent yet). */
  run(block: RequestBlock, options: RunOptions = {}): Promise<BlockOutcome> {
    const { signal, ...overrides } = options;
    const { imported, errors, requestNames } = this.imports();
    const ctx: RunContext = {
      options: { ...this.options, ...overrides },
      signal,
      main: { file: this.file, lines: this.lines, baseDir: overrides.baseDir ?? this.options.baseDir, name: basename(this.options.filePath ?? 'request.http') },
      imports: imported,
      importErrors: errors,
      requestNames,
      chain: new Set(),
    };
    return this.runIn(ctx, ctx.main, block);
  }

  private report(run: RunContext, outcome: BlockOutcome): BlockOutcome {
    run.options.onOutcome?.(outcome);
    return outcome;
  }

  private failed(run: RunContext, block: RequestBlock, diagnostics: Diagnostic[]): BlockOutcome {
    return this.report(run, failedOutcome(block, diagnostics));
  }

  private async runIn(run: RunContext, unit: FileUnit, block: RequestBlock): Promise<BlockOutcome> {
    run.chain.add(block);
    if (Object.prototype.hasOwnProperty.call(block.metadata, 'disabled') && block.metadata.disabled.trim() === '') {
      return this.report(run, { kind: 'skipped', block, reason: '# @disabled' });
    }
    const refusals = blockRefusals(block, unit.file);
    if (refusals.length) return this.failed(run, block, [...refusals, ...block.warnings]);

    const dependencyFailure = await this.runDependencies(run, unit, block);
    if (dependencyFailure) return this.report(run, dependencyFailure);

    const prompted = await promptValues(block, [...unit.file.fileMetadata, ...block.metadataLines], unit.lines, run.options);
    if (!prompted.ok) return this.failed(run, block, [prompted.diagnostic]);

    const loop = loopPasses(block, unit.lines, prompted.values, (name) => substitute(`{{${name}}}`, this.variableContext(run, unit, block, prompted.values)));
    if ('error' in loop) return this.failed(run, block, [loop.error]);
    let last: BlockOutcome | undefined;
    for (const [index, locals] of loop.values.entries()) {
      if (run.signal?.aborted) break;
      last = await this.runOnce(run, unit, block, locals, loop.values.length > 1 || block.metadata.loop !== undefined ? index : undefined);
    }
    return last ?? this.report(run, { kind: 'skipped', block, reason: 'the loop has no items' });
  }

  /** Sends the named requests this block references (and `# @ref`s) that nobody has sent yet. */
  private async runDependencies(run: RunContext, unit: FileUnit, block: RequestBlock): Promise<BlockOutcome | undefined> {
    for (const dep of blockDependencies(block, unit.file, unit.lines, run.requestNames)) {
      const found = this.findBlock(run, unit, dep.name, block);
      if (!found) {
        if (!dep.explicit) continue; // an unknown name in a placeholder is reported when resolving
        const importError = run.importErrors[0];
        const names = [...run.requestNames].sort();
        return {
          kind: 'failed',
          block,
          message: `line ${dep.line + 1}: there is no request named "${dep.name}" in this file or the files it imports${names.length ? ` (named requests: ${names.join(', ')})` : ''}${importError ? `; ${importError.message}` : ''}`,
          diagnostics: [{ line: dep.line, column: 0, endLine: dep.line, endColumn: unit.lines[dep.line]?.length ?? 0, message: `there is no request named "${dep.name}"`, severity: 'error', code: 'reference' }],
          refused: true,
        };
      }
      if (run.chain.has(found.block)) continue; // cycles are reported when resolving
      if (!dep.force && this.exchanges.has(dep.name)) continue;
      const outcome = await this.runIn(run, found.unit, found.block);
      if (outcome.kind === 'failed' || outcome.kind === 'skipped') {
        return { kind: 'failed', block, message: `the referenced request "${dep.name}" ${outcome.kind === 'skipped' ? 'is disabled' : `failed: ${outcome.message}`}`, diagnostics: [] };
      }
    }
    return undefined;
  }

  private findBlock(run: RunContext, unit: FileUnit, name: string, except: RequestBlock): { unit: FileUnit; block: RequestBlock } | undefined {
    const own = unit.file.blocks.find((b) => b.name === name && b !== except);
    if (own) return { unit, block: own };
    for (const i of run.imports) {
      const b = i.file.blocks.find((x) => x.name === name);
      if (b) return { unit: { file: i.file, lines: splitLines(i.text), baseDir: dirname(i.path), name: basename(i.path) }, block: b };
    }
    return undefined;
  }

  private variableContext(run: RunContext, unit: FileUnit, block: RequestBlock, locals: Record<string, string>, requestVariables: Record<string, JsonValue> = {}): VariableContext {
    const o = run.options;
    return {
      scriptValues: {
        request: asTextRecord(requestVariables),
        exports: asTextRecord(this.scriptExports),
        globals: asTextRecord(o.scripts?.globals.snapshot() ?? {}),
      },
      fileVariables: unit.file.fileVariables,
      regionVariables: block.variables,
      allVariables: unit.file.allVariables,
      importedVariables: run.imports.flatMap((i) => i.file.fileVariables),
      locals,
      ...(o.cliVariables ? { cliVariables: o.cliVariables } : {}),
      environment: o.environment,
      exchanges: this.exchanges,
      requestNames: run.requestNames,
      processEnv: o.processEnv ?? process.env,
      dotenv: o.dotenv ?? {},
      dialect: unit.file.dialect,
      ...(o.now ? { now: o.now } : {}),
      ...(o.randomInt ? { randomInt: o.randomInt } : {}),
    };
  }

  private async runOnce(run: RunContext, unit: FileUnit, block: RequestBlock, locals: Record<string, string>, loopIndex: number | undefined): Promise<BlockOutcome> {
    const started = performance.now();
    const options = run.options;
    const sleepMs = Number(block.metadata.sleep);
    if (block.metadata.sleep !== undefined && Number.isFinite(sleepMs) && sleepMs > 0) await sleep(sleepMs, undefined, run.signal ? { signal: run.signal } : {}).catch(() => undefined);
    const scripts = new RequestScripts({
      host: options.scripts,
      block,
      file: unit.file,
      baseDir: unit.baseDir,
      filename: unit.name,
      environment: options.environment,
      exports: this.scriptExports,
      ...(run.signal ? { signal: run.signal } : {}),
    });
    const finish = (outcome: BlockOutcome): BlockOutcome =>
      this.report(run, { ...outcome, ...(hasScriptNews(scripts.report) ? { scripts: scripts.report } : {}), durationMs: performance.now() - started });
    const typed = () => ({ ...(options.scripts?.globals.snapshot() ?? {}), ...this.scriptExports, ...scripts.requestVariables });

    let ctx = this.variableContext(run, unit, block, locals);
    const asWritten = requestBeforeSending(block, (text) => partialSubstitute(text, ctx));
    const before = await scripts.runBefore(asWritten, variablesInScope(ctx, typed()));
    if (!before.ok) return finish(failedOutcome(block, scripts.report.errors));
    if (before.cancelled) return finish({ kind: 'skipped', block, reason: 'a script cancelled it (exports.$cancel)' });
    // What the scripts set is in scope now.
    ctx = this.variableContext(run, unit, block, locals, scripts.requestVariables);

    const resolved = await resolveBlock(block, ctx, unit.lines, {
      baseDir: unit.baseDir,
      file: unit.file,
      defaults: {
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.followRedirects ? { followRedirects: true } : {}),
        ...(options.insecure ? { insecure: true } : {}),
      },
    });
    if (!resolved.request) return finish(failedOutcome(block, resolved.diagnostics));
    if (before.requestChanges) {
      const refused = applyRequestChanges(resolved.request, asWritten, before.requestChanges, block);
      if (refused) return finish(failedOutcome(block, [refused]));
    }
    const warnings = resolved.diagnostics.filter((d) => d.severity === 'warning');
    if (warnings.length) options.onWarnings?.(block, warnings);
    options.onStart?.(block);
    const name = block.name === undefined ? undefined : loopIndex === undefined ? block.name : `${block.name}${loopIndex}`;
    const sent = await sendBlock({
      block,
      request: resolved.request,
      options,
      signal: run.signal,
      dialect: run.main.file.dialect,
      scripts,
      raw: asWritten.raw,
      variables: () => variablesInScope(this.variableContext(run, unit, block, locals, scripts.requestVariables), typed()),
    });
    if (sent.exchange && name) {
      this.exchanges.set(name, sent.exchange);
      // httpYac: the first pass of a loop is also known by the request's own name.
      if (loopIndex === 0 && block.name) this.exchanges.set(block.name, sent.exchange);
    }
    return finish(sent.outcome);
  }
}

/** A failed outcome from diagnostics: the first error is the message. */
function failedOutcome(block: RequestBlock, diagnostics: Diagnostic[]): BlockOutcome {
  const first = diagnostics.find((d) => d.severity === 'error');
  return {
    kind: 'failed',
    block,
    message: first ? `line ${first.line + 1}: ${first.message}` : 'the block did not resolve',
    diagnostics,
    refused: isRefusal(diagnostics),
  };
}
