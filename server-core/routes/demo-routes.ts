// The built-in demo routes, written only on the handler contract (handler-types.ts).
//
//   /              a small HTML page listing the routes in force
//   /echo          the request reflected back as JSON, raw head bytes included
//   /status/:code  any status 100–599 with its standard reason
//   /delay/:ms     answers after ms milliseconds (capped)
//   /stream/:n     n chunks over time, chunked encoding (capped)
//   /bytes/:n      n random bytes (capped)
//   /redirect/:n   a 302 chain /redirect/n-1 … /echo
//   /headers       the request headers as JSON
//   /files/*       static files from the root folder
//   /sse/ticker, /sse/chat   event streams (sse-demo-routes.ts)
//
// WebSocket built-ins (/ws/echo, /ws/chat, /ws/ticker) belong to server-core/ws.
// The hook: register them on the same router with `router.ws(path, route, { description })`
// (or pass them as `webSocketRoutes` here); the `/` page lists whatever is registered
// when it is requested, so they appear there and in describe() without further work.
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Handler, ServerRequest, ServerResponse } from '../http/handler-types.js';
import type { WebSocketRoute } from '../ws/types.js';
import { sendText, type Router, type RouteInfo } from '../router/router.js';
import { createStaticHandler, escapeHtml, type StaticOptions } from '../static/static-files.js';
import { createSseDemoRoutes, type SseDemoOptions } from './sse-demo-routes.js';
import { wait } from './wait.js';

export interface DemoRouteLimits {
  /** /delay/:ms cap. Default 60 000. */
  maxDelayMs: number;
  /** /stream/:n cap. Default 1000 chunks. */
  maxStreamChunks: number;
  /** Time between /stream chunks. Default 100 ms. */
  streamIntervalMs: number;
  /** /bytes/:n cap. Default 10 MiB. */
  maxBytes: number;
  /** /redirect/:n cap. Default 50. */
  maxRedirects: number;
}

export const DEFAULT_DEMO_LIMITS: Readonly<DemoRouteLimits> = Object.freeze({
  maxDelayMs: 60_000,
  maxStreamChunks: 1000,
  streamIntervalMs: 100,
  maxBytes: 10 * 1024 * 1024,
  maxRedirects: 50,
});

export interface DemoRouteOptions extends Partial<DemoRouteLimits> {
  /** Folder served under /files/*. Without it /files/* answers 404. */
  root?: string;
  /** Extra static options for /files/* (index, listing, dotfiles). */
  staticOptions?: Omit<StaticOptions, 'root'>;
  /** The event-stream built-ins' timing (ticker interval, heartbeat, retry hint, clock). */
  sse?: SseDemoOptions;
  /** WebSocket built-ins to register alongside (see the note at the top). */
  webSocketRoutes?: ReadonlyArray<{ path: string; route: WebSocketRoute; description?: string }>;
}

/** Registers the demo routes on a router as built-ins. */
export function registerDemoRoutes(router: Router, options: DemoRouteOptions = {}): Router {
  const limits: DemoRouteLimits = { ...DEFAULT_DEMO_LIMITS, ...pickLimits(options) };
  router.get('/', indexPage(router), { description: 'this page: the routes in force' });
  router.any('/echo', echo, { description: 'the request reflected back as JSON, raw bytes included' });
  router.any('/status/:code', status, { description: 'answers with the given status (100–599)' });
  router.any('/delay/:ms', delay(limits), { description: `answers after :ms milliseconds (at most ${limits.maxDelayMs})` });
  router.get('/stream/:n', stream(limits), { description: `n chunks, one every ${limits.streamIntervalMs} ms, chunked encoding` });
  router.get('/bytes/:n', bytes(limits), { description: `n random bytes (at most ${limits.maxBytes})` });
  router.get('/redirect/:n', redirect(limits), { description: 'a 302 chain of n redirects ending at /echo' });
  router.get('/headers', headers, { description: 'the request headers as JSON, in order' });
  router.get(
    '/files/*',
    options.root !== undefined
      ? createStaticHandler({ ...options.staticOptions, root: options.root })
      : (_req, res) => sendText(res, 404, 'No root folder is configured for /files/\n'),
    { kind: 'static', description: 'static files from the root folder' },
  );
  for (const r of createSseDemoRoutes(options.sse)) router.add(r.method, r.path, r.handler, { kind: r.kind, description: r.description });
  for (const ws of options.webSocketRoutes ?? []) router.ws(ws.path, ws.route, { description: ws.description });
  return router;
}

