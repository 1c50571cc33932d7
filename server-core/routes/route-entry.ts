// One data route — an entry of wireplay.routes.json, or an object value in a
// wireplay.routes.mjs — checked and turned into a RouteDef.
//
// checkEntry validates it against the routes schema's "route" definition (the schema
// VS Code checks the file with), then adds what a schema cannot say: the path
// pattern compiles (no parameter twice, valid percent-encoding), a `file` or `dir`
// does not climb out of the folder through a later `..`, the `delay` cap when the
// server sets its own. compileEntry builds the handler of an entry that passed.
import { isAbsolute, join, normalize, sep } from 'node:path';
import type { Handler, HeaderValue } from '../http/handler-types.js';
import { compilePattern, sendText, type RouteDef } from '../router/router.js';
import { PreparedResponse } from '../server/prepared-response.js';
import type { HttpResponseWriter } from '../server/response-writer.js';
import { createStaticHandler, resolveInRoot, serveFileInRoot } from '../static/static-files.js';
import { SchemaValidator, type SchemaError } from './schema/json-schema.js';
import { ROUTES_SCHEMA } from './schema/routes-schema.js';
import { sseFeedHandler, sseItemProblem } from './sse-feed.js';
import { wait } from './wait.js';

export const DEFAULT_MAX_DELAY_MS = 60_000;
export const routesSchema = new SchemaValidator(ROUTES_SCHEMA);

/** Where an entry's problem is: a JSON Pointer relative to the entry, and the message (with its label). */
export type EntrySink = (at: string, message: string) => void;

/** `routes[2]` + `/headers/X-Id` → `routes[2].headers["X-Id"]`. */
export function labelOf(label: string, relativePointer: string): string {
  if (relativePointer === '') return label;
  let out = label;
  let parent = '';
  for (const raw of relativePointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) && parent !== 'headers' ? `[${key}]` : parent === 'headers' ? `[${JSON.stringify(key)}]` : `.${key}`;
    parent = key;
  }
  return out;
}

/** A schema error as the loader says it: `routes[2].status: must be an integer from 100 to 599`. */
export function describeSchemaError(label: string, e: SchemaError): string {
  const where = labelOf(label, e.pointer);
  return where ? `${where}: ${e.message}` : e.message;
}

export interface EntryOptions {
  /** The folder `file` and `dir` resolve against. */
  base: string;
  maxDelayMs?: number;
}

/**
 * Checks one entry; reports each problem to `sink` and returns true when there is none.
 * `fixed` gives the method and path from an `.mjs` key (the entry then has neither).
 */
export function checkEntry(raw: unknown, label: string, sink: EntrySink, options: EntryOptions, fixed?: { path: string }): boolean {
  let problems = 0;
  const report = (at: string, message: string) => {
    problems++;
    sink(at, message);
  };
  if (fixed && typeof raw === 'object' && raw !== null && ('path' in raw || 'method' in raw)) {
    report('', `${label}: the key of the export already gives the method and path; drop "path"/"method"`);
    return false;
  }
  const entry = fixed && typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { path: fixed.path, ...raw } : raw;
  for (const e of routesSchema.validate(entry, '#/definitions/route')) report(e.at, describeSchemaError(label, e));
  if (problems) return false;

  const r = entry as Record<string, unknown>;
  try {
    compilePattern(r.path as string);
  } catch (err) {
    report(fixed ? '' : '/path', `${labelOf(label, fixed ? '' : '/path')}: ${(err as Error).message}`);
  }
  for (const k of ['file', 'dir'] as const) {
    const v = r[k];
    if (typeof v !== 'string') continue;
    const rel = normalize(v);
    if (isAbsolute(v) || rel === '..' || rel.startsWith('..' + sep)) report(`/${k}`, `${label}.${k}: "${v}" must stay inside the routes file's folder`);
  }
  if (Array.isArray(r.sse)) {
    r.sse.forEach((item, i) => {
      const problem = sseItemProblem(item);
      if (problem) report(`/sse/${i}`, `${labelOf(label, `/sse/${i}`)}: ${problem}`);
    });
  }
  const maxDelay = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  if (typeof r.delay === 'number' && r.delay > maxDelay) {
    report('/delay', `${label}.delay: must be an integer number of milliseconds from 0 to ${maxDelay}`);
  }
  return problems === 0;
}

