import * as vscode from 'vscode';
import type { ProxyRule } from '../../server-core/index.js';
import { buildRule, ruleLocation, withRule } from '../config/proxy-rule-form.js';
import { rulesScopes, scopeName, writeRules } from '../config/proxy-rules-setting.js';
import { ruleRow } from '../server/proxy-controller.js';
import { askRule, ruleToChange } from './proxy-rule-questions.js';
import type { Services } from './types.js';

export const id = 'wireplay.editProxyRule';

/**
 * Asks the rule's questions again, each offering its present answer, and replaces its entry of
 * wireplay.proxy.rules (same id, same place; `enabled` as written). The rule is its row in the Server
 * view, its id, or picked from the list. Escape at any step changes nothing.
 */
export async function execute(s: Services, target?: unknown): Promise<ProxyRule | undefined> {
  const found = await ruleToChange('Edit Proxy Rule', target);
  if (!found) return undefined;
  const answers = await askRule(`Wireplay: Edit Proxy Rule ${found.rule.id}`, found.rule);
  if (!answers) return undefined;
  const now = ruleLocation(rulesScopes(), found.rule.id);
  if (!('scope' in now)) {
    void vscode.window.showWarningMessage(`Wireplay: the rule ${found.rule.id} left wireplay.proxy.rules while it was being edited; nothing was written.`);
    return undefined;
  }
  const rule = buildRule(answers, [], now.rule);
  const failed = await writeRules(now.scope, withRule(now.list, rule));
  if (failed) {
    void vscode.window.showErrorMessage(`Wireplay: the rule was not saved to ${scopeName(now.scope)}: ${failed}`);
    return undefined;
  }
  s.log.info(`proxy rule ${rule.id} changed in ${scopeName(now.scope)}: ${ruleRow(rule).summary}`);
  vscode.window.setStatusBarMessage(`$(check) Wireplay: proxy rule ${rule.id} saved (${ruleRow(rule).summary})`, 6000);
  return rule;
}
