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
// split: hatched for the wait, solid for the handling.
import type { DissectedMessage } from '../../server-core/capture/dissection-types.js';
import type { QueueJob, ServerMode } from '../protocol.js';
import { formatBytes, formatMs } from './bytes-util.js';
import type { QueueModel } from './queue-model.js';
import { QueueView, waitedBehindText } from './queue-view.js';
import type { ConnCapture } from './store.js';
import { VirtualScroller, esc } from './virtual.js';

/** What the Timeline needs for its server queue view. */
export interface TimelineQueueOptions {
  model: QueueModel;
  labelOf(connectionId: string): string | undefined;
  /** Show a connection in the inspector (a request was clicked in the queue view). */
  selectConnection(connectionId: string): void;
  setMode(mode: ServerMode): void;
}

export type TimelineSubView = 'connection' | 'queue';

const ROW = 38;
const MAX_SPAN_ROWS = 6;
const CLIENT_X = 130;
const SERVER_RIGHT = 64;
/** A silence longer than this (and longer than 20× the previous step) is drawn as a break. */
const GAP_MS = 250;

interface Layout {
  msgs: DissectedMessage[];
  /** Row where each arrow ends (≥ its own row). */
  endRow: Int32Array;
  /** For a response: the row of the request it answers, or -1. */
  answerOf: Int32Array;
  /** Gap (ms) before each row, if drawn as a break. */
  gapBefore: Float64Array;
}

function controlKind(m: DissectedMessage): 'data' | 'control' {
  return /^(ping|pong|close)/i.test(m.summary) ? 'control' : 'data';
}

