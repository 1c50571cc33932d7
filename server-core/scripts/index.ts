// The public surface of the script engine (issue 14): JetBrains HTTP Client
// scripts (`< {% %}`, `> {% %}`), httpYac `{{ }}` blocks and `??` assertions,
// run isolated in a worker thread with a time limit. The `.http` runner, the
// Test Explorer and `wireplay test` use these names only; see docs/scripts.md.
export { ScriptRunner } from './script-runner.js';
export type {
  GlobalChange,
  HeaderPair,
  JsonValue,
  ScriptError,
  ScriptErrorCode,
  ScriptJob,
  ScriptKind,
  ScriptLogLine,
  ScriptRequestInput,
  ScriptResponseInput,
  ScriptResult,
  ScriptRun,
  ScriptRunHooks,
  ScriptRunnerOptions,
  ScriptStreamInput,
  ScriptTestResult,
  TimingName,
} from './types.js';
export { DEFAULT_MAX_EVENTS, DEFAULT_MAX_LOG_BYTES, DEFAULT_MAX_TESTS, DEFAULT_SCRIPT_MEMORY_MB, DEFAULT_SCRIPT_TIMEOUT_MS, SCRIPT_KINDS } from './types.js';
/** For discovery (Test Explorer items, `wireplay test --filter`): the name and parts of a `??` line, without running it. */
export { parseHttpYacAssertion, type AssertionParse, type ParsedAssertion, type PredicateName, type AssertTarget } from './httpyac-assert.js';
export { applyGlobalChanges } from './script-result.js';
export { evaluateJsonPath, JsonPathError } from './jsonpath.js';
export { parseContentType, isJsonMimeType } from './sandbox-input.js';
