// The Wireplay sidebar: server state and controls, live connections, recent
// traffic and routes. Receives ToSidebar messages, sends FromSidebar ones
// (protocol.ts); long lists are virtualised. UI state (collapsed sections)
// survives reloads through getState/setState.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import { assertNever, type ConnectionRow, type FromSidebar, type RouteRow, type ServerView, type ToSidebar, type TrafficRow } from '../../server-core/protocol/sidebar.js';
import { SIDEBAR_CSS } from './styles.js';
import { VirtualList } from './virtual-list.js';

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

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function icon(name: string, label?: string): HTMLElement {
  const i = document.createElement('vscode-icon');
  i.setAttribute('name', name);
  if (label) i.setAttribute('label', label);
  return i;
}

function button(text: string, iconName: string, command: Extract<FromSidebar, { type: 'command' }>['command'], secondary = true): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = text;
  b.setAttribute('icon', iconName);
  if (secondary) b.setAttribute('secondary', '');
  b.dataset.command = command;
  b.addEventListener('click', () => send({ type: 'command', command }));
  return b;
}

function section(id: string, title: string, body: HTMLElement): { root: HTMLElement; badge: HTMLElement } {
  const c = document.createElement('vscode-collapsible');
  c.setAttribute('title', title);
  c.id = `section-${id}`;
  if (!ui.collapsed[id]) c.setAttribute('open', '');
  const badge = document.createElement('vscode-badge');
  badge.setAttribute('slot', 'decorations');
  badge.setAttribute('variant', 'counter');
  badge.textContent = '0';
  c.append(badge, body);
  c.addEventListener('vsc-collapsible-toggle', (e) => {
    ui.collapsed[id] = !(e as CustomEvent<{ open: boolean }>).detail?.open;
    vscode.setState(ui);
  });
  return { root: c, badge };
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

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

function cells(row: HTMLElement, parts: [string, string, string?][]): void {
  // Reuse the cells when the row already has them (virtual list re-renders in place).
  if (row.childElementCount !== parts.length) {
    row.replaceChildren(...parts.map(([cls]) => el('span', cls)));
  }
  parts.forEach(([cls, text, title], i) => {
    const c = row.children[i] as HTMLElement;
    c.className = cls;
    if (c.textContent !== text) c.textContent = text;
    if (title !== undefined) c.title = title;
  });
}

// ------------------------------------------------------------------ server

const serverBox = el('div', 'server');
serverBox.id = 'server';
const stateLine = el('div', 'state-line');
const stateDot = el('span', 'dot');
const stateText = el('span', 'state-text');
stateText.dataset.testid = 'server-state';
const urlLink = el('a', 'url');
urlLink.dataset.testid = 'server-url';
urlLink.href = '#';
urlLink.addEventListener('click', (e) => {
  e.preventDefault();
  if (urlLink.dataset.url) send({ type: 'openUrl', url: urlLink.dataset.url });
});
stateLine.append(stateDot, stateText, urlLink);
const modeLine = el('div', 'mode-line');
const modeText = el('span', 'mode');
modeText.dataset.testid = 'server-mode';
modeLine.append(icon('arrow-swap'), modeText);
const buttons = el('div', 'buttons');
const startBtn = button('Start', 'play', 'start', false);
const stopBtn = button('Stop', 'debug-stop', 'stop');
const restartBtn = button('Restart', 'debug-restart', 'restart');
const modeBtn = button('Switch mode', 'arrow-swap', 'switchMode');
const playBtn = button('Playground', 'plug', 'openPlayground');
buttons.append(startBtn, stopBtn, restartBtn, modeBtn, playBtn);
const notices = el('div', 'notices');
serverBox.append(stateLine, modeLine, buttons, notices);

function renderServer(s: ServerView): void {
  document.body.dataset.state = s.state;
  stateDot.className = `dot ${s.state}`;
  const labels: Record<ServerView['state'], string> = {
    running: 'Running at',
    stopped: 'Stopped',
    starting: 'Starting…',
    stopping: 'Stopping…',
    failed: 'Failed to start',
  };
  stateText.textContent = labels[s.state];
  urlLink.hidden = !s.url;
  urlLink.textContent = s.url ?? '';
  urlLink.dataset.url = s.url ?? '';
  modeText.textContent = s.mode === 'sequential' ? 'sequential: one request at a time' : 'concurrent: all connections at once';
  const running = s.state === 'running';
  const busy = s.state === 'starting' || s.state === 'stopping';
  startBtn.toggleAttribute('disabled', running || busy);
  stopBtn.toggleAttribute('disabled', !running);
  restartBtn.toggleAttribute('disabled', !running);
  const notes = [...(s.message && !s.notices.includes(s.message) ? [s.message] : []), ...s.notices];
  notices.replaceChildren(
    ...notes.map((n) => {
      const d = el('div', s.state === 'failed' ? 'notice error' : 'notice');
      d.append(icon(s.state === 'failed' ? 'error' : 'info'), el('span', '', n));
      return d;
    }),
  );
}

// ------------------------------------------------------------- connections

const connList = new VirtualList<ConnectionRow>({
  rowHeight: 22,
  maxHeight: 220,
  empty: 'No connections yet. Send a request to the server.',
  key: (r) => r.id,
  render(r, row) {
    row.dataset.testid = 'connection-row';
    row.classList.toggle('closed', r.closedAt !== undefined);
    cells(row, [
      [`proto ${r.protocol}`, r.protocol.toUpperCase()],
      ['peer', shortPeer(r.peer), `${r.id} from ${r.peer}`],
      ['age', age(r.openedAt, r.closedAt), r.closedAt ? `lasted ${age(r.openedAt, r.closedAt)}` : `open for ${age(r.openedAt)}`],
      ['io', `↓${bytes(r.bytesIn)} ↑${bytes(r.bytesOut)}`, `${r.bytesIn} bytes received, ${r.bytesOut} bytes sent`],
      ['status', r.closedAt === undefined ? 'open' : 'closed'],
    ]);
  },
});
const conns = section('connections', 'Connections', connList.element);

// ----------------------------------------------------------------- traffic

const trafficList = new VirtualList<TrafficRow>({
  rowHeight: 22,
  maxHeight: 260,
  empty: 'No traffic yet.',
  key: (r) => r.id,
  onActivate: (r) => send({ type: 'openTraffic', id: r.id }),
  render(r, row) {
    row.dataset.testid = 'traffic-row';
    row.title = `Open ${r.method} ${r.target} in the playground inspector`;
    const status = r.status === undefined ? '…' : String(r.status);
    const cls = r.status === undefined ? '' : r.status >= 500 ? 's5' : r.status >= 400 ? 's4' : r.status >= 300 ? 's3' : 's2';
    const detail = r.kind === 'ws' ? `${r.messages ?? 0} frames${r.done ? '' : ' · live'}` : r.durationMs !== undefined ? `${Math.round(r.durationMs)} ms` : '';
    cells(row, [
      [`method ${r.kind}`, r.method],
      ['target', r.target, r.target],
      [`code ${cls}`, status],
      ['detail', detail],
    ]);
  },
});
const traffic = section('traffic', 'Recent traffic', trafficList.element);

// ------------------------------------------------------------------ routes

const routesBody = el('div', 'routes');
const routesList = new VirtualList<RouteRow>({
  rowHeight: 22,
  maxHeight: 330,
  empty: 'The server is stopped.',
  key: (r) => `${r.method} ${r.path} ${r.source}`,
  render(r, row) {
    row.dataset.testid = 'route-row';
    cells(row, [
      ['method', r.method],
      ['target', r.path, r.description ?? r.path],
      [`source ${r.source === 'built-in' ? 'builtin' : 'file'}`, r.source === 'built-in' ? 'built-in' : 'file'],
    ]);
  },
});
const routesNote = el('div', 'routes-note');
const routesActions = el('div', 'buttons');
routesActions.append(button('Open routes file', 'go-to-file', 'openRoutesFile'));
routesBody.append(routesNote, routesList.element, routesActions);
const routes = section('routes', 'Routes', routesBody);

const root = document.getElementById('root') ?? document.body;
root.append(serverBox, conns.root, traffic.root, routes.root);

// ---------------------------------------------------------------- messages

let connectionRows: ConnectionRow[] = [];

window.addEventListener('message', (event: MessageEvent<ToSidebar>) => {
  const msg = event.data;
  if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
  switch (msg.type) {
    case 'server':
      renderServer(msg.server);
      return;
    case 'connections': {
      // Open connections first, then the most recent closed ones.
      connectionRows = [...msg.rows].reverse().sort((a, b) => Number(a.closedAt !== undefined) - Number(b.closedAt !== undefined));
      connList.setRows(connectionRows);
      conns.badge.textContent = String(msg.open);
      conns.badge.title = `${msg.open} open, ${msg.total} since the capture was cleared`;
      return;
    }
    case 'traffic':
      trafficList.setRows([...msg.rows].reverse());
      traffic.badge.textContent = String(msg.total);
      return;
    case 'routes': {
      routesList.setRows(msg.routes.routes);
      routes.badge.textContent = String(msg.routes.routes.length);
      const notes: string[] = [];
      if (msg.routes.file) notes.push(`Routes file: ${msg.routes.file}`);
      if (msg.routes.problem) notes.push(msg.routes.problem);
      routesNote.textContent = notes.join(' — ');
      routesNote.classList.toggle('problem', !!msg.routes.problem);
      return;
    }
    default:
      assertNever(msg);
  }
});

// Ages of open connections move with time.
setInterval(() => {
  if (connectionRows.some((r) => r.closedAt === undefined)) connList.refresh();
}, 1000);

send({ type: 'ready' });