function pickLimits(o: DemoRouteOptions): Partial<DemoRouteLimits> {
  const out: Partial<DemoRouteLimits> = {};
  for (const k of Object.keys(DEFAULT_DEMO_LIMITS) as (keyof DemoRouteLimits)[]) if (o[k] !== undefined) out[k] = o[k] as number;
  return out;
}

function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  const body = Buffer.from(JSON.stringify(value, null, 2) + '\n', 'utf8');
  res.writeHead(status, { ...extra, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
  res.end(body);
}

/** A non-negative integer param, or undefined (leading zeros and signs refused). */
function intParam(s: string | undefined): number | undefined {
  if (s === undefined || !/^(0|[1-9]\d{0,14})$/.test(s)) return undefined;
  return Number(s);
}

function badParam(res: ServerResponse, message: string): void {
  sendText(res, 400, message + '\n');
}

/** Bytes as text: printable ASCII as is, \r \n \t and \\ escaped, anything else as \xHH. */
export function escapeBytes(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return out;
}

function queryObject(q: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of q) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function headerPairs(req: ServerRequest): Array<[string, string]> {
  return req.head.headers.map((h) => [h.name, h.value]);
}

const echo: Handler = async (req, res) => {
  const body = await req.body();
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    text = undefined;
  }
  sendJson(res, 200, {
    method: req.method,
    target: req.target,
    path: req.path,
    query: queryObject(req.query),
    httpVersion: `${req.head.versionMajor}.${req.head.versionMinor}`,
    headers: headerPairs(req),
    body: text !== undefined ? { encoding: 'utf8', length: body.length, text } : { encoding: 'base64', length: body.length, base64: body.toString('base64') },
    raw: { head: escapeBytes(req.rawHead), headBase64: req.rawHead.toString('base64'), headLength: req.rawHead.length },
    connection: { id: req.connectionId, request: req.index, remote: req.remote },
  });
};

