// The guided flow shared by Add Proxy Rule… and Edit Proxy Rule…: the path
// pattern (optionally after a method), the effects, then a box per effect.
// Every box checks its answer with the proxy's own validator and keeps what
// was typed while it is refused; Escape at any step cancels (undefined).
import * as vscode from 'vscode';
import type { ProxyRule } from '../../server-core/index.js';
import { bodyInputOf, checkPathInput, EFFECTS, effectsOf, parseBodyInput, parseEffectNumber, pathInputOf, ruleLocation, rulesInForce, splitPathInput, type RuleAnswers, type RuleEffect, type WritableScope } from '../config/proxy-rule-form.js';
import { cannotWrite, rulesScopes, scopeName } from '../config/proxy-rules-setting.js';
import { ruleRow } from '../server/proxy-controller.js';
import { itemRef } from './item-ref.js';

export async function askRule(title: string, base?: ProxyRule): Promise<RuleAnswers | undefined> {
  const pathText = await vscode.window.showInputBox({
    title,
    prompt: 'Requests whose path matches get the rule: * within a segment, ** across segments (/api/** also matches /api). Optionally a method first: GET /search',
    placeHolder: '/api/**',
    value: base ? pathInputOf(base) : '',
    ignoreFocusOut: true,
    validateInput: checkPathInput,
  });
  if (pathText === undefined) return undefined;
  const answers: RuleAnswers = splitPathInput(pathText);

  const had = base ? effectsOf(base) : [];
  let effects: RuleEffect[] | undefined;
  for (let again = false; ; again = true) {
    const picked = await vscode.window.showQuickPick(
      EFFECTS.map((e) => ({ label: e.label, detail: e.detail, effect: e.effect, picked: had.includes(e.effect) })),
      { title, canPickMany: true, ignoreFocusOut: true, placeHolder: again ? 'Pick at least one effect (Escape cancels)' : `What requests to ${answers.path} get: pick one or more, then Enter` },
    );
    if (picked === undefined) return undefined;
    effects = picked.map((p) => p.effect);
    if (effects.length > 0) break;
  }

  for (const info of EFFECTS) {
    if (!effects.includes(info.effect)) continue;
    const old = info.effect === 'respond' ? base?.respond?.status : base?.[info.effect];
    const text = await vscode.window.showInputBox({
      title: `${title}: ${info.label}`,
      prompt: info.prompt,
      placeHolder: info.placeHolder,
      value: old !== undefined ? String(old) : '',
      ignoreFocusOut: true,
      validateInput: (t) => {
        const r = parseEffectNumber(info.effect, t);
        return 'error' in r ? r.error : undefined;
      },
    });
    if (text === undefined) return undefined;
    const parsed = parseEffectNumber(info.effect, text);
    if ('error' in parsed) return undefined;
    if (info.effect !== 'respond') {
      answers[info.effect] = parsed.value;
      continue;
    }
    const bodyText = await vscode.window.showInputBox({
      title: `${title}: the body of the ${parsed.value} answer`,
      prompt: 'Optional: the answer\'s body as text (\\n for a line break, \\t, \\\\, \\uXXXX); empty for none',
      placeHolder: 'down for maintenance\\n',
      value: base?.respond?.body !== undefined ? bodyInputOf(base.respond.body) : '',
      ignoreFocusOut: true,
      validateInput: (t) => {
        const r = parseBodyInput(t);
        return 'error' in r ? r.error : undefined;
      },
    });
    if (bodyText === undefined) return undefined;
    const body = parseBodyInput(bodyText);
    if ('error' in body) return undefined;
    answers.respond = { status: parsed.value, ...(body.value ? { body: body.value } : {}) };
  }
  return answers;
}

/** A rule of the list in force, picked by id (for Edit and Remove run from the palette). */
export async function pickRule(title: string, list: readonly unknown[], summary: (rule: ProxyRule) => string): Promise<string | undefined> {
  const rules = list.filter((r): r is ProxyRule => typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string');
  if (rules.length === 0) {
    void vscode.window.showInformationMessage('Wireplay: wireplay.proxy.rules has no rules yet; Add Proxy Rule… makes one.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    rules.map((r) => ({ label: r.id, description: `${summary(r)}${r.enabled === false ? ' · off' : ''}` })),
    { title, placeHolder: 'The rule', ignoreFocusOut: true },
  );
  return picked?.label;
}

/**
 * The rule Edit or Remove applies to: its row (or its id), else picked from the list in force. Undefined,
 * having said why, when it is not in wireplay.proxy.rules or lives in a scope the commands cannot write.
 */
export async function ruleToChange(command: string, target: unknown): Promise<{ scope: WritableScope; list: unknown[]; rule: ProxyRule } | undefined> {
  const scopes = rulesScopes();
  const id = itemRef(target, 'ruleId').ruleId ?? (await pickRule(`Wireplay: ${command}`, rulesInForce(scopes), (r) => ruleRow(r).summary));
  if (id === undefined) return undefined;
  const where = ruleLocation(scopes, id);
  if ('missing' in where) {
    void vscode.window.showWarningMessage(`Wireplay: the rule ${id} is not in wireplay.proxy.rules (the running proxy kept it from an earlier start); ${command} changes only the setting.`);
    return undefined;
  }
  if ('notWritable' in where) {
    cannotWrite(`the rule ${id} comes from ${scopeName(where.notWritable)}, which ${command} does not write: change it there.`);
    return undefined;
  }
  return where;
}
