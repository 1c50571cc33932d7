// User routes from the workspace: `wireplay.routes.json` (data) and
// `wireplay.routes.mjs` (code). See docs/routes.md for the formats.
//
// loadUserRoutes(file) → { routes, errors }: every error carries a stable code and,
// when it can be known, the line and column in the file. A file with any error
// yields no routes: the watcher then keeps the previous routes of that file in force.
//
// UserRoutesWatcher: loads one or more routes files into a Router's user layer,
// reloads a file when it changes on disk (fs.watch on its folder, debounced, so an
// editor's atomic save by rename is seen too), and on an explicit reload().
import { execFile } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Handler, HeaderValue } from '../http/handler-types.js';
import type { WebSocketHandler, WebSocketRoute } from '../ws/types.js';
import { ANY_METHOD, compilePattern, RoutePatternError, sendText, type RouteDef, type Router } from '../router/router.js';
import { createStaticHandler, resolveInRoot, serveFileInRoot } from '../static/static-files.js';
import { Emitter } from '../util/emitter.js';
import type { Disposable } from '../util/disposable.js';
import { JsonSyntaxError, locationAt, parseJsonWithPositions, type SourceLocation } from './json-positions.js';
import { wait } from './wait.js';

export const ROUTES_JSON = 'wireplay.routes.json';
export const ROUTES_MJS = 'wireplay.routes.mjs';

export type UserRouteErrorCode =
  | 'READ_FAILED'
  | 'JSON_SYNTAX'
  | 'INVALID_SCHEMA'
  | 'CODE_NOT_ALLOWED'
  | 'MODULE_SYNTAX'
  | 'MODULE_FAILED'
  | 'UNSUPPORTED_FILE';

export interface UserRouteError {
  code: UserRouteErrorCode;
  file: string;
  message: string;
  /** 1-based, when known. */
  line?: number;
  column?: number;
}

export interface LoadResult {
  file: string;
  routes: RouteDef[];
  errors: UserRouteError[];
  /** The file does not exist (not an error: no user routes from it). */
  missing: boolean;
}

export interface UserRoutesOptions {
  /** Run `.mjs` routes files. False (the default) refuses them; JSON files are still served. */
  allowCode?: boolean;
  /** Folder that `file` and `dir` entries resolve against and may not leave. Default: the routes file's folder. */
  root?: string;
  /** `delay` cap in ms. Default 60 000. */
  maxDelayMs?: number;
  /** Where errors thrown inside WebSocket callbacks of a .mjs file are reported. Default console.error. */
  log?: (message: string, error?: unknown) => void;
}

const DEFAULT_MAX_DELAY_MS = 60_000;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ENTRY_KEYS = ['path', 'method', 'description', 'status', 'headers', 'body', 'bodyBase64', 'file', 'dir', 'delay'] as const;

let importGeneration = 0;

/** Formats an error as `file:line:col: message` (the form editors and terminals link). */
export function formatUserRouteError(e: UserRouteError): string {
  const where = e.line !== undefined ? `${e.file}:${e.line}:${e.column ?? 1}` : e.file;
  return `${where}: ${e.message}`;
}

export async function loadUserRoutes(file: string, options: UserRoutesOptions = {}): Promise<LoadResult> {
  const result: LoadResult = { file, routes: [], errors: [], missing: false };
  if (file.endsWith('.json')) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      return readFailure(result, err);
    }
    return loadJson(result, text, options);
  }
  if (file.endsWith('.mjs')) {
    if (!options.allowCode) {
      try {
        await readFile(file);
      } catch (err) {
        return readFailure(result, err);
      }
      result.errors.push({
        code: 'CODE_NOT_ALLOWED',
        file,
        message: `${basename(file)} runs code and is only loaded when code is allowed (a trusted workspace); its routes are not served. ${ROUTES_JSON} routes are still served.`,
      });
      return result;
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      return readFailure(result, err);
    }
    return loadModule(result, text, options);
  }
  result.errors.push({ code: 'UNSUPPORTED_FILE', file, message: 'a routes file ends in .json or .mjs' });
  return result;
}

function readFailure(result: LoadResult, err: unknown): LoadResult {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    result.missing = true;
    return result;
  }
  result.errors.push({ code: 'READ_FAILED', file: result.file, message: `cannot read: ${(err as Error).message}` });
  return result;
}

// ---------------------------------------------------------------- JSON

