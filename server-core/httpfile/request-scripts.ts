// Runs the scripts of one request through the script engine, in httpYac's and
// JetBrains' positions: the file's scripts outside requests and the request's
// own `before` scripts (JetBrains `< {% %}`, httpYac `{{ }}` above the request
// line) before the request is built; response handlers, `{{ }}` blocks below
// it and `??` lines once the response is in — JetBrains handlers while a
// WebSocket or a streamed response streams (onEachMessage / onEachLine). What
// the scripts set flows where the tools send it: `request.variables.set` to
// this request, httpYac's `exports` to the session (later requests of the
// file), `client.global` / `$global` to the host's store (every file). Every
// check, error, log line and script not run lands in one ScriptReport, at
// its line of the `.http` file.
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { JsonValue, ScriptJob, ScriptKind, ScriptRequestInput, ScriptResponseInput, ScriptResult, ScriptRun } from '../scripts/index.js';
import { diagnostic } from './parse-state.js';
import { emptyScriptReport, type ScriptReport } from './script-report.js';
import { variableText } from './script-io.js';
import type { ScriptHost } from './script-host.js';
import type { Diagnostic, HttpFile, RequestBlock, RequestScript } from './types.js';
import { substitute, type VariableContext } from './variables.js';

const ENGINE_KIND: Record<RequestScript['kind'], ScriptKind> = {
  'jetbrains-pre-request': 'jetbrains-pre',
  'jetbrains-response-handler': 'jetbrains-response',
  'httpyac-script': 'httpyac-script',
  'httpyac-assertion': 'httpyac-assert',
};

/** "The response handler `> ./check.js`", "The assertion `status == 200`"… */
export function scriptLabel(script: RequestScript): string {
  switch (script.kind) {
    case 'jetbrains-pre-request':
      return script.source.kind === 'file' ? `The pre-request script \`< ${script.source.path}\`` : 'The pre-request script (`< {% %}`)';
    case 'jetbrains-response-handler':
      return script.source.kind === 'file' ? `The response handler \`> ${script.source.path}\`` : 'The response handler (`> {% %}`)';
    case 'httpyac-script':
      return `The script block (\`{{${script.everyRequest ? '+' : ''}${script.event ? `@${script.event}` : ''}\`)`;
    case 'httpyac-assertion':
      return `The assertion \`?? ${script.text}\``;
  }
}

/** The scripts that run around one request: the file's, then the request's before it; the request's, then the file's after it. */
export function scriptsOf(block: RequestBlock, file: Pick<HttpFile, 'fileScripts'>): { before: RequestScript[]; after: RequestScript[] } {
  return {
    before: [...file.fileScripts.filter((s) => s.phase === 'before'), ...block.scripts.filter((s) => s.phase === 'before')],
    after: [...block.scripts.filter((s) => s.phase === 'after'), ...file.fileScripts.filter((s) => s.phase === 'after')],
  };
}

/** Script forms Wireplay cannot run, refused at their line before anything is sent. */
export function scriptRefusals(block: RequestBlock, file: Pick<HttpFile, 'fileScripts'> | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const s of [...(file?.fileScripts ?? []), ...block.scripts]) {
    if ((s.kind === 'jetbrains-pre-request' || s.kind === 'jetbrains-response-handler') && s.source.kind === 'file' && !/^\.(js|mjs|cjs)$/i.test(extname(s.source.path))) {
      out.push(diagnostic(s.range.startLine, 0, Number.MAX_SAFE_INTEGER, `${scriptLabel(s)} is TypeScript, which is not supported: script files are JavaScript (.js)`, 'error', 'unsupported'));
    }
  }
  return out;
}

/**
 * The variables in scope for a request, resolved to values, for the scripts' `request.variables.get`
 * and httpYac's script globals. A name that does not resolve is left out; a value a script set keeps its
 * type (a number stays a number).
 */
export function variablesInScope(ctx: VariableContext, typed: Readonly<Record<string, JsonValue>>): Record<string, JsonValue> {
  const names = new Set<string>();
  for (const v of [...ctx.fileVariables, ...(ctx.regionVariables ?? []), ...(ctx.allVariables ?? []), ...(ctx.importedVariables ?? [])]) names.add(v.name);
  const sv = ctx.scriptValues ?? {};
  for (const o of [ctx.locals, ctx.cliVariables, ctx.environment, sv.request, sv.exports, sv.globals]) for (const k of Object.keys(o ?? {})) names.add(k);
  const out: Record<string, JsonValue> = {};
  for (const name of names) {
    if (name.startsWith('$') || !/^[\w.-]+$/.test(name)) continue;
    const s = substitute(`{{${name}}}`, ctx);
    if (s.unresolved.length === 0) out[name] = s.text;
  }
  for (const [k, v] of Object.entries(typed)) if (out[k] === variableText(v)) out[k] = v;
  return out;
}

