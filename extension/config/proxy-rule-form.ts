// The answers of Add Proxy Rule… / Edit Proxy Rule… turned into a rule of
// wireplay.proxy.rules, and the edits of that list. Pure (no vscode): every
// check goes through server-core's own validator (compileRules), so a rule the
// guided flow accepts is a rule the proxy takes, and its messages are the
// proxy's. Where the setting is written, and where an existing rule lives, is
// decided here too, from what `WorkspaceConfiguration.inspect` reports.
import { compileRules, type ProxyRule } from '../../server-core/index.js';

/** The effects a rule can have, in the order the flow asks for them. */
export type RuleEffect = 'respond' | 'latencyMs' | 'bytesPerSecond' | 'dropAfterBytes';

export interface EffectInfo {
  effect: RuleEffect;
  label: string;
  detail: string;
  /** The question for its number (respond: the status). */
  prompt: string;
  placeHolder: string;
}

export const EFFECTS: readonly EffectInfo[] = [
  { effect: 'respond', label: 'Answer a fixed status', detail: 'the proxy answers; your server never sees the request', prompt: 'The status the proxy answers with (200 to 599)', placeHolder: '503' },
  { effect: 'latencyMs', label: 'Add latency', detail: "hold the response's first byte", prompt: 'Milliseconds to hold the response before its first byte (0 to 600000)', placeHolder: '2000' },
  { effect: 'bytesPerSecond', label: 'Throttle bandwidth', detail: 'send the response at a rate', prompt: 'Bytes per second the response goes to the client at (1 or more)', placeHolder: '20000' },
  { effect: 'dropAfterBytes', label: 'Drop the connection after N bytes', detail: 'cut the response short', prompt: 'Response bytes (head included) after which both connections close (0 or more)', placeHolder: '300' },
];

/** What the user answered; an effect left out is not in the rule. */
export interface RuleAnswers {
  path: string;
  method?: string;
  respond?: { status: number; body?: string };
  latencyMs?: number;
  bytesPerSecond?: number;
  dropAfterBytes?: number;
}

/** The proxy's verdict on one rule, without its "rule 1 (id): " prefix: undefined when it is accepted. */
export function ruleProblem(rule: ProxyRule): string | undefined {
  try {
    compileRules([rule]);
    return undefined;
  } catch (err) {
    const m = err instanceof Error ? err.message : String(err);
    return m.replace(/^rule \d+(?: \([^)]*\))?: /, '');
  }
}

const METHOD = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s+(\S.*)$/;

/** The path box takes `PATTERN` or `METHOD PATTERN` (`GET /search`). */
export function splitPathInput(text: string): { path: string; method?: string } {
  const t = text.trim();
  const m = t.startsWith('/') ? null : METHOD.exec(t);
  return m ? { method: m[1], path: m[2].trim() } : { path: t };
}

/** What the path box shows for an existing rule. */
export function pathInputOf(rule: Pick<ProxyRule, 'path' | 'method'>): string {
  return rule.method ? `${rule.method} ${rule.path}` : rule.path;
}

/** The path box's message: undefined when the proxy takes it. */
export function checkPathInput(text: string): string | undefined {
  if (!text.trim()) return 'Type a path pattern such as /api/** (* within a segment, ** across segments), optionally after a method: GET /search.';
  const { path, method } = splitPathInput(text);
  return sentence(ruleProblem({ id: 'new', path, ...(method ? { method } : {}) }));
}

/** A whole number typed for an effect, checked by the proxy's own bounds; `{ error }` is the box's message. */
export function parseEffectNumber(effect: RuleEffect, text: string): { value: number } | { error: string } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { error: effect === 'respond' ? 'Type a status code, 200 to 599.' : 'Type a whole number (digits only).' };
  const value = Number(t);
  const probe: ProxyRule = effect === 'respond' ? { id: 'new', path: '/', respond: { status: value } } : { id: 'new', path: '/', [effect]: value };
  const problem = ruleProblem(probe);
  return problem ? { error: sentence(problem)! } : { value };
}

/**
 * A body in a one-line box: `\n`, `\r`, `\t`, `\\` and `\uXXXX` are escapes (as in JSON), anything else
 * is literal. An unknown escape is refused rather than guessed.
 */
export function parseBodyInput(text: string): { value: string } | { error: string } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = text[++i];
    if (n === 'n') out += '\n';
    else if (n === 'r') out += '\r';
    else if (n === 't') out += '\t';
    else if (n === '\\') out += '\\';
    else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16));
      i += 4;
    } else return { error: `Unknown escape \\${n ?? ''} at character ${i}: use \\n, \\r, \\t, \\\\ or \\uXXXX.` };
  }
  return { value: out };
}

