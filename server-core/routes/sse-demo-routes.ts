// The built-in event-stream routes, next to the HTTP demo routes and the
// WebSocket endpoints, so the three ways to talk can be compared on one server:
//
//   GET  /sse/ticker  one `tick` event a second (id, event, data), a `retry` hint
//                     in the first event, a comment as heartbeat; a reconnect
//                     that sends Last-Event-ID: N goes on with N + 1, so an
//                     EventSource loses and repeats nothing across a drop.
//                     Query: interval=MS (10–60000), count=N (end the stream
//                     after N events: the client reconnects), retry=MS (the hint).
//   GET  /sse/chat    listen: every message POSTed to /sse/chat, as `message`
//                     events with increasing ids, and `presence` events when
//                     listeners come and go; a reconnect with Last-Event-ID
//                     gets the messages it missed (the last 100 are kept).
//   POST /sse/chat    the body (UTF-8 text, at most 64 KiB) goes to every listener.
//   GET  /poll/chat   the same room by polling: ?after=N answers at once with the
//                     kept messages whose id is above N, as JSON
//                     {"messages":[{"id","text"}],"last":id}, so the one chat can
//                     be had over polling HTTP, SSE + POST and (/ws/chat) WebSocket.
//
// Each call of createSseDemoRoutes() has its own chat room, so two servers (or
// two tests) never share state. Time comes from the options (`now`, the
// intervals), so tests drive the ticker with mocked timers.
import type { Handler, ServerRequest, ServerResponse } from '../http/handler-types.js';
import type { SseStream } from '../sse/sse-stream.js';
import { sseHandler } from '../sse/sse-route.js';
import { sendText } from '../router/router.js';

export interface SseDemoOptions {
  /** Time between ticker events, ms. Default 1000. */
  tickerIntervalMs?: number;
  /** Time between heartbeat comments on every open stream, ms (0: none). Default 5000. */
  heartbeatMs?: number;
  /** The `retry` hint the ticker's first event carries, ms. Default 2000. */
  retryMs?: number;
  /** The clock the ticker's `time` reads. Default Date.now. */
  now?: () => number;
  /** Chat messages kept for reconnecting listeners. Default 100. */
  chatBacklog?: number;
}

export interface SseDemoRoute {
  method: 'GET' | 'POST';
  path: string;
  kind: 'sse' | 'http';
  handler: Handler;
  description: string;
}

const MAX_TICKER_EVENTS = 1_000_000;
const MAX_CHAT_BYTES = 64 * 1024;

/** A decimal integer within [min, max] from the query, `fallback` when absent, undefined when invalid. */
function queryInt(req: ServerRequest, name: string, min: number, max: number, fallback: number | undefined): number | undefined | 'invalid' {
  const text = req.query.get(name);
  if (text === null) return fallback;
  if (!/^(0|[1-9]\d{0,15})$/.test(text)) return 'invalid';
  const n = Number(text);
  return n < min || n > max ? 'invalid' : n;
}

/** Last-Event-ID as a sequence number (decimal digits only), or 0. */
function lastSeq(req: ServerRequest): number {
  const id = req.header('last-event-id')?.trim();
  return id !== undefined && /^\d{1,15}$/.test(id) ? Number(id) : 0;
}

/** A heartbeat comment every `ms` on an open stream; stops with it. */
function heartbeat(stream: SseStream, ms: number): void {
  if (ms <= 0) return;
  const timer = setInterval(() => {
    if (!stream.isClosed && !stream.needsDrain) stream.comment('heartbeat');
  }, ms);
  stream.onClose(() => clearInterval(timer));
}

function ticker(o: Required<Pick<SseDemoOptions, 'tickerIntervalMs' | 'heartbeatMs' | 'retryMs' | 'now'>>): Handler {
  const open = sseHandler({
    onOpen(stream, req) {
      if (stream.isClosed) return; // the client left before the head went out
      const interval = queryInt(req, 'interval', 10, 60_000, o.tickerIntervalMs) as number;
      const count = queryInt(req, 'count', 1, MAX_TICKER_EVENTS, undefined) as number | undefined;
      const retry = queryInt(req, 'retry', 0, 3_600_000, o.retryMs) as number;
      const resumed = lastSeq(req);
      let seq = resumed;
      let sent = 0;
      let paused = false;
      if (resumed > 0) stream.comment(`resuming after ${resumed}`);
      const tick = () => {
        if (stream.isClosed || paused) return;
        seq++;
        sent++;
        const ok = stream.send({ event: 'tick', id: seq, ...(sent === 1 ? { retry } : {}), data: JSON.stringify({ seq, time: new Date(o.now()).toISOString() }) });
        if (count !== undefined && sent >= count) return stream.close();
        // A slow reader: no ticks are made (nor numbers skipped) until it has caught up.
        if (!ok) {
          paused = true;
          void stream.drain().then(() => (paused = false));
        }
      };
      tick();
      if (stream.isClosed) return;
      const timer = setInterval(tick, interval);
      stream.onClose(() => clearInterval(timer));
      heartbeat(stream, o.heartbeatMs);
    },
  });
  return (req, res) => {
    for (const [name, min, max] of [['interval', 10, 60_000], ['count', 1, MAX_TICKER_EVENTS], ['retry', 0, 3_600_000]] as const) {
      if (queryInt(req, name, min, max, undefined) === 'invalid') return badQuery(res, `${name} must be an integer from ${min} to ${max}`);
    }
    return open(req, res);
  };
}

