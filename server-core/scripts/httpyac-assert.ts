// httpYac's `??` assertions: `?? target [name] condition [expected]`, e.g.
// `?? status == 200`, `?? header content-type includes json`,
// `?? body $.id exists`, `?? duration < 500`, `?? js response.parsedBody.ok isTrue`.
// Reading the line, converting the expected text to the type of the actual
// value and comparing follow httpYac's documented behaviour. Status, header,
// duration and body values are read here, on the host, without running code;
// what needs JavaScript (`js …`, a `body` expression that is not a plain path)
// and regular expressions (`matches`, which a pathological pattern could make
// loop) go to the sandbox through `AssertionSandbox`, under its time limit.
import { createHash } from 'node:crypto';
import { evaluateJsonPath, JsonPathError } from './jsonpath.js';
import { headerValues } from './sandbox-input.js';
import type { SandboxResponse } from './sandbox-input.js';
import type { JsonValue, ScriptError, ScriptTestResult } from './types.js';

/** Canonical condition names, each with the spellings httpYac accepts. */
const PREDICATES = {
  '==': ['==', '===', 'equals'],
  '!=': ['!=', '!==', 'not equals'],
  '>=': ['>='],
  '>': ['>'],
  '<=': ['<='],
  '<': ['<'],
  startsWith: ['startsWith'],
  endsWith: ['endsWith'],
  includes: ['includes', 'contains'],
  exists: ['exists', 'isTrue'],
  isFalse: ['isFalse'],
  isNumber: ['isNumber'],
  isBoolean: ['isBoolean'],
  isString: ['isString'],
  isArray: ['isArray'],
  matches: ['matches'],
  sha256: ['sha256'],
  sha512: ['sha512'],
  md5: ['md5'],
} as const;

export type PredicateName = keyof typeof PREDICATES;

/** Conditions whose expected text is taken as written (no conversion to the actual value's type). */
const RAW_EXPECTED: ReadonlySet<PredicateName> = new Set(['matches', 'sha256', 'sha512', 'md5']);
/** Conditions that take no expected value. */
const UNARY: ReadonlySet<PredicateName> = new Set(['exists', 'isFalse', 'isNumber', 'isBoolean', 'isString', 'isArray']);

export const ASSERT_TARGETS = ['status', 'header', 'body', 'duration', 'js'] as const;
export type AssertTarget = (typeof ASSERT_TARGETS)[number];

export interface ParsedAssertion {
  target: AssertTarget;
  /** The header name, body path or expression, duration step; absent for `status` and a bare `body`. */
  argument?: string;
  predicate: PredicateName;
  /** The expected text as written (variables not yet replaced); absent for unary conditions. */
  expected?: string;
  /** The test name httpYac gives it: `status == 200`, `content-type includes json`. */
  name: string;
}

export type AssertionParse = { ok: true; assertion: ParsedAssertion } | { ok: false; code: 'SYNTAX_ERROR' | 'UNSUPPORTED'; message: string };

const ALL_SPELLINGS = Object.values(PREDICATES)
  .flat()
  .sort((a, b) => b.length - a.length);
const SYMBOLIC = /^[=!<>]/;
const SPELLING_PATTERN = ALL_SPELLINGS.map((s) => (SYMBOLIC.test(s) ? escapeRegExp(s) : `${escapeRegExp(s)}(?=\\s|$)`)).join('|');
const LINE = new RegExp(`^\\s*(?:\\?\\?\\s*)?(\\S+)(?:\\s+(.*?))??\\s+(${SPELLING_PATTERN})\\s*(.*?)\\s*$`, 'u');

function canonical(spelling: string): PredicateName {
  for (const [name, spellings] of Object.entries(PREDICATES)) if ((spellings as readonly string[]).includes(spelling)) return name as PredicateName;
  throw new Error(`unknown condition ${spelling}`);
}

const CONDITIONS_HELP = `conditions: ${Object.values(PREDICATES).flat().join(', ')}`;

