// The playground panel: request tabs and a full-width request bar on top, then
// the composer beside (or, narrow, above) the inspector: the network list and
// the Parsed / Bytes / Timeline / Pipeline views of the selected row. The App wires them:
// host messages change the store (store.ts) and the composers, the network
// model folds the store into rows, and the App decides what is shown (the row,
// its side, the tab, the split sizes), saved with the panel state so it
// survives a reload; the request tabs also go to the host as drafts, so they
// survive closing the panel.
import { render } from 'lit';
import { PROTOCOL_VERSION, assertNever, type DissectedMessage, type FromWebview, type SelectionDraft, type ServerMode, type ToWebview } from '../../server-core/protocol/playground.js';
import { Announcer } from './announcer.js';
import { BytesView } from './bytes-view.js';
import { MAX_TABS, completeDraft, defaultComposerState, draftsForHost } from './composer/state.js';
import type { Composer } from './composer/composer.js';
import { httpChunkedExchange, malformedRaw, wsSession, type FixtureCapture } from './fixtures.js';
import { isKeptConnection, keepConnection, restoreConnection } from './kept-exchanges.js';
import { KeyboardHelpDialog } from './keyboard-help-dialog.js';
import { COMPARE_OPEN_EVENT, CompareDialog } from './compare-view.js';
import { INSPECTOR_TABS, STACK_BELOW, modeTemplate, serverTemplate, shellTemplate, sideTemplate, type Side } from './layout.js';
import { NetworkModel, type NetRow } from './network/network-model.js';
import { NetworkView } from './network/network-view.js';
import { showNotice } from './notices.js';
import { readState, type PanelState } from './panel-state.js';
import { ParsedView } from './parsed-view.js';
import { QueueModel } from './queue-model.js';
import { RequestTabs } from './request-tabs.js';
import { Splitter } from './splitter.js';
import { ATTEMPT_PREFIX, Store } from './store.js';
import { TimelineView } from './timeline.js';
import { PipelineRecords } from './pipeline-stages.js';
import { PipelineView } from './pipeline-view.js';
import { createTransport } from './transport.js';
import { keepSelectAllInFields } from './select-all-in-field.js';
import { decodeUtf8, fromBase64 } from './bytes-util.js';
import { formatBytes, formatMs } from '../shared/format.js';

type Of<T extends ToWebview['type']> = Extract<ToWebview, { type: T }>;
/** One handler per host message type: the compiler checks that none is missing. */
type Handlers = { [K in ToWebview['type']]: (m: Of<K>) => void };

/** How long after the last change the drafts go to the host, ms. */
const DRAFTS_DELAY_MS = 500;

export class App {
  private readonly transport = createTransport();
  /** Bytes of big captures are asked of the host as they are drawn (capture.bytes). */
  readonly store = new Store({ requestBytes: (connectionId, dir, start, end) => this.transport.post({ type: 'capture.bytes', connectionId, dir, start, end }) });
  /** The server's scheduler as the host reports it (the Timeline's server queue view). */
  readonly queue = new QueueModel();
  readonly network = new NetworkModel(this.store);
  private state: PanelState;
  /** True when nothing was saved: the host's drafts (a closed panel's tabs) are taken at init. */
  private readonly fresh: boolean;
  /** A key was pressed or a field edited since the page loaded: the host's drafts, arriving later, must not replace what the user does. */
  private userActed = false;
  readonly tabs: RequestTabs;
  readonly parsed = new ParsedView();
  readonly bytes: BytesView;
  readonly timeline: TimelineView;
  readonly networkView: NetworkView;
  /** The server's pipeline records (capture.pipelines) and the view that draws one (tab 3). */
  readonly pipelines = new PipelineRecords();
  readonly pipeline: PipelineView;
  /** The request picked in the Pipeline view's list of a connection's requests (index from 1). */
  private pipelinePick: { connectionId: string; index: number } | undefined;
  readonly announcer = new Announcer();
  private readonly help = new KeyboardHelpDialog();
  /** "Compare the three" (compare-view.ts): the SSE tab's button or Alt+Shift+C opens it. */
  readonly compare = new CompareDialog({ post: (m) => this.transport.post(m), announce: (t) => this.announcer.say(t) });
  private readonly root: HTMLElement;
  private readonly split: HTMLElement;
  private readonly tabsEl: HTMLElement & { selectedIndex: number };
  private readonly splitters: Splitter[] = [];
  private serverUrl: string | null = null;
  private mode: { mode: ServerMode | null; canSet: boolean } = { mode: null, canSet: false };
  private dirty = new Set<string | null>();
  /** Connections restored from the panel state: the host has no capture of them to load. */
  private readonly restored = new Set<string>();
  /** Connections whose capture this UI asked for (a connection it has every byte of since its open needs none). */
  private readonly loaded = new Set<string>();
  private frame = 0;
  private draftsTimer: ReturnType<typeof setTimeout> | undefined;
  /** How many times the drafts went to the host (tests wait on it). */
  draftsSent = 0;

