// Proxy rules, pure: validation (a bad rule is refused whole, with the rule and
// the field named) and the matcher the forwarding path asks once per request.
// Patterns are compiled once, when the rules are set, never per request.
import type { ProxyRule } from './types.js';

export class ProxyRuleError extends Error {
  override readonly name = 'ProxyRuleError';
}

export interface CompiledRule {
  rule: ProxyRule;
  method: string | undefined;
  test(path: string): boolean;
}

const MAX_LATENCY_MS = 10 * 60_000;

/** Checks every rule and compiles the enabled ones, in order. Throws ProxyRuleError naming the first problem. */
export function compileRules(rules: readonly ProxyRule[]): CompiledRule[] {
  const ids = new Set<string>();
  const out: CompiledRule[] = [];
  rules.forEach((rule, i) => {
    const where = `rule ${i + 1}${typeof rule?.id === 'string' && rule.id ? ` (${rule.id})` : ''}`;
    const fail = (message: string): never => {
      throw new ProxyRuleError(`${where}: ${message}`);
    };
    if (typeof rule !== 'object' || rule === null) fail('not an object');
    if (typeof rule.id !== 'string' || rule.id === '') fail('needs an id');
    if (ids.has(rule.id)) fail(`the id ${rule.id} is used twice`);
    ids.add(rule.id);
    if (typeof rule.path !== 'string' || !rule.path.startsWith('/')) fail('path must be a pattern starting with /');
    if (rule.method !== undefined && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(rule.method)) fail(`method ${JSON.stringify(rule.method)} is not a method`);
    const count = (name: 'latencyMs' | 'bytesPerSecond' | 'dropAfterBytes', min: number, max: number) => {
      const v = rule[name];
      if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max)) fail(`${name} must be an integer from ${min} to ${max}`);
    };
    count('latencyMs', 0, MAX_LATENCY_MS);
    count('bytesPerSecond', 1, Number.MAX_SAFE_INTEGER);
    count('dropAfterBytes', 0, Number.MAX_SAFE_INTEGER);
    if (rule.respond !== undefined) {
      const s = rule.respond.status;
      if (!(Number.isInteger(s) && s >= 200 && s <= 599)) fail('respond.status must be a final status, 200 to 599');
      if (rule.respond.body !== undefined && typeof rule.respond.body !== 'string') fail('respond.body must be text');
      if (rule.respond.contentType !== undefined && /[\r\n]/.test(rule.respond.contentType)) fail('respond.contentType must be one line');
    }
    if (rule.enabled === false) return;
    out.push({ rule, method: rule.method, test: compilePathPattern(rule.path) });
  });
  return out;
}

/** The first enabled rule for this request, or undefined. */
export function matchRule(rules: readonly CompiledRule[], method: string, target: string): ProxyRule | undefined {
  if (rules.length === 0) return undefined;
  const path = pathOfTarget(target);
  for (const r of rules) {
    if (r.method !== undefined && r.method !== method) continue;
    if (r.test(path)) return r.rule;
  }
  return undefined;
}

/** The path of a request target: origin form without its query; the path of an absolute form; '' for `*` and authority forms. */
export function pathOfTarget(target: string): string {
  let path = target;
  if (!path.startsWith('/')) {
    const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(path);
    if (!scheme) return '';
    path = path.slice(scheme[0].length) || '/';
  }
  const q = path.search(/[?#]/);
  return q < 0 ? path : path.slice(0, q);
}

/** `*` within a segment, `**` across segments, the rest literal. */
export function compilePathPattern(pattern: string): (path: string) => boolean {
  if (!pattern.includes('*')) return (path) => path === pattern;
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      // `/**` at the end also matches the bare prefix (`/api/**` matches `/api`).
      if (pattern[i - 1] === '/' && i + 2 === pattern.length) {
        source = source.slice(0, -1) + '(?:/.*)?';
      } else source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  const re = new RegExp(source + '$');
  return (path) => re.test(path);
}