/** Reads one assertion line (`??` optional). */
export function parseHttpYacAssertion(line: string): AssertionParse {
  // The value part is matched lazily, so with several conditions in a line the first one is the condition.
  const m = LINE.exec(line);
  if (!m) {
    return { ok: false, code: 'SYNTAX_ERROR', message: `Cannot read the assertion "${line.trim()}": expected "?? target [name] condition [expected]", ${CONDITIONS_HELP}.` };
  }
  const [, target = '', argument, spelling = '', expected] = m;
  if (target === 'xpath') return { ok: false, code: 'UNSUPPORTED', message: 'xpath assertions are not supported: Wireplay has no XML parser (use ?? body includes … or ?? body matches …).' };
  if (!(ASSERT_TARGETS as readonly string[]).includes(target)) {
    return { ok: false, code: 'UNSUPPORTED', message: `Unknown assertion target "${target}": Wireplay supports ${ASSERT_TARGETS.join(', ')}.` };
  }
  const predicate = canonical(spelling);
  if ((target === 'header' || target === 'js') && !argument) {
    return { ok: false, code: 'SYNTAX_ERROR', message: `"?? ${target}" needs ${target === 'header' ? 'a header name' : 'an expression'} before the condition.` };
  }
  if (!UNARY.has(predicate) && !expected) {
    return { ok: false, code: 'SYNTAX_ERROR', message: `The condition "${spelling}" needs an expected value after it.` };
  }
  const assertion: ParsedAssertion = { target: target as AssertTarget, predicate, name: '' };
  if (argument) assertion.argument = argument.trim();
  if (expected) assertion.expected = expected;
  assertion.name = `${assertion.argument ?? target} ${PREDICATES[predicate][0]} ${expected ?? ''}`.trim();
  return { ok: true, assertion };
}

/** `{{name}}` in the expected text, from the variables (JSON values as JSON text); unknown names are reported. */
export function substituteExpected(text: string, variables: Record<string, JsonValue>): { text: string; unknown: string[] } {
  const unknown: string[] = [];
  const out = text.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (whole, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(variables, name)) {
      unknown.push(name);
      return whole;
    }
    const v = variables[name];
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
  return { text: out, unknown };
}

/** Text of a value as httpYac compares it; undefined for null / undefined. */
export function toText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A leading number in the value (httpYac uses parseFloat), else undefined. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const text = toText(value);
  if (text === undefined) return undefined;
  const n = Number.parseFloat(text.trim());
  return Number.isNaN(n) ? undefined : n;
}

/** The expected text converted to the type of the actual value, as httpYac does before comparing. */
export function convertExpected(actual: unknown, expected: string | undefined): unknown {
  if (expected === undefined) return undefined;
  if (typeof actual === 'number') return toNumber(expected);
  if (typeof actual === 'boolean') {
    if (/^true$/i.test(expected.trim())) return true;
    if (/^false$/i.test(expected.trim())) return false;
    const n = Number.parseFloat(expected);
    return Number.isNaN(n) ? expected : n !== 0;
  }
  if (typeof actual === 'string') return expected;
  if (actual === null && expected === 'null') return null;
  if (actual === undefined && expected === 'undefined') return undefined;
  if (typeof actual === 'object' && actual !== null) {
    try {
      return JSON.parse(expected);
    } catch {
      return expected;
    }
  }
  return expected;
}

function digest(algorithm: 'sha256' | 'sha512' | 'md5', value: unknown, bodyBytes?: Uint8Array): string | undefined {
  const data = bodyBytes ?? toText(value);
  if (data === undefined) return undefined;
  return createHash(algorithm).update(data).digest('base64');
}

/**
 * Applies a condition that needs no code to run; `matches` is not handled here
 * (see evaluateHttpYacAssertion). `bodyBytes`: the raw body, hashed by sha256 /
 * sha512 / md5 when the target is the whole body.
 */