function badQuery(res: ServerResponse, message: string): void {
  sendText(res, 400, `sse/ticker: ${message}\n`);
}

interface ChatMessage {
  id: number;
  text: string;
}

function chat(o: Required<Pick<SseDemoOptions, 'heartbeatMs' | 'chatBacklog'>>): { listen: Handler; post: Handler; poll: Handler } {
  const listeners = new Set<SseStream>();
  const backlog: ChatMessage[] = [];
  let lastId = 0;
  const presence = () => {
    for (const l of listeners) if (!l.isClosed) l.send({ event: 'presence', data: JSON.stringify({ listeners: listeners.size }) });
  };
  const listen = sseHandler({
    onOpen(stream, req) {
      if (stream.isClosed) return;
      const after = lastSeq(req);
      // What a reconnecting listener missed, from the backlog (older messages are gone).
      if (after > 0) for (const m of backlog) if (m.id > after) stream.send({ event: 'message', id: m.id, data: m.text });
      listeners.add(stream);
      presence();
      heartbeat(stream, o.heartbeatMs);
    },
    onClose(_reason, stream) {
      if (listeners.delete(stream)) presence();
    },
  });
  const post: Handler = async (req, res) => {
    const body = await req.body();
    if (body.length === 0) return sendText(res, 400, 'sse/chat: POST the message as the body\n');
    if (body.length > MAX_CHAT_BYTES) return sendText(res, 413, `sse/chat: a message is at most ${MAX_CHAT_BYTES} bytes\n`);
    const text = body.toString('utf8');
    const message = { id: ++lastId, text };
    backlog.push(message);
    if (backlog.length > o.chatBacklog) backlog.shift();
    let delivered = 0;
    for (const l of listeners) {
      if (l.isClosed) continue;
      // A listener whose buffer is full still gets it (queued); its stream applies the backpressure.
      l.send({ event: 'message', id: message.id, data: text });
      delivered++;
    }
    const json = Buffer.from(JSON.stringify({ id: message.id, delivered }) + '\n', 'utf8');
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': json.length });
    res.end(json);
  };
  // Polling: no waiting (not long-polling), so each poll is one plain request and response on the wire.
  const poll: Handler = (req, res) => {
    const after = queryInt(req, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
    if (after === 'invalid' || after === undefined) return sendText(res, 400, 'poll/chat: after must be a non-negative integer (the last id seen)\n');
    const messages = backlog.filter((m) => m.id > after);
    const json = Buffer.from(JSON.stringify({ messages, last: lastId }) + '\n', 'utf8');
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': json.length, 'Cache-Control': 'no-store' });
    res.end(json);
  };
  return { listen, post, poll };
}

/** The built-in event-stream routes, to register as built-ins (demo-routes.ts does). */
export function createSseDemoRoutes(options: SseDemoOptions = {}): SseDemoRoute[] {
  const o = {
    tickerIntervalMs: options.tickerIntervalMs ?? 1000,
    heartbeatMs: options.heartbeatMs ?? 5000,
    retryMs: options.retryMs ?? 2000,
    now: options.now ?? Date.now,
    chatBacklog: options.chatBacklog ?? 100,
  };
  const room = chat(o);
  const every = o.tickerIntervalMs % 1000 === 0 ? `${o.tickerIntervalMs / 1000 === 1 ? 'every second' : `every ${o.tickerIntervalMs / 1000} s`}` : `every ${o.tickerIntervalMs} ms`;
  return [
    { method: 'GET', path: '/sse/ticker', kind: 'sse', handler: ticker(o), description: `event stream: a tick event ${every}, resumes from Last-Event-ID` },
    { method: 'GET', path: '/sse/chat', kind: 'sse', handler: room.listen, description: 'event stream: every message POSTed to /sse/chat' },
    { method: 'POST', path: '/sse/chat', kind: 'http', handler: room.post, description: 'sends the body to every /sse/chat listener' },
    { method: 'GET', path: '/poll/chat', kind: 'http', handler: room.poll, description: 'the /sse/chat room by polling: ?after=N gives the messages after id N, as JSON' },
  ];
}
