// The playground panel: composer on the left, inspector (Parsed / Bytes /
// Timeline) on the right, a connection picker and the server's address above.
// The App wires them: host messages change the store (store.ts) and the
// composer, and the App decides what is shown (the selected connection, the
// tab, notices), saved with the panel state so it survives a reload.
import { html, render } from 'lit';
import { live } from 'lit/directives/live.js';
import { PROTOCOL_VERSION, assertNever, type DissectedMessage, type ToWebview } from '../../server-core/protocol/playground.js';
import { BytesView } from './bytes-view.js';
import { Composer, defaultComposerState, type ComposerState } from './composer/composer.js';
import { httpChunkedExchange, malformedRaw, wsSession, type FixtureCapture } from './fixtures.js';
import { isKeptConnection, keepConnection, restoreConnection, type KeptConnection } from './kept-exchanges.js';
import { showNotice } from './notices.js';
import { ParsedView } from './parsed-view.js';
import { QueueModel } from './queue-model.js';
import { Store } from './store.js';
import { TimelineView } from './timeline.js';
import { createTransport } from './transport.js';

interface PanelState {
  v: 1;
  composer: ComposerState;
  tab: number;
  selected: string | null;
  /** The selected connection's HTTP results, for when the host forgot it (a VS Code window reload restarts the host). */
  kept?: KeptConnection;
}

const TABS = ['parsed', 'bytes', 'timeline'] as const;
const PROTOCOL_LABELS = { ws: 'WS', raw: 'TCP', http: 'HTTP' } as const;

type Of<T extends ToWebview['type']> = Extract<ToWebview, { type: T }>;
/** One handler per host message type: the compiler checks that none is missing. */
type Handlers = { [K in ToWebview['type']]: (m: Of<K>) => void };

export class App {
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
  private readonly tabs: HTMLElement & { selectedIndex: number };
  private dirty = new Set<string | null>();
  /** Connections restored from the panel state: the host has no capture of them to load. */
  private readonly restored = new Set<string>();
  private frame = 0;

  private readonly handlers: Handlers = {
    init: (m) => this.init(m),
    server: (m) => this.setServer(m.url),
    // The composer's alone.
    'http.preview': () => {},
    history: () => {},
    notice: (m) => showNotice(m.level, m.message),
    'composer.load': (m) => {
      this.composer.load(m.request);
      showNotice('info', m.request.note);
    },
    'http.started': (m) => {
      this.store.httpStarted(m, structuredClone(this.state.composer.http));
      this.selectConnection(m.connectionId);
    },
    'http.response': (m) => {
      this.store.httpResponse(m);
      if (this.state.selected !== m.connectionId) this.selectConnection(m.connectionId);
      else this.keepSelected();
    },
    'http.error': (m) => {
      const c = this.store.httpError(m);
      if (!c) showNotice('error', m.message);
      else if (c.info.connectionId === this.state.selected) this.keepSelected();
    },
    'ws.state': (m) => {
      if (this.store.wsState(m) && (m.state === 'connecting' || (m.state === 'open' && this.state.selected !== m.connectionId))) this.selectConnection(m.connectionId!);
      if (m.error) showNotice('error', m.error);
    },
    'ws.attached': (m) => {
      // A session opened from a .http file (the composer binds to it): its messages go to this connection.
      this.store.wsAttached(m);
      if (!m.resumed) this.selectConnection(m.connectionId);
    },
    'ws.message': (m) => this.store.wsMessage(m),
    // Event streams: each connection shows in the list and the timeline from its capture; the
    // composer's SSE tab (the records list) is not built yet.
    'sse.state': (m) => {
      if (m.state === 'open' && m.connectionId && this.state.selected !== m.connectionId) this.selectConnection(m.connectionId);
      if (m.state === 'closed' && m.code && m.reason) showNotice('error', `Event stream: ${m.reason}`);
    },
    'sse.records': () => {},
    'raw.state': (m) => {
      if (this.store.rawState(m) && (m.state === 'connecting' || this.state.selected !== m.connectionId)) this.selectConnection(m.connectionId!);
      if (m.error) showNotice('error', m.error);
    },
    'connection.opened': (m) => void this.store.open(m.info),
    'connection.closed': (m) => this.store.closed(m),
    'capture.chunks': (m) => this.store.addChunks(m.connectionId, m.chunks),
    'capture.messages': (m) => this.store.messages(m.connectionId, m.messages),
    'capture.bytes': (m) => this.store.receiveBytes(m.connectionId, m.dir, m.start, m.end, m.offset, m.bytes),
    'capture.dropped': (m) => this.store.dropped(m.connectionId, m.dir, m.before),
    'capture.snapshot': (m) => {
      this.store.snapshot(m.connectionId, m.chunks, m.messages, m.http);
      if (m.http?.length && m.connectionId === this.state.selected) this.keepSelected();
    },
    'capture.cleared': () => {
      this.store.clear();
      this.queue.clear();
      this.restored.clear();
      delete this.state.kept;
      this.state.selected = null;
      this.save();
      this.renderViews();
    },
    'queue.jobs': (m) => this.queue.upsert(m.jobs, m.now),
    'server.mode': (m) => this.queue.setMode(m.mode, m.canSetMode),
    select: (m) => this.selectConnection(m.connectionId),
  };

