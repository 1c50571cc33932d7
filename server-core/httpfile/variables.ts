// `{{…}}` substitution for `.http` files: prompted and loop values, file
// variables (scoped to their region, as httpYac scopes them), environment
// variables, `--var` values, dynamic variables of the three dialects, and
// references to earlier responses (`{{login.response.body.$.token}}`, httpYac's
// `{{login.token}}`). REST Client's `{{%name}}` is the value percent-encoded.
// Unknown names are reported, never silently replaced by ''.
import { dynamicVariable } from './dynamic-variables.js';
import type { Dialect, FileVariable } from './types.js';
import { UnsupportedFeatureError, javascriptExpression } from './unsupported.js';

export interface ResponseSnapshot {
  status: number;
  headers: ReadonlyArray<readonly [string, string]>;
  body: string;
}

export interface RequestSnapshot {
  headers: ReadonlyArray<readonly [string, string]>;
  body: string;
}

export interface NamedExchange {
  request?: RequestSnapshot;
  response?: ResponseSnapshot;
}

export interface VariableContext {
  /** Definitions outside any request: they apply to the whole file. */
  fileVariables: readonly FileVariable[];
  /** Definitions inside the request's own region: they win over the file's (httpYac's region scope). */
  regionVariables?: readonly FileVariable[];
  /** Every definition of the file in order: a name defined only in another request's region is found here (REST Client reads them all). */
  allVariables?: readonly FileVariable[];
  /** The global variables of `# @import`ed files. */
  importedVariables?: readonly FileVariable[];
  /** Prompted values (`# @prompt`) and loop values (`$index`, `# @loop for x of …`): they win over everything. */
  locals?: Readonly<Record<string, string>>;
  /** `--var name=value` on the command line: above the environment, under the file's variables. */
  cliVariables?: Readonly<Record<string, string>>;
  /**
   * Values scripts set, as text (see request-scripts.ts): `request` — JetBrains `request.variables.set` in
   * this request's pre-request scripts (this request only); `exports` — httpYac `exports.name` (the rest of
   * the file's runs); `globals` — `client.global` / `$global` (every file, until cleared).
   */
  scriptValues?: { request?: Readonly<Record<string, string>>; exports?: Readonly<Record<string, string>>; globals?: Readonly<Record<string, string>> };
  /** The selected environment with `$shared` merged under it. */
  environment: Readonly<Record<string, string>>;
  /** Results of earlier named requests, by name. */
  exchanges: ReadonlyMap<string, NamedExchange>;
  /** Every request name the file (and its imports) defines: for "no such request" against "not sent yet". */
  requestNames?: ReadonlySet<string>;
  processEnv: Readonly<Record<string, string | undefined>>;
  /** Contents of the `.env` file. */
  dotenv: Readonly<Record<string, string>>;
  dialect?: Dialect;
  now?: () => Date;
  randomInt?: (min: number, max: number) => number;
  uuid?: () => string;
}

export interface Unresolved {
  expression: string;
  reason: string;
  code: 'variable' | 'unsupported' | 'reference';
}

export interface Substitution {
  text: string;
  /** Each `{{expression}}` that could not be resolved, with why. */
  unresolved: Unresolved[];
  /** Places where the tools would read a variable differently (dialect `auto` only). */
  divergences: { expression: string; message: string }[];
}

const PLACEHOLDER = /\{\{\s*(.+?)\s*\}\}/g;
const MAX_DEPTH = 10;
const NAME = /^%?[\w.$-]+$/;

class Failure extends Error {
  constructor(
    message: string,
    readonly code: Unresolved['code'],
  ) {
    super(message);
  }
}

export function substitute(text: string, ctx: VariableContext): Substitution {
  const out: Substitution = { text: '', unresolved: [], divergences: [] };
  out.text = expand(text, ctx, out, 0, new Set());
  return out;
}

function expand(text: string, ctx: VariableContext, out: Substitution, depth: number, seen: Set<string>): string {
  return text.replace(PLACEHOLDER, (whole, expression: string) => {
    try {
      return resolveExpression(expression, ctx, out, depth, seen);
    } catch (err) {
      const code = err instanceof UnsupportedFeatureError ? 'unsupported' : err instanceof Failure ? err.code : 'variable';
      out.unresolved.push({ expression, reason: (err as Error).message, code });
      return whole;
    }
  });
}

