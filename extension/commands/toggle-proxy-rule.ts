import * as vscode from 'vscode';
import { itemRef } from './item-ref.js';
import type { Services } from './types.js';

export const id = 'wireplay.toggleProxyRule';

/**
 * Turns a rule of the running proxy on or off (its row in the Server view, or its id), for this
 * session: wireplay.proxy.rules is left as written, and a change to it replaces the toggles.
 */
export function execute(s: Services, target?: unknown): boolean | undefined {
  const ruleId = itemRef(target, 'ruleId').ruleId;
  const on = ruleId ? s.proxy.toggleRule(ruleId) : undefined;
  if (on === undefined) {
    void vscode.window.showWarningMessage(`Wireplay: ${s.proxy.state === 'running' ? `the proxy has no rule ${JSON.stringify(ruleId ?? '')}` : 'the proxy is not running'}.`);
    return undefined;
  }
  vscode.window.setStatusBarMessage(`$(check) Wireplay: proxy rule ${ruleId} ${on ? 'on' : 'off'}`, 4000);
  return on;
}
