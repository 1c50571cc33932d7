// The pipeline record of one request (issue 18): when each stage of the drawing
// happened to it — the connection accepted, its first byte, its head parsed, its
// body complete, its wait in the sequential queue, the route chosen, the handler
// started, the response's first and last bytes handed to the socket — and which
// route took it. The connection's parts write the times as the request passes
// (request-reader.ts, response-queue.ts, connection.ts); the router and the static
// files write the route through PipelineNotes. Times are kept as performance.now()
// and turned into milliseconds since the connection's accept only when someone
// reads them (the request event, the capture), so recording costs a few clock
// reads per request. Stages that happen at one instant share one reading instead
// of reading the clock twice a few nanoseconds apart: `routed` and `handlerStart`
// when the router runs the handler at once; `firstResponseByte` and
// `lastResponseByte` when the whole response is handed over by its end() (one
// buffer holds both bytes); a pipelined request's `firstByte` is the arrival of
// the read that carried it (request-reader.ts). docs/pipeline.md.
//
// What a reader gets (RequestStages, RouteDecision) is plain JSON: the request
// event carries it as `stages` and `route`, `wireplay serve --log json` prints it
// as it is, HAR carries it as `_stages` and `_route` (docs/pipeline.md).
import type { PipelineNotes } from '../http/handler-types.js';
import type { RouteInfo } from '../router/router.js';
import type { RouteHandlerKind } from '../router/route-origin.js';

/** The stages of the drawing, in the order a request passes them. */
export const STAGE_NAMES = [
  'accepted',
  'firstByte',
  'headParsed',
  'bodyParsed',
  'queued',
  'dequeued',
  'routed',
  'handlerStart',
  'firstResponseByte',
  'lastResponseByte',
] as const;

export type StageName = (typeof STAGE_NAMES)[number];

/** Why a request stopped before a handler could answer it: the connection answered in its place. */
export interface StageRefusal {
  /** `head`: its head was refused (400, 414, 431, a headers timeout); `body`: its body was (413, a bad chunk, a request timeout). */
  stage: 'head' | 'body';
  status: number;
  /** The parser's error code (HEADERS_TOO_LARGE, BODY_TOO_LARGE, …) or REQUEST_TIMEOUT / HEADERS_TIMEOUT. */
  code: string;
  message: string;
}

/**
 * Milliseconds since the connection was accepted (monotonic, to the microsecond).
 * A stage the request did not pass is absent: `accepted` only on a connection's
 * first request, `queued`/`dequeued` only in sequential mode, `routed` only when the
 * router ran, `handlerStart` only when a route's handler (or the server's custom
 * handler) ran.
 */
export type RequestStages = { [K in StageName]?: number } & {
  /** The response ended before the request's body was complete (the body was not read to its end). */
  bodyNotRead?: true;
  /** Refused: where it stopped and why. */
  refused?: StageRefusal;
};

/** Which route took the request. */
export interface RouteDecision {
  /** The route's pattern, e.g. `/users/:id`. */
  pattern: string;
  /** The route's methods as the route table shows them (`GET`, `GET,POST`, `*`, `WS`). */
  method: string;
  layer: 'built-in' | 'user';
  /** A user route: its routes file (absolute path). */
  file?: string;
  /** A user route: the 1-based line of its entry, when the loader could place it. */
  line?: number;
  kind: RouteHandlerKind;
  /** `file` and `dir`: what was served, relative to the route's root folder ('/' separators). */
  path?: string;
  params: Record<string, string>;
}

const now = () => performance.now();
/** firstResponseByte: handed over by end(), the time is responseDone's. */
const AT_FINISH = -1;

/** Microsecond precision is what performance.now() honestly gives; more digits are noise in a log. */
function since(base: number, t: number): number {
  return Math.round((t - base) * 1000) / 1000;
}

/** One request's times and route, written as it passes; read once, when its response is done. */
export class StageRecorder implements PipelineNotes {
  // Absolute performance.now() values; 0 = not reached.
  headParsed = 0;
  bodyParsed = 0;
  queued = 0;
  dequeued = 0;
  routedAt = 0;
  handlerStart = 0;
  firstResponseByte = 0;
  lastResponseByte = 0;
  refused: StageRefusal | undefined = undefined;
  private route: RouteInfo | null = null;
  private params: Record<string, string> | undefined = undefined;
  private servedPath: string | undefined = undefined;

