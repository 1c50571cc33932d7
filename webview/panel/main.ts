// The playground panel: composer on the left, inspector (Parsed / Bytes /
// Timeline) on the right. Runs inside a VS Code webview or in a plain browser
// page served by `wireplay ui`; the transport hides the difference.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './panel.css';
import './queue.css';
import { PROTOCOL_VERSION, assertNever, type ConnectionInfo, type DissectedMessage, type ToWebview } from '../../server-core/protocol/playground.js';
import { BytesView } from './bytes-view.js';
import { fromBase64 } from './bytes-util.js';
import { Composer, defaultComposerState, type ComposerState } from './composer.js';
import { httpChunkedExchange, malformedRaw, wsSession, type FixtureCapture } from './fixtures.js';
import { isKeptConnection, keepConnection, mergeExchanges, restoreConnection, type KeptConnection } from './kept-exchanges.js';
import { ParsedView } from './parsed-view.js';
import { Store } from './store.js';
import { QueueModel } from './queue-model.js';
import { TimelineView } from './timeline.js';
import { createTransport } from './transport.js';
import { esc } from './virtual.js';

interface PanelState {
  v: 1;
  composer: ComposerState;
  tab: number;
  selected: string | null;
  /** The selected connection's HTTP results, for when the host forgot it (a VS Code window reload restarts the host). */
  kept?: KeptConnection;
}

const TABS = ['parsed', 'bytes', 'timeline'] as const;

class App {
  private readonly transport = createTransport();
  /** Bytes of big captures are asked of the host as they are drawn (capture.bytes). */
  readonly store = new Store({ requestBytes: (connectionId, dir, start, end) => this.transport.post({ type: 'capture.bytes', connectionId, dir, start, end }) });
  /** The server's scheduler as the host reports it (the Timeline's server queue view). */
  readonly queue = new QueueModel();
  private state: PanelState;
  private readonly composer: Composer;
  readonly parsed = new ParsedView();
  readonly bytes = new BytesView();
  readonly timeline: TimelineView;
  private readonly picker: HTMLSelectElement;
  private readonly serverLabel: HTMLElement;
  private dirty = new Set<string | null>();
  /** Connections restored from the panel state: the host has no capture of them to load. */
  private readonly restored = new Set<string>();
  private frame = 0;

