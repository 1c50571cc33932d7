// The Server view's row for the recording proxy (Wireplay: Start Proxy…):
// its address → the target while it runs, with Stop Proxy on the row; Start
// Proxy when it is off; why it failed; under the running row, its rules
// (wireplay.proxy.rules), each toggled on or off with Toggle Proxy Rule, changed
// or removed with Edit / Remove Proxy Rule (Add Proxy Rule… on the proxy's row). Plain data like the other rows
// (tree-model.ts), unit-tested without vscode.
import type { ProxyRuleRow, ProxyView } from '../../server-core/protocol/sidebar.js';
import type { ItemModel } from './tree-model.js';

/** A rule under the running proxy's row: its id, what it does, on or off (Toggle Rule, inline and in its menu). */
function ruleItem(rule: ProxyRuleRow): ItemModel {
  const state = rule.enabled ? 'on' : 'off';
  return {
    id: `proxy.rule:${rule.id}`,
    label: rule.id,
    description: `${rule.summary} · ${state}`,
    tooltip: `Proxy rule ${rule.id}: ${rule.summary}\n${rule.enabled ? 'On: requests that match get this.' : 'Off: requests are forwarded as they are.'}\nToggle Rule turns it ${rule.enabled ? 'off' : 'on'} for this session (wireplay.proxy.rules is left as written); Edit Proxy Rule… and Remove Proxy Rule (its menu) change the setting.`,
    icon: rule.enabled ? { id: 'pass-filled', color: 'testing.iconPassed' } : { id: 'circle-large-outline' },
    contextValue: `wireplay.proxy.rule.${state}`,
    ariaDetail: `Proxy rule, ${state}: ${rule.summary}`,
    ref: { ruleId: rule.id },
  };
}

export function proxyItems(view: ProxyView): ItemModel[] {
  switch (view.state) {
    case 'running': {
      const text = `${view.url ?? '?'} → ${view.target ?? '?'}`;
      const items: ItemModel[] = [
        {
          id: 'proxy.state',
          label: 'Proxy',
          description: text,
          tooltip: `The recording proxy listens on ${view.url} and forwards to ${view.target}. Point your browser or app at ${view.url}: both legs of every connection show in Connections and Recent Traffic. Add Proxy Rule… makes a failure mode of a path (latency, throttling, a cut connection, a fixed status).`,
          icon: { id: 'arrow-swap', color: 'testing.iconPassed' },
          contextValue: 'wireplay.proxy.running',
          ariaDetail: `The recording proxy is running${view.rules?.length ? `, ${view.rules.filter((r) => r.enabled).length} of ${view.rules.length} rules on` : ''}`,
          ...(view.url ? { ref: { url: view.url } } : {}),
          ...(view.rules?.length ? { collapsible: 'expanded' as const, children: view.rules.map(ruleItem) } : {}),
        },
      ];
      if (view.message) items.push({ id: 'proxy.note', label: view.message, tooltip: view.message, icon: { id: 'warning', color: 'editorWarning.foreground' }, ariaDetail: 'Warning' });
      return items;
    }
    case 'starting':
    case 'stopping':
      return [{ id: 'proxy.state', label: 'Proxy', description: `${view.state}…`, icon: { id: 'loading~spin' }, ariaDetail: `The recording proxy is ${view.state}` }];
    case 'failed':
      return [
        {
          id: 'proxy.state',
          label: 'Proxy',
          description: 'failed to start',
          tooltip: `${view.message ?? 'The proxy could not start.'}\nRun "Wireplay: Start Proxy…" to try again.`,
          icon: { id: 'error', color: 'errorForeground' },
          contextValue: 'wireplay.proxy.stopped',
          ariaDetail: `The recording proxy could not start: ${view.message ?? ''}`,
        },
      ];
    case 'stopped':
      return [
        {
          id: 'proxy.state',
          label: 'Proxy',
          description: 'off',
          tooltip: 'The recording proxy is off. "Wireplay: Start Proxy…" puts it in front of your own server, to see its traffic here.',
          icon: { id: 'circle-outline' },
          contextValue: 'wireplay.proxy.stopped',
          ariaDetail: 'The recording proxy is off',
        },
      ];
  }
}