  constructor(
    /** performance.now() at the connection's accept. */
    readonly base: number,
    /** performance.now() when the request's first byte arrived. */
    readonly firstByte: number,
    /** The connection's first request (it carries `accepted`). */
    readonly first: boolean,
  ) {}

  // ---- PipelineNotes (the router, the static files)

  routed(route: RouteInfo | null, params: Record<string, string>, handlerStarts = false): void {
    const t = now();
    this.routedAt = t;
    this.route = route;
    this.params = params;
    // No route: the router answers itself, no route handler runs.
    if (route === null) this.handlerStart = 0;
    else if (handlerStarts) this.handlerStart = t;
  }

  handlerStarted(): void {
    this.handlerStart = now();
  }

  served(relativePath: string): void {
    this.servedPath = relativePath;
  }

  // ---- the connection

  /**
   * Bytes of the response were handed to the socket (or to the read's write batch).
   * `inEnd`: by the response's end(), which finishes it right after: the time is its finish
   * (responseDone), read once for both.
   */
  responseBytes(inEnd = false): void {
    if (this.firstResponseByte === 0) this.firstResponseByte = inEnd ? AT_FINISH : now();
  }

  /** The response's last byte was handed over (at `t`, when the caller just read the clock). */
  responseDone(t: number = now()): void {
    if (this.firstResponseByte === 0 || this.firstResponseByte === AT_FINISH) this.firstResponseByte = t;
    this.lastResponseByte = t;
  }

  refuse(refusal: StageRefusal): void {
    this.refused ??= refusal;
  }

  // ---- readers

  /** The times, in milliseconds since the accept (plain JSON). */
  stages(): RequestStages {
    const b = this.base;
    const s: RequestStages = {};
    if (this.first) s.accepted = 0;
    s.firstByte = since(b, this.firstByte);
    if (this.headParsed) s.headParsed = since(b, this.headParsed);
    if (this.bodyParsed) s.bodyParsed = since(b, this.bodyParsed);
    if (this.queued) s.queued = since(b, this.queued);
    if (this.dequeued) s.dequeued = since(b, this.dequeued);
    if (this.routedAt) s.routed = since(b, this.routedAt);
    if (this.handlerStart) s.handlerStart = since(b, this.handlerStart);
    if (this.firstResponseByte > 0) s.firstResponseByte = since(b, this.firstResponseByte);
    if (this.lastResponseByte) s.lastResponseByte = since(b, this.lastResponseByte);
    if (this.headParsed && !this.bodyParsed) s.bodyNotRead = true;
    if (this.refused) s.refused = { ...this.refused };
    return s;
  }

  /** The route's table entry, null when none took the request (the log line's pattern and kind without a decision built). */
  routeInfo(): RouteInfo | null {
    return this.route;
  }

  /** The route that took the request; null when none did (no route matched, refused, or a custom handler). */
  routeDecision(): RouteDecision | null {
    const r = this.route;
    if (r === null) return null;
    const o = r.origin;
    const d: RouteDecision = { pattern: r.pattern, method: r.method, layer: r.source === 'user' ? 'user' : 'built-in', kind: o.kind, params: { ...this.params } };
    if (o.file !== undefined) d.file = o.file;
    if (o.line !== undefined) d.line = o.line;
    if (this.servedPath !== undefined) d.path = this.servedPath;
    return d;
  }
}

/** The stages in drawing order with their times (the ones reached), e.g. for a transcript line. */
export function stageList(stages: RequestStages): { name: StageName; ms: number }[] {
  const out: { name: StageName; ms: number }[] = [];
  for (const name of STAGE_NAMES) {
    const ms = stages[name];
    if (ms !== undefined) out.push({ name, ms });
  }
  return out;
}

/** One line for a log or a transcript: `/users/:id (user wireplay.routes.json:12, code)`. */
export function describeRoute(route: RouteDecision | null, fileName: (file: string) => string = (f) => f): string {
  if (route === null) return 'no route';
  const where = route.layer === 'user' && route.file !== undefined ? `user ${fileName(route.file)}${route.line !== undefined ? `:${route.line}` : ''}` : route.layer;
  return `${route.pattern} (${where}, ${route.kind}${route.path !== undefined ? ` ${route.path}` : ''})`;
}
