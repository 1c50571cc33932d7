// The Pipeline view's content, without the DOM: the server's pipeline records
// (stage times and route, docs/pipeline.md) kept per connection as the host
// pushes them, and one record turned into the drawing's stages — TCP accept →
// bytes → HTTP parser → (queue) → route/handler → response — each with its
// time, a plain-words line, and the bytes it stands for (a key of the Bytes
// view's tree: `${messageId}/` for a whole message, `${messageId}/${field}` for
// one field). pipeline-view.ts draws them; the unit tests read them.
import type { DissectedMessage, PipelineView, QueueJob, RouteDecision } from '../../server-core/protocol/playground.js';
import { formatBytes, formatMs } from '../shared/format.js';

/** The server's pipeline records the UI was told of, per connection and request index (from 1). */
export class PipelineRecords {
  private readonly byConnection = new Map<string, Map<number, PipelineView>>();
  version = 0;

  /** Adds records (upserts); returns the connections that changed. */
  add(records: readonly PipelineView[]): Set<string> {
    const changed = new Set<string>();
    for (const p of records) {
      let conn = this.byConnection.get(p.connectionId);
      if (!conn) this.byConnection.set(p.connectionId, (conn = new Map()));
      conn.set(p.index, p);
      changed.add(p.connectionId);
    }
    if (changed.size) this.version++;
    return changed;
  }

  get(connectionId: string, index: number): PipelineView | undefined {
    return this.byConnection.get(connectionId)?.get(index);
  }

  /** A connection's records, by index. */
  of(connectionId: string): PipelineView[] {
    return [...(this.byConnection.get(connectionId)?.values() ?? [])].sort((a, b) => a.index - b.index);
  }

  /** Every record, by connection then index (tests look one up by its target). */
  all(): PipelineView[] {
    return [...this.byConnection.keys()].flatMap((id) => this.of(id));
  }

  has(connectionId: string): boolean {
    return this.byConnection.has(connectionId);
  }

  clear(): void {
    this.byConnection.clear();
    this.version++;
  }
}

export type StageId = 'accept' | 'bytes' | 'parser' | 'queue' | 'route' | 'response';

export interface StageCard {
  id: StageId;
  title: string;
  /** When it began, ms since the connection's accept (absent: the request never reached it). */
  at?: number;
  /** How long it took, ms, when it has an end. */
  took?: number;
  /** What happened, in plain words. Backticked parts are drawn as code. */
  words: string;
  /** The request stopped here. */
  stopped?: boolean;
  /** Never reached (after the stop). */
  skipped?: boolean;
  /** The Bytes view's tree key of this stage's bytes. */
  bytes?: { key: string; label: string };
  /** A user route: its routes file and line. */
  source?: { file: string; line?: number };
}

/** The file's base name, as a transcript names it (a path is shown whole in the link's title). */
export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

export function routeWhere(route: RouteDecision): string {
  if (route.layer === 'user' && route.file !== undefined) return `${baseName(route.file)}${route.line !== undefined ? `:${route.line}` : ''}`;
  return 'the built-in routes';
}

export function routeKindWords(route: RouteDecision): string {
  switch (route.kind) {
    case 'code':
      return 'runs code';
    case 'file':
      return `returns the file \`${route.path ?? '?'}\``;
    case 'dir':
      return route.path?.endsWith('/') || route.path === '' ? `lists the folder \`${route.path || '/'}\`` : `returns \`${route.path ?? '?'}\` from a folder`;
    case 'fixed':
      return 'returns a fixed response';
    case 'websocket':
      return 'upgrades to WebSocket';
    default:
      return String(route.kind);
  }
}

/** The messages of request `index` on a server connection: its request and its response. */
export function messagesOf(messages: readonly DissectedMessage[], p: PipelineView): { request?: DissectedMessage; response?: DissectedMessage } {
  const seq = p.index - 1;
  let request = messages.find((m) => m.kind === 'http-request' && m.sequence === seq);
  let response = messages.find((m) => m.kind === 'http-response' && m.sequence === seq);
  if (p.stages.refused) {
    // A refused head may have no sequence of its own: the last request and response on the connection.
    request ??= [...messages].reverse().find((m) => m.kind === 'http-request');
    response ??= [...messages].reverse().find((m) => m.kind === 'http-response');
  }
  return { request, response };
}

/** The tree path (`2.0`) of the field marked as where the input went wrong. */
function errorPath(fields: readonly DissectedMessage['fields'][number][], prefix = ''): string | undefined {
  for (const [i, f] of fields.entries()) {
    const path = `${prefix}${i}`;
    if (f.error) return path;
    const inner = f.children && errorPath(f.children, `${path}.`);
    if (inner) return inner;
  }
  return undefined;
}

function fieldIndex(m: DissectedMessage, names: readonly string[]): number {
  return m.fields.findIndex((f) => names.includes(f.name));
}

/** The head's bytes of a request message: up to its End of head (the whole message when not known). */
function headBytes(m: DissectedMessage): number {
  const end = m.fields.find((f) => f.name === 'End of head');
  return (end ? end.range.end : m.range.end) - m.range.start;
}

function span(from: number | undefined, to: number | undefined): number | undefined {
  return from !== undefined && to !== undefined ? Math.max(0, to - from) : undefined;
}

