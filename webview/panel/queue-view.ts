// The Timeline's server queue view: every connection the server served is a
// lane, time runs left to right to scale (silences become breaks), and each
// request is a hatched "waiting in the queue" segment followed by a solid
// "handling" one. In sequential mode only one handling segment exists at any
// moment, a curved arrow shows each finishing request handing the server to the
// next one in line, and the strip under the axis counts the requests waiting
// and handled at each instant. Lanes are virtualised.
import { html, nothing, render, svg, type SVGTemplateResult, type TemplateResult } from 'lit';
import type { QueueJob, ServerMode } from '../../server-core/protocol/playground.js';
import { formatMs } from '../shared/format.js';
import { layoutQueue, type JobBar, type QueueLayout } from './queue-layout.js';
import type { QueueModel } from './queue-model.js';
import { VirtualScroller } from '../shared/virtual-list.js';
import { div } from '../shared/dom.js';

const LANE_H = 34;
const BAR_H = 16;
const LABEL_W = 184;
const PAD_L = 14;
const PAD_R = 18;
const AXIS_H = 24;
const STRIP_H = 16;
/** A break is wide enough for its label ("12.5 s"). */
const BREAK_PX = 46;
/** While jobs are unfinished their bars grow: redraw this often (ms). */
const LIVE_MS = 120;
/** Characters of the 11 px label font per pixel, roughly. */
const CHAR_PX = 6.4;

export interface QueueViewOptions {
  model: QueueModel;
  /** The connection's label in the picker ("from 127.0.0.1:51234"), if the UI knows it. */
  labelOf(connectionId: string): string | undefined;
  /** A request was clicked (or chosen with the keyboard). */
  onPick(job: QueueJob): void;
  /** Open the request's Pipeline view (P, or Shift+click on it). */
  onPipeline?(job: QueueJob): void;
  setMode(mode: ServerMode): void;
}

function hatch(id: string): SVGTemplateResult {
  return svg`<pattern id=${id} class="qv-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="qv-hatch-bg" width="6" height="6"/><line x1="0" y1="0" x2="0" y2="6"/></pattern>`;
}

/** Who a queued request waited behind, from the scheduler's `position` when it was queued. */
export function waitedBehindText(waitingAhead: number): string {
  return waitingAhead > 0 ? `behind the request being handled and ${waitingAhead} more waiting` : 'behind the request being handled';
}

function clip(text: string, px: number): string {
  const n = Math.floor(px / CHAR_PX);
  if (n <= 1) return '';
  return text.length <= n ? text : `${text.slice(0, n - 1)}…`;
}