  private readonly handlers: Handlers = {
    init: (m) => this.init(m),
    server: (m) => this.setServer(m.url),
    // The composers' alone.
    'http.preview': () => {},
    history: (m) => this.tabs.setHistory(m.entries),
    notice: (m) => showNotice(m.level, m.message),
    'composer.load': (m) => {
      // Into the tab shown only when it is untouched; else a new tab (docs/playground.md, Edit and Resend).
      const tab = this.tabs.forLoad();
      if (!tab) return showNotice('error', `Not opened: at most ${MAX_TABS} request tabs. Close one, then Edit and Resend again.`);
      tab.load(m.request);
      showNotice('info', m.request.note);
    },
    'http.started': (m) => {
      this.store.httpStarted(m);
      this.selectConnection(m.connectionId);
    },
    'http.records': (m) => void this.store.httpRecords(m),
    'http.response': (m) => {
      this.store.httpResponse(m);
      if (this.state.selected !== m.connectionId) this.selectConnection(m.connectionId);
      else this.keepSelected();
      const r = m.response;
      this.announcer.say(`Response ${r.statusCode}${r.reason ? ` ${r.reason}` : ''}, ${formatBytes(r.wireBytes)} in ${formatMs(m.timing.total ?? 0)}.`, 'http');
    },
    'http.error': (m) => {
      const c = this.store.httpError(m);
      if (!c) return showNotice('error', m.message);
      this.selectConnection(c.info.connectionId);
      this.announcer.say(m.failure?.kind === 'aborted' ? 'Request cancelled.' : `Request failed: ${m.message}`, 'http');
    },
    'ws.state': (m) => {
      if (this.store.wsState(m) && (m.state === 'connecting' || (m.state === 'open' && this.state.selected !== m.connectionId))) this.selectConnection(m.connectionId!);
      if (m.error) this.announcer.say(`WebSocket: ${m.error}`, 'ws');
    },
    'ws.attached': (m) => {
      // A session opened from a .http file (a composer binds to it): its messages go to this connection.
      this.store.wsAttached(m);
      if (!m.resumed) this.selectConnection(m.connectionId);
    },
    'ws.message': (m) => {
      this.store.wsMessage(m);
      const text = m.opcode === 1 ? `"${decodeUtf8(fromBase64(m.data.slice(0, 120))).slice(0, 40)}"` : `${m.opcode === 2 ? 'binary' : 'control'} frame`;
      this.announcer.wsMessage(`${m.dir === 'c2s' ? 'sent' : 'received'} ${text}`);
    },
    // Event streams: the composer's SSE tab lists the records; each connection also shows in the
    // network list and the timeline from its capture.
    'sse.state': (m) => {
      if (m.state === 'open' && m.connectionId && this.state.selected !== m.connectionId) this.selectConnection(m.connectionId);
      if (m.state === 'closed' && m.code && m.reason) showNotice('error', `Event stream: ${m.reason}`);
    },
    'sse.records': () => {},
    'compare.state': (m) => this.compare.handle(m),
    'raw.state': (m) => {
      if (this.store.rawState(m) && (m.state === 'connecting' || this.state.selected !== m.connectionId)) this.selectConnection(m.connectionId!);
      if (m.error) this.announcer.say(`Raw TCP: ${m.error}`, 'raw');
    },
    'connection.opened': (m) => void this.store.open(m.info),
    'connection.closed': (m) => this.store.closed(m),
    'capture.chunks': (m) => this.store.addChunks(m.connectionId, m.chunks),
    'capture.messages': (m) => this.store.messages(m.connectionId, m.messages),
    'capture.bytes': (m) => this.store.receiveBytes(m.connectionId, m.dir, m.start, m.end, m.offset, m.bytes),
    'capture.dropped': (m) => this.store.dropped(m.connectionId, m.dir, m.before),
    'capture.snapshot': (m) => {
      this.store.snapshot(m.connectionId, m.chunks, m.messages, m.http);
      if (m.pipelines) this.pipelinesArrived(m.pipelines);
      if (m.http?.length && m.connectionId === this.state.selected) this.keepSelected();
    },
    'capture.pipelines': (m) => this.pipelinesArrived(m.pipelines),
    'capture.cleared': () => {
      this.store.clear();
      this.pipelines.clear();
      this.network.clear();
      this.queue.clear();
      this.restored.clear();
      this.loaded.clear();
      delete this.state.kept;
      this.state.selected = null;
      this.state.row = null;
      this.networkView.setSelected(null);
      this.save();
      this.renderViews();
    },
    'queue.jobs': (m) => this.queue.upsert(m.jobs, m.now),
    'server.mode': (m) => this.setMode(m.mode, m.canSetMode, true),
    'network.update': (m) => this.store.network(m.exchanges, m.traffic),
    select: (m) => (m.pipeline !== undefined ? this.openPipeline(m.connectionId, m.pipeline) : this.selectConnection(m.connectionId)),
  };

