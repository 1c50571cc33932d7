// `wireplay test`: `.http` files as API tests on the command line. Every
// request of every file runs in file order (a referenced request is sent first
// when nobody has), with its scripts and `??` lines, through the same
// HttpFileSession as `wireplay send` and the editor; one script engine and
// one `client.global` store serve the whole run, across files. Each test
// case (test-results.ts) is one line — `✓` or `✗`, its name, its duration —
// with the failure's details under it; the run ends with exactly
// `N passed, N failed`. `--junit` writes the same results as JUnit XML.
// Exit status: 0 when every test passed, 1 when one failed, 2 for bad usage,
// a file that cannot be read, a syntax error or a refused feature, 130 when
// interrupted.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { ScriptRunner } from '../scripts/index.js';
import { terminalPrompt } from './cli-send.js';
import { commandLineEnvironment } from './environments.js';
import { junitXml, type JUnitSuite } from './junit-report.js';
import { HttpFileSession, type BlockOutcome } from './run-http-file.js';
import { GlobalStore } from './script-host.js';
import { discoverChecks } from './test-discovery.js';
import { countCases, requestTestResult, type RequestTestResult, type TestCaseResult } from './test-results.js';
import type { Dialect, RequestBlock } from './types.js';
import { createWebSocketScriptRunner } from './ws-script.js';

export interface HttpTestOptions {
  /** Files and folders (folders: every `.http` / `.rest` file below them). Empty: the working directory. */
  paths: string[];
  env?: string;
  vars?: Record<string, string>;
  dialect?: Dialect;
  /** Write JUnit XML here. */
  junit?: string;
  /** Stop at the first failed test. */
  bail?: boolean;
  /** Run only the requests whose name, request line or one of whose checks contains this text (any case). */
  filter?: string;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  /** Per script job. Default 5 s. */
  scriptTimeoutMs?: number;
  signal?: AbortSignal;
  cwd?: string;
}

export interface HttpTestIo {
  stdout: Writable;
  stderr: Writable;
}

const SKIP_DIRS = new Set(['node_modules', '.git']);

/** The `.http` / `.rest` files below a folder, sorted, skipping node_modules and dot folders. */
function findHttpFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      if (!SKIP_DIRS.has(name) && !name.startsWith('.')) out.push(...findHttpFiles(p));
    } else if (/\.(http|rest)$/i.test(name)) out.push(p);
  }
  return out;
}