/** The box's text for a body (the inverse of parseBodyInput). */
export function bodyInputOf(body: string): string {
  let out = '';
  for (const c of body) {
    if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c < ' ' || c === '\u007f') out += `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

/** The effects an existing rule has (the flow's pre-picked items). */
export function effectsOf(rule: ProxyRule): RuleEffect[] {
  return EFFECTS.map((e) => e.effect).filter((e) => rule[e] !== undefined);
}

/**
 * The rule the answers make. Editing (`base`), its id, `enabled` and a `contentType` of its answer are
 * kept; its effects are the answered ones only. A new rule gets an id from its path and first effect.
 */
export function buildRule(answers: RuleAnswers, takenIds: Iterable<string>, base?: ProxyRule): ProxyRule {
  const rule: ProxyRule = { id: base?.id ?? newRuleId(answers, takenIds), ...(base?.enabled !== undefined ? { enabled: base.enabled } : {}), path: answers.path };
  if (answers.method) rule.method = answers.method;
  if (answers.latencyMs !== undefined) rule.latencyMs = answers.latencyMs;
  if (answers.bytesPerSecond !== undefined) rule.bytesPerSecond = answers.bytesPerSecond;
  if (answers.dropAfterBytes !== undefined) rule.dropAfterBytes = answers.dropAfterBytes;
  if (answers.respond) {
    rule.respond = { status: answers.respond.status };
    if (answers.respond.body !== undefined && answers.respond.body !== '') rule.respond.body = answers.respond.body;
    if (base?.respond?.contentType !== undefined) rule.respond.contentType = base.respond.contentType;
  }
  return rule;
}

/** `api-503`, `search-latency`, …: the path's words and the first effect, unique among `taken` (`-2`, `-3`, …). */
export function newRuleId(answers: RuleAnswers, taken: Iterable<string>): string {
  const used = new Set(taken);
  const words = answers.path
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .slice(0, 3)
    .join('-');
  const what = answers.respond
    ? String(answers.respond.status)
    : answers.dropAfterBytes !== undefined
      ? 'drop'
      : answers.bytesPerSecond !== undefined
        ? 'throttle'
        : answers.latencyMs !== undefined
          ? 'latency'
          : 'rule';
  const base = [answers.method?.toLowerCase(), words || 'root', what].filter(Boolean).join('-');
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** The ids of a list as written (entries that are not rules are skipped). */
export function idsOf(list: readonly unknown[]): string[] {
  return list.flatMap((r) => (typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string' ? [(r as { id: string }).id] : []));
}

/** The list with `rule` in place of the entry of the same id, or appended; the other entries as written. */
export function withRule(list: readonly unknown[], rule: ProxyRule): unknown[] {
  const i = idsOf(list).includes(rule.id) ? list.findIndex((r) => (r as { id?: unknown })?.id === rule.id) : -1;
  return i < 0 ? [...list, rule] : list.map((r, j) => (j === i ? rule : r));
}

/** The list without the entry of that id. */
export function withoutRule(list: readonly unknown[], id: string): unknown[] {
  return list.filter((r) => (r as { id?: unknown } | null)?.id !== id);
}

/** The scopes of a setting, as `inspect` reports them (language-specific values do not apply to this setting). */
export interface SettingScopes {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** Where the commands write: the workspace's settings when a folder (or workspace) is open, else the user's. */
export type WritableScope = 'workspace' | 'user';
export type RulesScope = WritableScope | 'workspaceFolder' | 'default';

export const SCOPE_NAMES: Record<RulesScope, string> = { workspace: 'workspace settings', user: 'user settings', workspaceFolder: 'folder settings', default: 'the default value' };

/** The scope whose list is in force (VS Code does not merge arrays across scopes: the most specific one wins). */
export function scopeInForce(s: SettingScopes): RulesScope {
  if (Array.isArray(s.workspaceFolderValue)) return 'workspaceFolder';
  if (Array.isArray(s.workspaceValue)) return 'workspace';
  if (Array.isArray(s.globalValue)) return 'user';
  return 'default';
}

/** The list in force, as written. */
export function rulesInForce(s: SettingScopes): unknown[] {
  return listOf(s, scopeInForce(s));
}

function listOf(s: SettingScopes, scope: RulesScope): unknown[] {
  const v = scope === 'workspaceFolder' ? s.workspaceFolderValue : scope === 'workspace' ? s.workspaceValue : scope === 'user' ? s.globalValue : undefined;
  return Array.isArray(v) ? v : [];
}

/**
 * Where Add Proxy Rule… writes, and the list it adds to. The workspace when a folder is open, else the
 * user's settings. When that scope has no list yet, it starts from the list in force (the user's rules,
 * copied), so that adding a rule never hides the others; `copiedFrom` says so. A list in force from a
 * scope the command cannot write (folder settings of a multi-root workspace) is refused: `blockedBy`.
 */
export function addTarget(s: SettingScopes, folderOpen: boolean): { scope: WritableScope; list: unknown[]; copiedFrom?: RulesScope } | { blockedBy: RulesScope } {
  const inForce = scopeInForce(s);
  if (inForce === 'workspaceFolder') return { blockedBy: inForce };
  const scope: WritableScope = folderOpen ? 'workspace' : 'user';
  if (inForce === scope) return { scope, list: listOf(s, scope) };
  if (inForce === 'default' || (inForce === 'workspace' && scope === 'user')) {
    // No folder open but a workspace list in force cannot happen; nothing to copy from the default.
    return { scope, list: listOf(s, scope) };
  }
  return { scope, list: listOf(s, inForce), copiedFrom: inForce };
}

/**
 * Where an existing rule (by id) lives, for Edit and Remove: the list in force, when it has the rule and the
 * command can write its scope. Otherwise why not: in a scope it cannot write, or in no list in force.
 */
export function ruleLocation(s: SettingScopes, id: string): { scope: WritableScope; list: unknown[]; rule: ProxyRule } | { notWritable: RulesScope } | { missing: true } {
  const inForce = scopeInForce(s);
  const list = listOf(s, inForce);
  const rule = list.find((r) => (r as { id?: unknown } | null)?.id === id) as ProxyRule | undefined;
  if (!rule) return { missing: true };
  if (inForce !== 'workspace' && inForce !== 'user') return { notWritable: inForce };
  return { scope: inForce, list, rule };
}

function sentence(m: string | undefined): string | undefined {
  return m === undefined ? undefined : `${m.charAt(0).toUpperCase()}${m.slice(1)}.`;
}
