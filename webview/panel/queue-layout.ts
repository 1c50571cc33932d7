// Lays out the server queue view: one lane per connection, time to scale from
// left to right, each request a "waiting in queue" segment (queued → started)
// then a "handling" segment (started → finished). Long silences become
// fixed-width breaks so a burst ten minutes after another is still readable.
// Also computes the queue depth over time and, in sequential mode, the
// hand-offs: the request that finished just before a waiting one started.
// layoutQueue runs the steps in turn (assignLanes, clusters and timeToX for
// the axis, placeSegments, axisTicks, queueDepth, handoffs), each a function
// of its own. Pure: no DOM, so it is unit-tested.
import type { QueueJob } from '../../server-core/protocol/playground.js';

export interface QueueLayoutOptions {
  /** Pixels available for the time axis. */
  width: number;
  /** Host clock now: where the bars of unfinished jobs end. */
  now: number;
  /** A silence longer than this may become a break. Default 1000 ms. */
  breakMs?: number;
  /** Width of a break. Default 32 px. */
  breakPx?: number;
  /** At most this many pixels per millisecond (a lone short request is not stretched across the view). Default 20. */
  maxScale?: number;
  /** Ticks at least this far apart. Default 84 px. */
  minTickPx?: number;
}

export interface JobBar {
  job: QueueJob;
  lane: number;
  /** It waited in the queue (queued event seen, or not started yet). */
  waited: boolean;
  /** Waiting segment [waitX0, waitX1]; NaN when it did not wait. */
  waitX0: number;
  waitX1: number;
  waitMs: number;
  /** Handling segment; NaN when not started. */
  handleX0: number;
  handleX1: number;
  handleMs: number;
  /** Still waiting or running: its bar ends at `now`. */
  open: boolean;
}

export interface Lane {
  connectionId: string;
  /** Indexes into `bars`, by queue time. */
  bars: number[];
}

export interface AxisTick {
  x: number;
  /** ms since t0. */
  offset: number;
  label: string;
  /** First tick after a break: labelled precisely. */
  afterBreak: boolean;
}

export interface AxisBreak {
  /** The break occupies [x0, x1]. */
  x0: number;
  x1: number;
  /** The silence it stands for. */
  ms: number;
}

export interface DepthStep {
  x0: number;
  x1: number;
  waiting: number;
  handling: number;
}

export interface Handoff {
  /** Bar that finished… */
  from: number;
  /** …and the waiting bar that started right after. */
  to: number;
}

export interface QueueLayout {
  /** Earliest queue time: the axis origin. */
  t0: number;
  /** Pixels per millisecond inside a cluster. */
  scale: number;
  /** Rightmost x used. */
  contentWidth: number;
  /** Sorted by queue time. */
  bars: JobBar[];
  lanes: Lane[];
  laneOf: Map<string, number>;
  ticks: AxisTick[];
  breaks: AxisBreak[];
  depth: DepthStep[];
  maxWaiting: number;
  maxHandling: number;
  longestWaitMs: number;
  handoffs: Handoff[];
  /** Time (host clock) → x. */
  xOf(t: number): number;
}

/** A hand-off is drawn when the next request started within this long of the previous one's end. */
const HANDOFF_MS = 25;
const NICE = [1, 2, 5];

interface Cluster {
  t0: number;
  t1: number;
  x0: number;
}

function endOf(j: QueueJob, now: number): number {
  return Math.max(j.queuedAt, j.finishedAt ?? now);
}

/** The smallest 1-2-5 step (ms) at least `ms` long. */
export function niceStep(ms: number): number {
  if (!(ms > 0)) return 1;
  let p = Math.pow(10, Math.floor(Math.log10(ms)));
  for (;;) {
    for (const n of NICE) if (n * p >= ms * (1 - 1e-9)) return n * p;
    p *= 10;
  }
}

/** A tick label precise enough for its step: "0", "250 ms", "1.5 s", "12 s". */
export function formatOffset(ms: number, step: number): string {
  if (Math.abs(ms) < 1e-9) return '0';
  if (Math.abs(ms) >= 1000) {
    const d = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
    return `${(ms / 1000).toFixed(d)} s`;
  }
  const d = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
  return `${ms.toFixed(d)} ms`;
}

