// Builds ScriptResult values: an empty one to fill, the global store after a
// list of changes, and the `ok` verdict. Shared by the runner (worker jobs)
// and the assertion evaluator (which mostly runs on the host).
import type { GlobalChange, JsonValue, ScriptError, ScriptResult } from './types.js';

export function emptyResult(globals: Record<string, JsonValue> = {}): ScriptResult {
  return {
    ok: true,
    variables: {},
    globals: { ...globals },
    globalChanges: [],
    tests: [],
    logs: [],
    warnings: [],
    exitRequested: false,
    cancelRequested: false,
    streamUnsubscribed: false,
    durationMs: 0,
  };
}

export function applyGlobalChanges(initial: Record<string, JsonValue>, changes: readonly GlobalChange[]): Record<string, JsonValue> {
  const store: Record<string, JsonValue> = { ...initial };
  for (const change of changes) {
    if (change.op === 'set') store[change.name] = change.value;
    else if (change.op === 'clear') delete store[change.name];
    else for (const key of Object.keys(store)) delete store[key];
  }
  return store;
}

/** Sets `error` (the first one wins) and `ok`. */
export function settle(result: ScriptResult, error?: ScriptError): ScriptResult {
  if (error && !result.error) result.error = error;
  result.ok = !result.error && result.tests.every((t) => t.passed);
  return result;
}