  constructor(root: HTMLElement) {
    this.root = root;
    const saved = this.transport.getState<unknown>();
    this.fresh = saved === undefined || saved === null;
    this.state = readState(saved);
    this.bytes = new BytesView({ tree: this.state.splits.tree, treeChanged: (f) => this.saveSplit('tree', f) });
    this.timeline = new TimelineView((m) => this.openInBytes(m), {
      model: this.queue,
      labelOf: (id) => this.store.get(id)?.info.label,
      selectConnection: (id) => this.selectConnection(id),
      setMode: (mode) => this.transport.post({ type: 'server.setMode', mode }),
      openPipeline: (id, index) => this.openPipeline(id, index),
    });
    this.pipeline = new PipelineView({
      showBytes: (id, key) => this.showStageBytes(id, key),
      ...(this.transport.kind === 'vscode' ? { openSource: (file: string, line: number | undefined) => this.transport.post({ type: 'source.open', file, ...(line !== undefined ? { line } : {}) }) } : {}),
      pick: (id, index) => {
        this.pipelinePick = { connectionId: id, index };
        this.renderViews();
      },
    });
    this.tabs = new RequestTabs(this.state.tabs, this.state.active, {
      post: (m, tab) => this.post(m, tab),
      save: () => this.save(),
      announce: (t) => this.announcer.say(t),
      shown: (c) => this.placeComposer(c),
      serverUrl: () => this.serverUrl,
    });
    this.network.setFilter(this.state.filter);
    this.networkView = new NetworkView({
      model: this.network,
      select: (row) => this.selectRow(row),
      open: () => this.tabsEl.querySelector<HTMLElement>('vscode-tab-header[aria-selected="true"]')?.focus(),
      filterChanged: (f) => {
        this.state.filter = f;
        this.network.setFilter(f);
        this.save();
        this.markDirty(null);
      },
      clear: () => this.transport.post({ type: 'capture.clear' }),
      openPipeline: (row) => row.server && this.openPipeline(row.server, row.sequence !== undefined ? row.sequence + 1 : undefined),
    });

    render(
      shellTemplate({
        tab: this.state.tab,
        selectTab: (i) => this.setTab(i),
        onTabKey: (e) => {
          // vscode-tabs selects the focused tab on Enter only; Space does it too, as for any tab.
          const header = (e.target as Element).closest('vscode-tab-header');
          if (e.key !== ' ' || !header) return;
          e.preventDefault();
          this.showTab([...this.tabsEl.querySelectorAll('vscode-tab-header')].indexOf(header));
        },
        help: () => this.help.open(),
      }),
      root,
    );
    this.split = root.querySelector<HTMLElement>('.split')!;
    this.tabsEl = root.querySelector('.inspector-tabs')!;
    root.querySelector('.req-tabs-host')!.append(this.tabs.el);
    root.querySelector('.net-host')!.append(this.networkView.el);
    const views = root.querySelector('.views')!;
    for (const [i, v] of this.viewEls().entries()) {
      v.classList.add('view', `view-${INSPECTOR_TABS[i]}`);
      v.setAttribute('role', 'tabpanel');
      v.setAttribute('aria-labelledby', `tab-${INSPECTOR_TABS[i]}`);
      views.append(v);
    }
    document.body.append(this.announcer.el, this.help.el, this.compare.el);
    document.addEventListener(COMPARE_OPEN_EVENT, () => this.compare.open());
    this.placeComposer(this.tabs.active);
    this.setupSplits();
    document.addEventListener('keydown', (e) => this.globalKey(e));
    keepSelectAllInFields(document);
    // Only what the user did: components dispatch their own (untrusted) input events while they draw.
    for (const type of ['keydown', 'input']) document.addEventListener(type, (e) => e.isTrusted && (this.userActed = true), true);
    // Closing the page (or VS Code hiding the webview) must not lose the last change to the drafts.
    window.addEventListener('pagehide', () => this.draftsTimer !== undefined && this.sendDrafts());
    this.store.onChange((id) => {
      if (id) this.network.touch(id);
      this.markDirty(id);
    });
    this.queue.onChange(() => {
      if (this.state.tab === 2) this.timeline.queueChanged();
      else if (this.state.tab === 3) this.markDirty(null);
    });
    this.transport.onMessage((m) => this.onMessage(m));
    this.setTab(this.state.tab);
    this.markDirty(null);
    this.transport.post({ type: 'ready', version: PROTOCOL_VERSION });
    if (this.transport.kind === 'offline' || new URLSearchParams(location.search).has('fixtures')) this.loadFixtures();
    // Opening the playground puts the cursor where a request starts: the URL.
    requestAnimationFrame(() => this.tabs.active.focusFirstField());
  }

