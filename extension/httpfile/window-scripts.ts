// The `.http` scripts of one VS Code window: one script engine (a worker
// thread, started on the first script and stopped with the window), its time
// limit from `wireplay.scripts.timeoutMs` (a change starts a new engine for
// the next script), and the `client.global` store, which survives across
// sends, test runs and files until "Wireplay: Clear Script Globals". Scripts
// run only in a trusted workspace; in an untrusted one the host says why they
// did not, and the runner reports each one at its line.
import * as vscode from 'vscode';
import { DEFAULT_SCRIPT_TIMEOUT_MS, ScriptRunner, GlobalStore, type ScriptHost } from '../../server-core/index.js';

export const UNTRUSTED_REASON = 'the workspace is not trusted (Wireplay runs .http scripts only in a trusted workspace)';

export function scriptTimeoutMs(): number {
  const value = vscode.workspace.getConfiguration('wireplay').get<number>('scripts.timeoutMs', DEFAULT_SCRIPT_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_SCRIPT_TIMEOUT_MS;
}

export class WindowScripts implements vscode.Disposable {
  readonly globals = new GlobalStore();
  private runner: ScriptRunner | undefined;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('wireplay.scripts.timeoutMs')) return;
      // The next script starts a new engine with the new limit; a script running now is cancelled (and says so).
      this.runner?.dispose();
      this.runner = undefined;
    });
  }

  /** What a run hands to the `.http` runner now: the engine in a trusted workspace, the reason otherwise. */
  host(): ScriptHost {
    if (!vscode.workspace.isTrusted) return { globals: this.globals, notRunReason: UNTRUSTED_REASON };
    this.runner ??= new ScriptRunner({ timeoutMs: scriptTimeoutMs() });
    return { runner: this.runner, globals: this.globals };
  }

  /** Starts the engine ahead of a test run (the worker takes a moment to start). */
  warmUp(): void {
    const runner = this.host().runner;
    if (runner instanceof ScriptRunner) runner.warmUp();
  }

  dispose(): void {
    this.subscription.dispose();
    this.runner?.dispose();
    this.runner = undefined;
  }
}