/** Collects schema errors, each at a JSON Pointer into the entry. */
class Checker {
  count = 0;
  constructor(private readonly sink: (pointer: string, message: string) => void) {}
  error(pointer: string, message: string): void {
    this.count++;
    this.sink(pointer, message);
  }
}

function loadJson(result: LoadResult, text: string, options: UserRoutesOptions): LoadResult {
  let parsed;
  try {
    parsed = parseJsonWithPositions(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      result.errors.push({ code: 'JSON_SYNTAX', file: result.file, message: err.reason, line: err.location.line, column: err.location.column });
    } else {
      result.errors.push({ code: 'JSON_SYNTAX', file: result.file, message: `cannot parse: ${(err as Error).message}` });
    }
    return result;
  }
  const { value, positions } = parsed;
  const checker = new Checker((pointer, message) => {
    // The nearest recorded position: the value itself, else its closest ancestor.
    let p = pointer;
    let loc: SourceLocation | undefined = positions.get(p);
    while (!loc && p !== '') {
      p = p.slice(0, p.lastIndexOf('/'));
      loc = positions.get(p);
    }
    result.errors.push({ code: 'INVALID_SCHEMA', file: result.file, message, line: loc?.line, column: loc?.column });
  });
  let list: unknown[];
  let listPointer: string;
  if (Array.isArray(value)) {
    list = value;
    listPointer = '';
  } else if (isPlainObject(value) && Array.isArray(value.routes)) {
    for (const k of Object.keys(value)) {
      if (k !== 'routes' && k !== '$schema') checker.error(`/${k}`, `unknown top-level key "${k}" (expected "routes")`);
    }
    list = value.routes;
    listPointer = '/routes';
  } else {
    checker.error('', 'expected an object { "routes": [ … ] } (or an array of routes)');
    return result;
  }
  const base = options.root ?? dirname(result.file);
  const seen = new Map<string, string>();
  list.forEach((raw, index) => {
    const pointer = `${listPointer}/${index}`;
    const label = `routes[${index}]`;
    const def = checkEntry(raw, pointer, label, checker, base, options);
    if (!def) return;
    const methods = def.kind === 'ws' ? ['WS'] : typeof def.method === 'string' ? [def.method] : [...def.method];
    for (const m of methods) {
      const key = `${m} ${def.pattern}`;
      const prev = seen.get(key);
      if (prev) checker.error(`${pointer}/path`, `${label}: duplicate route ${key} (also ${prev})`);
      else seen.set(key, label);
    }
    result.routes.push(def);
  });
  if (result.errors.length) result.routes = [];
  return result;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates one JSON-style entry (also used for object values in a .mjs file). */
function checkEntry(raw: unknown, pointer: string, label: string, checker: Checker, base: string, options: UserRoutesOptions, fixed?: { method: string[]; path: string }): RouteDef | undefined {
  if (!isPlainObject(raw)) {
    checker.error(pointer, `${label}: expected an object like { "path": "/hello", "body": "Hello" }`);
    return undefined;
  }
  const before = checker.count;
  const at = (key: string) => `${pointer}/${key}`;
  for (const k of Object.keys(raw)) {
    if (!(ENTRY_KEYS as readonly string[]).includes(k)) {
      checker.error(at(k), `${label}: unknown key "${k}" (allowed: ${ENTRY_KEYS.join(', ')})`);
    }
  }
  // path and method
  let path = fixed?.path;
  if (!fixed) {
    if (typeof raw.path !== 'string') checker.error(raw.path === undefined ? pointer : at('path'), `${label}: "path" is required, a string starting with '/'`);
    else {
      try {
        compilePattern(raw.path);
        path = raw.path;
      } catch (err) {
        checker.error(at('path'), `${label}.path: ${(err as RoutePatternError).message}`);
      }
    }
  } else if (raw.path !== undefined || raw.method !== undefined) {
    checker.error(pointer, `${label}: the key of the export already gives the method and path; drop "path"/"method"`);
  }
  let methods: string[] = fixed?.method ?? ['GET'];
  if (!fixed && raw.method !== undefined) {
    const list = typeof raw.method === 'string' ? [raw.method] : Array.isArray(raw.method) ? raw.method : undefined;
    if (!list || list.length === 0 || !list.every((m) => typeof m === 'string' && (m === ANY_METHOD || TOKEN.test(m)))) {
      checker.error(at('method'), `${label}.method: a method name like "GET" or "POST", a list of them, or "*" for any method`);
    } else methods = (list as string[]).map((m) => m.toUpperCase());
  }
  if (raw.description !== undefined && typeof raw.description !== 'string') checker.error(at('description'), `${label}.description: must be a string`);

  // what it answers
  const kinds = (['file', 'dir'] as const).filter((k) => raw[k] !== undefined);
  const responseKeys = (['status', 'body', 'bodyBase64'] as const).filter((k) => raw[k] !== undefined);
  if (kinds.length > 1) checker.error(at('dir'), `${label}: "file" and "dir" cannot be used together`);
  if (kinds.length && responseKeys.length) checker.error(at(responseKeys[0]), `${label}: "${responseKeys[0]}" cannot be used with "${kinds[0]}"`);
  if (raw.body !== undefined && raw.bodyBase64 !== undefined) checker.error(at('bodyBase64'), `${label}: use "body" or "bodyBase64", not both`);

  let status = 200;
  if (raw.status !== undefined) {
    if (!Number.isInteger(raw.status) || (raw.status as number) < 100 || (raw.status as number) > 599) {
      checker.error(at('status'), `${label}.status: must be an integer from 100 to 599`);
    } else status = raw.status as number;
  }
  const noBody = status < 200 || status === 204 || status === 304;
  if (noBody && (raw.body !== undefined || raw.bodyBase64 !== undefined)) {
    checker.error(at(raw.body !== undefined ? 'body' : 'bodyBase64'), `${label}: a ${status} response has no body`);
  }
  let bodyBytes: Buffer | undefined;
  let defaultType = 'text/plain; charset=utf-8';
  if (raw.body !== undefined) {
    if (typeof raw.body === 'string') bodyBytes = Buffer.from(raw.body, 'utf8');
    else {
      bodyBytes = Buffer.from(JSON.stringify(raw.body, null, 2) + '\n', 'utf8');
      defaultType = 'application/json; charset=utf-8';
    }
  } else if (raw.bodyBase64 !== undefined) {
    if (typeof raw.bodyBase64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(raw.bodyBase64.replace(/\s+/g, ''))) {
      checker.error(at('bodyBase64'), `${label}.bodyBase64: must be a base64 string`);
    } else {
      bodyBytes = Buffer.from(raw.bodyBase64, 'base64');
      defaultType = 'application/octet-stream';
    }
  }

  const headers: Array<[string, HeaderValue]> = [];
  if (raw.headers !== undefined) {
    if (!isPlainObject(raw.headers)) checker.error(at('headers'), `${label}.headers: must be an object of header names to values`);
    else {
      for (const [name, value] of Object.entries(raw.headers)) {
        const hp = `${at('headers')}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (!TOKEN.test(name)) checker.error(hp, `${label}.headers: "${name}" is not a valid header name`);
        const values = Array.isArray(value) ? value : [value];
        if (!values.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) {
          checker.error(hp, `${label}.headers["${name}"]: must be a string, a number or a list of strings`);
        } else if (values.some((v) => /[\r\n\0]/.test(String(v)))) {
          checker.error(hp, `${label}.headers["${name}"]: CR, LF and NUL are not allowed in a header value`);
        } else headers.push([name, Array.isArray(value) ? value.map(String) : (value as string | number)]);
      }
    }
  }

  const maxDelay = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  let delay = 0;
  if (raw.delay !== undefined) {
    if (!Number.isInteger(raw.delay) || (raw.delay as number) < 0 || (raw.delay as number) > maxDelay) {
      checker.error(at('delay'), `${label}.delay: must be an integer number of milliseconds from 0 to ${maxDelay}`);
    } else delay = raw.delay as number;
  }

  let inside: string | undefined;
  for (const k of kinds) {
    const v = raw[k];
    if (typeof v !== 'string' || v === '') {
      checker.error(at(k), `${label}.${k}: must be a path relative to the routes file's folder`);
      continue;
    }
    const rel = normalize(v);
    if (isAbsolute(v) || rel === '..' || rel.startsWith('..' + sep) || v.includes('\0')) {
      checker.error(at(k), `${label}.${k}: "${v}" must stay inside the routes file's folder`);
      continue;
    }
    inside = rel === '.' ? '' : rel.replace(/[\\/]+$/, '');
  }
  if (kinds[0] === 'dir' && path !== undefined && !path.endsWith('/*')) {
    checker.error(fixed ? pointer : at('path'), `${label}: a "dir" route's path ends with "/*" (e.g. "/site/*")`);
  }

  if (checker.count > before || path === undefined) return undefined;

  const setHeaders = (res: Parameters<Handler>[1]) => {
    for (const [name, value] of headers) res.setHeader(name, value);
  };
  const hasType = headers.some(([n]) => n.toLowerCase() === 'content-type');
  let answer: Handler;
  let kind: 'http' | 'static' = 'http';
  let description = typeof raw.description === 'string' ? raw.description : '';
  if (kinds[0] === 'file') {
    const rel = inside ?? '';
    kind = 'static';
    description ||= `file ${rel.split(sep).join('/')}`;
    answer = async (req, res) => {
      setHeaders(res);
      await serveFileInRoot(req, res, base, rel);
    };
  } else if (kinds[0] === 'dir') {
    const rel = inside ?? '';
    const segments = rel === '' ? [] : rel.split(sep);
    const serve = createStaticHandler({ root: join(base, rel) });
    kind = 'static';
    description ||= `folder ${rel.split(sep).join('/') || '.'}`;
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
    answer = (_req, res) => {
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
  return { kind, method: methods, pattern: path, handler, description };
}


// ---------------------------------------------------------------- .mjs

const KEY = /^\s*(?:([A-Za-z*][A-Za-z0-9!#$%&'*+.^_`|~,-]*)\s+)?(\/\S*)\s*$/;

async function loadModule(result: LoadResult, text: string, options: UserRoutesOptions): Promise<LoadResult> {
  const file = result.file;
  const url = `${pathToFileURL(file).href}?v=${Date.now().toString(36)}-${++importGeneration}`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    result.errors.push(await moduleError(file, url, err));
    return result;
  }
  const exported = mod.default;
  if (!isPlainObject(exported)) {
    result.errors.push({
      code: 'INVALID_SCHEMA',
      file,
      message: `${basename(file)} must \`export default\` an object whose keys are "METHOD /path" (e.g. "GET /hello") and values handlers`,
    });
    return result;
  }
  const log = options.log ?? ((message: string, error?: unknown) => console.error(message, error));
  const base = options.root ?? dirname(file);
  for (const [key, value] of Object.entries(exported)) {
    const where = keyLocation(text, key);
    const fail = (message: string) => result.errors.push({ code: 'INVALID_SCHEMA', file, message: `"${key}": ${message}`, ...where });
    const m = KEY.exec(key);
    if (!m) {
      fail('a key is "METHOD /path", "/path" (GET), "* /path" (any method) or "WS /path"');
      continue;
    }
    const method = (m[1] ?? 'GET').toUpperCase();
    const path = m[2];
    try {
      compilePattern(path);
    } catch (err) {
      fail((err as Error).message);
      continue;
    }
    if (method === 'WS') {
      const route = toWebSocketRoute(value, key, log);
      if (typeof route === 'string') fail(route);
      else result.routes.push({ kind: 'ws', pattern: path, route, description: `WebSocket from ${basename(file)}` });
      continue;
    }
    const methods = method.split(',').filter(Boolean);
    if (!methods.every((x) => x === ANY_METHOD || TOKEN.test(x))) {
      fail(`"${m[1]}" is not a method`);
      continue;
    }
    if (typeof value === 'function') {
      result.routes.push({ kind: 'http', method: methods, pattern: path, handler: value as Handler, description: `handler ${(value as { name?: string }).name || 'function'} from ${basename(file)}` });
    } else if (isPlainObject(value)) {
      const messages: string[] = [];
      const checker = new Checker((_pointer, message) => messages.push(message));
      const def = checkEntry(value, '', key, checker, base, options, { method: methods, path });
      if (messages.length || !def) for (const msg of messages) result.errors.push({ code: 'INVALID_SCHEMA', file, message: msg, ...where });
      else result.routes.push(def);
    } else {
      fail('expected a handler function (req, res) => …, or a response object like { status, headers, body }');
    }
  }
  if (result.errors.length) result.routes = [];
  return result;
}

function keyLocation(text: string, key: string): { line?: number; column?: number } {
  for (const q of ["'", '"', '`']) {
    const at = text.indexOf(q + key + q);
    if (at >= 0) {
      const loc = locationAt(text, at);
      return { line: loc.line, column: loc.column };
    }
  }
  return {};
}

function toWebSocketRoute(value: unknown, key: string, log: (message: string, error?: unknown) => void): WebSocketRoute | string {
  if (!isPlainObject(value)) return 'a WS entry is an object { onOpen, onMessage, onClose, onError } or { handler, protocols, origins }';
  const isRoute = isPlainObject(value.handler);
  const handler = (isRoute ? value.handler : value) as Record<string, unknown>;
  const callbacks = ['onOpen', 'onMessage', 'onClose', 'onError'] as const;
  for (const name of Object.keys(handler)) {
    if (!(callbacks as readonly string[]).includes(name)) return `unknown WebSocket callback "${name}" (allowed: ${callbacks.join(', ')})`;
    if (typeof handler[name] !== 'function') return `${name} must be a function`;
  }
  const strings = (v: unknown, what: string): readonly string[] | string | undefined => {
    if (v === undefined) return undefined;
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : `${what} must be a list of strings`;
  };
  const protocols = isRoute ? strings(value.protocols, 'protocols') : undefined;
  const origins = isRoute ? strings(value.origins, 'origins') : undefined;
  if (typeof protocols === 'string') return protocols;
  if (typeof origins === 'string') return origins;
  // Each callback is guarded: an exception in user code closes that peer with 1011 and is logged, never thrown into the server.
  const guarded: WebSocketHandler = {};
  for (const name of callbacks) {
    const fn = handler[name] as ((...args: unknown[]) => unknown) | undefined;
    if (!fn) continue;
    (guarded as Record<string, unknown>)[name] = (peer: { close(code?: number, reason?: string): void }, ...rest: unknown[]) => {
      try {
        const out = fn.call(handler, peer, ...rest);
        if (out instanceof Promise) out.catch((err) => fault(peer, name, err));
      } catch (err) {
        fault(peer, name, err);
      }
    };
  }
  const fault = (peer: { close(code?: number, reason?: string): void }, name: string, err: unknown) => {
    log(`WebSocket ${key} ${name} failed:`, err);
    if (name !== 'onClose' && name !== 'onError') {
      try {
        peer.close(1011, 'handler error');
      } catch {
        /* already closed */
      }
    }
  };
  return { handler: guarded, ...(protocols ? { protocols } : {}), ...(origins ? { origins } : {}) };
}

async function moduleError(file: string, url: string, err: unknown): Promise<UserRouteError> {
  const e = err as Error;
  const message = `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
  // A failure while the module runs: its stack names our URL with line and column.
  const stack = typeof e?.stack === 'string' ? e.stack : '';
  const idx = stack.indexOf(url);
  if (idx >= 0) {
    const m = /^:(\d+):(\d+)/.exec(stack.slice(idx + url.length));
    if (m) return { code: e?.name === 'SyntaxError' ? 'MODULE_SYNTAX' : 'MODULE_FAILED', file, message, line: Number(m[1]), column: Number(m[2]) };
  }
  if (e?.name === 'SyntaxError') {
    // V8 keeps the position of an ES module syntax error out of the error object;
    // `node --check` prints it (file:line, the source line, a caret under the column).
    const where = await checkSyntax(file);
    return { code: 'MODULE_SYNTAX', file, message, ...where };
  }
  return { code: 'MODULE_FAILED', file, message };
}

function checkSyntax(file: string): Promise<{ line?: number; column?: number }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--check', file],
      // ELECTRON_RUN_AS_NODE lets the VS Code extension host's binary act as node.
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 10_000, windowsHide: true },
      (_error, _stdout, stderr) => {
        const lines = String(stderr).split(/\r?\n/);
        const first = lines.findIndex((l) => /:(\d+)$/.test(l));
        if (first < 0) return resolve({});
        const line = Number(/:(\d+)$/.exec(lines[first])![1]);
        const caret = lines.slice(first + 1, first + 4).find((l) => /^\s*\^/.test(l));
        resolve(caret !== undefined ? { line, column: caret.indexOf('^') + 1 } : { line });
      },
    );
  });
}

// ---------------------------------------------------------------- watcher

export interface UserRoutesEvents {
  /** A file was (re)loaded without errors, or disappeared (missing: true, its routes removed). */
  reloaded: { file: string; count: number; missing: boolean };
  /** A file has errors; its previous routes stay in force. */
  error: { file: string; errors: UserRouteError[] };
}

export interface UserRoutesWatcherOptions extends UserRoutesOptions {
  /** Routes files, in precedence order (an earlier file's route wins a tie). */
  files: readonly string[];
  /** Quiet time after the last change before reloading. Default 100 ms. */
  debounceMs?: number;
  /** Watch the files for changes. Default true. */
  watch?: boolean;
}

/** The two standard routes files of a workspace folder, JSON first. */
export function routesFilesIn(folder: string): string[] {
  return [join(folder, ROUTES_JSON), join(folder, ROUTES_MJS)];
}

export class UserRoutesWatcher implements Disposable {
  private readonly events = new Emitter<UserRoutesEvents>();
  private readonly good = new Map<string, RouteDef[]>();
  private readonly lastErrors = new Map<string, UserRouteError[]>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly chains = new Map<string, Promise<LoadResult>>();
  private readonly watchers: FSWatcher[] = [];
  private allowCode: boolean;
  private disposed = false;

  constructor(
    private readonly router: Router,
    private readonly options: UserRoutesWatcherOptions,
  ) {
    this.allowCode = options.allowCode ?? false;
  }

  on<K extends keyof UserRoutesEvents>(event: K, listener: (payload: UserRoutesEvents[K]) => void): Disposable {
    return this.events.on(event, listener);
  }

  /** Loads every file and starts watching. */
  async start(): Promise<LoadResult[]> {
    if (this.options.watch ?? true) this.startWatching();
    return this.reload();
  }

  /** Current errors per file (empty when all loaded). */
  errors(): UserRouteError[] {
    return [...this.lastErrors.values()].flat();
  }

  /** Workspace trust changed: reload with code allowed or refused. */
  async setAllowCode(allow: boolean): Promise<LoadResult[]> {
    this.allowCode = allow;
    if (!allow) for (const f of this.options.files) if (f.endsWith('.mjs')) this.good.delete(f);
    return this.reload();
  }

  /** Reloads every file now (or one of them). Reloads of one file never overlap. */
  reload(file?: string): Promise<LoadResult[]> {
    const files = file !== undefined ? [file] : [...this.options.files];
    return Promise.all(files.map((f) => this.reloadOne(f)));
  }

  private reloadOne(file: string): Promise<LoadResult> {
    const prev = this.chains.get(file) ?? Promise.resolve(undefined as unknown as LoadResult);
    const next = prev.then(
      () => this.doReload(file),
      () => this.doReload(file),
    );
    this.chains.set(file, next);
    return next;
  }

  private async doReload(file: string): Promise<LoadResult> {
    const result = await loadUserRoutes(file, { ...this.options, allowCode: this.allowCode });
    if (this.disposed) return result;
    if (result.errors.length) {
      this.lastErrors.set(file, result.errors);
      if (!this.allowCode && result.errors.some((e) => e.code === 'CODE_NOT_ALLOWED')) {
        this.good.delete(file);
        this.apply();
      }
      this.events.emit('error', { file, errors: result.errors });
      return result;
    }
    this.lastErrors.delete(file);
    this.good.set(file, result.routes);
    try {
      this.apply();
    } catch (err) {
      // Patterns are validated while loading; this is a safety net.
      this.good.delete(file);
      const error: UserRouteError = { code: 'INVALID_SCHEMA', file, message: (err as Error).message };
      this.lastErrors.set(file, [error]);
      this.events.emit('error', { file, errors: [error] });
      return { ...result, routes: [], errors: [error] };
    }
    this.events.emit('reloaded', { file, count: result.routes.length, missing: result.missing });
    return result;
  }

  private apply(): void {
    this.router.setUserRoutes(this.options.files.flatMap((f) => this.good.get(f) ?? []));
  }

  private startWatching(): void {
    const byDir = new Map<string, Set<string>>();
    for (const f of this.options.files) {
      const dir = dirname(f);
      if (!byDir.has(dir)) byDir.set(dir, new Set());
      byDir.get(dir)!.add(basename(f));
    }
    for (const [dir, names] of byDir) {
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => {
          const n = name === null ? undefined : String(name);
          for (const target of names) if (n === undefined || n === target) this.schedule(join(dir, target));
        });
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch (err) {
        this.events.emit('error', {
          file: dir,
          errors: [{ code: 'READ_FAILED', file: dir, message: `cannot watch the folder: ${(err as Error).message}` }],
        });
      }
    }
  }

  private schedule(file: string): void {
    if (this.disposed) return;
    const t = this.timers.get(file);
    if (t) clearTimeout(t);
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file);
        void this.reloadOne(file);
      }, this.options.debounceMs ?? 100),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
    this.events.clear();
  }
}
