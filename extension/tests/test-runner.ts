// Runs Test Explorer items: the requests they stand for (a file: all of its
// requests; a check: its request) in file order, through the document's
// `.http` session (named results shared with Send) with the window's scripts,
// and streams each result to the TestRun as it comes — the request, then each
// check, with durations, failure messages at their line (expected / actual
// where the check compared values) and a link that opens the exchange in the
// playground inspector. The exchange itself goes to the run's output.
import * as vscode from 'vscode';
import { mergePasses, requestTestResult, createWebSocketScriptRunner, type BlockOutcome, type RequestTestResult, type TestCaseResult } from '../../server-core/index.js';
import type { HttpFileSupport } from '../httpfile/http-file-support.js';
import { exchangeLink, failureMessage, failureText, type RecordedResult } from './test-messages.js';
import type { HttpTestTree } from './test-tree.js';

export class HttpTestRunner {
  /** The last result of each item, by id (the extension-host tests read it). */
  readonly results = new Map<string, RecordedResult>();
  /** The last exchange of each request item, by id: its connection in the capture. */
  readonly exchanges = new Map<string, string>();

  constructor(
    private readonly controller: vscode.TestController,
    private readonly tree: HttpTestTree,
    private readonly files: HttpFileSupport,
  ) {}

  /** The run handler of the profile. */
  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    await this.tree.ready;
    const run = this.controller.createTestRun(request);
    const abort = new AbortController();
    const cancel = token.onCancellationRequested(() => abort.abort());
    const outcomes: BlockOutcome[] = [];
    try {
      this.files.scripts.warmUp();
      for (const { uri, items } of this.requestsByFile(request)) {
        for (const item of items) run.enqueued(item);
        const doc = await vscode.workspace.openTextDocument(uri);
        const file = this.files.parse(doc);
        for (const item of items) {
          if (token.isCancellationRequested) {
            run.skipped(item);
            continue;
          }
          const data = this.tree.dataOf(item);
          const block = data?.kind === 'request' ? file.blocks.find((b) => b.requestLine === data.requestLine) : undefined;
          if (!block) {
            run.errored(item, new vscode.TestMessage('This request is no longer in the file; refresh the tests.'));
            continue;
          }
          run.started(item);
          item.children.forEach((c) => run.started(c));
          const own: BlockOutcome[] = [];
          await this.files.runBlock(doc, block, {
            signal: abort.signal,
            // A test run opens its own connection and closes it when the block's script is done (no live session).
            runWebSocket: createWebSocketScriptRunner(),
            onOutcome: (o) => {
              outcomes.push(o);
              if (o.block === block) own.push(o);
            },
          });
          // A loop's passes are one test item: a check fails when it failed in any pass; the last pass's exchange.
          if (own.length) this.report(run, item, doc, mergePasses(own.map(requestTestResult)));
          else run.errored(item, new vscode.TestMessage('The request did not run.'));
        }
      }
    } finally {
      cancel.dispose();
      run.end();
      this.files.reportScriptsNotRun(outcomes);
    }
  }

  /** The request items a run request stands for, by file, in file order; excluded ones left out. */
  private requestsByFile(request: vscode.TestRunRequest): { uri: vscode.Uri; items: vscode.TestItem[] }[] {
    const excluded = new Set((request.exclude ?? []).map((i) => i.id));
    const picked = new Map<string, vscode.TestItem>();
    const add = (item: vscode.TestItem) => {
      if (excluded.has(item.id)) return;
      const data = this.tree.dataOf(item);
      if (data?.kind === 'file') item.children.forEach(add);
      else if (data?.kind === 'request') picked.set(item.id, item);
      else if (data?.kind === 'check' && item.parent && !excluded.has(item.parent.id)) picked.set(item.parent.id, item.parent);
    };
    if (request.include) request.include.forEach(add);
    else this.controller.items.forEach(add);
    const byFile = new Map<string, { uri: vscode.Uri; items: vscode.TestItem[] }>();
    for (const item of picked.values()) {
      const uri = item.uri!;
      const entry = byFile.get(uri.toString()) ?? { uri, items: [] };
      entry.items.push(item);
      byFile.set(uri.toString(), entry);
    }
    for (const { items } of byFile.values()) items.sort((a, b) => (a.range?.start.line ?? 0) - (b.range?.start.line ?? 0));
    return [...byFile.values()];
  }

  private report(run: vscode.TestRun, item: vscode.TestItem, doc: vscode.TextDocument, result: RequestTestResult): void {
    if (result.connectionId) this.exchanges.set(item.id, result.connectionId);
    const link = result.connectionId ? exchangeLink(result.connectionId) : undefined;
    run.appendOutput(`${result.summary.replace(/\r?\n/g, '\r\n')}\r\n`, new vscode.Location(doc.uri, new vscode.Position(result.block.requestLine, 0)), item);

    const checks = result.cases.filter((c) => c.kind === 'check');
    const own = result.cases.filter((c) => c.kind !== 'check');
    // The checks, each on its item (an item is added for a check discovery could not see).
    const reported = new Set<vscode.TestItem>();
    for (const c of checks) {
      let child: vscode.TestItem | undefined;
      item.children.forEach((x) => {
        const d = this.tree.dataOf(x);
        if (!child && !reported.has(x) && d?.kind === 'check' && d.name === c.name) child = x;
      });
      child ??= this.tree.addRunCheck(item, c.name, c.line);
      reported.add(child);
      this.settle(run, child, c, doc, link);
    }
    // Discovered checks that did not run: the request was not sent, or its scripts did not run.
    item.children.forEach((x) => {
      if (reported.has(x)) return;
      const notRun = own.find((c) => c.status === 'skipped' && c.kind === 'script');
      const why = notRun?.message ?? (result.status === 'failed' && !checks.length ? 'the request did not run' : 'the check did not run');
      run.skipped(x);
      this.results.set(x.id, { state: 'skipped', durationMs: 0, messages: [why] });
    });

    const failedOwn = own.filter((c) => c.status === 'failed');
    const failedChecks = checks.filter((c) => c.status === 'failed');
    if (failedOwn.length || failedChecks.length) {
      const cases: TestCaseResult[] = [...failedOwn];
      if (failedChecks.length) {
        cases.push({ kind: 'request', name: result.label, status: 'failed', durationMs: 0, line: result.block.requestLine, message: `${failedChecks.length} of ${checks.length} checks failed` });
      }
      const messages = cases.map((c) => failureMessage(c, doc.uri, link));
      run.failed(item, messages, result.durationMs);
      this.results.set(item.id, {
        state: 'failed',
        durationMs: result.durationMs,
        messages: cases.map(failureText),
        markdown: messages.map(markdownOf),
        ...(result.connectionId ? { connectionId: result.connectionId } : {}),
      });
    } else if (result.status === 'skipped') {
      run.skipped(item);
      this.results.set(item.id, { state: 'skipped', durationMs: result.durationMs, messages: own.map((c) => c.message ?? '') });
    } else {
      run.passed(item, result.durationMs);
      this.results.set(item.id, { state: 'passed', durationMs: result.durationMs, messages: [], ...(result.connectionId ? { connectionId: result.connectionId } : {}) });
    }
  }

  private settle(run: vscode.TestRun, item: vscode.TestItem, c: TestCaseResult, doc: vscode.TextDocument, link: string | undefined): void {
    if (c.status === 'passed') {
      run.passed(item, c.durationMs);
      this.results.set(item.id, { state: 'passed', durationMs: c.durationMs, messages: [] });
      return;
    }
    if (c.status === 'skipped') {
      run.skipped(item);
      this.results.set(item.id, { state: 'skipped', durationMs: c.durationMs, messages: [c.message ?? ''] });
      return;
    }
    const message = failureMessage(c, doc.uri, link);
    run.failed(item, message, c.durationMs);
    this.results.set(item.id, {
      state: 'failed',
      durationMs: c.durationMs,
      messages: [failureText(c)],
      markdown: [markdownOf(message)],
      line: message.location?.range.start.line,
      ...(c.expected !== undefined ? { expected: c.expected } : {}),
      ...(c.actual !== undefined ? { actual: c.actual } : {}),
    });
  }
}

function markdownOf(m: vscode.TestMessage): string {
  return typeof m.message === 'string' ? m.message : m.message.value;
}
