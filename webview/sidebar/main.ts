// The Wireplay sidebar: server state and controls, live connections, recent
// traffic and routes. Receives ToSidebar messages, sends FromSidebar ones
// (server-core/protocol/sidebar.ts). What it shows is one lit template over
// the state the host last sent, drawn again on every message; long lists are
// the shared virtual list (webview/shared/virtual-list.ts). UI state
// (collapsed sections) survives reloads through getState/setState.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import { html, nothing, render, type TemplateResult } from 'lit';
import {
  assertNever,
  type ConnectionRow,
  type FromSidebar,
  type RoutesView,
  type RouteRow,
  type ServerView,
  type SidebarCommand,
  type ToSidebar,
  type TrafficRow,
} from '../../server-core/protocol/sidebar.js';
import { formatBytes } from '../shared/format.js';
import { VirtualList } from '../shared/virtual-list.js';
import { SIDEBAR_CSS } from './styles.js';

interface VsCodeApi {
  postMessage(message: FromSidebar): void;
  getState(): UiState | undefined;
  setState(state: UiState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface UiState {
  collapsed: Record<string, boolean>;
}

const vscode = acquireVsCodeApi();
const ui: UiState = vscode.getState() ?? { collapsed: {} };
const send = (m: FromSidebar) => vscode.postMessage(m);

const sheet = new CSSStyleSheet();
sheet.replaceSync(SIDEBAR_CSS);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

function age(from: number, to = Date.now()): string {
  const s = Math.max(0, Math.round((to - from) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Loopback peers show as ':port' (the address says nothing in a narrow sidebar); others in full. */
function shortPeer(peer: string): string {
  const m = /^(?:127\.0\.0\.1|::1|::ffff:127\.0\.0\.1):(\d+)$/.exec(peer);
  return m ? `:${m[1]}` : peer;
}

function statusClass(status: number | undefined): string {
  if (status === undefined) return '';
  return status >= 500 ? 's5' : status >= 400 ? 's4' : status >= 300 ? 's3' : 's2';
}

// ------------------------------------------------------------------ lists

const connList = new VirtualList<ConnectionRow>({
  rowHeight: 22,
  maxHeight: 220,
  empty: 'No connections yet. Send a request to the server.',
  label: 'Connections',
  testId: 'connection-row',
  key: (r) => r.id,
  rowClass: (r) => (r.closedAt !== undefined ? 'closed' : ''),
  row: (r) => html`<span class="proto ${r.protocol}">${r.protocol.toUpperCase()}</span
    ><span class="peer" title="${r.id} from ${r.peer}">${shortPeer(r.peer)}</span
    ><span class="age" title=${r.closedAt ? `lasted ${age(r.openedAt, r.closedAt)}` : `open for ${age(r.openedAt)}`}>${age(r.openedAt, r.closedAt)}</span
    ><span class="io" title="${r.bytesIn} bytes received, ${r.bytesOut} bytes sent">↓${formatBytes(r.bytesIn)} ↑${formatBytes(r.bytesOut)}</span
    ><span class="status">${r.closedAt === undefined ? 'open' : 'closed'}</span>`,
});

const trafficList = new VirtualList<TrafficRow>({
  rowHeight: 22,
  maxHeight: 260,
  empty: 'No traffic yet.',
  label: 'Recent traffic',
  testId: 'traffic-row',
  key: (r) => r.id,
  rowTitle: (r) => `Open ${r.method} ${r.target} in the playground inspector`,
  onActivate: (r) => send({ type: 'openTraffic', id: r.id }),
  row: (r) => {
    const detail = r.kind === 'ws' ? `${r.messages ?? 0} frames${r.done ? '' : ' · live'}` : r.durationMs !== undefined ? `${Math.round(r.durationMs)} ms` : '';
    return html`<span class="method ${r.kind}">${r.method}</span
      ><span class="target" title=${r.target}>${r.target}</span
      ><span class="code ${statusClass(r.status)}">${r.status === undefined ? '…' : String(r.status)}</span
      ><span class="detail">${detail}</span>`;
  },
});

const routesList = new VirtualList<RouteRow>({
  rowHeight: 22,
  maxHeight: 330,
  empty: 'The server is stopped.',
  label: 'Routes',
  testId: 'route-row',
  key: (r) => `${r.method} ${r.path} ${r.source}`,
  row: (r) => html`<span class="method">${r.method}</span
    ><span class="target" title=${r.description ?? r.path}>${r.path}</span
    ><span class="source ${r.source === 'built-in' ? 'builtin' : 'file'}">${r.source === 'built-in' ? 'built-in' : 'file'}</span>`,
});

// ------------------------------------------------------------------ view

/** What the host last said. */
const state: {
  server?: ServerView;
  connections: { rows: ConnectionRow[]; open: number; total: number };
  traffic: { total: number };
  routes?: RoutesView;
} = { connections: { rows: [], open: 0, total: 0 }, traffic: { total: 0 } };

const STATE_LABELS: Record<ServerView['state'], string> = {
  running: 'Running at',
  stopped: 'Stopped',
  starting: 'Starting…',
  stopping: 'Stopping…',
  failed: 'Failed to start',
};

function button(text: string, icon: string, command: SidebarCommand, options: { primary?: boolean; disabled?: boolean } = {}): TemplateResult {
  return html`<vscode-button
    icon=${icon}
    ?secondary=${!options.primary}
    ?disabled=${options.disabled ?? false}
    data-command=${command}
    @click=${() => send({ type: 'command', command })}
    >${text}</vscode-button
  >`;
}

function serverView(s: ServerView | undefined): TemplateResult {
  const st = s?.state ?? 'stopped';
  const running = st === 'running';
  const busy = st === 'starting' || st === 'stopping';
  const notes = s ? [...(s.message && !s.notices.includes(s.message) ? [s.message] : []), ...s.notices] : [];
  const openUrl = (e: Event) => {
    e.preventDefault();
    if (s?.url) send({ type: 'openUrl', url: s.url });
  };
  return html`<div class="server" id="server">
    <div class="state-line">
      <span class="dot ${st}"></span>
      <span class="state-text" data-testid="server-state">${s ? STATE_LABELS[st] : ''}</span>
      <a class="url" data-testid="server-url" href="#" ?hidden=${!s?.url} @click=${openUrl}>${s?.url ?? ''}</a>
    </div>
    <div class="mode-line">
      <vscode-icon name="arrow-swap"></vscode-icon>
      <span class="mode" data-testid="server-mode">${!s ? '' : s.mode === 'sequential' ? 'sequential: one request at a time' : 'concurrent: all connections at once'}</span>
    </div>
    <div class="buttons">
      ${button('Start', 'play', 'start', { primary: true, disabled: running || busy })} ${button('Stop', 'debug-stop', 'stop', { disabled: !running })}
      ${button('Restart', 'debug-restart', 'restart', { disabled: !running })} ${button('Switch mode', 'arrow-swap', 'switchMode')}
      ${button('Playground', 'plug', 'openPlayground')}
    </div>
    <div class="notices">
      ${notes.map(
        (n) => html`<div class="notice ${st === 'failed' ? 'error' : ''}"><vscode-icon name=${st === 'failed' ? 'error' : 'info'}></vscode-icon><span>${n}</span></div>`,
      )}
    </div>
  </div>`;
}

function section(id: string, title: string, badge: { count: number; title?: string }, body: unknown): TemplateResult {
  const toggled = (e: Event) => {
    ui.collapsed[id] = !(e as CustomEvent<{ open: boolean }>).detail?.open;
    vscode.setState(ui);
  };
  return html`<vscode-collapsible id="section-${id}" title=${title} ?open=${!ui.collapsed[id]} @vsc-collapsible-toggle=${toggled}>
    <vscode-badge slot="decorations" variant="counter" title=${badge.title ?? nothing}>${badge.count}</vscode-badge>
    ${body}
  </vscode-collapsible>`;
}

function routesBody(r: RoutesView | undefined): TemplateResult {
  const notes: string[] = [];
  if (r?.file) notes.push(`Routes file: ${r.file}`);
  if (r?.problem) notes.push(r.problem);
  return html`<div class="routes">
    <div class="routes-note ${r?.problem ? 'problem' : ''}">${notes.join(' — ')}</div>
    ${routesList.element}
    <div class="buttons">${button('Open routes file', 'go-to-file', 'openRoutesFile')}</div>
  </div>`;
}

const root = document.getElementById('root') ?? document.body;

function draw(): void {
  if (state.server) document.body.dataset.state = state.server.state;
  const c = state.connections;
  render(
    html`${serverView(state.server)}
    ${section('connections', 'Connections', { count: c.open, title: `${c.open} open, ${c.total} since the capture was cleared` }, connList.element)}
    ${section('traffic', 'Recent traffic', { count: state.traffic.total }, trafficList.element)}
    ${section('routes', 'Routes', { count: state.routes?.routes.length ?? 0 }, routesBody(state.routes))}`,
    root,
  );
}

// ---------------------------------------------------------------- messages

window.addEventListener('message', (event: MessageEvent<ToSidebar>) => {
  const msg = event.data;
  if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
  switch (msg.type) {
    case 'server':
      state.server = msg.server;
      break;
    case 'connections':
      // Open connections first, then the most recent closed ones.
      state.connections = {
        rows: [...msg.rows].reverse().sort((a, b) => Number(a.closedAt !== undefined) - Number(b.closedAt !== undefined)),
        open: msg.open,
        total: msg.total,
      };
      connList.setRows(state.connections.rows);
      break;
    case 'traffic':
      state.traffic = { total: msg.total };
      trafficList.setRows([...msg.rows].reverse());
      break;
    case 'routes':
      state.routes = msg.routes;
      routesList.setRows(msg.routes.routes);
      break;
    default:
      assertNever(msg);
  }
  draw();
});

// Ages of open connections move with time.
setInterval(() => {
  if (state.connections.rows.some((r) => r.closedAt === undefined)) connList.refresh();
}, 1000);

draw();
send({ type: 'ready' });
