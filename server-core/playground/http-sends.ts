// The composer's HTTP requests: the preview of the exact bytes, the send
// through server-core's sender (every connection it opens captured and
// followed live, labelled with the request), cancel, the history of what was
// sent, and the results kept per connection so a reloaded UI gets them back
// with a capture snapshot (retained-exchanges.ts).
import { sendRequest, type HttpSendResult } from '../client/http-sender.js';
import type { Disposable } from '../util/disposable.js';
import type { HistoryEntry, HttpExchangeView, HttpRequestSpec, HttpResponseView } from '../protocol/playground.js';
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
    const entry: HistoryEntry = { id: reqId, wallTime: Date.now(), spec };
    this.entries.push(entry);
    const limit = this.options.historyLimit ?? 100;
    if (this.entries.length > limit) this.entries.splice(0, this.entries.length - limit);
    const abort = new AbortController();
    this.inflight.set(reqId, abort);
    let started = false;
    const tap = this.ctx.tap((connectionId) => {
      this.ctx.label(connectionId, `${spec.method} ${spec.url}`);
      entry.connectionId ??= connectionId;
      if (!started) {
        started = true;
        this.ctx.post({ type: 'http.started', reqId, connectionId });
      }
    });
    let result: HttpSendResult;
    try {
      result = await sendRequest(toRequestSpec(spec), {
        signal: abort.signal,
        capture: tap.emitter,
        previewBytes: this.options.bodyPreviewBytes ?? 1024 * 1024,
      });
    } catch (err) {
      const e = err as Error & { code?: string };
      this.ctx.flush();
      const message = abort.signal.aborted ? 'Cancelled.' : e.message;
      if (entry.connectionId) this.exchanges.record(entry.connectionId, { reqId, spec: retainedSpec(spec), error: message });
      this.ctx.post({ type: 'http.error', reqId, message, code: abort.signal.aborted ? 'ABORTED' : e.code });
      this.historyChanged();
      return;
    } finally {
      this.inflight.delete(reqId);
      tap.dispose();
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