  /** A host message: the composers' part, then the store's and the App's. */
  onMessage(m: ToWebview): void {
    if (m.type === 'ws.attached') this.routeAttached(m);
    else this.tabs.handle(m);
    const handler = this.handlers[m.type] as ((m: ToWebview) => void) | undefined;
    if (!handler) return assertNever(m as never);
    handler(m);
  }

  /** Shows a connection in the inspector, and selects its row. */
  selectConnection(id: string | null, sequence?: number): void {
    this.state.selected = id;
    const row = id ? this.network.rowOfConnection(id, sequence) : undefined;
    this.state.row = row?.key ?? null;
    this.networkView.setSelected(this.state.row);
    this.keepSelected();
    this.renderSide();
    this.renderViews();
    this.load(id);
  }

  /** Asks the host for a connection's whole capture, once (live pushes keep it up to date after). */
  private load(id: string | null | undefined): void {
    if (!id || this.loaded.has(id) || this.restored.has(id) || id.startsWith(ATTEMPT_PREFIX) || this.store.get(id)?.fromStart) return;
    this.loaded.add(id);
    this.transport.post({ type: 'capture.load', connectionId: id });
  }

  loadCapture(f: FixtureCapture, select = true): void {
    this.store.load(f.info, f.chunks, f.messages);
    this.loaded.add(f.info.connectionId);
    if (select) this.selectConnection(f.info.connectionId);
  }

