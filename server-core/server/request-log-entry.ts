// The request log entry of an accepted WebSocket (or other) upgrade, as the connection
// hands it to the server (the `request` event, the capture's `pipeline` record,
// `wireplay serve`'s log line; upgrade-handoff.ts). Its
// `stages` and `route` are built from the request's pipeline record when first read,
// not when the request ends: `wireplay serve`'s text log prints neither (only the
// route's pattern and kind, which it reads through routeLabel() without building the
// decision), and building them was about 0.8 KiB per WebSocket upgrade that the young
// generation had to absorb in a burst of upgrades (BENCHMARKS.md, idle connection
// memory). A reader gets the same values whenever it reads them, because nothing writes
// the record after the hand-off (the HTTP reader is released: no body, no refusal can
// follow), and the same object on each read, and JSON.stringify
// gives the plain RequestLogEntry object, field for field, in the same order.
// An HTTP request's entry stays a plain object built at once (response-queue.ts): its
// record can still change after its response (the rest of its body arriving sets
// bodyParsed), and the entry must say what was true when it was logged.
import type { Endpoint } from '../capture/types.js';
import type { RequestLogEntry } from './connection-types.js';
import type { RequestStages, RouteDecision, StageRecorder } from './request-stages.js';

const UNREAD = undefined;

export class LoggedRequest implements RequestLogEntry {
  private builtStages: RequestStages | undefined = UNREAD;
  private builtRoute: RouteDecision | null | undefined = UNREAD;

  constructor(
    readonly connectionId: string,
    readonly index: number,
    readonly method: string,
    readonly target: string,
    readonly status: number,
    readonly bytes: number,
    readonly durationMs: number,
    readonly remote: Endpoint,
    /** The request's pipeline record; undefined when the server does not record stages. */
    private readonly rec: StageRecorder | undefined,
  ) {}

  /** When each stage happened, ms since the accept ({} when not recorded); built on first read. */
  get stages(): RequestStages {
    return (this.builtStages ??= this.rec ? this.rec.stages() : {});
  }

  /** The route that took the request, or null; built on first read. */
  get route(): RouteDecision | null {
    if (this.builtRoute === UNREAD) this.builtRoute = this.rec ? this.rec.routeDecision() : null;
    return this.builtRoute;
  }

  /** Whether the connection refused the request (stages.refused is set), without building the stages. */
  get refused(): boolean {
    return this.builtStages !== UNREAD ? this.builtStages.refused !== undefined : this.rec?.refused !== undefined;
  }

  /** The pattern of the route that took the request (undefined: none did), without building the decision. */
  get routePattern(): string | undefined {
    if (this.builtRoute !== UNREAD) return this.builtRoute?.pattern;
    return this.rec?.routeInfo()?.pattern;
  }

  /** What answered (the decision's `kind`: code, file, websocket, …), undefined when no route did. */
  get routeKind(): string | undefined {
    if (this.builtRoute !== UNREAD) return this.builtRoute?.kind;
    return this.rec?.routeInfo()?.origin.kind;
  }

  /** ` PATTERN [KIND]` of the route that took the request, '' when none did (the text log's tail), without building the decision. */
  routeLabel(): string {
    if (this.builtRoute !== UNREAD) return this.builtRoute ? ` ${this.builtRoute.pattern} [${this.builtRoute.kind}]` : '';
    const r = this.rec?.routeInfo();
    return r ? ` ${r.pattern} [${r.origin.kind}]` : '';
  }

  /** The plain RequestLogEntry (what JSON, a message to a webview or a log line carries). */
  toJSON(): RequestLogEntry {
    return {
      connectionId: this.connectionId,
      index: this.index,
      method: this.method,
      target: this.target,
      status: this.status,
      bytes: this.bytes,
      durationMs: this.durationMs,
      remote: this.remote,
      stages: this.stages,
      route: this.route,
    };
  }
}
