// The sequence diagram's rows: one SVG built once, and a pool of row elements
// rewritten in place (attributes and text nodes, never parsed HTML). Each row
// is drawn in its own coordinates (y = 0 at its top) inside a group moved by
// the scroll offset, so a scroll that keeps a row on screen does not touch it;
// a row remembers what it last wrote, so redrawing it unchanged writes nothing.
// Rows leaving the window are detached and kept for the rows that enter, and
// the arrows stay in row order in the DOM (it is the list screen readers read).
//
// Two layers: server-time bars and silences under every arrow, then the arrows.
import { render, svg } from 'lit';
import type { DissectedMessage, QueueJob } from '../../server-core/protocol/playground.js';
import { formatBytes, formatMs } from '../shared/format.js';
import { waitedBehindText } from './queue-view.js';
import { isStreamPart } from './timeline-streams.js';

export const ROW = 38;
export const CLIENT_X = 130;
export const SERVER_RIGHT = 64;
/** Row coordinates stay below this many rows from the origin of the moving group (float precision of far-off coordinates). */
const REBASE_ROWS = 1000;
const NS = 'http://www.w3.org/2000/svg';

/** What layoutTimeline() works out for a connection's messages. */
export interface TimelineLayout {
  msgs: DissectedMessage[];
  /** Row where each arrow ends (≥ its own row). */
  endRow: Int32Array;
  /** For a response: the row of the request it answers, or -1. */
  answerOf: Int32Array;
  /** Gap (ms) before each row, if drawn as a break. */
  gapBefore: Float64Array;
}

/** Everything a row's drawing depends on. */
export interface TimelineScene {
  /** Changes whenever anything below but `focused` may draw differently (layout, width, queue). */
  generation: number;
  layout: TimelineLayout;
  /** The connection's start (ms), for the +time labels. */
  t0: number;
  width: number;
  focused: number;
  /** The queue's job for a request message, if the server's scheduler reported it. */
  jobOf(request: DissectedMessage): QueueJob | undefined;
}

/** An SVG element that remembers the attributes it last wrote. */
class Shape {
  readonly el: SVGElement;
  private readonly last = new Map<string, string | number>();
  private text: Text | undefined;

  constructor(tag: string, cls?: string) {
    this.el = document.createElementNS(NS, tag) as SVGElement;
    if (cls) this.el.setAttribute('class', cls);
  }

  set(name: string, value: string | number): void {
    if (this.last.get(name) === value) return;
    this.last.set(name, value);
    this.el.setAttribute(name, typeof value === 'number' ? String(value) : value);
  }

  setText(s: string): void {
    if (!this.text) this.text = this.el.appendChild(document.createTextNode(''));
    if (this.text.data !== s) this.text.data = s;
  }
}

/** Shows (attached) or hides (detached) kids[k] of parent, keeping the kids in their listed order. */
function place(parent: Element, kids: readonly Shape[], k: number, on: boolean): void {
  const el = kids[k].el;
  if (on === (el.parentNode === parent)) return;
  if (!on) {
    el.remove();
    return;
  }
  let ref: Element | null = null;
  for (let j = k + 1; j < kids.length && !ref; j++) if (kids[j].el.parentNode === parent) ref = kids[j].el;
  parent.insertBefore(el, ref);
}

function ends(line: Shape, x1: number, y1: number, x2: number, y2: number): void {
  line.set('x1', x1);
  line.set('y1', y1);
  line.set('x2', x2);
  line.set('y2', y2);
}

function controlKind(m: DissectedMessage): 'data' | 'control' {
  return /^(ping|pong|close)/i.test(m.summary) ? 'control' : 'data';
}

const Y_MID = ROW * 0.42;

/** The server's time for a response: a bar on the server's lifeline from the end of its request, split when the request waited in the queue. */
class ServerBar {
  readonly g = new Shape('g');
  private readonly title = new Shape('title');
  private readonly wait = new Shape('rect', 'srv-wait');
  private readonly bar = new Shape('rect', 'srv-bar');
  private readonly waitLabel = new Shape('text', 'srv-label srv-wait-label');
  private readonly label = new Shape('text', 'srv-label');
  private readonly kids = [this.title, this.wait, this.bar, this.waitLabel, this.label];

  constructor() {
    this.wait.set('width', 8);
    this.wait.set('rx', 2);
    this.wait.set('fill', 'url(#tl-hatch)');
    this.bar.set('width', 8);
    this.waitLabel.set('text-anchor', 'end');
  }