export function layoutTimeline(messages: DissectedMessage[]): Layout {
  const msgs = messages.slice();
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
    else if (m.kind === 'http-response') {
      const req = openRequests.get(m.sequence ?? -1);
      if (req !== undefined) answerOf[i] = req;
    }
  }
  return { msgs, endRow, answerOf, gapBefore };
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
  private layout: Layout | undefined;
  private version = -1;
  private focused = -1;
  /** A request picked in the queue view, focused once its connection's messages are here. */
  private pendingFocus: { connectionId: string; sequence: number } | undefined;
  private headerKey = '';

  constructor(
    private readonly onOpen: (msg: DissectedMessage) => void,
    private readonly queue?: TimelineQueueOptions,
  ) {
    this.el = document.createElement('div');
    this.el.className = 'timeline-view';
    this.header = document.createElement('div');
    this.header.className = 'tl-header';
    const host = document.createElement('div');
    host.className = 'tl-body';
    this.connView = document.createElement('div');
    this.connView.className = 'tl-conn';
    this.connView.append(this.header, host);
    if (queue) {
      this.toolbar = document.createElement('div');
      this.toolbar.className = 'tl-toolbar';
      this.toolbar.setAttribute('role', 'tablist');
      this.toolbar.setAttribute('aria-label', 'Timeline view');
      this.toolbar.innerHTML =
        '<button type="button" role="tab" data-sub="connection" title="The selected connection as a sequence diagram"><span class="codicon codicon-arrow-swap"></span> Connection</button>' +
        '<button type="button" role="tab" data-sub="queue" title="Every connection the server served, on one time axis, with the queue"><span class="codicon codicon-server-process"></span> Server queue</button>';
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
      });
      this.el.append(this.toolbar, this.connView, this.queueView.el);
    } else this.el.append(this.connView);
    this.scroller = new VirtualScroller(host, ROW, (r) => this.draw(r));
    this.applySubView();
    this.scroller.scroller.tabIndex = 0;
    this.scroller.scroller.setAttribute('role', 'list');
    this.scroller.scroller.setAttribute('aria-label', 'Sequence diagram: client on the left, server on the right');
    this.scroller.viewport.addEventListener('click', (e) => {
      const g = (e.target as Element).closest<SVGGElement>('[data-row]');
      if (!g || !this.layout) return;
      this.focused = Number(g.dataset.row);
      this.scroller.schedule();
      this.onOpen(this.layout.msgs[this.focused]);
    });
    this.scroller.scroller.addEventListener('keydown', (e) => {
      if (!this.layout || !this.layout.msgs.length) return;
      const n = this.layout.msgs.length;
      if (e.key === 'ArrowDown') this.focused = Math.min(n - 1, this.focused + 1);
      else if (e.key === 'ArrowUp') this.focused = Math.max(0, this.focused - 1);
      else if (e.key === 'Home') this.focused = 0;
      else if (e.key === 'End') this.focused = n - 1;
      else if (e.key === 'Enter' && this.focused >= 0) this.onOpen(this.layout.msgs[this.focused]);
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
      this.header.innerHTML = '';
      this.scroller.setRowCount(0);
      this.scroller.schedule();
      return;
    }
    const queueVersion = this.queue?.model.version ?? 0;
    if (c.version !== this.version) {
      this.version = c.version;
      this.headerKey = '';
      this.layout = layoutTimeline(c.messages);
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
      this.header.innerHTML =
        `<div class="tl-end tl-client" style="left:${CLIENT_X}px"><span><span class="codicon codicon-device-desktop"></span> Client</span><small>${esc(client)}</small></div>` +
        `<div class="tl-mid">${L.msgs.length} messages · time flows down, not to scale${queued ? ' · <span class="tl-key-wait"></span> waited in the server\'s queue' : ''}</div>` +
        `<div class="tl-end tl-server" style="right:${SERVER_RIGHT}px"><span><span class="codicon codicon-server"></span> Server</span><small>${esc(server)}</small></div>`;
    }
    this.scroller.schedule();
  }

  private draw(r: { first: number; count: number; offset: number; width: number; height: number }): void {
    const L = this.layout;
    const c = this.capture;
    const vp = this.scroller.viewport;
    if (!L || !c || L.msgs.length === 0) {
      vp.innerHTML = c ? '<div class="empty">No messages yet. Send a request or a frame; each one becomes an arrow here.</div>' : '';
      return;
    }
    const W = Math.max(360, r.width);
    const H = r.height;
    const gutter = CLIENT_X - 40;
    const xc = CLIENT_X;
    const xs = W - SERVER_RIGHT;
    const mid = (xc + xs) / 2;
    const t0 = c.info.t;
    // Arrows that start above the window but cross into it are drawn too.
    const from = Math.max(0, r.first - MAX_SPAN_ROWS);
    const to = Math.min(L.msgs.length, r.first + r.count);
    const yOf = (row: number) => r.offset + (row - r.first) * ROW + ROW * 0.42;
    const parts: string[] = [];
    parts.push(
      `<svg class="tl-svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="presentation">` +
        '<defs>' +
        ['c2s', 's2c', 'errm']
          .map((k) => `<marker id="ah-${k === 'errm' ? 'err' : k}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="9" orient="auto"><path class="ah ${k}" d="M0,0 L10,5 L0,10 L2.5,5 z"/></marker>`)
          .join('') +
        '<pattern id="tl-hatch" class="qv-hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="qv-hatch-bg" width="4" height="4"/><line x1="0" y1="0" x2="0" y2="4"/></pattern>' +
        '</defs>',
      `<line class="lifeline" x1="${xc}" y1="0" x2="${xc}" y2="${H}"/><line class="lifeline" x1="${xs}" y1="0" x2="${xs}" y2="${H}"/>`,
    );
    // Server time bars (request end → response start) and silences first, under the arrows.
    for (let i = from; i < to; i++) {
      const a = L.answerOf[i];
      if (a >= 0) {
        const y1 = yOf(L.endRow[a]) + 6;
        const y2 = yOf(i);
        const reqEnd = L.msgs[a].tEnd;
        const respStart = L.msgs[i].tStart;
        const wait = respStart - reqEnd;
        const job = jobOf(this.queue?.model, c, L.msgs[a]);
        if (job && job.waitedBehind !== undefined && job.startedAt !== undefined) parts.push(this.splitBar(job, reqEnd, respStart, xs, y1, y2));
        else {
          if (y2 > y1) {
            parts.push(`<rect class="srv-bar" x="${xs - 4}" y="${y1}" width="8" height="${y2 - y1}" rx="3"><title>Server time: ${esc(formatMs(wait))} from the end of the request to the first byte of the response</title></rect>`);
          }
          parts.push(`<text class="srv-label" x="${xs + 8}" y="${(y1 + y2) / 2 + 4}">${esc(formatMs(Math.max(0, wait)))}</text>`);
        }
      }
      const gap = L.gapBefore[i];
      if (gap > 0) {
        const y = yOf(i) - ROW * 0.55;
        parts.push(`<g class="gap"><line x1="${gutter}" y1="${y}" x2="${W - 8}" y2="${y}"/><text x="${mid}" y="${y - 3}" text-anchor="middle">⋯ ${esc(formatMs(gap))} later</text></g>`);
      }
    }
    for (let i = from; i < to; i++) {
      const m = L.msgs[i];
      const y0 = yOf(i);
      const y1 = yOf(L.endRow[i]) + (L.endRow[i] > i ? ROW * 0.35 : 8);
      const [x0, x1] = m.dir === 'c2s' ? [xc, xs - 2] : [xs, xc + 2];
      const kind = m.kind === 'ws-frame' ? `ws ${controlKind(m)}` : m.kind === 'http-request' || m.kind === 'http-response' ? 'http' : m.kind;
      const cls = `arrow ${m.dir} ${kind}${m.error ? ' error' : ''}${i === this.focused ? ' focused' : ''}`;
      const marker = m.error ? 'ah-err' : `ah-${m.dir}`;
      const size = m.range.end - m.range.start;
      const label = m.summary.length > 64 ? m.summary.slice(0, 63) + '…' : m.summary;
      // A label sits mid-arrow; on an arrow that spans several rows (crossing others) it moves toward the sender, so crossing labels do not collide.
      const at = L.endRow[i] > i ? 0.3 : 0.5;
      const lx = x0 + (x1 - x0) * at;
      const ly = y0 + (y1 - y0) * at - 5;
      const slope = Math.atan2(y1 - y0, x1 - x0) * (180 / Math.PI);
      const dur = m.tEnd - m.tStart;
      parts.push(
        `<g class="${cls}" data-row="${i}" role="listitem" aria-label="${esc(`${m.dir === 'c2s' ? 'client to server' : 'server to client'}: ${m.summary} at +${formatMs(m.tStart - t0)}`)}">` +
          `<title>${esc(m.summary)}\n${m.dir === 'c2s' ? 'client → server' : 'server → client'} · ${formatBytes(size)} · first byte +${esc(formatMs(m.tStart - t0))}${dur > 0 ? ` · ${esc(formatMs(dur))} on the wire` : ''}${m.error ? `\n${esc(m.error.message)}` : ''}</title>` +
          `<line class="hit" x1="${x0}" y1="${y0}" x2="${x1}" y2="${y1}"/>` +
          `<line class="shaft" x1="${x0}" y1="${y0}" x2="${x1}" y2="${y1}" marker-end="url(#${marker})"/>` +
          `<circle class="dot" cx="${x0}" cy="${y0}" r="3"/>` +
          `<text class="lbl" x="${lx}" y="${ly}" text-anchor="middle" transform="rotate(${slope > 90 || slope < -90 ? slope - 180 : slope} ${lx} ${ly})">${esc(label)}</text>` +
          `<text class="time" x="${gutter - 6}" y="${y0 + 4}" text-anchor="end">+${esc(formatMs(m.tStart - t0))}</text>` +
          `<text class="size" x="${m.dir === 'c2s' ? xc - 8 : xs + 8}" y="${y0 + 14}" text-anchor="${m.dir === 'c2s' ? 'end' : 'start'}">${esc(formatBytes(size))}</text>` +
          '</g>',
      );
    }
    parts.push('</svg>');
    vp.innerHTML = parts.join('');
  }

  /** The server bar of a request that waited in the queue: hatched while it waited, solid while it was handled. */
  private splitBar(job: QueueJob, reqEnd: number, respStart: number, xs: number, y1: number, y2: number): string {
    const started = job.startedAt!;
    const queuedMs = Math.max(0, started - job.queuedAt);
    const handlingMs = Math.max(0, respStart - started);
    const span = respStart - reqEnd;
    const frac = span > 0 ? Math.min(1, Math.max(0, (started - reqEnd) / span)) : 0;
    const ym = y1 + Math.max(0, y2 - y1) * frac;
    const tip = `<title>Waited ${esc(formatMs(queuedMs))} in the server's queue, ${waitedBehindText(job.waitedBehind!)}, then ${esc(formatMs(handlingMs))} from the start of its handler to the first byte of the response</title>`;
    const out: string[] = [`<g class="srv-split">${tip}`];
    if (ym > y1) out.push(`<rect class="srv-wait" x="${xs - 4}" y="${y1}" width="8" height="${ym - y1}" rx="2" fill="url(#tl-hatch)"/>`);
    if (y2 > ym) out.push(`<rect class="srv-bar" x="${xs - 4}" y="${ym}" width="8" height="${y2 - ym}" rx="2"/>`);
    // The wait is labelled left of the lifeline (the space between a request and its response is empty there), the handling right.
    const roomy = ym - y1 >= 12 && y2 - ym >= 12;
    const yw = roomy ? (y1 + ym) / 2 : (y1 + y2) / 2;
    const yh = roomy ? (ym + y2) / 2 : (y1 + y2) / 2;
    out.push(`<text class="srv-label srv-wait-label" x="${xs - 10}" y="${yw + 4}" text-anchor="end">queued ${esc(formatMs(queuedMs))}</text>`);
    out.push(`<text class="srv-label" x="${xs + 8}" y="${yh + 4}">${esc(formatMs(handlingMs))}</text>`);
    out.push('</g>');
    return out.join('');
  }
}
