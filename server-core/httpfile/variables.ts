// `{{…}}` substitution for `.http` files: file variables, environment
// variables, dynamic variables of both dialects, and references to earlier
// responses (`{{login.response.body.$.token}}`). Unknown names are reported,
// never silently replaced by ''.
import { randomInt, randomUUID } from 'node:crypto';
import type { FileVariable } from './types.js';

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
  fileVariables: readonly FileVariable[];
  /** The selected environment with `$shared` merged under it. */
  environment: Readonly<Record<string, string>>;
  /** Results of earlier named requests, by name. */
  exchanges: ReadonlyMap<string, NamedExchange>;
  processEnv: Readonly<Record<string, string | undefined>>;
  /** Contents of the `.env` file next to the `.http` file. */
  dotenv: Readonly<Record<string, string>>;
  now?: () => Date;
}

export interface Substitution {
  text: string;
  /** Each `{{expression}}` that could not be resolved, with why. */
  unresolved: { expression: string; reason: string }[];
}

const PLACEHOLDER = /\{\{\s*(.+?)\s*\}\}/g;
const MAX_DEPTH = 10;

export function substitute(text: string, ctx: VariableContext): Substitution {
  const unresolved: Substitution['unresolved'] = [];
  const out = expand(text, ctx, unresolved, 0, new Set());
  return { text: out, unresolved };
}

function expand(text: string, ctx: VariableContext, unresolved: Substitution['unresolved'], depth: number, seen: Set<string>): string {
  return text.replace(PLACEHOLDER, (whole, expression: string) => resolveExpression(expression, ctx, unresolved, depth, seen) ?? whole);
}

function resolveExpression(
  expression: string,
  ctx: VariableContext,
  unresolved: Substitution['unresolved'],
  depth: number,
  seen: Set<string>,
): string | undefined {
  const fail = (reason: string) => {
    unresolved.push({ expression, reason });
    return undefined;
  };
  try {
    if (expression.startsWith('$')) return dynamicVariable(expression, ctx);
  } catch (err) {
    return fail((err as Error).message);
  }

  const reference = /^([\w-]+)\.(request|response)\.(body|headers)(?:\.(.*))?$/.exec(expression);
  if (reference) {
    const value = responseReference(ctx, reference[1], reference[2] as 'request' | 'response', reference[3] as 'body' | 'headers', reference[4]);
    return typeof value === 'string' ? value : fail(value.error);
  }

  if (seen.has(expression)) return fail(`"${expression}" refers to itself`);
  if (depth >= MAX_DEPTH) return fail(`variables nest deeper than ${MAX_DEPTH}`);

  // File variables win over the environment, as in REST Client. The last definition wins.
  let raw: string | undefined;
  for (const v of ctx.fileVariables) if (v.name === expression) raw = v.value;
  if (raw === undefined && Object.prototype.hasOwnProperty.call(ctx.environment, expression)) raw = ctx.environment[expression];
  if (raw === undefined) return fail(`"${expression}" is not defined in the file or the environment`);
  const nested = new Set(seen).add(expression);
  return expand(raw, ctx, unresolved, depth + 1, nested);
}

function dynamicVariable(expression: string, ctx: VariableContext): string {
  const now = ctx.now?.() ?? new Date();
  const [name, ...args] = expression.split(/\s+/);
  switch (name) {
    case '$uuid':
    case '$guid':
    case '$random.uuid':
      return randomUUID();
    case '$timestamp':
      return String(Math.floor(offsetDate(now, args).getTime() / 1000));
    case '$isoTimestamp':
      return now.toISOString();
    case '$datetime':
    case '$localDatetime': {
      const d = offsetDate(now, args.slice(1));
      const format = (args[0] ?? 'iso8601').replace(/^"|"$/g, '');
      if (format === 'rfc1123') return d.toUTCString();
      if (format === 'iso8601') return d.toISOString();
      throw new Error(`$datetime supports rfc1123 and iso8601, not ${format}`);
    }
    case '$randomInt': {
      const min = args.length ? Number(args[0]) : 0;
      const max = args.length > 1 ? Number(args[1]) : 1000;
      if (!Number.isInteger(min) || !Number.isInteger(max) || max <= min) throw new Error('$randomInt takes two integers min < max');
      return String(randomInt(min, max));
    }
    case '$processEnv':
    case '$dotenv': {
      let key = args[0];
      if (!key) throw new Error(`${name} needs a variable name`);
      // `%name` reads the name from the environment first (REST Client).
      if (key.startsWith('%')) {
        const indirect = ctx.environment[key.slice(1)];
        if (indirect === undefined) throw new Error(`"${key.slice(1)}" is not defined in the environment`);
        key = indirect;
      }
      const source = name === '$processEnv' ? ctx.processEnv : ctx.dotenv;
      const value = source[key];
      if (value === undefined) throw new Error(`${name}: "${key}" is not set`);
      return value;
    }
  }
  const integer = /^\$random\.integer\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)$/.exec(expression);
  if (integer) return String(randomInt(Number(integer[1]), Number(integer[2])));
  throw new Error(`unknown dynamic variable ${name}`);
}

function offsetDate(now: Date, args: string[]): Date {
  if (args.length < 2) return now;
  const amount = Number(args[0]);
  const unit = args[1];
  const ms: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  if (!Number.isFinite(amount)) return now;
  if (unit === 'M' || unit === 'y') {
    const d = new Date(now);
    if (unit === 'M') d.setUTCMonth(d.getUTCMonth() + amount);
    else d.setUTCFullYear(d.getUTCFullYear() + amount);
    return d;
  }
  return ms[unit] ? new Date(now.getTime() + amount * ms[unit]) : now;
}

function responseReference(
  ctx: VariableContext,
  name: string,
  which: 'request' | 'response',
  part: 'body' | 'headers',
  path: string | undefined,
): string | { error: string } {
  const exchange = ctx.exchanges.get(name);
  if (!exchange) return { error: `no request named "${name}" has been sent yet; send it first` };
  const snapshot = exchange[which];
  if (!snapshot) return { error: `"${name}" has no ${which} yet` };
  if (part === 'headers') {
    if (!path) return { error: 'name the header: …headers.Content-Type' };
    const lower = path.toLowerCase();
    const found = snapshot.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
    return found.length ? found.join(', ') : { error: `${which} of "${name}" has no header ${path}` };
  }
  if (!path || path === '*') return snapshot.body;
  if (!path.startsWith('$')) return { error: `body paths are JSONPath ($.a.b[0]); got ${path}` };
  let json: unknown;
  try {
    json = JSON.parse(snapshot.body);
  } catch {
    return { error: `${which} body of "${name}" is not JSON` };
  }
  const value = jsonPath(json, path);
  if (value === undefined) return { error: `${path} matches nothing in the ${which} body of "${name}"` };
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The subset of JSONPath that references need: $.a.b, $[0], $['a b'], $.a[2].c */
export function jsonPath(root: unknown, path: string): unknown {
  const tokens: (string | number)[] = [];
  const re = /\.([\w$-]+)|\[(\d+)\]|\[['"](.+?)['"]\]/g;
  const rest = path.slice(1);
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest)) !== null) {
    if (m.index !== consumed) return undefined;
    consumed = re.lastIndex;
    tokens.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]));
  }
  if (consumed !== rest.length) return undefined;
  let cur: unknown = root;
  for (const t of tokens) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[t];
  }
  return cur;
}