  /** y1: the end of the request, y2: the first byte of the response (row coordinates). */
  draw(request: DissectedMessage, response: DissectedMessage, job: QueueJob | undefined, xs: number, y1: number, y2: number): void {
    const reqEnd = request.tEnd;
    const respStart = response.tStart;
    const g = this.g.el;
    this.bar.set('x', xs - 4);
    this.wait.set('x', xs - 4);
    this.label.set('x', xs + 8);
    if (!job || job.waitedBehind === undefined || job.startedAt === undefined) {
      const wait = respStart - reqEnd;
      this.g.set('class', 'srv-time');
      this.title.setText(`Server time: ${formatMs(wait)} from the end of the request to the first byte of the response`);
      place(g, this.kids, 0, true);
      place(g, this.kids, 1, false);
      place(g, this.kids, 2, y2 > y1);
      place(g, this.kids, 3, false);
      place(g, this.kids, 4, true);
      this.bar.set('y', y1);
      this.bar.set('height', y2 - y1);
      this.bar.set('rx', 3);
      this.label.set('y', (y1 + y2) / 2 + 4);
      this.label.setText(formatMs(Math.max(0, wait)));
      return;
    }
    const started = job.startedAt;
    const queuedMs = Math.max(0, started - job.queuedAt);
    const handlingMs = Math.max(0, respStart - started);
    const span = respStart - reqEnd;
    const frac = span > 0 ? Math.min(1, Math.max(0, (started - reqEnd) / span)) : 0;
    const ym = y1 + Math.max(0, y2 - y1) * frac;
    this.g.set('class', 'srv-split');
    this.title.setText(
      `Waited ${formatMs(queuedMs)} in the server's queue, ${waitedBehindText(job.waitedBehind)}, then ${formatMs(handlingMs)} from the start of its handler to the first byte of the response`,
    );
    place(g, this.kids, 0, true);
    place(g, this.kids, 1, ym > y1);
    place(g, this.kids, 2, y2 > ym);
    place(g, this.kids, 3, true);
    place(g, this.kids, 4, true);
    this.wait.set('y', y1);
    this.wait.set('height', ym - y1);
    this.bar.set('y', ym);
    this.bar.set('height', y2 - ym);
    this.bar.set('rx', 2);
    // The wait is labelled left of the lifeline (the space between a request and its response is empty there), the handling right.
    const roomy = ym - y1 >= 12 && y2 - ym >= 12;
    this.waitLabel.set('x', xs - 10);
    this.waitLabel.set('y', (roomy ? (y1 + ym) / 2 : (y1 + y2) / 2) + 4);
    this.waitLabel.setText(`queued ${formatMs(queuedMs)}`);
    this.label.set('y', (roomy ? (ym + y2) / 2 : (y1 + y2) / 2) + 4);
    this.label.setText(formatMs(handlingMs));
  }
}

/** A silence before a row, drawn as a labelled break across the diagram. */
class GapBreak {
  readonly g = new Shape('g', 'gap');
  private readonly line = new Shape('line');
  private readonly text = new Shape('text');

  constructor() {
    this.text.set('text-anchor', 'middle');
    this.g.el.append(this.line.el, this.text.el);
  }

  draw(gap: number, gutter: number, width: number): void {
    const y = Y_MID - ROW * 0.55;
    ends(this.line, gutter, y, width - 8, y);
    this.text.set('x', (CLIENT_X + width - SERVER_RIGHT) / 2);
    this.text.set('y', y - 3);
    this.text.setText(`⋯ ${formatMs(gap)} later`);
  }
}

/** One message: its arrow (a list item) and, in the layer beneath, its server bar and the break before it. */
export class TimelineRow {
  /** In the layer under the arrows. */
  readonly under = new Shape('g');
  /** The list item, in the arrows' layer. */
  readonly arrow = new Shape('g');
  private readonly bar = new ServerBar();
  private readonly gap = new GapBreak();
  private readonly underKids = [this.bar.g, this.gap.g];
  private readonly title = new Shape('title');
  private readonly hit = new Shape('line', 'hit');
  private readonly shaft = new Shape('line', 'shaft');
  private readonly dot = new Shape('circle', 'dot');
  private readonly lbl = new Shape('text', 'lbl');
  private readonly time = new Shape('text', 'time');
  private readonly size = new Shape('text', 'size');
  row = -1;
  private generation = -1;
  private focused = false;

  constructor() {
    this.arrow.set('role', 'listitem');
    this.dot.set('r', 3);
    this.lbl.set('text-anchor', 'middle');
    this.time.set('text-anchor', 'end');
    this.arrow.el.append(this.title.el, this.hit.el, this.shaft.el, this.dot.el, this.lbl.el, this.time.el, this.size.el);
  }

