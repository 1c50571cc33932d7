import * as vscode from 'vscode';
import { withoutRule } from '../config/proxy-rule-form.js';
import { rulesScopes, scopeName, writeRules } from '../config/proxy-rules-setting.js';
import { ruleToChange } from './proxy-rule-questions.js';
import type { Services } from './types.js';

export const id = 'wireplay.removeProxyRule';

/**
 * Removes a rule's entry from wireplay.proxy.rules (its row in the Server view, its id, or picked from
 * the list); the running proxy drops it at once. No confirmation: the message offers Undo, which puts
 * the list back as it was if nothing changed it since.
 */
export async function execute(s: Services, target?: unknown): Promise<string | undefined> {
  const found = await ruleToChange('Remove Proxy Rule', target);
  if (!found) return undefined;
  const { scope, list, rule } = found;
  const next = withoutRule(list, rule.id);
  const failed = await writeRules(scope, next);
  if (failed) {
    void vscode.window.showErrorMessage(`Wireplay: the rule was not removed from ${scopeName(scope)}: ${failed}`);
    return undefined;
  }
  s.log.info(`proxy rule ${rule.id} removed from ${scopeName(scope)}`);
  void vscode.window.showInformationMessage(`Wireplay: proxy rule ${rule.id} removed from ${scopeName(scope)}.`, 'Undo').then(async (choice) => {
    if (!choice) return;
    const nowScopes = rulesScopes();
    const now = scope === 'workspace' ? nowScopes.workspaceValue : nowScopes.globalValue;
    if (JSON.stringify(now) !== JSON.stringify(next)) {
      void vscode.window.showWarningMessage(`Wireplay: wireplay.proxy.rules changed since ${rule.id} was removed; it was not put back.`);
      return;
    }
    const undoFailed = await writeRules(scope, list);
    if (undoFailed) void vscode.window.showErrorMessage(`Wireplay: the rule was not put back: ${undoFailed}`);
  });
  return rule.id;
}