export function checkPredicate(predicate: Exclude<PredicateName, 'matches'>, actual: unknown, expected: unknown, bodyBytes?: Uint8Array): boolean {
  switch (predicate) {
    case '==':
      return typeof actual === 'object' && actual !== null ? JSON.stringify(actual) === JSON.stringify(expected) : actual === expected;
    case '!=':
      return typeof actual === 'object' && actual !== null ? JSON.stringify(actual) !== JSON.stringify(expected) : actual !== expected;
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const a = toNumber(actual);
      const e = toNumber(expected);
      if (a === undefined || e === undefined) return false;
      return predicate === '>' ? a > e : predicate === '>=' ? a >= e : predicate === '<' ? a < e : a <= e;
    }
    case 'startsWith':
    case 'endsWith': {
      const a = toText(actual);
      const e = toText(expected);
      if (!a || !e) return false;
      return predicate === 'startsWith' ? a.startsWith(e) : a.endsWith(e);
    }
    case 'includes': {
      if (Array.isArray(actual)) return actual.some((item) => item === expected || toText(item) === toText(expected));
      const a = toText(actual);
      const e = toText(expected);
      return !!a && !!e && a.includes(e);
    }
    case 'exists':
      return !!actual;
    case 'isFalse':
      return !actual;
    case 'isNumber':
      return typeof actual === 'number';
    case 'isBoolean':
      return typeof actual === 'boolean';
    case 'isString':
      return typeof actual === 'string';
    case 'isArray':
      return Array.isArray(actual);
    case 'sha256':
    case 'sha512':
    case 'md5':
      return digest(predicate, actual, bodyBytes) === expected;
  }
}

/** A plain property path (`form`, `slideshow.slides[0].title`, `a["b-c"]`): read without running code. */
const PLAIN_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\]|\['[^'\\]*'\]|\["[^"\\]*"\])*$/;

/** What the sandbox does for assertions: evaluate an expression in an httpYac script context. */
export interface AssertionSandbox {
  /**
   * Evaluates `expression` with `response` (and the job's variables and `bindings`) as globals.
   * Resolves to the value (undefined included) or to the error the expression raised.
   */
  evaluate(expression: string, bindings: Record<string, JsonValue>): Promise<{ value: unknown } | { error: ScriptError }>;
}

export interface AssertionContext {
  response: SandboxResponse;
  /** The raw body, for hashes of the whole body. */
  bodyBytes?: Uint8Array;
  /** Variables for `{{name}}` in the expected text. */
  variables: Record<string, JsonValue>;
  sandbox: AssertionSandbox;
  /** Where the assertion line is (1-based). */
  line?: number;
  column?: number;
}

export interface AssertionOutcome {
  test: ScriptTestResult;
  /** The check could not be evaluated (an expression threw, an unsupported path): also reported as the job's error. */
  error?: ScriptError;
}

function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** Evaluates a parsed assertion against a response. Never throws: problems become a failed test (and an error). */
export async function evaluateHttpYacAssertion(assertion: ParsedAssertion, ctx: AssertionContext): Promise<AssertionOutcome> {
  const started = performance.now();
  const test: ScriptTestResult = { name: assertion.name, passed: false, durationMs: 0 };
  if (ctx.line !== undefined) test.line = ctx.line;
  if (ctx.column !== undefined) test.column = ctx.column;
  const finish = (outcome: Omit<AssertionOutcome, 'test'> = {}): AssertionOutcome => {
    test.durationMs = performance.now() - started;
    return { test, ...outcome };
  };
  const fail = (message: string, code?: ScriptError['code']): AssertionOutcome => {
    test.message = message;
    return finish(code ? { error: { code, message, ...(ctx.line !== undefined ? { line: ctx.line, column: ctx.column ?? 1 } : {}) } } : {});
  };

  let expectedText = assertion.expected;
  if (expectedText !== undefined) {
    const sub = substituteExpected(expectedText, ctx.variables);
    if (sub.unknown.length) return fail(`Unknown variable${sub.unknown.length > 1 ? 's' : ''} ${sub.unknown.map((n) => `{{${n}}}`).join(', ')} in the expected value.`, 'SCRIPT_ERROR');
    expectedText = sub.text;
  }

  const read = await readActual(assertion, ctx);
  if ('error' in read) return fail(read.error.message, read.error.code);
  const actual = read.value;

  const label = assertion.argument ?? assertion.target;
  let passed: boolean;
  let expected: unknown = expectedText;
  if (assertion.predicate === 'matches') {
    const text = toText(actual);
    if (text === undefined || !expectedText) passed = false;
    else {
      const r = await ctx.sandbox.evaluate('new RegExp(__wireplayPattern, "u").test(__wireplayText)', { __wireplayPattern: expectedText, __wireplayText: text });
      if ('error' in r) return fail(`matches ${expectedText}: ${r.error.message}`, r.error.code === 'TIMEOUT' ? 'TIMEOUT' : 'SCRIPT_ERROR');
      passed = r.value === true;
    }
  } else {
    if (!RAW_EXPECTED.has(assertion.predicate)) expected = convertExpected(actual, expectedText);
    const wholeBody = assertion.target === 'body' && !assertion.argument ? ctx.bodyBytes : undefined;
    passed = checkPredicate(assertion.predicate, actual, expected, wholeBody);
  }
  test.passed = passed;
  if (!passed) {
    const spelled = PREDICATES[assertion.predicate][0];
    test.message = `${label} (${formatValue(actual)}) ${spelled}${expectedText !== undefined ? ` ${expectedText}` : ''}`;
    if (!UNARY.has(assertion.predicate)) {
      test.expected = expectedText ?? '';
      test.actual = formatValue(actual);
    }
  }
  return finish();
}