const headers: Handler = (req, res) => {
  sendJson(res, 200, { headers: headerPairs(req) });
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const status: Handler = (req, res) => {
  const code = intParam(req.params.code);
  if (code === undefined || code < 100 || code > 599) return badParam(res, 'status: :code must be an integer from 100 to 599');
  const reason = STATUS_CODES[code];
  if (code < 200 || code === 204 || code === 304) {
    // No body: 1xx, 204 and 304 cannot carry one.
    res.writeHead(code);
    res.end();
    return;
  }
  const extra: Record<string, string> = {};
  if (REDIRECTS.has(code)) extra.Location = '/echo';
  if (code === 401) extra['WWW-Authenticate'] = 'Basic realm="wireplay"';
  sendText(res, code, `${code} ${reason ?? 'Unknown'}\n`, extra);
};

function delay(limits: DemoRouteLimits): Handler {
  return async (req, res) => {
    const ms = intParam(req.params.ms);
    if (ms === undefined) return badParam(res, 'delay: :ms must be a non-negative integer');
    if (ms > limits.maxDelayMs) return badParam(res, `delay: :ms is capped at ${limits.maxDelayMs}`);
    const started = performance.now();
    const completed = await wait(ms, req.signal);
    // Aborted (the client closed its side): answer at once, so a half-closed client still gets a reply
    // and the server can finish the exchange instead of holding the connection.
    sendJson(res, 200, { delayMs: ms, waitedMs: Math.round(performance.now() - started), ...(completed ? {} : { aborted: true }) });
  };
}

function stream(limits: DemoRouteLimits): Handler {
  return async (req, res) => {
    const n = intParam(req.params.n);
    if (n === undefined) return badParam(res, 'stream: :n must be a non-negative integer');
    if (n > limits.maxStreamChunks) return badParam(res, `stream: :n is capped at ${limits.maxStreamChunks}`);
    // No Content-Length: an HTTP/1.1 response goes out chunked, one chunk per write.
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store' });
    const started = performance.now();
    for (let i = 1; i <= n; i++) {
      // When the client goes away the response is ended where it stands.
      if ((i > 1 && !(await wait(limits.streamIntervalMs, req.signal))) || req.signal.aborted) return res.end();
      const line = JSON.stringify({ chunk: i, of: n, ms: Math.round(performance.now() - started) }) + '\n';
      if (!res.write(line)) await res.drain();
    }
    res.end();
  };
}

function bytes(limits: DemoRouteLimits): Handler {
  return async (req, res) => {
    const n = intParam(req.params.n);
    if (n === undefined) return badParam(res, 'bytes: :n must be a non-negative integer');
    if (n > limits.maxBytes) return badParam(res, `bytes: :n is capped at ${limits.maxBytes}`);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': n });
    if (req.method === 'HEAD') return res.end();
    let left = n;
    while (left > 0) {
      // Ended short: the server sees the body is incomplete and closes the connection.
      if (req.signal.aborted) return res.end();
      const size = Math.min(left, 64 * 1024);
      left -= size;
      if (!res.write(randomBytes(size))) await res.drain();
    }
    res.end();
  };
}

function redirect(limits: DemoRouteLimits): Handler {
  return (req, res) => {
    const n = intParam(req.params.n);
    if (n === undefined || n < 1) return badParam(res, 'redirect: :n must be an integer ≥ 1');
    if (n > limits.maxRedirects) return badParam(res, `redirect: :n is capped at ${limits.maxRedirects}`);
    const location = n === 1 ? '/echo' : `/redirect/${n - 1}`;
    sendText(res, 302, `Redirecting to ${location}\n`, { Location: location });
  };
}

/** An example URL for a pattern, or undefined when it cannot be followed with a plain GET. */
function exampleHref(route: RouteInfo): string | undefined {
  if (route.kind === 'ws') return undefined;
  if (route.method !== '*' && !route.method.split(',').includes('GET')) return undefined;
  const examples: Record<string, string> = { code: '418', ms: '1000', n: '5', id: '1' };
  return route.pattern
    .split('/')
    .map((seg) => (seg === '*' ? '' : seg.startsWith(':') ? (examples[seg.slice(1)] ?? 'x') : seg))
    .join('/');
}

function indexPage(router: Router): Handler {
  return (_req, res) => {
    const rows = router
      .describe()
      .filter((r) => !r.shadowed)
      .map((r) => {
        const href = exampleHref(r);
        const pattern = escapeHtml(r.pattern);
        const link = href !== undefined ? `<a href="${escapeHtml(href)}">${pattern}</a>` : `<code>${pattern}</code>`;
        return `<tr><td>${escapeHtml(r.method === '*' ? 'ANY' : r.method)}</td><td>${link}</td><td>${escapeHtml(r.source)}</td><td>${escapeHtml(r.description)}</td></tr>`;
      });
    const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>Wireplay</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}td,th{padding:.2em 1em .2em 0;text-align:left}</style></head>
<body><h1>Wireplay</h1>
<p>An HTTP &amp; WebSocket server written from the TCP socket up. Routes in force:</p>
<table><thead><tr><th>Method</th><th>Path</th><th>Source</th><th>What it does</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</body></html>
`;
    const body = Buffer.from(html, 'utf8');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
    res.end(body);
  };
}
