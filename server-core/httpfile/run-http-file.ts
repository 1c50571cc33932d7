// Runs the blocks of a `.http` file through the sender: one HttpFileSession per
// file keeps the named exchanges that `{{name.response…}}` references read. A
// block that references a named request nobody has sent yet sends that one
// first (as httpYac does), as do `# @ref` and `# @forceRef`; `# @import`
// brings the named requests and variables of other files in. Each run takes
// its own options (abort signal, outcome listener, WebSocket runner, prompt…)
// and a snapshot of the text, so two runs of one file can be in flight at
// once; only the named exchanges are shared.
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CaptureEvents } from '../capture/types.js';
import type { HttpSendOptions, HttpSendResult } from '../client/http-sender.js';
import { sendRaw, type RawExchange } from '../client/raw-sender.js';
import type { Emitter } from '../util/emitter.js';
import { blockDependencies, loadImports, type ImportedFile } from './dependencies.js';
import { splitLines } from './line-patterns.js';
import { parseHttpFile } from './parse-http-file.js';
import { blockRefusals, resolveBlock, type ResolvedRequest } from './resolve-block.js';
import { loopPasses, promptValues } from './request-inputs.js';
import { sendHttp } from './send-http.js';
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

export type BlockOutcome =
  | { kind: 'http'; block: RequestBlock; result: HttpSendResult }
  | { kind: 'websocket'; block: RequestBlock; result: WebSocketRunResult }
  | { kind: 'raw'; block: RequestBlock; result: RawExchange }
  /** `# @disabled`: not sent, on purpose. */
  | { kind: 'skipped'; block: RequestBlock; reason: string }
  /**
   * Nothing was sent: the block did not resolve (diagnostics) or the exchange could not happen (message).
   * `refused`: the file is wrong or asks for a feature Wireplay refuses (exit 2 on the CLI), not a failure of the exchange.
   */
  | { kind: 'failed'; block: RequestBlock; message: string; diagnostics: Diagnostic[]; refused?: boolean };

/** Runs a resolved WebSocket script; supplied by the WebSocket layer so this module stays transport-agnostic. */
export type WebSocketScriptRunner = (
  request: Extract<ResolvedRequest, { kind: 'websocket' }>,
  options: { capture?: Emitter<CaptureEvents>; signal?: AbortSignal; timeoutMs: number },
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
  prompt?: PromptForValue;
  /** Default timeout per request. */
  timeoutMs?: number;
  /** Follow redirects unless a request says `# @no-redirect` (the CLI's --follow). */
  followRedirects?: boolean;
  /** TLS without certificate verification for every request (the CLI's --insecure). */
  insecure?: boolean;
  /** Extra options for every HTTP exchange (a body file, live printing). */
  sendOptions?: Pick<HttpSendOptions, 'onHead' | 'onBody' | 'previewBytes' | 'bodyFile'>;
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
      main: { file: this.file, lines: this.lines, baseDir: overrides.baseDir ?? this.options.baseDir },
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

  private failed(run: RunContext, block: RequestBlock, diagnostics: Diagnostic[], fallback = 'the block did not resolve'): BlockOutcome {
    const first = diagnostics.find((d) => d.severity === 'error');
    return this.report(run, {
      kind: 'failed',
      block,
      message: first ? `line ${first.line + 1}: ${first.message}` : fallback,
      diagnostics,
      refused: isRefusal(diagnostics),
    });
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
      if (b) return { unit: { file: i.file, lines: splitLines(i.text), baseDir: dirname(i.path) }, block: b };
    }
    return undefined;
  }

  private variableContext(run: RunContext, unit: FileUnit, block: RequestBlock, locals: Record<string, string>): VariableContext {
    const o = run.options;
    return {
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
    const options = run.options;
    const sleepMs = Number(block.metadata.sleep);
    if (block.metadata.sleep !== undefined && Number.isFinite(sleepMs) && sleepMs > 0) await sleep(sleepMs, undefined, run.signal ? { signal: run.signal } : {}).catch(() => undefined);
    const resolved = await resolveBlock(block, this.variableContext(run, unit, block, locals), unit.lines, {
      baseDir: unit.baseDir,
      file: unit.file,
      defaults: {
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.followRedirects ? { followRedirects: true } : {}),
        ...(options.insecure ? { insecure: true } : {}),
      },
    });
    if (!resolved.request) return this.failed(run, block, resolved.diagnostics);
    const warnings = resolved.diagnostics.filter((d) => d.severity === 'warning');
    if (warnings.length) options.onWarnings?.(block, warnings);
    options.onStart?.(block);
    const name = block.name === undefined ? undefined : loopIndex === undefined ? block.name : `${block.name}${loopIndex}`;
    const outcome = await this.send(run, block, resolved.request, name, loopIndex === 0);
    return this.report(run, outcome);
  }

  private async send(run: RunContext, block: RequestBlock, request: ResolvedRequest, name: string | undefined, firstOfLoop: boolean): Promise<BlockOutcome> {
    const { options, signal } = run;
    const remember = (exchange: NamedExchange) => {
      if (!name) return;
      this.exchanges.set(name, exchange);
      // httpYac: the first pass of a loop is also known by the request's own name.
      if (firstOfLoop && block.name) this.exchanges.set(block.name, exchange);
    };
    try {
      switch (request.kind) {
        case 'http': {
          const result = await sendHttp(request, {
            ...options.sendOptions,
            ...(signal ? { signal } : {}),
            ...(options.capture ? { capture: options.capture } : {}),
          }, run.main.file.dialect);
          remember({
            request: {
              headers: result.request.headers.map((h) => [h.name, h.value] as const),
              body: result.request.body.kind === 'bytes' ? result.request.body.bytes.toString('utf8') : '',
            },
            response: {
              status: result.response.statusCode,
              headers: result.response.headers.map((h) => [h.name, h.value] as const),
              body: (result.response.decodedBody ?? result.response.body).toString('utf8'),
            },
          });
          return { kind: 'http', block, result };
        }
        case 'raw': {
          const result = await sendRaw(request.bytes, {
            host: request.host,
            port: request.port,
            tls: request.tls,
            halfClose: request.halfClose,
            ...(request.drip ? { drip: { size: request.drip.bytes, intervalMs: request.drip.intervalMs } } : {}),
            ...(signal ? { signal } : {}),
            ...(options.capture ? { capture: options.capture } : {}),
          });
          return { kind: 'raw', block, result };
        }
        case 'websocket': {
          if (!options.runWebSocket) return { kind: 'failed', block, message: 'WebSocket blocks need a WebSocket runner', diagnostics: [] };
          const result = await options.runWebSocket(request, {
            ...(signal ? { signal } : {}),
            ...(options.capture ? { capture: options.capture } : {}),
            timeoutMs: options.timeoutMs ?? 30_000,
          });
          const lastReceived = [...result.transcript].reverse().find((e) => e.dir === 'received');
          remember({ response: { status: 101, headers: [], body: lastReceived ? lastReceived.data.toString('utf8') : '' } });
          return { kind: 'websocket', block, result };
        }
      }
    } catch (err) {
      // SendError and RequestSpecError carry a stable code: show it (TIMEOUT, CONNECTION_REFUSED…).
      const code = (err as { code?: unknown }).code;
      return { kind: 'failed', block, message: `${(err as Error).message}${typeof code === 'string' ? ` (${code})` : ''}`, diagnostics: [] };
    }
  }
}
