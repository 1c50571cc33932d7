// The Timeline inspector. Two views, switched in its toolbar: "Connection", a
// sequence diagram of the selected connection (below), and "Server queue"
// (queue-view.ts), every connection the server served on one time axis.
//
// The sequence diagram of one connection: the client's
// lifeline is on the left, the server's on the right; every request, response
// or frame is an arrow from its sender to its receiver, one row per message in
// the order the first byte was seen. An arrow whose bytes were still flowing
// when later messages started reaches down to the row of the last of them, so
// WebSocket's full-duplex traffic shows as arrows crossing in flight while
// HTTP/1.1 zig-zags (request, response, request…). Time is not to scale: every
// arrow gets a row, and a long silence is drawn as a labelled break. The time
// the server took between the end of a request and the first byte of its
// response is a bar on the server's lifeline. When the server's scheduler
// reported that request and it waited in the queue (sequential mode), the bar is
// split: hatched for the wait, solid for the handling. A streamed response (an
// event stream, NDJSON, chunked text) is its head's arrow and then one arrow
// back per event or chunk, at the time it arrived (timeline-streams.ts): SSE's
// one-request-many-answers shows against HTTP's zig-zag and WebSocket's crossings.
import { html, nothing, render } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { DissectedMessage, QueueJob, ServerMode } from '../../server-core/protocol/playground.js';
import type { QueueModel } from './queue-model.js';
import { QueueView } from './queue-view.js';
import type { ConnCapture } from './conn-capture.js';
import { CLIENT_X, ROW, SERVER_RIGHT, TimelineRowPool, type TimelineLayout, type TimelineScene } from './timeline-rows.js';
import { VirtualScroller } from '../shared/virtual-list.js';
import { div } from '../shared/dom.js';
import { isStreamPart, streamRows, type TimeAt } from './timeline-streams.js';

/** What the Timeline needs for its server queue view. */
export interface TimelineQueueOptions {
  model: QueueModel;
  labelOf(connectionId: string): string | undefined;
  /** Show a connection in the inspector (a request was clicked in the queue view). */
  selectConnection(connectionId: string): void;
  setMode(mode: ServerMode): void;
  /** Open a request's Pipeline view (P or Shift+click on a request in the queue view). */
  openPipeline?(connectionId: string, index: number): void;
}

export type TimelineSubView = 'connection' | 'queue';

const MAX_SPAN_ROWS = 6;
/** A silence longer than this (and longer than 20× the previous step) is drawn as a break. */
const GAP_MS = 250;

/** `timeAt` (the connection's chunk index) times the parts of streamed responses (timeline-streams.ts). */
export function layoutTimeline(messages: DissectedMessage[], timeAt?: TimeAt): TimelineLayout {
  const msgs: DissectedMessage[] = [];
  for (const m of messages) {
    const rows = timeAt && streamRows(m, timeAt);
    if (rows) for (const r of rows) msgs.push(r);
    else msgs.push(m);
  }
  // Stable: the parts of one response (same id) keep their order when their times tie.
  msgs.sort((a, b) => a.tStart - b.tStart || a.id - b.id);
  const n = msgs.length;
  const endRow = new Int32Array(n);
  const answerOf = new Int32Array(n).fill(-1);
  const gapBefore = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Last j with tStart ≤ this message's tEnd.
    let lo = i;
    let hi = Math.min(n - 1, i + MAX_SPAN_ROWS);
    const tEnd = msgs[i].tEnd;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (msgs[mid].tStart < tEnd) lo = mid;
      else hi = mid - 1;
    }
    endRow[i] = lo;
    if (i > 0) {
      const gap = msgs[i].tStart - Math.max(msgs[i - 1].tEnd, msgs[i - 1].tStart);
      if (gap > GAP_MS) gapBefore[i] = gap;
    }
  }
  const openRequests = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const m = msgs[i];
    if (m.kind === 'http-request') openRequests.set(m.sequence ?? -1, i);
    else if (m.kind === 'http-response' && !isStreamPart(m)) {
      const req = openRequests.get(m.sequence ?? -1);
      if (req !== undefined) answerOf[i] = req;
    }
  }
  return { msgs, endRow, answerOf, gapBefore };
}

/** The message a row opens: the response a streamed part belongs to, or the row's own message. */
function messageOf(m: DissectedMessage): DissectedMessage {
  return isStreamPart(m) ? m.partOf : m;
}

/** The server side of a connection: itself, or the Wireplay server's end of a playground connection. */
function serverSideOf(c: ConnCapture | undefined): string | undefined {
  return c?.info.side === 'server' ? c.info.connectionId : c?.info.peerConnectionId;
}

/** The queue's job for a request message, through the server side of the connection. */
function jobOf(queue: QueueModel | undefined, c: ConnCapture, request: DissectedMessage): QueueJob | undefined {
  if (!queue || request.sequence === undefined) return undefined;
  const serverId = serverSideOf(c);
  return serverId === undefined ? undefined : queue.job(serverId, request.sequence + 1);
}