export interface RequestScriptsInput {
  host: ScriptHost | undefined;
  block: RequestBlock;
  file: Pick<HttpFile, 'fileScripts'>;
  baseDir: string;
  /** The `.http` file's name, shown in stack traces. */
  filename: string;
  environment: Record<string, string>;
  /** httpYac `exports`, kept by the session for the file's later requests; updated in place. */
  exports: Record<string, JsonValue>;
  signal?: AbortSignal;
}

export interface BeforeOutcome {
  /** False when a script failed: the request is not sent (the error is in the report). */
  ok: boolean;
  /** httpYac `exports.$cancel = true`: the request is not sent, on purpose. */
  cancelled: boolean;
  /** httpYac scripts edited `request`: the last version, to send instead. */
  requestChanges?: ScriptResult['requestChanges'];
}

/** The handlers reading a stream: feed each message or line, then end. */
export interface StreamScripts {
  push(item: string): void;
  /** The stream ended: waits for the handlers to finish, and records what they did. */
  end(): Promise<void>;
}

export class RequestScripts {
  readonly report: ScriptReport = emptyScriptReport();
  /** JetBrains `request.variables.set` in a pre-request script: values for this request only. */
  readonly requestVariables: Record<string, JsonValue> = {};
  private readonly before: RequestScript[];
  private readonly after: RequestScript[];
  private streamed = new Set<RequestScript>();
  private stopped = false;

  constructor(private readonly input: RequestScriptsInput) {
    ({ before: this.before, after: this.after } = scriptsOf(input.block, input.file));
  }

  get hasAfter(): boolean {
    return this.after.length > 0;
  }

  /** JetBrains handlers among the after scripts: the ones that read a stream. */
  get streamHandlers(): RequestScript[] {
    return this.after.filter((s) => s.kind === 'jetbrains-response-handler');
  }

  /** Runs the pre-request scripts in order; stops at the first that fails or cancels. */
  async runBefore(request: ScriptRequestInput, variables: Record<string, JsonValue>): Promise<BeforeOutcome> {
    let changes: ScriptResult['requestChanges'];
    let current = request;
    for (const script of this.before) {
      const result = await this.run(script, { request: current, variables: { ...variables, ...this.input.exports, ...this.requestVariables } });
      if (!result) {
        if (this.report.errors.length) return { ok: false, cancelled: false };
        continue;
      }
      if (result.error) return { ok: false, cancelled: false };
      if (result.requestChanges) {
        changes = result.requestChanges;
        current = { ...current, ...changes };
      }
      if (result.cancelRequested) return { ok: true, cancelled: true, ...(changes ? { requestChanges: changes } : {}) };
    }
    return { ok: true, cancelled: false, ...(changes ? { requestChanges: changes } : {}) };
  }

  /**
   * Starts the JetBrains handlers on a stream (a WebSocket's messages, a streamed body's lines) before
   * its first item. `answer` sends `output(text)` to the peer; `stop` is called once every handler
   * has unsubscribed. Undefined when there is no such handler, or scripts do not run here.
   */
  async startStream(
    request: ScriptRequestInput,
    response: ScriptResponseInput,
    stream: { mode: 'messages' | 'lines'; answer?(text: string): void; stop?(): void },
    variables: Record<string, JsonValue>,
  ): Promise<StreamScripts | undefined> {
    const handlers = this.streamHandlers;
    if (!handlers.length || !this.input.host?.runner) return undefined;
    const runs: { script: RequestScript; run: ScriptRun }[] = [];
    let listening = handlers.length;
    for (const script of handlers) {
      const job = await this.job(script, { request, response: { ...response, stream: { mode: stream.mode, acceptsOutput: !!stream.answer } }, variables });
      if ('error' in job) {
        this.report.errors.push(job.error);
        listening--;
        continue;
      }
      this.streamed.add(script);
      const run = this.input.host.runner.start(job, {
        ...(this.input.signal ? { signal: this.input.signal } : {}),
        ...(stream.answer ? { onOutput: (text: string) => stream.answer!(text) } : {}),
        onUnsubscribe: () => {
          if (--listening === 0) stream.stop?.();
        },
      });
      runs.push({ script, run });
    }
    if (!runs.length) return undefined;
    return {
      push: (item) => runs.forEach((r) => r.run.push(item)),
      end: async () => {
        for (const r of runs) r.run.end();
        for (const r of runs) this.absorb(r.script, await r.run.result);
      },
    };
  }

  /** Runs the after scripts (those not already run on the stream) with the complete response, in order. */
  async runAfter(request: ScriptRequestInput, response: ScriptResponseInput, variables: Record<string, JsonValue>): Promise<void> {
    for (const script of this.after) {
      if (this.stopped) break;
      if (this.streamed.has(script)) continue;
      const result = await this.run(script, { request, response, variables: { ...variables, ...this.input.exports } });
      // httpYac: exports.$cancel after the response stops the request's remaining scripts.
      if (result?.cancelRequested) this.stopped = true;
    }
  }