function ms(n: number): string {
  return `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;
}

function matchesFilter(block: RequestBlock, filter: string): boolean {
  const f = filter.toLowerCase();
  return [block.name ?? '', block.title ?? '', block.kind === 'http' ? `${block.method} ${block.url}` : block.url, ...discoverChecks(block).map((c) => c.name)].some((t) => t.toLowerCase().includes(f));
}

/** Runs the files and prints the results; resolves with the exit code. */
export async function runHttpTests(options: HttpTestOptions, io: HttpTestIo): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const files: string[] = [];
  for (const p of options.paths.length ? options.paths : ['.']) {
    const abs = resolve(cwd, p);
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch {
      io.stderr.write(`wireplay test: ${p}: no such file or folder\n`);
      return 2;
    }
    for (const f of isDir ? findHttpFiles(abs) : [abs]) if (!files.includes(f)) files.push(f);
  }
  if (!files.length) {
    io.stderr.write(`wireplay test: no .http or .rest files in ${options.paths.length ? options.paths.join(', ') : cwd}\n`);
    return 2;
  }

  const runner = new ScriptRunner(options.scriptTimeoutMs !== undefined ? { timeoutMs: options.scriptTimeoutMs } : {});
  runner.warmUp();
  const scripts = { runner, globals: new GlobalStore() };
  const suites: JUnitSuite[] = [];
  const all: RequestTestResult[] = [];
  let usageErrors = 0;
  let bailed = false;
  let ran = 0;
  const prompt = terminalPrompt(io.stderr);

  try {
    for (const path of files) {
      if (options.signal?.aborted || bailed) break;
      const label = relative(cwd, path) || path;
      const suite: JUnitSuite = { path: label, requests: [], fileErrors: [], durationMs: 0, started: new Date() };
      const t0 = performance.now();
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        io.stderr.write(`wireplay test: cannot read ${label}: ${(err as Error).message}\n`);
        usageErrors++;
        continue;
      }
      const dir = dirname(path);
      const env = await commandLineEnvironment(dir, options.env, label);
      for (const w of env.warnings) io.stderr.write(`wireplay test: warning: ${w}\n`);
      if (!env.ok) {
        io.stderr.write(`wireplay test: ${env.message}\n`);
        usageErrors++;
        continue;
      }
      const session = new HttpFileSession(text, {
        baseDir: dir,
        filePath: path,
        dialect: options.dialect ?? 'auto',
        environment: env.variables,
        dotenv: env.dotenv,
        ...(options.vars ? { cliVariables: options.vars } : {}),
        runWebSocket: createWebSocketScriptRunner(),
        scripts,
        timeoutMs: options.timeoutMs ?? 30_000,
        ...(prompt ? { prompt } : {}),
      });
      const file = session.parsed;
      const blocks = options.filter === undefined ? file.blocks : file.blocks.filter((b) => matchesFilter(b, options.filter!));
      if (!blocks.length) continue;
      suites.push(suite);
      io.stdout.write(`${label}\n`);
      // The parser's errors on lines no request owns (a script never closed…), and `# @import`s that cannot be read.
      const owned = new Set(file.blocks.flatMap((b) => [...b.errors, ...b.warnings]));
      const fileErrors = [
        ...file.diagnostics.filter((d) => d.severity === 'error' && !owned.has(d)).map((d) => ({ line: d.line, message: d.message })),
        ...session.imports().errors,
      ];
      for (const e of fileErrors) {
        io.stdout.write(`  ✗ ${label}:${e.line + 1}: ${e.message}\n`);
        suite.fileErrors!.push(e);
        usageErrors++;
      }
      for (const block of blocks) {
        if (options.signal?.aborted || bailed) break;
        ran++;
        const outcomes: BlockOutcome[] = [];
        await session.run(block, {
          ...(options.signal ? { signal: options.signal } : {}),
          // Only this block's own passes (a loop has several); a referenced request counts when its turn comes.
          onOutcome: (o) => {
            if (o.block === block) outcomes.push(o);
          },
        });
        for (const outcome of outcomes) {
          const result = requestTestResult(outcome);
          suite.requests.push(result);
          all.push(result);
          if (result.refused) usageErrors++;
          printRequest(result, label, io.stdout);
          if (options.bail && result.status === 'failed') bailed = true;
        }
      }
      suite.durationMs = performance.now() - t0;
    }
  } finally {
    runner.dispose();
  }

  if (options.filter !== undefined && ran === 0) {
    io.stderr.write(`wireplay test: no request matches --filter ${options.filter}\n`);
    return 2;
  }
  if (options.junit) {
    try {
      writeFileSync(options.junit, junitXml(suites));
    } catch (err) {
      io.stderr.write(`wireplay test: cannot write ${options.junit}: ${(err as Error).message}\n`);
      usageErrors++;
    }
  }
  const counts = countCases(all);
  const failed = counts.failed + suites.reduce((n, s) => n + (s.fileErrors?.length ?? 0), 0);
  io.stdout.write('\n');
  if (bailed) io.stdout.write('stopped at the first failure (--bail)\n');
  if (counts.skipped) io.stdout.write(`${counts.skipped} skipped\n`);
  io.stdout.write(`${counts.passed} passed, ${failed} failed\n`);
  if (options.signal?.aborted) {
    io.stderr.write('wireplay test: interrupted\n');
    return 130;
  }
  return usageErrors ? 2 : failed ? 1 : 0;
}

function caseLine(c: TestCaseResult): string {
  const mark = c.status === 'passed' ? '✓' : c.status === 'failed' ? '✗' : '-';
  return c.status === 'skipped' ? `${mark} ${c.name} (skipped: ${c.message ?? ''})` : `${mark} ${c.name} (${ms(c.durationMs)})`;
}

function failureDetails(c: TestCaseResult, file: string): string[] {
  if (c.status !== 'failed') return [];
  const out = [c.message ?? 'failed'];
  if (c.expected !== undefined) out.push(`expected: ${c.expected}`);
  if (c.actual !== undefined) out.push(`actual:   ${c.actual}`);
  out.push(`at ${c.source ?? `${file}:${(c.failureLine ?? c.line) + 1}`}`);
  return out;
}

/**
 * A request with checks: its line (no mark: it is not a test), then one line per check. A request
 * without checks: one line, the request itself as the test.
 */
function printRequest(r: RequestTestResult, file: string, out: Writable): void {
  const only = r.cases.length === 1 && r.cases[0].kind === 'request' ? r.cases[0] : undefined;
  if (only) {
    // A request that passed says what came back; one that failed says why under it.
    out.write(`  ${only.status === 'passed' ? caseLine(only).replace(/ \(([^)]*)\)$/, ` → ${r.statusText} ($1)`) : caseLine(only)}\n`);
    for (const d of failureDetails(only, file)) out.write(`${d.replace(/^/gm, '      ')}\n`);
    return;
  }
  out.write(`  ${r.label} → ${r.statusText} (${ms(r.durationMs)})\n`);
  for (const c of r.cases) {
    out.write(`    ${caseLine(c)}\n`);
    for (const d of failureDetails(c, file)) out.write(`${d.replace(/^/gm, '        ')}\n`);
  }
}
