import * as vscode from 'vscode';
import type { ProxyRule } from '../../server-core/index.js';
import { addTarget, buildRule, idsOf, withRule } from '../config/proxy-rule-form.js';
import { cannotWrite, folderOpen, rulesScopes, scopeName, writeRules } from '../config/proxy-rules-setting.js';
import { ruleRow } from '../server/proxy-controller.js';
import { askRule } from './proxy-rule-questions.js';
import type { Services } from './types.js';

export const id = 'wireplay.addProxyRule';

/**
 * Asks for a rule (path pattern, then its effects) and appends it to wireplay.proxy.rules: the
 * workspace's settings when a folder is open, else the user's. A running proxy takes it at once
 * (SettingsWatcher). Escape at any step writes nothing. Returns the rule written.
 */
export async function execute(s: Services): Promise<ProxyRule | undefined> {
  const before = addTarget(rulesScopes(), folderOpen());
  if ('blockedBy' in before) {
    cannotWrite(`wireplay.proxy.rules is set in ${scopeName(before.blockedBy)}, which Add Proxy Rule does not write: add the rule there.`);
    return undefined;
  }
  const answers = await askRule('Wireplay: Add Proxy Rule');
  if (!answers) return undefined;
  // Read again: the setting may have changed while the questions were open.
  const target = addTarget(rulesScopes(), folderOpen());
  if ('blockedBy' in target) return undefined;
  const rule = buildRule(answers, idsOf(target.list));
  const failed = await writeRules(target.scope, withRule(target.list, rule));
  if (failed) {
    void vscode.window.showErrorMessage(`Wireplay: the rule was not saved to ${scopeName(target.scope)}: ${failed}`);
    return undefined;
  }
  s.log.info(`proxy rule ${rule.id} added to ${scopeName(target.scope)}: ${ruleRow(rule).summary}`);
  const running = s.proxy.state === 'running' ? 'the running proxy applies it now' : 'it applies when the proxy starts';
  if (target.copiedFrom) {
    void vscode.window.showInformationMessage(
      `Wireplay: proxy rule ${rule.id} added to ${scopeName(target.scope)}, with the ${target.list.length} rule(s) of ${scopeName(target.copiedFrom)} copied there (the workspace's list replaces the user's); ${running}.`,
    );
  } else vscode.window.setStatusBarMessage(`$(check) Wireplay: proxy rule ${rule.id} added (${ruleRow(rule).summary}); ${running}`, 6000);
  return rule;
}