/** The refusal's message without the code it may start with (the code is shown beside it). */
function reason(r: { code: string; message: string }): string {
  return r.message.startsWith(`${r.code}: `) ? r.message.slice(r.code.length + 2) : r.message;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The drawing's stages for one request. */
export function stageCards(p: PipelineView, messages: readonly DissectedMessage[], job?: QueueJob): StageCard[] {
  const s = p.stages;
  const { request, response } = messagesOf(messages, p);
  const refused = s.refused;
  const cards: StageCard[] = [];

  cards.push(
    s.accepted !== undefined
      ? { id: 'accept', title: 'TCP accept', at: s.accepted, words: 'accepted the connection; this is its first request' }
      : { id: 'accept', title: 'TCP accept', words: `came on a kept-alive connection (request #${p.index} on it): nothing to accept` },
  );

  const reqSize = request ? request.range.end - request.range.start : undefined;
  cards.push({
    id: 'bytes',
    title: 'Bytes',
    at: s.firstByte,
    took: span(s.firstByte, s.bodyParsed ?? s.headParsed),
    words:
      reqSize !== undefined
        ? `read ${formatBytes(reqSize)} of request${s.firstByte !== undefined ? `, the first ${formatMs(s.firstByte)} after the accept` : ''}`
        : s.firstByte !== undefined
          ? `first byte ${formatMs(s.firstByte)} after the accept`
          : 'no bytes recorded',
    ...(request ? { bytes: { key: `${request.id}/`, label: 'request bytes' } } : {}),
  });

  if (refused?.stage === 'head') {
    const err = request ? errorPath(request.fields) : undefined;
    cards.push({
      id: 'parser',
      title: 'HTTP parser',
      at: s.firstByte,
      stopped: true,
      words: `refused the head: ${refused.status} ${refused.code} — ${reason(refused)}`,
      ...(request ? { bytes: { key: `${request.id}/${err ?? ''}`, label: err !== undefined ? 'where it stopped' : 'request bytes' } } : {}),
    });
  } else {
    const head = request ? headBytes(request) : undefined;
    const body = request && head !== undefined ? request.range.end - request.range.start - head : 0;
    const bodyWords = refused?.stage === 'body' ? `; refused the body: ${refused.status} ${refused.code} — ${reason(refused)}` : s.bodyNotRead ? '; the handler did not read the body to its end' : body > 0 ? `, then ${formatBytes(body)} of body` : '';
    const headAt = request ? fieldIndex(request, ['Request line']) : -1;
    cards.push({
      id: 'parser',
      title: 'HTTP parser',
      at: s.firstByte,
      took: span(s.firstByte, s.headParsed),
      stopped: refused?.stage === 'body',
      words: `parsed ${head !== undefined ? formatBytes(head) : 'the'} of head${s.headParsed !== undefined && s.firstByte !== undefined ? ` in ${formatMs(s.headParsed - s.firstByte)}` : ''}${bodyWords}`,
      ...(request ? { bytes: { key: headAt >= 0 ? `${request.id}/${headAt}` : `${request.id}/`, label: 'request line' } } : {}),
    });
  }

  if (s.queued !== undefined || job?.mode === 'sequential') {
    const waited = span(s.queued, s.dequeued);
    // The queue job's waitedBehind counts the requests waiting ahead of it; the one being handled is ahead of it too.
    const behind = job?.waitedBehind !== undefined ? job.waitedBehind + 1 : undefined;
    cards.push({
      id: 'queue',
      title: 'Queue',
      at: s.queued,
      took: waited,
      words:
        behind !== undefined
          ? `waited ${waited !== undefined ? `${formatMs(waited)} ` : ''}behind ${plural(behind, 'request')} (sequential)`
          : job
            ? 'went straight through: nothing ahead of it (sequential)'
            : `waited ${waited !== undefined ? formatMs(waited) : '?'} in the queue (sequential)`,
    });
  }

  const route = p.route;
  if (refused) {
    cards.push({ id: 'route', title: 'Route / handler', skipped: true, words: `not reached: the connection answered ${refused.status} in the handler's place` });
  } else if (route) {
    const target = request ? fieldIndex(request, ['Request line']) : -1;
    const params = Object.entries(route.params);
    cards.push({
      id: 'route',
      title: 'Route / handler',
      at: s.routed ?? s.handlerStart,
      took: span(s.handlerStart ?? s.routed, s.firstResponseByte),
      words: `matched \`${route.pattern}\` in \`${routeWhere(route)}\` — ${routeKindWords(route)}${params.length ? ` (${params.map(([k, v]) => `${k} = ${v}`).join(', ')})` : ''}`,
      ...(route.layer === 'user' && route.file !== undefined ? { source: { file: route.file, ...(route.line !== undefined ? { line: route.line } : {}) } } : {}),
      ...(request && target >= 0 ? { bytes: { key: `${request.id}/${target}`, label: 'request line' } } : {}),
    });
  } else if (s.routed !== undefined) {
    cards.push({ id: 'route', title: 'Route / handler', at: s.routed, words: `no route matched: the router answered ${p.status} itself` });
  } else {
    cards.push({ id: 'route', title: 'Route / handler', at: s.handlerStart, took: span(s.handlerStart, s.firstResponseByte), words: "the server's own handler (no router)" });
  }

  const resSize = response ? response.range.end - response.range.start : undefined;
  cards.push({
    id: 'response',
    title: 'Response',
    at: s.firstResponseByte,
    took: span(s.firstResponseByte, s.lastResponseByte),
    words: `sent ${p.status}${resSize !== undefined ? ` in ${formatBytes(resSize)}` : ''}${s.lastResponseByte !== undefined ? `, the last byte ${formatMs(s.lastResponseByte)} after the accept` : ''}`,
    ...(response ? { bytes: { key: `${response.id}/`, label: 'response bytes' } } : {}),
  });
  return cards;
}