  loadFixtures(): void {
    this.loadCapture(malformedRaw(), false);
    this.loadCapture(wsSession(14), false);
    this.loadCapture(httpChunkedExchange());
  }

  // ---------------------------------------------------------------- host messages

  private init(m: Of<'init'>): void {
    // A new host connection: byte requests the old one did not answer are asked again.
    this.store.forgetRequests();
    if (this.fresh && m.drafts && this.untouched()) this.adoptDrafts(m.drafts);
    this.setServer(m.serverUrl);
    this.tabs.setHistory(m.history);
    for (const info of m.connections) this.store.open(info);
    this.store.network(m.exchanges ?? [], m.traffic ?? []);
    this.queue.reset(m.queue);
    this.setMode(m.queue?.mode ?? null, m.queue?.canSetMode ?? false, false);
    if (this.fresh) this.adoptSelection(m.drafts?.selection);
    const sel = this.state.selected;
    if (sel && !this.store.get(sel) && isKeptConnection(this.state.kept) && this.state.kept.info.connectionId === sel) {
      this.restored.add(sel);
      restoreConnection(this.store, this.state.kept);
    }
    // The rows the host already had are drawn now, not at the next change (a reopened panel lists its traffic at once).
    if (this.network.commit()) this.networkView.refresh();
    if (sel && this.store.get(sel)) this.selectConnection(sel, this.network.byKey(this.state.row ?? '')?.sequence);
  }

  private setServer(url: string | null): void {
    this.serverUrl = url;
    render(serverTemplate(url), this.root.querySelector<HTMLElement>('.server')!);
    this.tabs.setServerUrl(url);
  }

  private setMode(mode: ServerMode | null, canSet: boolean, tell: boolean): void {
    const was = this.mode.mode;
    this.mode = { mode, canSet };
    this.queue.setMode(mode, canSet);
    render(modeTemplate(mode, canSet, (next) => this.transport.post({ type: 'server.setMode', mode: next })), this.root.querySelector<HTMLElement>('.mode-box')!);
    // In VS Code the Switch Mode command says it (in the playground too); the browser page says it itself.
    if (tell && mode && was && mode !== was && this.transport.kind !== 'vscode') {
      showNotice('info', mode === 'sequential' ? 'The server is now sequential: one request at a time; the others wait in its queue (Timeline → Server queue).' : 'The server is now concurrent: every connection is served at once.');
    }
  }

  /**
   * A session the host opened or re-announces goes to the tab that drives it, else to a tab whose draft has its URL
   * and no session of its own, else to a new tab: a draft is never overwritten by a session it did not open.
   */
  private routeAttached(m: Of<'ws.attached'>): void {
    const tabs = this.tabs.all();
    const owner = this.state.wsOwner?.sessionId === m.sessionId ? this.tabs.get(this.state.wsOwner.tab) : undefined;
    let target = owner ?? tabs.find((c) => c.ws.sessionId === m.sessionId) ?? tabs.find((c) => !c.ws.live && c.state.ws.url.trim() === m.url);
    const opened = !target;
    target ??= this.tabs.add(undefined, !m.resumed);
    target.handle(m);
    this.state.wsOwner = { sessionId: m.sessionId, tab: target.id };
    if (!m.resumed && target !== this.tabs.active) this.tabs.open(target.id);
    else if (opened) this.tabs.changed();
    this.save();
  }