  constructor(root: HTMLElement) {
    const saved = this.transport.getState<PanelState>();
    this.state = saved && saved.v === 1 ? saved : { v: 1, composer: defaultComposerState(null), tab: 0, selected: null };
    this.timeline = new TimelineView((m) => this.openInBytes(m), {
      model: this.queue,
      labelOf: (id) => this.store.get(id)?.info.label,
      selectConnection: (id) => this.selectConnection(id),
      setMode: (mode) => this.transport.post({ type: 'server.setMode', mode }),
    });
    this.composer = new Composer(this.state.composer, (m) => this.transport.post(m), () => this.save());
    render(this.layout(), root);
    this.picker = root.querySelector('.conn-pick select')!;
    this.serverLabel = root.querySelector('.server')!;
    this.tabs = root.querySelector('.inspector-tabs')!;
    const views = root.querySelector('.views')!;
    for (const [i, v] of [this.parsed.el, this.bytes.el, this.timeline.el].entries()) {
      v.classList.add('view', `view-${TABS[i]}`);
      v.setAttribute('role', 'tabpanel');
      v.setAttribute('aria-label', `${TABS[i][0].toUpperCase()}${TABS[i].slice(1)} view`);
      views.append(v);
    }
    this.setupDivider(root);
    document.addEventListener('keydown', (e) => {
      // Alt+1/2/3 switch the inspector views from anywhere.
      if (e.altKey && ['1', '2', '3'].includes(e.key)) {
        e.preventDefault();
        this.showTab(Number(e.key) - 1);
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

  /** A host message: the composer's part, then the store's and the App's. */
  onMessage(m: ToWebview): void {
    this.composer.handle(m);
    const handler = this.handlers[m.type] as ((m: ToWebview) => void) | undefined;
    if (!handler) return assertNever(m as never);
    handler(m);
  }

  selectConnection(id: string | null): void {
    this.state.selected = id;
    this.keepSelected();
    this.renderPicker();
    this.renderViews();
    if (id && !this.restored.has(id) && !this.store.get(id)?.chunkCount) this.transport.post({ type: 'capture.load', connectionId: id });
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

  private layout() {
    const onTabKey = (e: KeyboardEvent) => {
      // vscode-tabs selects the focused tab on Enter only; Space does it too, as for any tab.
      const header = (e.target as Element).closest('vscode-tab-header');
      if (e.key !== ' ' || !header) return;
      e.preventDefault();
      this.showTab([...this.tabs.querySelectorAll('vscode-tab-header')].indexOf(header));
    };
    return html`<header class="topbar">
        <span class="brand"><span class="codicon codicon-radio-tower"></span> Wireplay</span>
        <span class="server" aria-live="polite"></span>
        <span class="spacer"></span>
        <label class="conn-pick">Connection <select aria-label="Connection to inspect" @change=${(e: Event) => this.selectConnection((e.target as HTMLSelectElement).value || null)}></select></label>
        <vscode-button class="clear" secondary icon="clear-all" title="Clear the capture" @click=${() => this.transport.post({ type: 'capture.clear' })}>Clear</vscode-button>
      </header>
      <main class="split">
        <section class="left" aria-label="Composer">${this.composer.el}</section>
        <div class="divider" role="separator" aria-orientation="vertical" aria-label="Resize the composer and the inspector" tabindex="0" title="Drag or use arrow keys to resize"></div>
        <section class="right" aria-label="Inspector">
          <vscode-tabs
            class="inspector-tabs"
            selected-index=${this.state.tab}
            @vsc-tabs-select=${(e: CustomEvent<{ selectedIndex: number }>) => this.setTab(e.detail.selectedIndex)}
            @keydown=${onTabKey}
          >
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
  }

  private init(m: Of<'init'>): void {
    // A new host connection: byte requests the old one did not answer are asked again.
    this.store.forgetRequests();
    this.setServer(m.serverUrl);
    this.composer.setHistory(m.history);
    for (const info of m.connections) this.store.open(info);
    this.queue.reset(m.queue);
    const sel = this.state.selected;
    if (sel && !this.store.get(sel) && isKeptConnection(this.state.kept) && this.state.kept.info.connectionId === sel) {
      this.restored.add(sel);
      restoreConnection(this.store, this.state.kept);
    }
    if (sel && this.store.get(sel)) this.selectConnection(sel);
  }

  private setServer(url: string | null): void {
    render(
      url
        ? html`<span class="codicon codicon-pass-filled ok"></span> Server at <code>${url}</code>`
        : html`<span class="codicon codicon-circle-slash"></span> Server not running`,
      this.serverLabel,
    );
    this.composer.setServerUrl(url);
  }

  private save(): void {
    this.transport.setState(this.state);
  }

  /** Selects an inspector tab as its header would. */
  private showTab(i: number): void {
    this.tabs.selectedIndex = i;
    this.setTab(i);
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

  /** Saves the selected connection's HTTP results with the panel state. */
  private keepSelected(): void {
    const kept = keepConnection(this.state.selected ? this.store.get(this.state.selected) : undefined);
    if (kept) this.state.kept = kept;
    else delete this.state.kept;
    this.save();
  }

  private openInBytes(m: DissectedMessage): void {
    // Opened from the keyboard: the focus follows into the tree instead of staying in the hidden timeline.
    const fromKeyboard = this.timeline.el.contains(document.activeElement);
    this.showTab(1);
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
    render(
      html`<option value="" .selected=${live(!sel)}>${ids.length ? 'Choose a connection…' : 'No connections yet'}</option>
        ${ids.map((id) => {
          const c = this.store.get(id)!;
          // A proxy leg's label says which leg it is (server-core/playground/live-push.ts).
          const notes = `${c.info.side === 'server' && !c.info.label.startsWith('proxied:') ? ' (server side)' : ''}${c.info.closed ? ' · closed' : ''}`;
          return html`<option value=${id} .selected=${live(id === sel)}>${PROTOCOL_LABELS[c.info.protocol]} · ${c.info.label}${notes}</option>`;
        })}`,
      this.picker,
    );
  }

  private renderViews(): void {
    const c = this.state.selected ? this.store.get(this.state.selected) : undefined;
    if (this.state.tab === 0) this.parsed.show(c);
    else if (this.state.tab === 1) this.bytes.show(c);
    else this.timeline.show(c);
  }
}