export class QueueView {
  readonly el: HTMLDivElement;
  private readonly head: HTMLDivElement;
  private readonly axis: HTMLDivElement;
  private readonly scroller: VirtualScroller;
  private layout: QueueLayout | undefined;
  private layoutKey = '';
  private headKey = '';
  private focused = -1;
  private visible = false;
  /** The server-side id of the connection selected in the inspector: its lane is highlighted. */
  private selected: string | undefined;
  private liveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: QueueViewOptions) {
    this.el = div('queue-view');
    this.head = div('qv-head');
    this.axis = div('qv-axis');
    const body = div('qv-body');
    this.el.append(this.head, this.axis, body);
    this.scroller = new VirtualScroller(body, LANE_H, (r) => this.draw(r));
    const list = this.scroller.scroller;
    list.tabIndex = 0;
    list.setAttribute('role', 'list');
    list.setAttribute('aria-label', 'Server queue: one lane per connection, time flows right. Arrow keys move between requests, Enter opens one, P opens its pipeline.');
    this.head.addEventListener('click', (e) => {
      const b = (e.target as Element).closest<HTMLButtonElement>('button[data-mode]');
      if (b && !b.disabled && b.getAttribute('aria-checked') !== 'true') this.options.setMode(b.dataset.mode as ServerMode);
    });
    this.head.addEventListener('keydown', (e) => {
      const b = (e.target as Element).closest<HTMLButtonElement>('button[data-mode]');
      if (!b || (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight')) return;
      e.preventDefault();
      const other = this.head.querySelector<HTMLButtonElement>(`button[data-mode]:not([data-mode="${b.dataset.mode}"])`);
      other?.focus();
      other?.click();
    });
    this.scroller.viewport.addEventListener('click', (e) => {
      const g = (e.target as Element).closest<SVGGElement>('[data-job]');
      if (!g || !this.layout) return;
      this.focused = Number(g.dataset.job);
      this.scroller.schedule();
      const bar = this.layout.bars[this.focused];
      // Shift+click: the request's Pipeline view instead of its connection.
      if (bar && e.shiftKey && this.options.onPipeline) this.options.onPipeline(bar.job);
      else if (bar) this.options.onPick(bar.job);
    });
    list.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** Shown or hidden by the Timeline's toggle; a hidden view stops its live redraws. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.el.hidden = !visible;
    if (visible) this.refresh();
    else this.stopLive();
  }

  /** The model changed (or the view became visible): redraw on the next frame (the layout is computed there, once per frame). */
  refresh(): void {
    if (this.visible) this.scroller.schedule();
  }

  /** Highlights the lane of this server-side connection (the one the inspector shows). */
  setSelected(connectionId: string | undefined): void {
    if (connectionId === this.selected) return;
    this.selected = connectionId;
    this.refresh();
  }

  private timeWidth(width: number): number {
    return Math.max(80, width - LABEL_W - PAD_L - PAD_R);
  }

  private ensureLayout(width: number): QueueLayout {
    const m = this.options.model;
    const key = `${m.version}:${width}`;
    const live = this.layout?.bars.some((b) => b.open) ?? false;
    if (!this.layout || key !== this.layoutKey || live) {
      const keep = this.focused >= 0 ? this.layout?.bars[this.focused]?.job : undefined;
      this.layout = layoutQueue(m.list(), { width: this.timeWidth(width), now: m.now(), breakPx: BREAK_PX });
      this.layoutKey = key;
      this.focused = keep ? this.layout.bars.findIndex((b) => b.job.connectionId === keep.connectionId && b.job.index === keep.index) : -1;
    }
    return this.layout;
  }

  private renderHead(): void {
    const m = this.options.model;
    const L = this.layout;
    const stats = L && L.bars.length
      ? `${L.bars.length} request${L.bars.length === 1 ? '' : 's'} on ${L.lanes.length} connection${L.lanes.length === 1 ? '' : 's'} · ${L.longestWaitMs > 0 ? `longest wait ${formatMs(L.longestWaitMs)}` : 'none waited'} · at most ${L.maxHandling} handled at once`
      : '';
    const key = `${m.mode}|${m.canSetMode}|${m.available}|${stats}`;
    if (key === this.headKey) return;
    this.headKey = key;
    const mode = m.mode;
    const explain =
      mode === 'sequential'
        ? 'One request at a time across all connections; the others wait in the queue.'
        : mode === 'concurrent'
          ? 'Every connection is served at once: handling bars overlap.'
          : m.available
            ? 'The server is not running.'
            : 'This host does not report a server queue.';
    const hadFocus = this.head.contains(document.activeElement);
    const button = (value: ServerMode, label: string) =>
      html`<button type="button" role="radio" data-mode=${value} aria-checked=${String(mode === value)} ?disabled=${!m.canSetMode} tabindex=${mode === value ? nothing : '-1'}>${label}</button>`;
    render(
      html`<div class="qv-mode">
          <span class="qv-badge mode-${mode ?? 'none'}"><span class="codicon codicon-${mode === 'sequential' ? 'list-ordered' : 'layers'}"></span> ${mode ? `${mode[0].toUpperCase()}${mode.slice(1)}` : 'No server'}</span
          ><span class="qv-explain">${explain}</span
          ><span class="qv-switch" role="radiogroup" aria-label="Server mode" title=${m.canSetMode ? nothing : 'The mode cannot be switched from this page'}>${button('concurrent', 'Concurrent')}${button('sequential', 'Sequential')}</span>
        </div>
        <div class="qv-legend"><span class="sw wait"></span>waiting in the queue <span class="sw handle"></span>handling <span class="sw handoff"></span>next in line starts<span class="qv-stats">${stats}</span></div>`,
      this.head,
    );
    // The switch was used from the keyboard: keep the focus on it across the redraw.
    if (hadFocus) this.head.querySelector<HTMLButtonElement>('button[aria-checked="true"]')?.focus();
  }

  private stopLive(): void {
    clearTimeout(this.liveTimer);
    this.liveTimer = undefined;
  }

  private onKey(e: KeyboardEvent): void {
    const L = this.layout;
    if (!L || !L.bars.length) return;
    const n = L.bars.length;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') this.focused = Math.min(n - 1, this.focused + 1);
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') this.focused = Math.max(0, this.focused < 0 ? n - 1 : this.focused - 1);
    else if (e.key === 'Home') this.focused = 0;
    else if (e.key === 'End') this.focused = n - 1;
    else if ((e.key === 'Enter' || e.key === ' ') && this.focused >= 0) this.options.onPick(L.bars[this.focused].job);
    else if ((e.key === 'p' || e.key === 'P') && !e.ctrlKey && !e.metaKey && !e.altKey && this.focused >= 0 && this.options.onPipeline) this.options.onPipeline(L.bars[this.focused].job);
    else return;
    e.preventDefault();
    if (this.focused >= 0) this.scroller.scrollToRow(L.bars[this.focused].lane);
    this.scroller.schedule();
  }

  private draw(r: { first: number; count: number; offset: number; width: number; height: number }): void {
    const vp = this.scroller.viewport;
    const m = this.options.model;
    // Hidden (this view or the whole Timeline tab): no drawing, no live redraws until shown again.
    if (!this.visible || this.el.offsetParent === null) {
      this.stopLive();
      return;
    }
    const L = this.ensureLayout(r.width);
    this.renderHead();
    if (L.lanes.length !== this.scroller.rowCount) this.scroller.setRowCount(L.lanes.length);
    const W = Math.max(LABEL_W + 120, r.width);
    const ox = LABEL_W + PAD_L;
    if (!L.bars.length) {
      render(nothing, this.axis);
      render(
        html`<div class="empty">${m.available
            ? html`No requests have reached the server yet. Switch to <b>Sequential</b>, then send two requests to <code>/delay/1000</code> at once from two connections: the second one waits here while the first is handled.`
            : 'This host does not report a server queue.'}</div>`,
        vp,
      );
      this.stopLive();
      return;
    }
    render(this.axisSvg(L, W, ox), this.axis);
    render(this.lanesSvg(L, r, W, ox), vp);
    if (L.bars.some((b) => b.open)) {
      if (!this.liveTimer) {
        this.liveTimer = setTimeout(() => {
          this.liveTimer = undefined;
          this.scroller.schedule();
        }, LIVE_MS);
      }
    } else this.stopLive();
  }

  /** Axis ticks, breaks, and the two depth strips (handled, waiting). */
  private axisSvg(L: QueueLayout, W: number, ox: number): TemplateResult {
    const H = AXIS_H + STRIP_H * 2 + 8;
    const y1 = AXIS_H + 2;
    const y2 = y1 + STRIP_H + 2;
    const strip = (count: (s: QueueLayout['depth'][number]) => number, max: number, y: number, cls: string, what: string, fill?: string) => {
      // Runs of the same count are one rectangle, and sub-pixel steps (a hand-off's microseconds between one
      // request's end and the next one's start) join the run they interrupt: no seams.
      const rects: SVGTemplateResult[] = [];
      let run: { n: number; x0: number; x1: number } | undefined;
      const flush = () => {
        if (!run || run.n === 0) return;
        const h = (STRIP_H * run.n) / Math.max(1, max);
        rects.push(svg`<rect class=${cls} x=${ox + run.x0} y=${y + STRIP_H - h} width=${Math.max(0.75, run.x1 - run.x0)} height=${h} fill=${fill ?? nothing}><title>${run.n} ${what}</title></rect>`);
      };
      for (const d of L.depth) {
        const n = count(d);
        if (run && (n === run.n || d.x1 - d.x0 < 0.5) && d.x0 - run.x1 < 0.5) run.x1 = d.x1;
        else {
          flush();
          run = { n, x0: d.x0, x1: d.x1 };
        }
      }
      flush();
      return rects;
    };
    return html`<svg class="qv-svg qv-axis-svg" width=${W} height=${H} role="img" aria-label="Time axis and queue depth">
      <defs>${hatch('qv-hatch-a')}</defs>
      <line class="axis-line" x1=${ox} y1=${AXIS_H - 4} x2=${W - PAD_R} y2=${AXIS_H - 4} />
      ${L.ticks.map((t) => {
        const x = ox + t.x;
        return svg`<g class="tick ${t.afterBreak ? 'after-break' : ''}"><line x1=${x} y1=${AXIS_H - 8} x2=${x} y2=${AXIS_H - 1}/><text x=${x + 3} y=${AXIS_H - 10}>${t.label}</text></g>`;
      })}
      ${L.breaks.map((b) => {
        const x = ox + (b.x0 + b.x1) / 2;
        return svg`<g class="brk"><title>${formatMs(b.ms)} with no request, not drawn to scale</title><path d="M${x - 5},${AXIS_H} L${x - 1},${AXIS_H - 14} M${x + 1},${AXIS_H} L${x + 5},${AXIS_H - 14}"/><text x=${x} y=${AXIS_H + STRIP_H + 6} text-anchor="middle">${formatMs(b.ms)}</text></g>`;
      })}
      <text class="strip-lbl" x=${LABEL_W - 8} y=${y1 + STRIP_H - 4} text-anchor="end">handling (max ${L.maxHandling})</text>
      <text class="strip-lbl" x=${LABEL_W - 8} y=${y2 + STRIP_H - 4} text-anchor="end">waiting (max ${L.maxWaiting})</text>
      ${strip((d) => d.handling, L.maxHandling, y1, 'depth-handle', 'handled at once')}
      ${strip((d) => d.waiting, L.maxWaiting, y2, 'depth-wait', 'waiting in the queue', 'url(#qv-hatch-a)')}
    </svg>`;
  }

  private lanesSvg(L: QueueLayout, r: { first: number; count: number; offset: number; height: number }, W: number, ox: number): TemplateResult {
    const H = r.height;
    const first = r.first;
    const last = Math.min(L.lanes.length, r.first + r.count);
    const yOf = (lane: number) => r.offset + (lane - first) * LANE_H;
    const lanes: SVGTemplateResult[] = [];
    for (let lane = first; lane < last; lane++) {
      const ln = L.lanes[lane];
      const y = yOf(lane);
      const label = this.options.labelOf(ln.connectionId);
      lanes.push(
        svg`<g class="qlane ${ln.connectionId === this.selected ? 'selected' : ''}" data-conn=${ln.connectionId}>
          <rect class="lane-bg ${lane % 2 ? 'odd' : ''}" x="0" y=${y} width=${W} height=${LANE_H}/>
          <text class="lane-id" x="10" y=${y + 15}>${clip(ln.connectionId, LABEL_W - 16)}</text>
          <text class="lane-sub" x="10" y=${y + 28}>${clip(label ?? `${ln.bars.length} request${ln.bars.length === 1 ? '' : 's'}`, LABEL_W - 16)}</text>
          ${ln.bars.map((i, k) => {
            const next = ln.bars[k + 1] === undefined ? undefined : L.bars[ln.bars[k + 1]];
            const nextX = next ? ox + (next.waited ? next.waitX0 : next.handleX0) : W;
            return this.barSvg(L.bars[i], i, y, ox, nextX);
          })}
        </g>`,
      );
    }
    // Hand-offs on top: from the end of one handling bar to the start of the next one (another lane), when either
    // lane is on screen. The two ends are at the same instant, so the arrow drops (or climbs) straight between the bars.
    const edge = (lane: number, bottom: boolean) => yOf(lane) + (bottom ? (LANE_H + BAR_H) / 2 : (LANE_H - BAR_H) / 2);
    const handoffs: SVGTemplateResult[] = [];
    for (const h of L.handoffs) {
      const a = L.bars[h.from];
      const b = L.bars[h.to];
      if (a.lane === b.lane || ((a.lane < first || a.lane >= last) && (b.lane < first || b.lane >= last))) continue;
      const down = b.lane > a.lane;
      const x1 = ox + a.handleX1;
      const x2 = ox + b.handleX0;
      const yA = edge(a.lane, down);
      const yB = edge(b.lane, !down);
      const ym = (yA + yB) / 2;
      handoffs.push(
        svg`<g class="handoff"><title>${`${a.job.connectionId} finished its ${a.job.method} ${a.job.target}; ${b.job.connectionId}'s ${b.job.method} ${b.job.target}, next in line, started`}</title><circle cx=${x1} cy=${yA} r="2.5"/><path d="M${x1},${yA} C${x1},${ym} ${x2},${ym} ${x2},${yB}" marker-end="url(#qv-ah)"/></g>`,
      );
    }
    return html`<svg class="qv-svg qv-lanes" width=${W} height=${H} role="presentation">
      <defs>${hatch('qv-hatch-l')}<marker id="qv-ah" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="7" orient="auto"><path class="qv-ah" d="M0,0 L10,5 L0,10 L2.5,5 z"/></marker></defs>
      ${L.ticks.map((t) => svg`<line class="grid" x1=${ox + t.x} y1="0" x2=${ox + t.x} y2=${H}/>`)}
      ${L.breaks.map((b) => svg`<rect class="brk-band" x=${ox + b.x0 + 4} y="0" width=${Math.max(1, b.x1 - b.x0 - 8)} height=${H}/>`)}
      ${lanes}${handoffs}
    </svg>`;
  }

  /** One request's segments; `nextX` is where the lane's next request begins (room for a label after a narrow bar). */
  private barSvg(b: JobBar, i: number, laneY: number, ox: number, nextX: number): SVGTemplateResult {
    const j = b.job;
    const y = laneY + (LANE_H - BAR_H) / 2;
    const what = `${j.method} ${j.target}`;
    const lines = [`${what} (request ${j.index} on ${j.connectionId})`];
    if (b.waited) lines.push(`${b.open && j.startedAt === undefined ? 'waiting for' : 'waited'} ${formatMs(b.waitMs)} in the queue${j.waitedBehind !== undefined ? `, ${waitedBehindText(j.waitedBehind)}` : ''}`);
    if (j.startedAt !== undefined) lines.push(`${b.open ? 'handling for' : 'handled in'} ${formatMs(b.handleMs)}`);
    if (j.aborted) lines.push('its connection closed before the response ended');
    const cls = `qjob${b.open ? ' open' : ''}${j.aborted ? ' aborted' : ''}${i === this.focused ? ' focused' : ''}`;
    const label = (cls: string, x: number, text: string) => svg`<text class="qlbl ${cls}" x=${x} y=${y + BAR_H - 4}>${text}</text>`;
    const parts: SVGTemplateResult[] = [];
    if (b.waited && !Number.isNaN(b.waitX0)) {
      const x = ox + b.waitX0;
      const w = Math.max(2, b.waitX1 - b.waitX0);
      parts.push(svg`<rect class="wait" x=${x} y=${y} width=${w} height=${BAR_H} rx="2" fill="url(#qv-hatch-l)"/>`);
      const text = [`waited ${formatMs(b.waitMs)}`, formatMs(b.waitMs)].find((t) => w > t.length * CHAR_PX + 8);
      if (text) parts.push(label('wait-lbl', x + 4, text));
    }
    if (!Number.isNaN(b.handleX0)) {
      const x = ox + b.handleX0;
      const w = Math.max(2, b.handleX1 - b.handleX0);
      parts.push(svg`<rect class="handle" x=${x} y=${y} width=${w} height=${BAR_H} rx="2"/>`);
      // The label goes inside when it fits, else after the bar when the lane has room there (the duration staying
      // inside if it fits), else inside, cut.
      const full = `${what} · ${formatMs(b.handleMs)}`;
      const fullPx = full.length * CHAR_PX;
      const dur = formatMs(b.handleMs);
      if (w > fullPx + 8) parts.push(label('handle-lbl', x + 4, full));
      else if (nextX - (x + w) > Math.min(fullPx, 120) + 12) {
        const inside = w > dur.length * CHAR_PX + 8;
        if (inside) parts.push(label('handle-lbl', x + 4, dur));
        parts.push(label('after', x + w + 4, clip(inside ? what : full, nextX - (x + w) - 10)));
      } else {
        const cut = clip(what, w - 8);
        if (cut) parts.push(label('handle-lbl', x + 4, cut));
      }
    }
    if (this.options.onPipeline) lines.push('Shift+click or P: its pipeline');
    return svg`<g class=${cls} data-job=${i} data-conn=${j.connectionId} data-index=${j.index} data-target=${j.target} role="listitem" aria-label=${lines.join('; ')}><title>${lines.join('\n')}</title>${parts}</g>`;
  }
}