function resolveExpression(expression: string, ctx: VariableContext, out: Substitution, depth: number, seen: Set<string>): string {
  // Loop values ($index) and prompted values come first, even when they look like dynamic variables.
  if (ctx.locals && Object.prototype.hasOwnProperty.call(ctx.locals, expression)) return ctx.locals[expression];
  if (expression.startsWith('$')) return dynamicVariable(expression, ctx);

  const reference = /^([\w-]+)\.(request|response)\.(body|headers)(?:\.(.*))?$/.exec(expression);
  if (reference && !isVariable(expression, ctx)) {
    return responseReference(ctx, reference[1], reference[2] as 'request' | 'response', reference[3] as 'body' | 'headers', reference[4]);
  }
  if (!NAME.test(expression)) throw new UnsupportedFeatureError(javascriptExpression(expression));

  const encode = expression.startsWith('%');
  const name = encode ? expression.slice(1) : expression;
  if (seen.has(name)) throw new Failure(`"${name}" refers to itself`, 'variable');
  if (depth >= MAX_DEPTH) throw new Failure(`variables nest deeper than ${MAX_DEPTH}`, 'variable');

  const raw = lookup(name, ctx, out, expression);
  if (raw === undefined) {
    // httpYac: `{{login.token}}` is a value of the JSON body of the request named login.
    const dot = name.indexOf('.');
    if (dot > 0 && (ctx.exchanges.has(name.slice(0, dot)) || ctx.requestNames?.has(name.slice(0, dot)))) {
      return responseReference(ctx, name.slice(0, dot), 'response', 'body', `$${name.slice(dot)}`);
    }
    if (/^response\./.test(name) || name === 'response') {
      throw new UnsupportedFeatureError("httpYac's `response` variable (the last response) is not supported in placeholders: name the request (# @name login) and use {{login.response.body.$.field}} or {{login.field}}");
    }
    throw new Failure(`"${name}" is not defined in the file or the environment`, 'variable');
  }
  const value = expand(raw, ctx, out, depth + 1, new Set(seen).add(name));
  // REST Client: {{%name}} is the value percent-encoded (encodeURIComponent).
  return encode ? encodeURIComponent(value) : value;
}

function isVariable(name: string, ctx: VariableContext): boolean {
  return lookup(name, ctx, undefined, name) !== undefined;
}

function last(defs: readonly FileVariable[] | undefined, name: string): FileVariable | undefined {
  let found: FileVariable | undefined;
  for (const v of defs ?? []) if (v.name === name) found = v;
  return found;
}

