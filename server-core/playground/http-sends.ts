// The composer's HTTP requests: the preview of the exact bytes, the send
// through server-core's sender (every connection it opens captured and
// followed live, labelled with the request), cancel, the history of what was
// sent, and the results kept per connection so a reloaded UI gets them back
// with a capture snapshot (retained-exchanges.ts).
import { describeFailure, type FailureDescription, type FailureTarget } from '../client/failure.js';
import { sendRequest, type HttpSendResult } from '../client/http-sender.js';
import type { StreamRecord } from '../client/body-stream.js';
import type { Disposable } from '../util/disposable.js';
import type { HistoryEntry, HttpExchangeView, HttpRequestSpec, HttpResponseView, HttpStreamRecordView, TimingBreakdown } from '../protocol/playground.js';
import { httpUrlProblem } from '../protocol/url-rules.js';
import type { PlaygroundContext } from './context.js';
import { previewRequest, toRequestSpec } from './http-request.js';
import { RetainedExchanges, retainedSpec, type RetainedExchangeLimits } from './retained-exchanges.js';

export interface HttpSendsOptions {
  /** History entries kept. Default 100. */
  historyLimit?: number;
  history?: HistoryEntry[];
  onHistoryChange?(entries: HistoryEntry[]): void;
  /** Largest response body previewed in the Parsed view, bytes. Default 1 MiB. */
  bodyPreviewBytes?: number;
  /** Bounds on the HTTP results kept to send again with a capture snapshot. */
  retainedExchanges?: Partial<RetainedExchangeLimits>;
}

export class HttpSends implements Disposable {
  private entries: HistoryEntry[];
  private readonly inflight = new Map<string, AbortController>();
  private readonly exchanges: RetainedExchanges;

  constructor(
    private readonly ctx: PlaygroundContext,
    private readonly options: HttpSendsOptions = {},
  ) {
    this.entries = [...(options.history ?? [])];
    this.exchanges = new RetainedExchanges(options.retainedExchanges);
  }

  get history(): HistoryEntry[] {
    return this.entries;
  }

  /** The exact bytes the request would be, or why it cannot be built. */
  preview(reqId: string, spec: HttpRequestSpec): void {
    try {
      const { bytes, autoHeaders } = previewRequest(spec);
      this.ctx.post({ type: 'http.preview', reqId, bytes: bytes.toString('base64'), autoHeaders });
    } catch (err) {
      this.ctx.post({ type: 'http.preview', reqId, bytes: '', autoHeaders: [], error: (err as Error).message });
    }
  }

  async send(reqId: string, spec: HttpRequestSpec): Promise<void> {
    const wallTime = Date.now();
    const t0 = performance.now();
    const entry: HistoryEntry = { id: reqId, wallTime, spec };
    this.entries.push(entry);
    const limit = this.options.historyLimit ?? 100;
    if (this.entries.length > limit) this.entries.splice(0, this.entries.length - limit);
    // The composer refuses these already; a message from elsewhere is held to the same rule (never sent as guessed).
    const problem = httpUrlProblem(spec.url);
    if (problem) {
      const failure: FailureDescription = { kind: 'invalid-request', title: `Not sent: ${problem}`, detail: 'Nothing went on the wire. Correct the URL and send it again.', code: 'INVALID_URL' };
      return this.failed(reqId, entry, failure, { total: 0 }, wallTime);
    }
    const abort = new AbortController();
    this.inflight.set(reqId, abort);
    let started = false;
    // How far the attempt got, for the timing of a failure: connected, first byte written, first byte read.
    const seen: { open?: number; sent?: number; received?: number } = {};
    const tap = this.ctx.tap((connectionId) => {
      this.ctx.label(connectionId, `${spec.method} ${spec.url}`);
      entry.connectionId ??= connectionId;
      if (!started) {
        started = true;
        this.ctx.post({ type: 'http.started', reqId, connectionId });
      }
    });
    tap.emitter.on('open', (e) => (seen.open ??= e.t));
    tap.emitter.on('chunk', (e) => (e.dir === 'c2s' ? (seen.sent ??= e.t) : (seen.received ??= e.t)));
    // A streamed body (NDJSON, json-seq, chunked text, an event stream) is shown record by record as it
    // arrives: batched, at most one message per turn of the event loop.
    let batch: HttpStreamRecordView[] = [];
    let batchTimer: NodeJS.Immediate | undefined;
    const flushRecords = () => {
      batchTimer = undefined;
      if (!batch.length || !entry.connectionId) return;
      this.ctx.post({ type: 'http.records', reqId, connectionId: entry.connectionId, records: batch });
      batch = [];
    };
    const onRecord = (r: StreamRecord) => {
      const view = recordView(r);
      if (!view) return;
      batch.push(view);
      if (batch.length >= RECORDS_PER_MESSAGE) flushRecords();
      else batchTimer ??= setImmediate(flushRecords);
    };
    let result: HttpSendResult;
    try {
      result = await sendRequest(toRequestSpec(spec), {
        signal: abort.signal,
        capture: tap.emitter,
        previewBytes: this.options.bodyPreviewBytes ?? 1024 * 1024,
        onRecord,
      });
    } catch (err) {
      this.ctx.flush();
      const failure = describeFailure(abort.signal.aborted ? Object.assign(new Error('aborted'), { code: 'ABORTED' }) : err, targetOf(spec, seen.open !== undefined ? 'response' : 'connect'));
      return this.failed(reqId, entry, failure, timingSoFar(t0, seen, performance.now()), wallTime);
    } finally {
      this.inflight.delete(reqId);
      tap.dispose();
      if (batchTimer) clearImmediate(batchTimer);
      flushRecords();
    }
    const r = result.response;
    entry.status = r.statusCode;
    entry.connectionId = result.connectionId;
    const stats = this.ctx.store.getConnection(result.connectionId)?.stats;
    this.ctx.flush();
    const response: HttpResponseView = {
      statusCode: r.statusCode,
      reason: r.reason,
      httpVersion: r.httpVersion,
      headers: r.headers.map((h) => [h.name, h.value]),
      body: r.body.toString('base64'),
      bodyBytes: r.bodyBytes,
      bodyTruncated: r.bodyTruncated,
      wireBytes: stats?.s2cBytes ?? r.rawHead.length + r.bodyBytes,
    };
    const timing = { ...result.timings };
    this.exchanges.record(result.connectionId, { reqId, spec: retainedSpec(spec), response, timing });
    this.ctx.post({ type: 'http.response', reqId, connectionId: result.connectionId, response, timing });
    this.historyChanged();
  }