  /** Runs one script to its end and records it; undefined when it could not start (reported) or scripts do not run. */
  private async run(script: RequestScript, parts: Pick<ScriptJob, 'request' | 'response' | 'variables'>): Promise<ScriptResult | undefined> {
    const host = this.input.host;
    if (!host?.runner) {
      const reason = host?.notRunReason ?? 'scripts are not run here';
      this.report.notRun.push(diagnostic(script.range.startLine, 0, Number.MAX_SAFE_INTEGER, `${scriptLabel(script)} was not run: ${reason}`, 'warning', 'script'));
      return undefined;
    }
    const job = await this.job(script, parts);
    if ('error' in job) {
      this.report.errors.push(job.error);
      return undefined;
    }
    const result = await host.runner.start(job, this.input.signal ? { signal: this.input.signal } : {}).result;
    this.absorb(script, result);
    return result;
  }

  private async job(script: RequestScript, parts: Pick<ScriptJob, 'request' | 'response' | 'variables'>): Promise<ScriptJob | { error: Diagnostic }> {
    const base: ScriptJob = {
      kind: ENGINE_KIND[script.kind],
      source: '',
      environment: this.input.environment,
      globals: this.input.host?.globals.snapshot() ?? {},
      filename: this.input.filename,
      ...parts,
    };
    // A before-phase httpYac block has no response (that is how the engine tells before from after).
    if (script.phase === 'before') delete base.response;
    if (script.kind === 'httpyac-assertion') return { ...base, source: script.text, lineOffset: script.range.startLine };
    const src = script.source;
    if (src.kind === 'inline') return { ...base, source: src.code, lineOffset: src.line, columnOffset: src.column ?? 0 };
    const path = resolve(this.input.baseDir, src.path);
    try {
      return { ...base, source: await readFile(path, 'utf8'), filename: src.path, lineOffset: 0, columnOffset: 0 };
    } catch (err) {
      return { error: diagnostic(script.range.startLine, 0, Number.MAX_SAFE_INTEGER, `${scriptLabel(script)}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'error', 'script') };
    }
  }

  /** Records a result: variables and globals where they belong, checks, logs, warnings and the error at their lines. */
  private absorb(script: RequestScript, result: ScriptResult): void {
    const host = this.input.host;
    host?.globals.apply(result.globalChanges);
    if (script.kind === 'jetbrains-pre-request') Object.assign(this.requestVariables, result.variables);
    else if (script.kind === 'httpyac-script') Object.assign(this.input.exports, result.variables);
    const fromFile = script.kind !== 'httpyac-assertion' && script.source.kind === 'file' ? script.source.path : undefined;
    const start = script.range.startLine;
    // Engine positions are 1-based lines of the file (inline scripts), or of the script file.
    const fileLine = (line: number | undefined) => (fromFile || line === undefined || line < 1 ? start : Math.min(Math.max(line - 1, start), script.range.endLine));
    for (const t of result.tests) {
      this.report.checks.push({
        name: t.name,
        kind: script.kind === 'httpyac-assertion' ? 'assertion' : 'test',
        passed: t.passed,
        ...(t.message !== undefined ? { message: t.message } : {}),
        ...(t.expected !== undefined ? { expected: t.expected } : {}),
        ...(t.actual !== undefined ? { actual: t.actual } : {}),
        line: fileLine(t.line),
        ...(!t.passed && t.failureLine !== undefined && !fromFile ? { failureLine: fileLine(t.failureLine) } : {}),
        ...(fromFile && t.line !== undefined ? { source: `${fromFile}:${t.failureLine ?? t.line}` } : {}),
        durationMs: t.durationMs,
      });
    }
    for (const l of result.logs) this.report.logs.push({ ...l, line: start });
    for (const w of result.warnings) this.report.warnings.push(diagnostic(start, 0, Number.MAX_SAFE_INTEGER, `${scriptLabel(script)}: ${w}`, 'warning', 'script'));
    this.report.durationMs += result.durationMs;
    const error = result.error;
    // A `??` line that cannot be read is already a failed check with that message.
    if (!error || (script.kind === 'httpyac-assertion' && result.tests.some((t) => !t.passed))) return;
    const where = fromFile && error.line !== undefined ? ` (${fromFile}:${error.line}${error.column !== undefined ? `:${error.column}` : ''})` : '';
    const line = fileLine(error.line);
    const column = !fromFile && error.line !== undefined && line === error.line - 1 && error.column !== undefined ? Math.max(0, error.column - 1) : 0;
    this.report.errors.push(diagnostic(line, column, Number.MAX_SAFE_INTEGER, `${scriptLabel(script)}${where}: ${error.message}`, 'error', 'script'));
  }
}