  constructor(root: HTMLElement) {
    const saved = this.transport.getState<PanelState>();
    this.state = saved && saved.v === 1 ? saved : { v: 1, composer: defaultComposerState(null), tab: 0, selected: null };
    this.timeline = new TimelineView((m) => this.openInBytes(m), {
      model: this.queue,
      labelOf: (id) => this.store.get(id)?.info.label,
      selectConnection: (id) => this.selectConnection(id),
      setMode: (mode) => this.transport.post({ type: 'server.setMode', mode }),
    });
    root.innerHTML = `
      <header class="topbar">
        <span class="brand"><span class="codicon codicon-radio-tower"></span> Wireplay</span>
        <span class="server" aria-live="polite"></span>
        <span class="spacer"></span>
        <label class="conn-pick">Connection <select aria-label="Connection to inspect"></select></label>
        <vscode-button class="clear" secondary icon="clear-all" title="Clear the capture">Clear</vscode-button>
      </header>
      <main class="split">
        <section class="left" aria-label="Composer"></section>
        <div class="divider" role="separator" aria-orientation="vertical" aria-label="Resize the composer and the inspector" tabindex="0" title="Drag or use arrow keys to resize"></div>
        <section class="right" aria-label="Inspector">
          <vscode-tabs class="inspector-tabs" selected-index="${this.state.tab}">
            <vscode-tab-header slot="header" id="tab-parsed">Parsed</vscode-tab-header>
            <vscode-tab-panel></vscode-tab-panel>
            <vscode-tab-header slot="header" id="tab-bytes">Bytes</vscode-tab-header>
            <vscode-tab-panel></vscode-tab-panel>
            <vscode-tab-header slot="header" id="tab-timeline">Timeline</vscode-tab-header>
            <vscode-tab-panel></vscode-tab-panel>
          </vscode-tabs>
          <div class="views"></div>
        </section>
      </main>`;
    this.picker = root.querySelector('.conn-pick select')!;
    this.serverLabel = root.querySelector('.server')!;
    this.composer = new Composer(this.state.composer, (m) => this.transport.post(m), () => this.save());
    root.querySelector('.left')!.append(this.composer.el);
    const views = root.querySelector('.views')!;
    for (const [i, v] of [this.parsed.el, this.bytes.el, this.timeline.el].entries()) {
      v.classList.add('view', `view-${TABS[i]}`);
      v.setAttribute('role', 'tabpanel');
      v.setAttribute('aria-label', `${TABS[i][0].toUpperCase()}${TABS[i].slice(1)} view`);
      views.append(v);
    }
    const tabs = root.querySelector<HTMLElement & { selectedIndex: number }>('.inspector-tabs')!;
    tabs.addEventListener('vsc-tabs-select', (e) => this.setTab((e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex));
    // vscode-tabs selects the focused tab on Enter only; Space does it too, as for any tab.
    tabs.addEventListener('keydown', (e) => {
      const header = (e.target as Element).closest('vscode-tab-header');
      if (e.key !== ' ' || !header) return;
      e.preventDefault();
      const i = [...tabs.querySelectorAll('vscode-tab-header')].indexOf(header);
      tabs.selectedIndex = i;
      this.setTab(i);
    });
    this.picker.addEventListener('change', () => this.selectConnection(this.picker.value || null));
    root.querySelector('.clear')!.addEventListener('click', () => this.transport.post({ type: 'capture.clear' }));
    this.setupDivider(root);
    document.addEventListener('keydown', (e) => {
      // Alt+1/2/3 switch the inspector views from anywhere.
      if (e.altKey && ['1', '2', '3'].includes(e.key)) {
        e.preventDefault();
        const i = Number(e.key) - 1;
        tabs.selectedIndex = i;
        this.setTab(i);
      }
    });
    this.store.onChange((id) => this.markDirty(id));
    this.queue.onChange(() => {
      if (this.state.tab === 2) this.timeline.queueChanged();
    });
    this.transport.onMessage((m) => this.onMessage(m));
    this.setTab(this.state.tab);
    this.transport.post({ type: 'ready', version: PROTOCOL_VERSION });
    if (this.transport.kind === 'offline' || new URLSearchParams(location.search).has('fixtures')) this.loadFixtures();
  }

  private save(): void {
    this.transport.setState(this.state);
  }

  private setTab(i: number): void {
    this.state.tab = Math.max(0, Math.min(2, i));
    document.body.dataset.tab = TABS[this.state.tab];
    for (const [j, v] of [this.parsed.el, this.bytes.el, this.timeline.el].entries()) v.hidden = j !== this.state.tab;
    // vscode-tab-header only marks the active tab; the others say so explicitly.
    for (const [j, h] of document.querySelectorAll('.inspector-tabs vscode-tab-header').entries()) h.setAttribute('aria-selected', String(j === this.state.tab));
    this.save();
    this.renderViews();
  }

  private setupDivider(root: HTMLElement): void {
    const split = root.querySelector<HTMLElement>('.split')!;
    const divider = root.querySelector<HTMLElement>('.divider')!;
    const setWidth = (px: number) => split.style.setProperty('--left', `${Math.max(260, Math.min(px, split.clientWidth - 300))}px`);
    divider.addEventListener('pointerdown', (e) => {
      divider.setPointerCapture(e.pointerId);
      const move = (ev: PointerEvent) => setWidth(ev.clientX - split.getBoundingClientRect().left);
      divider.addEventListener('pointermove', move);
      divider.addEventListener('pointerup', () => divider.removeEventListener('pointermove', move), { once: true });
    });
    divider.addEventListener('keydown', (e) => {
      const left = root.querySelector<HTMLElement>('.left')!.getBoundingClientRect().width;
      if (e.key === 'ArrowLeft') setWidth(left - 24);
      else if (e.key === 'ArrowRight') setWidth(left + 24);
    });
  }

  selectConnection(id: string | null): void {
    this.state.selected = id;
    this.keepSelected();
    this.renderPicker();
    this.renderViews();
    if (id && !this.restored.has(id) && !this.store.get(id)?.chunkCount) this.transport.post({ type: 'capture.load', connectionId: id });
  }

  /** Saves the selected connection's HTTP results with the panel state. */
  private keepSelected(): void {
    const kept = keepConnection(this.state.selected ? this.store.get(this.state.selected) : undefined);
    if (kept) this.state.kept = kept;
    else delete this.state.kept;
    this.save();
  }

  private openInBytes(m: DissectedMessage): void {
    const tabs = document.querySelector<HTMLElement & { selectedIndex: number }>('.inspector-tabs')!;
    // Opened from the keyboard: the focus follows into the tree instead of staying in the hidden timeline.
    const fromKeyboard = this.timeline.el.contains(document.activeElement);
    tabs.selectedIndex = 1;
    this.setTab(1);
    this.bytes.select(`${m.id}/`, true);
    if (fromKeyboard) this.bytes.el.querySelector<HTMLElement>('[role="tree"]')?.focus();
  }

  private markDirty(id: string | null): void {
    this.dirty.add(id);
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const dirty = this.dirty;
      this.dirty = new Set();
      this.renderPicker();
      if (dirty.has(null) || dirty.has(this.state.selected)) this.renderViews();
    });
  }

  private renderPicker(): void {
    const ids = this.store.order;
    const sel = this.state.selected;
    const opts = ids.map((id) => {
      const c = this.store.get(id)!;
      const icon = c.info.protocol === 'ws' ? 'WS' : c.info.protocol === 'raw' ? 'TCP' : 'HTTP';
      return `<option value="${esc(id)}"${id === sel ? ' selected' : ''}>${icon} · ${esc(c.info.label)}${c.info.side === 'server' ? ' (server side)' : ''}${c.info.closed ? ' · closed' : ''}</option>`;
    });
    this.picker.innerHTML = `<option value=""${sel ? '' : ' selected'}>${ids.length ? 'Choose a connection…' : 'No connections yet'}</option>${opts.join('')}`;
  }

  private renderViews(): void {
    const c = this.state.selected ? this.store.get(this.state.selected) : undefined;
    if (this.state.tab === 0) this.parsed.show(c);
    else if (this.state.tab === 1) this.bytes.show(c);
    else this.timeline.show(c);
  }

  private connectionFor(id: string | undefined, info?: Partial<ConnectionInfo>): void {
    if (!id) return;
    if (!this.store.get(id)) this.store.open({ connectionId: id, side: 'client', protocol: 'http', label: id, remote: '', t: performance.now(), wallTime: Date.now(), ...info });
  }

  onMessage(m: ToWebview): void {
    this.composer.handle(m);
    switch (m.type) {
      case 'init':
        // A new host connection: byte requests the old one did not answer are asked again.
        this.store.forgetRequests();
        this.serverLabel.innerHTML = m.serverUrl ? `<span class="codicon codicon-pass-filled ok"></span> Server at <code>${esc(m.serverUrl)}</code>` : '<span class="codicon codicon-circle-slash"></span> Server not running';
        this.composer.setServerUrl(m.serverUrl);
        this.composer.setHistory(m.history);
        for (const info of m.connections) this.store.open(info);
        this.queue.reset(m.queue);
        if (this.state.selected && !this.store.get(this.state.selected) && isKeptConnection(this.state.kept) && this.state.kept.info.connectionId === this.state.selected) {
          this.restored.add(this.state.selected);
          restoreConnection(this.store, this.state.kept);
        }
        if (this.state.selected && this.store.get(this.state.selected)) this.selectConnection(this.state.selected);
        break;
      case 'server':
        this.serverLabel.innerHTML = m.url ? `<span class="codicon codicon-pass-filled ok"></span> Server at <code>${esc(m.url)}</code>` : '<span class="codicon codicon-circle-slash"></span> Server not running';
        this.composer.setServerUrl(m.url);
        break;
      case 'http.preview':
      case 'history':
      case 'notice':
        if (m.type === 'notice') this.notice(m.level, m.message);
        break;
      case 'http.started':
        this.connectionFor(m.connectionId);
        this.store.get(m.connectionId)!.http.push({ reqId: m.reqId, tSent: performance.now(), spec: structuredClone(this.state.composer.http) });
        this.store.get(m.connectionId)!.version++;
        this.selectConnection(m.connectionId);
        this.store.changed(m.connectionId);
        break;
      case 'http.response': {
        this.connectionFor(m.connectionId);
        const c = this.store.get(m.connectionId)!;
        let x = c.http.find((h) => h.reqId === m.reqId);
        if (!x) c.http.push((x = { reqId: m.reqId, tSent: performance.now() }));
        x.response = m.response;
        x.timing = m.timing;
        c.version++;
        if (this.state.selected !== m.connectionId) this.selectConnection(m.connectionId);
        else this.keepSelected();
        this.store.changed(m.connectionId);
        break;
      }
      case 'http.error': {
        for (const c of this.store.connections.values()) {
          const x = c.http.find((h) => h.reqId === m.reqId);
          if (x) {
            x.error = m.message;
            c.version++;
            if (c.info.connectionId === this.state.selected) this.keepSelected();
            this.store.changed(c.info.connectionId);
            return;
          }
        }
        this.notice('error', m.message);
        break;
      }
      case 'ws.state':
        if (m.connectionId) {
          this.connectionFor(m.connectionId, { protocol: 'ws' });
          if (m.state === 'connecting' || (m.state === 'open' && this.state.selected !== m.connectionId)) this.selectConnection(m.connectionId);
          this.store.get(m.connectionId)!.version++;
          this.store.changed(m.connectionId);
        }
        if (m.error) this.notice('error', m.error);
        break;
      case 'ws.attached':
        // A session opened from a .http file (the composer binds to it): its messages go to this connection.
        this.wsConn.set(m.sessionId, m.connectionId);
        this.connectionFor(m.connectionId, { protocol: 'ws', label: m.url });
        if (!m.resumed) this.selectConnection(m.connectionId);
        break;
      case 'ws.message': {
        const c = [...this.store.connections.values()].find((x) => x.info.connectionId === this.wsConn.get(m.sessionId));
        if (c) {
          c.ws.push({ dir: m.dir, opcode: m.opcode, data: fromBase64(m.data), t: m.t });
          c.version++;
          this.store.changed(c.info.connectionId);
        }
        break;
      }
      case 'raw.state':
        if (m.connectionId) {
          this.connectionFor(m.connectionId, { protocol: 'raw' });
          if (m.state === 'connecting' || this.state.selected !== m.connectionId) this.selectConnection(m.connectionId);
        }
        if (m.error) this.notice('error', m.error);
        break;
      case 'connection.opened':
        this.store.open(m.info);
        break;
      case 'connection.closed': {
        const c = this.store.get(m.connectionId);
        if (c) {
          c.info = { ...c.info, closed: { t: m.t, reason: m.reason } };
          c.version++;
          this.store.changed(m.connectionId);
        }
        break;
      }
      case 'capture.chunks':
        this.store.addChunks(m.connectionId, m.chunks);
        break;
      case 'capture.messages':
        this.store.ensure(m.connectionId).upsertMessages(m.messages);
        this.store.changed(m.connectionId);
        break;
      case 'capture.bytes':
        this.store.receiveBytes(m.connectionId, m.dir, m.start, m.end, m.offset, m.bytes);
        break;
      case 'capture.dropped':
        this.store.dropped(m.connectionId, m.dir, m.before);
        break;
      case 'capture.snapshot':
        // Results the host kept (this UI may be new: a reload, a webview shown again) go in before the redraw.
        if (m.http?.length) mergeExchanges(this.store.ensure(m.connectionId), m.http);
        this.store.snapshot(m.connectionId, m.chunks, m.messages);
        if (m.http?.length && m.connectionId === this.state.selected) this.keepSelected();
        break;
      case 'capture.cleared':
        this.store.clear();
        this.queue.clear();
        this.restored.clear();
        delete this.state.kept;
        this.state.selected = null;
        this.save();
        this.renderViews();
        break;
      case 'queue.jobs':
        this.queue.upsert(m.jobs, m.now);
        break;
      case 'server.mode':
        this.queue.setMode(m.mode, m.canSetMode);
        break;
      case 'select':
        this.selectConnection(m.connectionId);
        break;
      default:
        assertNever(m);
    }
    if (m.type === 'ws.state' && m.connectionId) this.wsConn.set(m.sessionId, m.connectionId);
  }

  /** WebSocket session id → connection id. */
  private readonly wsConn = new Map<string, string>();

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    let box = document.querySelector<HTMLElement>('.notices');
    if (!box) {
      box = document.createElement('div');
      box.className = 'notices';
      box.setAttribute('role', 'status');
      document.body.append(box);
    }
    const n = document.createElement('div');
    n.className = `notice ${level}`;
    n.innerHTML = `<span class="codicon codicon-${level === 'error' ? 'error' : level === 'warning' ? 'warning' : 'info'}"></span> ${esc(message)} <button class="icon-btn" aria-label="Dismiss"><span class="codicon codicon-close"></span></button>`;
    n.querySelector('button')!.addEventListener('click', () => n.remove());
    box.append(n);
    setTimeout(() => n.remove(), 8000);
  }

  loadCapture(f: FixtureCapture, select = true): void {
    this.store.load(f.info, f.chunks, f.messages);
    if (select) this.selectConnection(f.info.connectionId);
  }

  loadFixtures(): void {
    this.loadCapture(malformedRaw(), false);
    this.loadCapture(wsSession(14), false);
    this.loadCapture(httpChunkedExchange());
  }
}

const app = new App(document.getElementById('app') ?? document.body.appendChild(Object.assign(document.createElement('div'), { id: 'app' })));
// A handle for the browser tests and the benchmark (no effect on the product).
(window as unknown as { wireplay: unknown }).wireplay = {
  app,
  fixtures: { httpChunkedExchange, wsSession, malformedRaw },
};