  // ---------------------------------------------------------------- what the UI sends

  private post(m: FromWebview, tab?: string): void {
    if (m.type === 'http.send') this.store.sent(m.reqId, m.spec);
    else if (m.type === 'ws.connect' && tab) this.state.wsOwner = { sessionId: m.sessionId, tab };
    this.transport.post(m);
  }

  private save(): void {
    this.state.active = this.tabs.activeTabId;
    this.transport.setState(this.state);
    clearTimeout(this.draftsTimer);
    this.draftsTimer = setTimeout(() => this.sendDrafts(), DRAFTS_DELAY_MS);
  }

  /** The request tabs to the host now (a moment after the last change, or when the page goes away). */
  private sendDrafts(): void {
    clearTimeout(this.draftsTimer);
    this.draftsTimer = undefined;
    const s = this.state;
    const selection = s.selected ? { connectionId: s.selected, ...(s.row ? { row: s.row } : {}), tab: s.tab } : undefined;
    this.transport.post({ type: 'drafts.save', drafts: draftsForHost(s.tabs, s.active, selection) });
    this.draftsSent++;
  }

  /** The tabs are still what a new panel starts with (nothing typed yet). */
  private untouched(): boolean {
    if (this.userActed || this.state.tabs.length !== 1) return false;
    const [t] = this.state.tabs;
    const def = defaultComposerState(null, t.id);
    return JSON.stringify({ ...t, http: { ...t.http, url: '' }, ws: { ...t.ws, url: '' }, raw: { ...t.raw, host: '', port: '', text: '' } }) ===
      JSON.stringify({ ...def, http: { ...def.http, url: '' }, ws: { ...def.ws, url: '' }, raw: { ...def.raw, host: '', port: '', text: '' } });
  }

  /**
   * A page with no state of its own (the panel was closed, not hidden) shows what the host says was shown last:
   * the connection, its row and the inspector tab, when the host still has that connection and nothing was picked here.
   */
  private adoptSelection(s: SelectionDraft | undefined): void {
    if (!s || this.state.selected || !this.store.get(s.connectionId)) return;
    this.state.selected = s.connectionId;
    this.state.row = s.row ?? null;
    if (s.tab !== this.state.tab) this.showTab(s.tab);
  }

  private adoptDrafts(d: NonNullable<Of<'init'>['drafts']>): void {
    const tabs = d.tabs.map((t) => completeDraft(t, null)).filter((t) => !!t);
    if (!tabs.length) return;
    this.state.tabs.splice(0, this.state.tabs.length, ...tabs);
    this.tabs.reset(tabs.some((t) => t.id === d.active) ? d.active : tabs[0].id);
    this.tabs.active.focusFirstField();
  }

  // ---------------------------------------------------------------- layout

  private placeComposer(c: Composer): void {
    this.root.querySelector('.request-bar-host')!.replaceChildren(c.bar);
    this.root.querySelector('.left')!.replaceChildren(c.el);
  }

  private stacked(): boolean {
    return this.root.clientWidth < STACK_BELOW;
  }