/** Union of the jobs' active intervals, then the silences between them, then which silences become breaks. */
function clusters(bars: JobBar[], now: number, width: number, breakMs: number, breakPx: number, maxScale: number): { list: Cluster[]; scale: number; gaps: number[] } {
  const spans = bars.map((b) => [b.job.queuedAt, endOf(b.job, now)] as const).sort((a, b) => a[0] - b[0]);
  const union: [number, number][] = [];
  for (const [s, e] of spans) {
    const last = union[union.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else union.push([s, e]);
  }
  // Candidate breaks: silences over breakMs, the longest first, as many as fit in 30% of the width.
  const maxBreaks = Math.max(0, Math.floor((width * 0.3) / breakPx));
  const silence = (i: number) => union[i][0] - union[i - 1][1];
  const candidates: number[] = [];
  for (let i = 1; i < union.length; i++) if (silence(i) > breakMs) candidates.push(i);
  candidates.sort((a, b) => silence(b) - silence(a));
  let chosen = new Set(candidates.slice(0, maxBreaks));
  let scale = 0;
  // A break must stand for more time than its own width would show: drop the ones that do not, until stable.
  for (let round = 0; round < 8; round++) {
    let active = 0;
    let start = union[0][0];
    for (let i = 1; i <= union.length; i++) {
      if (i === union.length || chosen.has(i)) {
        active += union[i - 1][1] - start;
        if (i < union.length) start = union[i][0];
      }
    }
    scale = Math.min(maxScale, (width - chosen.size * breakPx) / Math.max(active, 1e-3));
    const keep = new Set([...chosen].filter((i) => silence(i) * scale > breakPx));
    if (keep.size === chosen.size) break;
    chosen = keep;
  }
  const list: Cluster[] = [];
  const gaps: number[] = [];
  let x = 0;
  let cur: Cluster = { t0: union[0][0], t1: union[0][1], x0: 0 };
  for (let i = 1; i < union.length; i++) {
    if (chosen.has(i)) {
      list.push(cur);
      gaps.push(union[i][0] - cur.t1);
      x = cur.x0 + (cur.t1 - cur.t0) * scale + breakPx;
      cur = { t0: union[i][0], t1: union[i][1], x0: x };
    } else cur.t1 = union[i][1];
  }
  list.push(cur);
  return { list, scale, gaps };
}

/** Step 1: the jobs by queue time, each a bar on the lane of its connection (lanes in order of first appearance). */
export function assignLanes(jobs: readonly QueueJob[]): { bars: JobBar[]; lanes: Lane[]; laneOf: Map<string, number> } {
  const sorted = [...jobs].sort((a, b) => a.queuedAt - b.queuedAt || (a.connectionId < b.connectionId ? -1 : a.connectionId > b.connectionId ? 1 : a.index - b.index));
  const lanes: Lane[] = [];
  const laneOf = new Map<string, number>();
  const bars: JobBar[] = sorted.map((job, i) => {
    let lane = laneOf.get(job.connectionId);
    if (lane === undefined) {
      lane = lanes.length;
      laneOf.set(job.connectionId, lane);
      lanes.push({ connectionId: job.connectionId, bars: [] });
    }
    lanes[lane].bars.push(i);
    const waited = job.waitedBehind !== undefined || job.startedAt === undefined;
    return { job, lane, waited, waitX0: NaN, waitX1: NaN, waitMs: 0, handleX0: NaN, handleX1: NaN, handleMs: 0, open: job.finishedAt === undefined };
  });
  return { bars, lanes, laneOf };
}

/** Step 2 (after clusters()): time → x, to scale inside a cluster; a time in a silence maps to the middle of its break. */
function timeToX(list: Cluster[], scale: number, breakPx: number): (t: number) => number {
  return (t) => {
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (list[mid].t0 <= t) lo = mid;
      else hi = mid - 1;
    }
    const c = list[lo];
    if (t <= c.t0) return c.x0;
    if (t <= c.t1) return c.x0 + (t - c.t0) * scale;
    return c.x0 + (c.t1 - c.t0) * scale + breakPx / 2;
  };
}

/** Step 3: each bar's waiting and handling segments on the axis; returns the longest wait. */
function placeSegments(bars: JobBar[], now: number, xOf: (t: number) => number): number {
  let longestWaitMs = 0;
  for (const b of bars) {
    const j = b.job;
    const end = endOf(j, now);
    if (b.waited) {
      const waitEnd = Math.min(end, j.startedAt ?? end);
      b.waitMs = waitEnd - j.queuedAt;
      b.waitX0 = xOf(j.queuedAt);
      b.waitX1 = xOf(waitEnd);
      longestWaitMs = Math.max(longestWaitMs, b.waitMs);
    }
    if (j.startedAt !== undefined) {
      const start = Math.max(j.queuedAt, j.startedAt);
      b.handleMs = Math.max(0, end - start);
      b.handleX0 = xOf(start);
      b.handleX1 = xOf(Math.max(start, end));
    }
  }
  return longestWaitMs;
}

/** Step 4: ticks every `step` ms since t0 inside each cluster; the start of a cluster after a break gets its own, precise label. */
function axisTicks(list: Cluster[], t0: number, scale: number, minTickPx: number, xOf: (t: number) => number): AxisTick[] {
  const step = niceStep(minTickPx / scale);
  const ticks: AxisTick[] = [];
  list.forEach((c, k) => {
    if (k > 0) ticks.push({ x: c.x0, offset: c.t0 - t0, label: formatOffset(c.t0 - t0, step), afterBreak: true });
    let off = Math.ceil((c.t0 - t0) / step - 1e-9) * step;
    for (; t0 + off <= c.t1 + 1e-9; off += step) {
      const x = xOf(t0 + off);
      if (k > 0 && x - c.x0 < minTickPx * 0.75) continue;
      ticks.push({ x, offset: off, label: formatOffset(off, step), afterBreak: false });
    }
  });
  return ticks;
}