export class TimelineView {
  readonly el: HTMLDivElement;
  private readonly scroller: VirtualScroller;
  private readonly header: HTMLDivElement;
  private readonly connView: HTMLDivElement;
  private readonly toolbar: HTMLDivElement | undefined;
  readonly queueView: QueueView | undefined;
  private sub: TimelineSubView = 'connection';
  private capture: ConnCapture | undefined;
  private layout: TimelineLayout | undefined;
  private version = -1;
  private focused = -1;
  /** A request picked in the queue view, focused once its connection's messages are here. */
  private pendingFocus: { connectionId: string; sequence: number } | undefined;
  private headerKey = '';
  private readonly rows = new TimelineRowPool();
  private readonly empty: HTMLDivElement;
  private readonly scene: TimelineScene;
  private sceneQueueVersion = -1;

  constructor(
    private readonly onOpen: (msg: DissectedMessage) => void,
    private readonly queue?: TimelineQueueOptions,
  ) {
    this.el = div('timeline-view');
    this.empty = div('empty');
    this.empty.textContent = 'No messages yet. Send a request or a frame; each one becomes an arrow here.';
    this.scene = {
      generation: 0,
      layout: layoutTimeline([]),
      t0: 0,
      width: 0,
      focused: -1,
      jobOf: (request) => (this.capture ? jobOf(this.queue?.model, this.capture, request) : undefined),
    };
    this.header = div('tl-header');
    const host = div('tl-body');
    this.connView = div('tl-conn');
    this.connView.append(this.header, host);
    if (queue) {
      this.toolbar = div('tl-toolbar');
      this.toolbar.setAttribute('role', 'tablist');
      this.toolbar.setAttribute('aria-label', 'Timeline view');
      render(
        html`<button type="button" role="tab" data-sub="connection" title="The selected connection as a sequence diagram"><span class="codicon codicon-arrow-swap"></span> Connection</button
          ><button type="button" role="tab" data-sub="queue" title="Every connection the server served, on one time axis, with the queue"><span class="codicon codicon-server-process"></span> Server queue</button>`,
        this.toolbar,
      );
      this.toolbar.addEventListener('click', (e) => {
        const b = (e.target as Element).closest<HTMLButtonElement>('button[data-sub]');
        if (b) this.setSubView(b.dataset.sub as TimelineSubView);
      });
      this.toolbar.addEventListener('keydown', (e) => {
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
        e.preventDefault();
        this.setSubView(this.sub === 'queue' ? 'connection' : 'queue');
        this.toolbar!.querySelector<HTMLButtonElement>(`button[data-sub="${this.sub}"]`)?.focus();
      });
      this.queueView = new QueueView({
        model: queue.model,
        labelOf: queue.labelOf,
        setMode: queue.setMode,
        onPick: (job) => this.pick(job),
        ...(queue.openPipeline ? { onPipeline: (job: QueueJob) => queue.openPipeline!(job.connectionId, job.index) } : {}),
      });
      this.el.append(this.toolbar, this.connView, this.queueView.el);
    } else this.el.append(this.connView);
    this.scroller = new VirtualScroller(host, ROW, (r) => this.draw(r));
    this.applySubView();
    this.scroller.scroller.tabIndex = 0;
    this.scroller.scroller.setAttribute('role', 'list');
    this.scroller.scroller.setAttribute('aria-label', 'Sequence diagram: client on the left, server on the right. ↑ ↓ select a message, Enter opens its bytes.');
    this.scroller.viewport.setAttribute('role', 'none');
    this.scroller.viewport.addEventListener('click', (e) => {
      const g = (e.target as Element).closest<SVGGElement>('[data-row]');
      if (!g || !this.layout) return;
      this.focused = Number(g.dataset.row);
      this.scroller.schedule();
      this.onOpen(messageOf(this.layout.msgs[this.focused]));
    });
    this.scroller.scroller.addEventListener('keydown', (e) => {
      if (!this.layout || !this.layout.msgs.length) return;
      const n = this.layout.msgs.length;
      if (e.key === 'ArrowDown') this.focused = Math.min(n - 1, this.focused + 1);
      else if (e.key === 'ArrowUp') this.focused = Math.max(0, this.focused - 1);
      else if (e.key === 'Home') this.focused = 0;
      else if (e.key === 'End') this.focused = n - 1;
      else if (e.key === 'Enter' && this.focused >= 0) this.onOpen(messageOf(this.layout.msgs[this.focused]));
      else return;
      e.preventDefault();
      this.scroller.scrollToRow(this.focused);
      this.scroller.schedule();
    });
  }

  /** Connection (sequence diagram) or Server queue (lanes). */
  setSubView(sub: TimelineSubView): void {
    if (!this.queueView) return;
    this.sub = sub;
    this.applySubView();
    this.refresh();
  }

  private applySubView(): void {
    if (!this.toolbar || !this.queueView) return;
    for (const b of this.toolbar.querySelectorAll<HTMLButtonElement>('button[data-sub]')) {
      const on = b.dataset.sub === this.sub;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      b.classList.toggle('on', on);
    }
    this.connView.hidden = this.sub !== 'connection';
    this.queueView.setVisible(this.sub === 'queue');
  }