  private setupSplits(): void {
    const right = this.root.querySelector<HTMLElement>('.right')!;
    const apply = () => {
      const s = this.state.splits;
      const stacked = this.stacked();
      this.split.dataset.layout = stacked ? 'stacked' : 'wide';
      this.split.style.setProperty('--left', `${((s.left ?? 0.4) * 100).toFixed(2)}%`);
      this.split.style.setProperty('--top', `${((s.top ?? 0.42) * 100).toFixed(2)}%`);
      right.style.setProperty('--net', `${((s.net ?? (stacked ? 0.4 : 0.34)) * 100).toFixed(2)}%`);
      for (const sp of this.splitters) sp.sync();
    };
    this.splitters.push(
      new Splitter({
        el: this.root.querySelector<HTMLElement>('.divider-main')!,
        container: this.split,
        orientation: () => (this.stacked() ? 'horizontal' : 'vertical'),
        get: () => (this.stacked() ? (this.state.splits.top ?? 0.42) : (this.state.splits.left ?? 0.4)),
        set: (f) => {
          this.saveSplit(this.stacked() ? 'top' : 'left', f);
          apply();
        },
        minPx: 140,
        label: 'Resize the composer and the inspector',
      }),
      new Splitter({
        el: this.root.querySelector<HTMLElement>('.divider-net')!,
        container: right,
        orientation: () => 'horizontal',
        get: () => this.state.splits.net ?? (this.stacked() ? 0.4 : 0.34),
        set: (f) => {
          this.saveSplit('net', f);
          apply();
        },
        minPx: 72,
        label: 'Resize the network list and the inspector views',
      }),
    );
    apply();
    new ResizeObserver(apply).observe(this.root);
  }

  private saveSplit(which: keyof PanelState['splits'], f: number): void {
    this.state.splits[which] = f;
    this.save();
  }

  private globalKey(e: KeyboardEvent): void {
    // Alt+1/2/3/4 switch the inspector views from anywhere.
    if (e.altKey && !e.ctrlKey && !e.metaKey && ['1', '2', '3', '4'].includes(e.key)) {
      e.preventDefault();
      this.showTab(Number(e.key) - 1);
    } else if (e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === 'KeyC') {
      e.preventDefault();
      this.compare.open();
    } else if (e.altKey && e.key === 'F1' && this.transport.kind !== 'vscode') {
      // In VS Code, Alt+F1 is the workbench's Accessibility Help, which shows the same text.
      e.preventDefault();
      this.help.open();
    }
  }

  // ---------------------------------------------------------------- selection and views

  private selectRow(row: NetRow): void {
    const side: Side = this.currentSide();
    const id = side === 'server' ? (row.server ?? row.client) : (row.client ?? row.server);
    this.state.row = row.key;
    this.state.selected = id ?? null;
    this.keepSelected();
    this.renderSide();
    this.renderViews();
    this.load(id);
  }

  /** Which side the inspector shows: the side of the selected connection in its row. */
  private currentSide(): Side {
    const row = this.state.row ? this.network.byKey(this.state.row) : undefined;
    return row && this.state.selected && row.server === this.state.selected && row.client !== undefined ? 'server' : row && !row.client ? 'server' : 'client';
  }

  private setSide(side: Side): void {
    const row = this.state.row ? this.network.byKey(this.state.row) : undefined;
    const id = side === 'server' ? row?.server : row?.client;
    if (!row || !id || id === this.state.selected) return;
    this.state.selected = id;
    this.keepSelected();
    this.renderSide();
    this.renderViews();
    this.announcer.say(`Showing the ${side} side.`, 'side');
    this.load(id);
  }

  private renderSide(): void {
    const row = this.state.row ? this.network.byKey(this.state.row) : undefined;
    render(sideTemplate(row ?? {}, this.currentSide(), (s) => this.setSide(s)), this.root.querySelector<HTMLElement>('.side-box')!);
  }

  /** Selects an inspector tab as its header would. */
  private showTab(i: number): void {
    this.tabsEl.selectedIndex = i;
    this.setTab(i);
  }