  /** Where the row's top is, in the moving group's coordinates. */
  moveTo(y: number): void {
    const t = `translate(0 ${y})`;
    this.under.set('transform', t);
    this.arrow.set('transform', t);
  }

  draw(i: number, s: TimelineScene): void {
    const focused = i === s.focused;
    if (i === this.row && s.generation === this.generation && focused === this.focused) return;
    this.row = i;
    this.generation = s.generation;
    this.focused = focused;
    const L = s.layout;
    const W = s.width;
    const xc = CLIENT_X;
    const xs = W - SERVER_RIGHT;
    const gutter = CLIENT_X - 40;
    const m = L.msgs[i];
    const end = L.endRow[i];

    const a = L.answerOf[i];
    place(this.under.el, this.underKids, 0, a >= 0);
    if (a >= 0) this.bar.draw(L.msgs[a], m, s.jobOf(L.msgs[a]), xs, (L.endRow[a] - i) * ROW + Y_MID + 6, Y_MID);
    const gap = L.gapBefore[i];
    place(this.under.el, this.underKids, 1, gap > 0);
    if (gap > 0) this.gap.draw(gap, gutter, W);

    const y0 = Y_MID;
    const y1 = (end - i) * ROW + Y_MID + (end > i ? ROW * 0.35 : 8);
    const c2s = m.dir === 'c2s';
    const x0 = c2s ? xc : xs;
    const x1 = c2s ? xs - 2 : xc + 2;
    const kind =
      m.kind === 'ws-frame' ? `ws ${controlKind(m)}` : isStreamPart(m) ? 'http part' : m.kind === 'http-request' || m.kind === 'http-response' ? 'http' : m.kind;
    this.arrow.set('class', `arrow ${m.dir} ${kind}${m.error ? ' error' : ''}${focused ? ' focused' : ''}`);
    this.arrow.set('data-row', i);
    const at = `+${formatMs(m.tStart - s.t0)}`;
    const size = m.range.end - m.range.start;
    this.arrow.set('id', `tl-row-${i}`);
    this.arrow.set('aria-label', `${c2s ? '→ client to server' : '← server to client'}: ${m.summary}, ${formatBytes(size)}, at ${at}${m.error ? `, error: ${m.error.message}` : ''}`);
    const dur = m.tEnd - m.tStart;
    this.title.setText(
      `${m.summary}\n${c2s ? 'client → server' : 'server → client'} · ${formatBytes(size)} · first byte ${at}${dur > 0 ? ` · ${formatMs(dur)} on the wire` : ''}${m.error ? `\n${m.error.message}` : ''}`,
    );
    ends(this.hit, x0, y0, x1, y1);
    ends(this.shaft, x0, y0, x1, y1);
    this.shaft.set('marker-end', m.error ? 'url(#ah-err)' : c2s ? 'url(#ah-c2s)' : 'url(#ah-s2c)');
    this.dot.set('cx', x0);
    this.dot.set('cy', y0);
    // A label sits mid-arrow; on an arrow that spans several rows (crossing others) it moves toward the sender, so crossing labels do not collide.
    const along = end > i ? 0.3 : 0.5;
    const lx = x0 + (x1 - x0) * along;
    const ly = y0 + (y1 - y0) * along - 5;
    const slope = Math.atan2(y1 - y0, x1 - x0) * (180 / Math.PI);
    this.lbl.set('x', lx);
    this.lbl.set('y', ly);
    this.lbl.set('transform', `rotate(${slope > 90 || slope < -90 ? slope - 180 : slope} ${lx} ${ly})`);
    this.lbl.setText(m.summary.length > 64 ? m.summary.slice(0, 63) + '…' : m.summary);
    this.time.set('x', gutter - 6);
    this.time.set('y', y0 + 4);
    this.time.setText(at);
    this.size.set('x', c2s ? xc - 8 : xs + 8);
    this.size.set('y', y0 + 14);
    this.size.set('text-anchor', c2s ? 'end' : 'start');
    this.size.setText(formatBytes(size));
  }
}

/** Arrow heads per direction (and for errors), and the hatch of a wait in the server's queue. */
const DEFS = svg`<defs>
  ${(['c2s', 's2c', 'errm'] as const).map(
    (k) =>
      svg`<marker id="ah-${k === 'errm' ? 'err' : k}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="9" orient="auto"><path class="ah ${k}" d="M0,0 L10,5 L0,10 L2.5,5 z"/></marker>`,
  )}
  <pattern id="tl-hatch" class="qv-hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="qv-hatch-bg" width="4" height="4"/><line x1="0" y1="0" x2="0" y2="4"/></pattern>