  /** The queue changed: redraw whichever view shows it. */
  queueChanged(): void {
    if (this.sub === 'queue') this.queueView?.refresh();
    else if (this.capture) this.refresh();
  }

  /** A request was picked in the queue view: its connection's sequence diagram, with that request focused. */
  private pick(job: QueueJob): void {
    this.pendingFocus = { connectionId: job.connectionId, sequence: job.index - 1 };
    this.queue?.selectConnection(job.connectionId);
    this.setSubView('connection');
  }

  show(capture: ConnCapture | undefined): void {
    if (capture !== this.capture) {
      this.capture = capture;
      this.version = -1;
      this.focused = -1;
      if (this.pendingFocus && this.pendingFocus.connectionId !== capture?.info.connectionId) this.pendingFocus = undefined;
    }
    this.queueView?.setSelected(serverSideOf(capture));
    this.refresh();
  }

  refresh(): void {
    if (this.sub === 'queue') {
      this.queueView?.refresh();
      return;
    }
    const c = this.capture;
    if (!c) {
      this.layout = undefined;
      render(nothing, this.header);
      this.scroller.setRowCount(0);
      this.scroller.schedule();
      return;
    }
    const queueVersion = this.queue?.model.version ?? 0;
    if (c.version !== this.version) {
      this.version = c.version;
      this.headerKey = '';
      const index = c.index;
      this.layout = layoutTimeline(c.messages, (dir, offset) => {
        const k = index.chunkAt(dir, offset);
        return k < 0 ? undefined : index.time(k);
      });
      this.scroller.setRowCount(this.layout.msgs.length);
      const want = this.pendingFocus;
      if (want && want.connectionId === c.info.connectionId) {
        const row = this.layout.msgs.findIndex((m) => m.kind === 'http-request' && m.sequence === want.sequence);
        if (row >= 0) {
          this.pendingFocus = undefined;
          this.focused = row;
          this.scroller.scrollToRow(row, 'center');
        }
      }
    }
    const key = `${c.version}:${queueVersion}`;
    if (key !== this.headerKey && this.layout) {
      this.headerKey = key;
      const L = this.layout;
      const serverId = serverSideOf(c);
      const queued =
        serverId !== undefined &&
        !!this.queue?.model.hasJobs(serverId) &&
        L.msgs.some((_, i) => L.answerOf[i] >= 0 && jobOf(this.queue?.model, c, L.msgs[L.answerOf[i]])?.waitedBehind !== undefined);
      const [client, server] = c.info.side === 'server' ? [c.info.remote, 'this server'] : ['Wireplay (client)', c.info.remote || 'server'];
      render(
        html`<div class="tl-end tl-client" style=${styleMap({ left: `${CLIENT_X}px` })}><span><span class="codicon codicon-device-desktop"></span> Client</span><small>${client}</small></div
          ><div class="tl-mid" title="${L.msgs.length} messages · time flows down, not to scale">${L.msgs.length} messages · time flows down, not to scale${queued ? html` · <span class="tl-key-wait"></span> waited in the server's queue` : nothing}</div
          ><div class="tl-end tl-server" style=${styleMap({ right: `${SERVER_RIGHT}px` })}><span><span class="codicon codicon-server"></span> Server</span><small>${server}</small></div>`,
        this.header,
      );
    }
    this.scroller.schedule();
  }

  private draw(r: { first: number; count: number; offset: number; width: number; height: number }): void {
    const L = this.layout;
    const c = this.capture;
    const vp = this.scroller.viewport;
    if (!L || !c || L.msgs.length === 0) {
      this.rows.clear();
      if (!c) vp.replaceChildren();
      else if (vp.firstChild !== this.empty) vp.replaceChildren(this.empty);
      return;
    }
    if (vp.firstChild !== this.rows.svg) vp.replaceChildren(this.rows.svg);
    const width = Math.max(360, r.width);
    const queueVersion = this.queue?.model.version ?? 0;
    if (L !== this.scene.layout || width !== this.scene.width || queueVersion !== this.sceneQueueVersion) {
      this.sceneQueueVersion = queueVersion;
      this.scene.generation++;
      this.scene.layout = L;
      this.scene.width = width;
    }
    this.scene.t0 = c.info.t;
    this.scene.focused = this.focused;
    // Arrows that start above the window but cross into it are drawn too (with the rows between them and the window).
    let from = r.first;
    for (let i = r.first - 1; i >= Math.max(0, r.first - MAX_SPAN_ROWS); i--) if (L.endRow[i] >= r.first) from = i;
    const to = Math.min(L.msgs.length, r.first + r.count);
    this.rows.draw(this.scene, from, to, r.first, r.offset, r.height);
    // The focused arrow, for screen readers, while it is drawn (an id nobody has is not a valid reference).
    const list = this.scroller.scroller;
    if (this.focused >= 0 && vp.querySelector(`#tl-row-${this.focused}`)) list.setAttribute('aria-activedescendant', `tl-row-${this.focused}`);
    else list.removeAttribute('aria-activedescendant');
  }
}