async function readActual(assertion: ParsedAssertion, ctx: AssertionContext): Promise<{ value: unknown } | { error: { code: ScriptError['code']; message: string } }> {
  const { response } = ctx;
  switch (assertion.target) {
    case 'status':
      return { value: response.status };
    case 'header': {
      const values = headerValues(response.headers, assertion.argument!);
      if (values.length === 0) return { value: undefined };
      // As Node.js presents headers (and so httpYac): set-cookie stays a list, other repeats are joined.
      if (assertion.argument!.toLowerCase() === 'set-cookie') return { value: values };
      return { value: values.join(', ') };
    }
    case 'duration': {
      const step = assertion.argument ?? 'total';
      if (!['total', 'firstByte', 'download', 'wait', 'request', 'tcp', 'tls'].includes(step)) {
        return { error: { code: 'UNSUPPORTED', message: `Unknown duration step "${step}": use total, firstByte, download, wait, request, tcp or tls.` } };
      }
      const value = step === 'total' ? (response.durationMs ?? response.timings.total) : response.timings[step as keyof SandboxResponse['timings']];
      if (value === undefined || value === null) return { error: { code: 'UNSUPPORTED', message: `The ${step === 'total' ? 'duration' : `${step} timing`} of this exchange is not known.` } };
      return { value };
    }
    case 'body': {
      const path = assertion.argument;
      if (!path) return { value: response.bodyText };
      if (path.startsWith('$')) {
        let json: unknown;
        try {
          json = JSON.parse(response.bodyText);
        } catch {
          return { error: { code: 'SCRIPT_ERROR', message: `The body is not JSON${response.mimeType ? ` (${response.mimeType})` : ''}, so the JSONPath ${path} cannot be read.` } };
        }
        try {
          return { value: evaluateJsonPath(json, path) };
        } catch (err) {
          if (err instanceof JsonPathError) return { error: { code: 'UNSUPPORTED', message: err.message } };
          throw err;
        }
      }
      if (PLAIN_PATH.test(path)) {
        // httpYac reads `(response.parsedBody || response.body).<path>`; a plain path needs no code.
        let root: unknown = response.bodyText;
        if (response.isJson) {
          try {
            root = JSON.parse(response.bodyText);
          } catch {
            /* not JSON after all: httpYac falls back to the text too */
          }
        }
        return { value: evaluateJsonPath(root, `$.${path}`) };
      }
      return evaluateInSandbox(`(response.parsedBody || response.body).${path}`, ctx);
    }
    case 'js':
      return evaluateInSandbox(assertion.argument!, ctx);
  }
}

async function evaluateInSandbox(expression: string, ctx: AssertionContext): Promise<{ value: unknown } | { error: { code: ScriptError['code']; message: string } }> {
  const r = await ctx.sandbox.evaluate(expression, {});
  if ('error' in r) return { error: { code: r.error.code, message: r.error.message } };
  return r;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