/** Step 5: the queue depth over time: +1 waiting at queue time, −1 waiting / +1 handling at start, −1 handling at the end. */
export function queueDepth(bars: readonly JobBar[], now: number, xOf: (t: number) => number): { depth: DepthStep[]; maxWaiting: number; maxHandling: number } {
  const events: [number, number, number][] = [];
  for (const b of bars) {
    const j = b.job;
    const end = endOf(j, now);
    if (b.waited) {
      events.push([j.queuedAt, 1, 0]);
      events.push([Math.min(end, j.startedAt ?? end), -1, 0]);
    }
    if (j.startedAt !== undefined) {
      events.push([Math.max(j.queuedAt, j.startedAt), 0, 1]);
      events.push([end, 0, -1]);
    }
  }
  events.sort((a, b) => a[0] - b[0]);
  const depth: DepthStep[] = [];
  let waiting = 0;
  let handling = 0;
  let maxWaiting = 0;
  let maxHandling = 0;
  for (let i = 0; i < events.length; ) {
    const t = events[i][0];
    while (i < events.length && events[i][0] === t) {
      waiting += events[i][1];
      handling += events[i][2];
      i++;
    }
    maxWaiting = Math.max(maxWaiting, waiting);
    maxHandling = Math.max(maxHandling, handling);
    if (i >= events.length) break;
    const x0 = xOf(t);
    const x1 = xOf(events[i][0]);
    const last = depth[depth.length - 1];
    if (last && last.waiting === waiting && last.handling === handling && Math.abs(last.x1 - x0) < 1e-6) last.x1 = x1;
    else if (x1 > x0 || waiting > 0 || handling > 0) depth.push({ x0, x1, waiting, handling });
  }
  return { depth, maxWaiting, maxHandling };
}

/** Step 6: hand-offs, a request that waited starting when another one finished (sequential mode's one-at-a-time). */
export function handoffs(bars: readonly JobBar[]): Handoff[] {
  const finished = bars
    .map((b, i) => i)
    .filter((i) => bars[i].job.startedAt !== undefined && bars[i].job.finishedAt !== undefined)
    .sort((a, b) => bars[a].job.finishedAt! - bars[b].job.finishedAt!);
  const out: Handoff[] = [];
  bars.forEach((b, i) => {
    const j = b.job;
    if (j.waitedBehind === undefined || j.startedAt === undefined || j.mode !== 'sequential') return;
    let lo = 0;
    let hi = finished.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (bars[finished[mid]].job.finishedAt! <= j.startedAt) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Skip itself (a request cannot hand off to itself) and pick the latest finish before the start.
    while (best >= 0 && finished[best] === i) best--;
    if (best < 0) return;
    const from = finished[best];
    if (j.startedAt - bars[from].job.finishedAt! <= HANDOFF_MS) out.push({ from, to: i });
  });
  return out;
}

/** The whole layout: lanes, the time axis with its breaks, the segments, ticks, depth and hand-offs. */
export function layoutQueue(jobs: readonly QueueJob[], options: QueueLayoutOptions): QueueLayout {
  const now = options.now;
  const width = Math.max(40, options.width);
  const breakMs = options.breakMs ?? 1000;
  const breakPx = options.breakPx ?? 32;
  const maxScale = options.maxScale ?? 20;
  const minTickPx = options.minTickPx ?? 84;

  const { bars, lanes, laneOf } = assignLanes(jobs);
  if (bars.length === 0) {
    const none = { depth: [], maxWaiting: 0, maxHandling: 0 };
    return { t0: now, scale: maxScale, contentWidth: 0, bars, lanes, laneOf, ticks: [], breaks: [], ...none, longestWaitMs: 0, handoffs: [], xOf: () => 0 };
  }
  const { list, scale, gaps } = clusters(bars, now, width, breakMs, breakPx, maxScale);
  const xOf = timeToX(list, scale, breakPx);
  const t0 = list[0].t0;
  const longestWaitMs = placeSegments(bars, now, xOf);
  const breaks: AxisBreak[] = list.slice(1).map((c, k) => ({ x0: c.x0 - breakPx, x1: c.x0, ms: gaps[k] }));
  const last = list[list.length - 1];
  return {
    t0,
    scale,
    contentWidth: last.x0 + (last.t1 - last.t0) * scale,
    bars,
    lanes,
    laneOf,
    ticks: axisTicks(list, t0, scale, minTickPx, xOf),
    breaks,
    ...queueDepth(bars, now, xOf),
    longestWaitMs,
    handoffs: handoffs(bars),
    xOf,
  };
}