/** The methods of a checked entry: upper-case, '*' for any. */
export function entryMethods(raw: Record<string, unknown>): string[] {
  const m = raw.method ?? 'GET';
  return (typeof m === 'string' ? [m] : (m as string[])).map((x) => x.toUpperCase());
}

/** Builds the route of an entry that passed checkEntry. */
export function compileEntry(raw: Record<string, unknown>, methods: string[], path: string, base: string): RouteDef {
  const status = (raw.status as number | undefined) ?? 200;
  const noBody = status < 200 || status === 204 || status === 304;
  let bodyBytes: Buffer | undefined;
  let defaultType = 'text/plain; charset=utf-8';
  if (raw.body !== undefined) {
    if (typeof raw.body === 'string') bodyBytes = Buffer.from(raw.body, 'utf8');
    else {
      bodyBytes = Buffer.from(JSON.stringify(raw.body, null, 2) + '\n', 'utf8');
      defaultType = 'application/json; charset=utf-8';
    }
  } else if (typeof raw.bodyBase64 === 'string') {
    bodyBytes = Buffer.from(raw.bodyBase64, 'base64');
    defaultType = 'application/octet-stream';
  }
  const headers: Array<[string, HeaderValue]> = Object.entries((raw.headers ?? {}) as Record<string, string | number | Array<string | number>>).map(
    ([name, value]) => [name, Array.isArray(value) ? value.map(String) : value],
  );
  const delay = (raw.delay as number | undefined) ?? 0;
  const setHeaders = (res: Parameters<Handler>[1]) => {
    for (const [name, value] of headers) res.setHeader(name, value);
  };
  const hasType = headers.some(([n]) => n.toLowerCase() === 'content-type');
  const kind = typeof raw.file === 'string' ? 'file' : typeof raw.dir === 'string' ? 'dir' : undefined;
  const inside = kind ? normalize(raw[kind] as string).replace(/^\.$/, '').replace(/[\\/]+$/, '') : '';
  let description = typeof raw.description === 'string' ? raw.description : '';
  let answer: Handler;
  if (Array.isArray(raw.sse)) {
    const interval = (raw.interval as number | undefined) ?? 1000;
    description ||= `event stream: ${raw.sse.length} event${raw.sse.length === 1 ? '' : 's'}, one every ${interval} ms`;
    answer = sseFeedHandler(raw.sse as Record<string, unknown>[], interval, Object.fromEntries(headers));
  } else if (kind === 'file') {
    description ||= `file ${inside.split(sep).join('/')}`;
    answer = async (req, res) => {
      setHeaders(res);
      await serveFileInRoot(req, res, base, inside);
    };
  } else if (kind === 'dir') {
    const segments = inside === '' ? [] : inside.split(sep);
    const serve = createStaticHandler({ root: join(base, inside) });
    description ||= `folder ${inside.split(sep).join('/') || '.'}`;
    answer = async (req, res) => {
      // The folder itself must resolve inside the base (a symlinked folder pointing out is refused).
      const where = await resolveInRoot(base, segments, 'allow');
      if (!where.ok || !where.stats.isDirectory()) return sendText(res, where.ok ? 404 : where.status, 'Not found\n');
      setHeaders(res);
      await serve(req, res);
    };
  } else {
    const body = bodyBytes;
    description ||= `${status}${body ? ` with a ${body.length}-byte body` : ''}${delay ? ` after ${delay} ms` : ''}`;
    // Serialised once (server/prepared-response.ts) when the general path would not rewrite its fields.
    const prepared = noBody ? undefined : PreparedResponse.build(status, headers, body ?? Buffer.alloc(0), !hasType && body ? defaultType : undefined);
    answer = (_req, res) => {
      if (prepared && typeof (res as Partial<HttpResponseWriter>).endPrepared === 'function' && (res as HttpResponseWriter).endPrepared(prepared)) return;
      setHeaders(res);
      if (noBody) {
        res.writeHead(status);
        res.end();
        return;
      }
      if (!hasType && body) res.setHeader('Content-Type', defaultType);
      res.setHeader('Content-Length', body ? body.length : 0);
      res.writeHead(status);
      res.end(body);
    };
  }
  const handler: Handler =
    delay > 0
      ? async (req, res) => {
          // Aborted or not, the response follows (early when the client closed its side).
          await wait(delay, req.signal);
          await answer(req, res);
        }
      : answer;
  return { kind: kind ? 'static' : Array.isArray(raw.sse) ? 'sse' : 'http', method: methods, pattern: path, handler, description, origin: { kind: kind ?? 'fixed' } };
}
