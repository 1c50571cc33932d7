// Runs the blocks of a `.http` file through the sender: one HttpFileSession per
// file keeps the named exchanges that `{{name.response…}}` references read. A
// block that references a named request nobody has sent yet sends that one
// first (as httpYac does), so "Send" on any block just works. Each run takes
// its own options (abort signal, outcome listener, WebSocket runner…) and a
// snapshot of the text, so two runs of one file can be in flight at once; only
// the named exchanges are shared.
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import type { CaptureEvents } from '../capture/types.js';
import { sendRequest, type HttpSendResult } from '../client/http-sender.js';
import { sendRaw, type RawExchange } from '../client/raw-sender.js';
import type { Emitter } from '../util/emitter.js';
import { parseHttpFile } from './parse-http-file.js';
import { resolveBlock, type ResolvedRequest } from './resolve-block.js';
import type { Diagnostic, HttpFile, RequestBlock } from './types.js';
import type { NamedExchange, VariableContext } from './variables.js';

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
  /** Nothing was sent: the block did not resolve (diagnostics) or the exchange could not happen (message). */
  | { kind: 'failed'; block: RequestBlock; message: string; diagnostics: Diagnostic[] };

/** Runs a resolved WebSocket script; supplied by the WebSocket layer so this module stays transport-agnostic. */
export type WebSocketScriptRunner = (
  request: Extract<ResolvedRequest, { kind: 'websocket' }>,
  options: { capture?: Emitter<CaptureEvents>; signal?: AbortSignal; timeoutMs: number },
) => Promise<WebSocketRunResult>;

export interface HttpFileSessionOptions {
  /** Folder of the .http file (body files, `>>` outputs). */
  baseDir: string;
  environment: Record<string, string>;
  processEnv?: Record<string, string | undefined>;
  dotenv?: Record<string, string>;
  capture?: Emitter<CaptureEvents>;
  runWebSocket?: WebSocketScriptRunner;
  /** Default timeout per request. */
  timeoutMs?: number;
  onOutcome?(outcome: BlockOutcome): void;
  /** Called when a block resolved and is about to be sent (before its outcome). */
  onStart?(block: RequestBlock): void;
}

/** What one run may set for itself, over the session's options. */
export interface RunOptions extends Partial<HttpFileSessionOptions> {
  signal?: AbortSignal;
}

/** One run: its options and the text it started from (an edit during the run does not change it). */
interface RunContext {
  options: HttpFileSessionOptions;
  signal: AbortSignal | undefined;
  file: HttpFile;
  lines: string[];
  chain: Set<RequestBlock>;
}

const REFERENCE = /\{\{\s*([\w-]+)\.(?:request|response)\./g;

export class HttpFileSession {
  readonly exchanges = new Map<string, NamedExchange>();
  private file: HttpFile;
  private lines: string[];
  private readonly options: HttpFileSessionOptions;

  constructor(text: string, options: HttpFileSessionOptions) {
    this.options = { ...options };
    this.file = parseHttpFile(text);
    this.lines = text.split(/\r?\n/);
  }

  /** Re-reads the text after an edit; named exchanges are kept. */
  update(text: string): void {
    this.file = parseHttpFile(text);
    this.lines = text.split(/\r?\n/);
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

  /** Sends one block of the current text (and, first, the named requests it references that nobody has sent yet). */
  run(block: RequestBlock, options: RunOptions = {}): Promise<BlockOutcome> {
    const { signal, ...overrides } = options;
    const ctx: RunContext = { options: { ...this.options, ...overrides }, signal, file: this.file, lines: this.lines, chain: new Set() };
    return this.runIn(ctx, block);
  }

  private async runIn(run: RunContext, block: RequestBlock): Promise<BlockOutcome> {
    const dependencyFailure = await this.runDependencies(run, block);
    if (dependencyFailure) return dependencyFailure;

    const options = run.options;
    const ctx: VariableContext = {
      fileVariables: run.file.fileVariables,
      environment: options.environment,
      exchanges: this.exchanges,
      processEnv: options.processEnv ?? process.env,
      dotenv: options.dotenv ?? {},
    };
    const resolved = await resolveBlock(block, ctx, run.lines, {
      baseDir: options.baseDir,
      defaults: options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {},
    });
    let outcome: BlockOutcome;
    if (!resolved.request) {
      const first = resolved.diagnostics.find((d) => d.severity === 'error');
      outcome = { kind: 'failed', block, message: first ? `line ${first.line + 1}: ${first.message}` : 'the block did not resolve', diagnostics: resolved.diagnostics };
    } else {
      options.onStart?.(block);
      outcome = await this.send(run, block, resolved.request);
    }
    options.onOutcome?.(outcome);
    return outcome;
  }

  /** Sends the named requests this block references and nobody has sent yet. */
  private async runDependencies(run: RunContext, block: RequestBlock): Promise<BlockOutcome | undefined> {
    run.chain.add(block);
    const text = run.lines.slice(block.range.startLine, block.range.endLine + 1).join('\n');
    for (const m of text.matchAll(REFERENCE)) {
      const name = m[1];
      if (this.exchanges.has(name)) continue;
      const target = run.file.blocks.find((b) => b.name === name);
      if (!target || run.chain.has(target)) continue; // unknown names and cycles are reported when resolving
      const outcome = await this.runIn(run, target);
      if (outcome.kind === 'failed') {
        return { kind: 'failed', block, message: `the referenced request "${name}" failed: ${outcome.message}`, diagnostics: [] };
      }
    }
    return undefined;
  }

  private async send(run: RunContext, block: RequestBlock, request: ResolvedRequest): Promise<BlockOutcome> {
    const { options, signal } = run;
    try {
      switch (request.kind) {
        case 'http': {
          const partial = request.responseOutput ? `${request.responseOutput.path}.part` : undefined;
          const result = await sendRequest(request.spec, {
            ...(signal ? { signal } : {}),
            ...(options.capture ? { capture: options.capture } : {}),
            ...(partial ? { bodyFile: partial } : {}),
          });
          if (request.responseOutput && partial) await this.saveOutput(partial, request.responseOutput);
          if (request.name) {
            this.exchanges.set(request.name, {
              request: {
                headers: result.request.headers.map((h) => [h.name, h.value] as const),
                body: result.request.body.kind === 'bytes' ? result.request.body.bytes.toString('utf8') : '',
              },
              response: {
                status: result.response.statusCode,
                headers: result.response.headers.map((h) => [h.name, h.value] as const),
                body: result.response.body.toString('utf8'),
              },
            });
          }
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
          if (request.name) {
            const last = [...result.transcript].reverse().find((e) => e.dir === 'received');
            this.exchanges.set(request.name, { response: { status: 101, headers: [], body: last ? last.data.toString('utf8') : '' } });
          }
          return { kind: 'websocket', block, result };
        }
      }
    } catch (err) {
      return { kind: 'failed', block, message: (err as Error).message, diagnostics: [] };
    }
  }

  /** `>> file` refuses to overwrite (a numbered name is used instead); `>>! file` overwrites. */
  private async saveOutput(partial: string, output: { path: string; overwrite: boolean }): Promise<void> {
    let target = output.path;
    if (!output.overwrite) {
      for (let n = 1; existsSync(target); n++) target = output.path.replace(/(\.[^./\\]*)?$/, `-${n}$1`);
    }
    await rename(partial, target);
  }
}