  /** A send that did not get its response: in history with its mark, and told to the UI with what it got so far. */
  private failed(reqId: string, entry: HistoryEntry, failure: FailureDescription, timing: TimingBreakdown, wallTime: number): void {
    entry.error = failure.title;
    entry.failureKind = failure.kind;
    const connectionId = entry.connectionId;
    if (connectionId) this.exchanges.record(connectionId, { reqId, spec: retainedSpec(entry.spec), error: failure.title, failure, timing });
    this.ctx.post({ type: 'http.error', reqId, message: failure.title, ...(failure.code ? { code: failure.code } : {}), failure, timing, wallTime, ...(connectionId ? { connectionId } : {}) });
    this.historyChanged();
  }

  cancel(reqId: string): void {
    this.inflight.get(reqId)?.abort();
  }

  clearHistory(): void {
    this.entries = [];
    this.historyChanged();
  }

  /** The results kept for a connection, sent with its snapshot. */
  exchangesOf(connectionId: string): HttpExchangeView[] | undefined {
    return this.exchanges.get(connectionId);
  }

  /** The capture is being cleared: its results go too (the history stays). */
  clearExchanges(): void {
    this.exchanges.clear();
  }

  dispose(): void {
    for (const a of this.inflight.values()) a.abort();
  }

  private historyChanged(): void {
    this.options.onHistoryChange?.(this.entries);
    this.ctx.post({ type: 'history', entries: this.entries });
  }
}

/** Records of a streamed body per http.records message, at most. */
const RECORDS_PER_MESSAGE = 2000;

/** A record as the HTTP result lists it; an `id` or `retry` alone is not listed (the body has it). */
function recordView(r: StreamRecord): HttpStreamRecordView | undefined {
  switch (r.kind) {
    case 'line':
      return r.jsonError === undefined ? { kind: 'line', text: r.text, t: r.t } : { kind: 'line', text: r.text, error: r.jsonError, t: r.t };
    case 'event':
      return { kind: 'event', text: `${r.event.type}${r.event.lastEventId ? ` #${r.event.lastEventId}` : ''} ${r.event.data}`, t: r.t };
    case 'comment':
      return { kind: 'comment', text: `:${r.text}`, t: r.t };
    default:
      return undefined;
  }
}

/** Where a spec was going, as the failure's words name it. */
function targetOf(spec: HttpRequestSpec, phase: FailureTarget['phase']): FailureTarget {
  let url: URL | undefined;
  try {
    const text = spec.url.trim();
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text.replace(/^\/\//, '')}`);
  } catch {
    /* named as written below */
  }
  const tls = url?.protocol === 'https:';
  const host = url ? url.hostname.replace(/^\[|\]$/g, '') : spec.url;
  return { host, port: url?.port ? Number(url.port) : tls ? 443 : 80, tls, phase, ...(spec.timeoutMs ? { timeoutMs: spec.timeoutMs } : {}) };
}

/** The phases an attempt went through before it failed at `now` (monotonic ms, from `t0`, the send). */
function timingSoFar(t0: number, seen: { open?: number; sent?: number; received?: number }, now: number): TimingBreakdown {
  const timing: TimingBreakdown = { total: now - t0 };
  if (seen.open === undefined) {
    timing.connect = now - t0;
    return timing;
  }
  timing.connect = seen.open - t0;
  if (seen.sent !== undefined) timing.firstByte = (seen.received ?? now) - seen.sent;
  if (seen.received !== undefined) timing.download = now - seen.received;
  return timing;
}