</defs>`;

/** The diagram: its SVG, lifelines, and the rows of a window of messages. */
export class TimelineRowPool {
  readonly svg: SVGSVGElement;
  private readonly size = new Shape('svg');
  private readonly lifelines = [new Shape('line', 'lifeline'), new Shape('line', 'lifeline')];
  private readonly moving = new Shape('g', 'tl-rows');
  private readonly under: SVGGElement;
  private readonly arrows: SVGGElement;
  /** The rows shown, for messages first … first + shown.length - 1, in order. */
  private shown: TimelineRow[] = [];
  private next: TimelineRow[] = [];
  private readonly spare: TimelineRow[] = [];
  private first = 0;
  /** The message at y = 0 of the moving group. */
  private base = 0;
  private width = NaN;
  private height = NaN;

  constructor() {
    this.svg = this.size.el as SVGSVGElement;
    this.svg.setAttribute('class', 'tl-svg');
    this.svg.setAttribute('role', 'presentation');
    render(DEFS, this.svg);
    this.under = document.createElementNS(NS, 'g');
    this.arrows = document.createElementNS(NS, 'g');
    this.moving.el.append(this.under, this.arrows);
    this.svg.append(this.lifelines[0].el, this.lifelines[1].el, this.moving.el);
  }

  /**
   * Draws messages from … to - 1; `top` is the y (px) where message `at`
   * starts, in a viewport of width × height.
   */
  draw(s: TimelineScene, from: number, to: number, at: number, top: number, height: number): void {
    const W = s.width;
    if (W !== this.width || height !== this.height) {
      this.width = W;
      this.height = height;
      this.size.set('width', W);
      this.size.set('height', height);
      this.size.set('viewBox', `0 0 ${W} ${height}`);
      ends(this.lifelines[0], CLIENT_X, 0, CLIENT_X, height);
      ends(this.lifelines[1], W - SERVER_RIGHT, 0, W - SERVER_RIGHT, height);
    }
    const rebase = this.place(from, to);
    if (rebase || Math.abs(from - this.base) > REBASE_ROWS) {
      this.base = from;
      for (let k = 0; k < this.shown.length; k++) this.shown[k].moveTo((from + k - this.base) * ROW);
    }
    this.moving.set('transform', `translate(0 ${top - (at - this.base) * ROW})`);
    for (let k = 0; k < this.shown.length; k++) {
      const row = this.shown[k];
      if (row.row !== from + k) row.moveTo((from + k - this.base) * ROW);
      row.draw(from + k, s);
    }
  }

  /** Shows nothing (and keeps the rows for later). */
  clear(): void {
    this.place(0, 0);
  }

  /**
   * Assigns a row element to each message of from … to - 1: rows still in the
   * window keep theirs, the others take the ones that left. Returns true when
   * no row was kept (every row is drawn afresh).
   */
  private place(from: number, to: number): boolean {
    const old = this.shown;
    const next = this.next;
    next.length = 0;
    const oldTo = this.first + old.length;
    const lo = Math.max(from, this.first);
    const hi = Math.min(to, oldTo);
    if (lo >= hi) {
      // Nothing kept: reuse the rows where they are, in order, so none moves in the DOM.
      for (let i = from; i < to; i++) {
        const k = i - from;
        if (k < old.length) next.push(old[k]);
        else next.push(this.attach(this.take(), null));
      }
      for (let k = to - from; k < old.length; k++) this.detach(old[k]);
    } else {
      for (let k = 0; k < lo - this.first; k++) this.detach(old[k]);
      for (let k = hi - this.first; k < old.length; k++) this.detach(old[k]);
      const keptFirst = old[lo - this.first];
      for (let i = from; i < lo; i++) next.push(this.attach(this.take(), keptFirst));
      for (let i = lo; i < hi; i++) next.push(old[i - this.first]);
      for (let i = hi; i < to; i++) next.push(this.attach(this.take(), null));
    }
    this.next = old;
    this.shown = next;
    this.first = from;
    return lo >= hi;
  }

  private take(): TimelineRow {
    const r = this.spare.pop() ?? new TimelineRow();
    r.row = -1;
    return r;
  }

  /** Puts r into both layers, before `before` (or last). */
  private attach(r: TimelineRow, before: TimelineRow | null): TimelineRow {
    this.under.insertBefore(r.under.el, before ? before.under.el : null);
    this.arrows.insertBefore(r.arrow.el, before ? before.arrow.el : null);
    return r;
  }

  private detach(r: TimelineRow): void {
    r.under.el.remove();
    r.arrow.el.remove();
    this.spare.push(r);
  }
}