/** REST Client reads `\n`, `\r` and `\t` in file variable values as line breaks and tabs. */
function restClientEscapes(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

/** The raw value of a name, by precedence; records where REST Client or JetBrains would read it otherwise (dialect auto). */
function lookup(name: string, ctx: VariableContext, out: Substitution | undefined, expression: string): string | undefined {
  const has = (o: Readonly<Record<string, string>> | undefined) => o !== undefined && Object.prototype.hasOwnProperty.call(o, name);
  if (has(ctx.locals)) return ctx.locals![name];
  const dialect = ctx.dialect ?? 'auto';
  const everywhere = ctx.allVariables ?? [...ctx.fileVariables, ...(ctx.regionVariables ?? [])];
  const restClient = last(everywhere, name);
  let fileDef: FileVariable | undefined;
  if (dialect === 'rest-client') fileDef = restClient;
  // httpYac sets a region's variables when that region runs: another request's definitions are not there.
  else if (dialect === 'httpyac') fileDef = last(ctx.regionVariables, name) ?? last(ctx.fileVariables, name);
  else fileDef = last(ctx.regionVariables, name) ?? last(ctx.fileVariables, name) ?? restClient;
  const imported = last(ctx.importedVariables, name);
  const env = has(ctx.environment) ? ctx.environment[name] : undefined;
  const script = ctx.scriptValues ?? {};
  if (dialect === 'jetbrains') {
    // JetBrains documents: environment, then global (client.global), then in-place, then per-request
    // (request.variables) variables; --var wins over all of them.
    if (has(ctx.cliVariables)) return ctx.cliVariables![name];
    if (env !== undefined) return env;
    if (has(script.globals)) return script.globals![name];
    if (has(script.exports)) return script.exports![name];
    if (fileDef) return fileDef.value;
    if (has(script.request)) return script.request![name];
  } else {
    // A value a script set while the run went on wins over what the file and the environment say:
    // the request's own (request.variables), httpYac's exports, then the global store.
    if (has(script.request)) return script.request![name];
    if (has(script.exports)) return script.exports![name];
    if (has(script.globals)) return script.globals![name];
  }
  if (fileDef) {
    if (out && dialect === 'auto') {
      const ownScope = last(ctx.regionVariables, name) ?? last(ctx.fileVariables, name);
      if (!ownScope) {
        out.divergences.push({ expression, message: `"${name}" is defined only in another request's region (line ${fileDef.line + 1}): REST Client (and Wireplay) read it from there, httpYac has it only after that request ran` });
      } else if (restClient && restClient.value !== fileDef.value) {
        out.divergences.push({ expression, message: `"${name}" is defined again at line ${restClient.line + 1}: REST Client uses that last definition everywhere, httpYac (and Wireplay) the one of this request's region (line ${fileDef.line + 1})` });
      }
      if (env !== undefined && env !== fileDef.value) {
        out.divergences.push({ expression, message: `"${name}" is both a file variable (line ${fileDef.line + 1}) and an environment variable: JetBrains uses the environment's, REST Client and httpYac (and Wireplay) the file's` });
      }
      if (/\\[nrt]/.test(fileDef.value)) {
        out.divergences.push({ expression, message: `the value of "${name}" holds \\n, \\r or \\t: REST Client turns them into control characters, httpYac and JetBrains (and Wireplay) send them as written` });
      }
    }
    return dialect === 'rest-client' ? restClientEscapes(fileDef.value) : fileDef.value;
  }
  if (imported) return imported.value;
  if (has(ctx.cliVariables)) return ctx.cliVariables![name];
  return env;
}

function responseReference(
  ctx: VariableContext,
  name: string,
  which: 'request' | 'response',
  part: 'body' | 'headers',
  path: string | undefined,
): string {
  const exchange = ctx.exchanges.get(name);
  if (!exchange) {
    if (ctx.requestNames && !ctx.requestNames.has(name)) {
      const names = [...ctx.requestNames].sort();
      throw new Failure(`there is no request named "${name}" in this file or the files it imports${names.length ? ` (named requests: ${names.join(', ')})` : ' (it names no request: add "# @name ' + name + '" above one)'}`, 'reference');
    }
    throw new Failure(`no request named "${name}" has been sent yet; send it first`, 'reference');
  }
  const snapshot = exchange[which];
  if (!snapshot) throw new Failure(`"${name}" has no ${which} yet`, 'reference');
  if (part === 'headers') {
    if (!path) throw new Failure('name the header: …headers.Content-Type', 'reference');
    const lower = path.toLowerCase();
    const found = snapshot.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
    if (!found.length) throw new Failure(`${which} of "${name}" has no header ${path}`, 'reference');
    return found.join(', ');
  }
  if (!path || path === '*') return snapshot.body;
  if (path.startsWith('//') || path.startsWith('/')) throw new UnsupportedFeatureError(`XPath (\`${path}\`, REST Client's path into an XML body) is not supported`);
  if (!path.startsWith('$')) throw new Failure(`body paths are JSONPath ($.a.b[0]); got ${path}`, 'reference');
  let json: unknown;
  try {
    json = JSON.parse(snapshot.body);
  } catch {
    throw new Failure(`${which} body of "${name}" is not JSON`, 'reference');
  }
  const value = lookupPath(json, path);
  if (value === NOT_A_PATH) throw new UnsupportedFeatureError(`the JSONPath \`${path}\` uses filters, wildcards or recursion, which are not supported: write a plain path such as $.items[0].id`);
  if (value === undefined) throw new Failure(`${path} matches nothing in the ${which} body of "${name}"`, 'reference');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const NOT_A_PATH = Symbol('not a plain path');

/** The subset of JSONPath that references need: $.a.b, $[0], $['a b'], $.a[2].c; undefined for anything else. */
export function jsonPath(root: unknown, path: string): unknown {
  const value = lookupPath(root, path);
  return value === NOT_A_PATH ? undefined : value;
}

/** Like jsonPath, but tells a path that matches nothing from one that uses what Wireplay does not read (filters, wildcards, recursion). */
function lookupPath(root: unknown, path: string): unknown {
  const tokens: (string | number)[] = [];
  const re = /\.([\w$-]+)|\[(\d+)\]|\[['"](.+?)['"]\]/g;
  const rest = path.slice(1);
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest)) !== null) {
    if (m.index !== consumed) return /[*?@]|\.\./.test(rest) ? NOT_A_PATH : undefined;
    consumed = re.lastIndex;
    tokens.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]));
  }
  if (consumed !== rest.length) return /[*?@]|\.\./.test(rest) ? NOT_A_PATH : undefined;
  let cur: unknown = root;
  for (const t of tokens) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[t];
  }
  return cur;
}