  private setTab(i: number): void {
    this.state.tab = Math.max(0, Math.min(INSPECTOR_TABS.length - 1, i));
    document.body.dataset.tab = INSPECTOR_TABS[this.state.tab];
    for (const [j, v] of this.viewEls().entries()) v.hidden = j !== this.state.tab;
    // vscode-tab-header only marks the active tab; the others say so explicitly.
    for (const [j, h] of this.tabsEl.querySelectorAll('vscode-tab-header').entries()) h.setAttribute('aria-selected', String(j === this.state.tab));
    this.save();
    this.renderViews();
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
      if (this.network.commit()) {
        this.networkView.refresh();
        // A row created after its connection was selected (the first summary came later): select it now.
        if (this.state.selected && !this.state.row) {
          const row = this.network.rowOfConnection(this.state.selected);
          if (row) {
            this.state.row = row.key;
            this.networkView.setSelected(row.key);
          }
        }
        this.renderSide();
      }
      if (dirty.has(null) || dirty.has(this.state.selected)) this.renderViews();
    });
  }

  private renderViews(): void {
    const c = this.state.selected ? this.store.get(this.state.selected) : undefined;
    const row = this.state.row ? this.network.byKey(this.state.row) : undefined;
    if (this.state.tab === 0) this.parsed.show(c, row?.sequence);
    else if (this.state.tab === 1) this.bytes.show(c);
    else if (this.state.tab === 2) this.timeline.show(c);
    else this.renderPipeline(c, row);
  }

  private viewEls(): HTMLElement[] {
    return [this.parsed.el, this.bytes.el, this.timeline.el, this.pipeline.el];
  }

  // ---------------------------------------------------------------- pipeline (issue 18)

  private pipelinesArrived(records: Of<'capture.pipelines'>['pipelines']): void {
    const changed = this.pipelines.add(records);
    if (this.state.tab === 3 && changed.size) this.markDirty(null);
  }

  /** The server side of what is selected: the connection itself, or its peer. */
  private serverSideOf(c: ReturnType<Store['get']>, row: NetRow | undefined): string | undefined {
    if (row?.server) return row.server;
    if (!c) return undefined;
    return c.info.side === 'server' ? c.info.connectionId : c.info.peerConnectionId;
  }

  private renderPipeline(c: ReturnType<Store['get']>, row: NetRow | undefined): void {
    const id = this.serverSideOf(c, row);
    if (id) this.load(id);
    const pick = this.pipelinePick?.connectionId === id ? this.pipelinePick?.index : undefined;
    this.pipeline.show({
      capture: id ? this.store.get(id) : undefined,
      connectionId: id,
      records: id ? this.pipelines.of(id) : [],
      index: pick ?? (row?.sequence !== undefined ? row.sequence + 1 : undefined),
      job: (index) => (id ? this.queue.job(id, index) : undefined),
      ...(c && !id
        ? { empty: 'This connection has no server side in this capture: the Pipeline view shows requests the Wireplay server handled. Send to the Wireplay server (its URL is in the top bar).' }
        : id && !this.pipelines.has(id)
          ? { empty: 'No pipeline record yet: the server writes it when the response is done (a WebSocket upgrade: when its 101 is out).' }
          : {}),
    });
  }

  /** Opens the Pipeline view of request `index` (from 1) of a server connection (the queue's and the network list's action). */
  openPipeline(serverConnectionId: string, index?: number): void {
    this.pipelinePick = index !== undefined ? { connectionId: serverConnectionId, index } : undefined;
    if (this.state.selected !== serverConnectionId) this.selectConnection(serverConnectionId, index !== undefined ? index - 1 : undefined);
    this.showTab(3);
    this.announcer.say('Showing the pipeline of the request.', 'side');
  }

  /** A stage's "Show bytes": the Bytes view of that connection with the stage's bytes selected. */
  private showStageBytes(connectionId: string, key: string): void {
    const fromKeyboard = this.pipeline.el.contains(document.activeElement);
    if (this.state.selected !== connectionId) {
      const keepRow = this.state.row ? this.network.byKey(this.state.row) : undefined;
      if (keepRow && (keepRow.server === connectionId || keepRow.client === connectionId)) {
        this.state.selected = connectionId;
        this.renderSide();
      } else this.selectConnection(connectionId);
    }
    this.showTab(1);
    this.bytes.select(key, true);
    if (fromKeyboard) this.bytes.el.querySelector<HTMLElement>('[role="tree"]')?.focus();
  }
}
