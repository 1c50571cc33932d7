// What the `.http` runner needs to run scripts, handed in by whoever owns the
// lifetime: the script engine (one ScriptRunner: one worker thread) and the
// global store behind `client.global` / httpYac's `$global`. The editor keeps
// one host per window (the store survives across sends and files until
// "Wireplay: Clear Script Globals"); the CLI one per invocation (it survives
// across the files of one run). A host without a runner is one where scripts
// must not run — an untrusted workspace — and says why: each script is then
// reported as not run, at its line, and the request is sent without it.
import { applyGlobalChanges, type GlobalChange, type JsonValue, type ScriptRunner } from '../scripts/index.js';

export class GlobalStore {
  private values: Record<string, JsonValue> = {};
  private readonly listeners = new Set<() => void>();

  /** A copy of the store now (what a script job starts from). */
  snapshot(): Record<string, JsonValue> {
    return { ...this.values };
  }

  get size(): number {
    return Object.keys(this.values).length;
  }

  /**
   * Applies what one script did (set, clear, clearAll) onto the store as it is now — not the
   * script's whole copy — so two runs in flight at once do not undo each other's changes.
   */
  apply(changes: readonly GlobalChange[]): void {
    if (changes.length === 0) return;
    this.values = applyGlobalChanges(this.values, changes);
    for (const l of this.listeners) l();
  }

  clear(): void {
    this.apply([{ op: 'clearAll' }]);
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
}

export interface ScriptHost {
  /** Runs the jobs. Absent: scripts are not run, and each one is reported with `notRunReason`. */
  runner?: Pick<ScriptRunner, 'start'>;
  /** Why scripts are not run here, e.g. "the workspace is not trusted". */
  notRunReason?: string;
  globals: GlobalStore;
}
