import * as vscode from 'vscode';
import { currentSettings } from '../config/settings.js';
import type { ProxyStartResult } from '../server/proxy-controller.js';
import type { Services } from './types.js';

export const id = 'wireplay.startProxy';

/**
 * Starts the recording proxy on 127.0.0.1 (wireplay.proxy.port) in front of a target. Asks for the
 * target, offering wireplay.proxy.target; a test or another command passes it (a string, or
 * `{ target, port }`) and is not asked. An invalid target is refused in the input box itself.
 * The other wireplay.proxy.* settings (TLS checks, malformed requests, timeout, rewrites, rules)
 * are read now: they apply from this start (the rules also change live, settings.ts).
 */
export async function execute(s: Services, arg?: unknown): Promise<ProxyStartResult | undefined> {
  const settings = currentSettings().proxy;
  const given = typeof arg === 'string' ? { target: arg } : typeof arg === 'object' && arg !== null && typeof (arg as { target?: unknown }).target === 'string' ? (arg as { target: string; port?: unknown }) : undefined;
  const { parseProxyTarget } = await import('../../server-core/index.js');
  const check = (text: string): string | undefined => {
    try {
      parseProxyTarget(text);
      return undefined;
    } catch (err) {
      const m = (err as Error).message;
      return `${m.charAt(0).toUpperCase()}${m.slice(1)}.`;
    }
  };
  const target =
    given?.target ??
    (await vscode.window.showInputBox({
      title: 'Wireplay: Start Proxy',
      prompt: 'The server to put the proxy in front of (an origin; the proxy listens on 127.0.0.1 and records both legs)',
      placeHolder: 'http://127.0.0.1:3000',
      value: settings.target,
      ignoreFocusOut: true,
      validateInput: (text) => (text.trim() ? check(text) : 'Type the URL of your server, such as http://127.0.0.1:3000.'),
    }));
  if (target === undefined || !target.trim()) return undefined;
  const port = typeof given?.port === 'number' && Number.isInteger(given.port) && given.port >= 0 && given.port <= 65535 ? given.port : settings.port;
  const result = await s.proxy.start({
    target: target.trim(),
    port,
    insecure: settings.insecure,
    passMalformed: settings.passMalformed,
    timeoutMs: settings.timeoutMs,
    rewriteHost: settings.rewriteHost,
    xForwarded: settings.xForwarded,
    rules: settings.rules,
  });
  if (result.ok) {
    const note = result.warnings.length ? ` ${result.warnings.join(' ')}` : '';
    const text = result.alreadyRunning ? `The Wireplay proxy is already running: ${result.url} → ${result.target}. Stop it first to change its target.` : `Wireplay proxy on ${result.url} → ${result.target}. Point your browser or app at the proxy's address.${note}`;
    void vscode.window.showInformationMessage(text, 'Copy Proxy URL').then((choice) => {
      if (choice) void vscode.env.clipboard.writeText(result.url);
    });
    return result;
  }
  if (result.reason === 'invalid-rules') {
    void vscode.window.showErrorMessage(`Wireplay: the proxy did not start: ${result.message}`, 'Open Settings').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'wireplay.proxy.rules');
    });
    return result;
  }
  void vscode.window.showErrorMessage(`Wireplay: the proxy did not start: ${result.message}`, 'Show Log').then((choice) => {
    if (choice) s.log.show();
  });
  return result;
}
