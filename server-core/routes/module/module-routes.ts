// Loading wireplay.routes.mjs: the module is imported in its own worker thread
// (module-host.ts) and its default export becomes routes: a function is a handler
// relayed to the worker, an object under a "WS /path" key a relayed WebSocket
// endpoint, one under an "SSE /path" key an event stream (run in the worker by
// sse/sse-route.ts on its stand-in response, relayed as an HTTP response), any other object a data route checked like a JSON entry. Problems are
// placed at the line of their key; a module with any problem yields no routes and
// its worker stops.
import { basename, dirname } from 'node:path';
import { ANY_METHOD, compilePattern, type RouteDef } from '../../router/router.js';
import { checkEntry, compileEntry } from '../route-entry.js';
import { readRoutesText } from '../routes-file.js';
import {
  DEFAULT_HANDLER_TIMEOUT_MS,
  DEFAULT_LOAD_TIMEOUT_MS,
  DEFAULT_MAX_FILE_BYTES,
  formatUserRouteError,
  ROUTES_JSON,
  type LoadResult,
  type UserRoutesOptions,
} from '../types.js';
import { ModuleHost } from './module-host.js';
import { ModuleText } from './module-errors.js';
import type { ExportDescription } from './protocol.js';
import { parseRouteKey } from './route-keys.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function codeNotAllowed(file: string): string {
  return `${basename(file)} runs code and is only loaded when code is allowed (a trusted workspace); its routes are not served. ${ROUTES_JSON} routes are still served.`;
}

export async function loadModuleRoutes(result: LoadResult, options: UserRoutesOptions): Promise<LoadResult> {
  const file = result.file;
  const { text, outcome } = await readRoutesText(file, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
  if (!outcome.ok) {
    if (outcome.missing) result.missing = true;
    else result.errors.push(outcome.error);
    return result;
  }
  const log = options.log ?? ((message: string, error?: unknown) => console.error(message, error));
  const moduleText = new ModuleText(text);
  const host = new ModuleHost({
    file,
    text: moduleText,
    handlerTimeoutMs: options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS,
    loadTimeoutMs: options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS,
    report: options.onRuntimeError ?? ((e) => log(formatUserRouteError(e))),
    log,
  });
  const abandon = () => host.dispose();
  options.signal?.addEventListener('abort', abandon, { once: true });
  const loaded = await host.load().finally(() => options.signal?.removeEventListener('abort', abandon));
  if (!loaded.ok || loaded.exports === null) {
    result.errors.push(
      loaded.ok
        ? { code: 'INVALID_SCHEMA', file, message: `${basename(file)} must \`export default\` an object whose keys are "METHOD /path" (e.g. "GET /hello") and values handlers` }
        : loaded.error,
    );
    host.dispose();
    return result;
  }
  const base = options.root ?? dirname(file);
  for (const description of loaded.exports) {
    const where = moduleText.key(description.key);
    const fail = (message: string) => result.errors.push({ code: 'INVALID_SCHEMA', file, message, ...where });
    const route = toRoute(description, host, { base, from: basename(file), maxDelayMs: options.maxDelayMs }, fail);
    if (route) {
      // Where the export's key is written, for the pipeline's route decision (issue 18).
      const kind = route.origin?.kind ?? (route.kind === 'ws' ? 'websocket' : 'code');
      route.origin = { kind, file, line: where?.line };
      result.routes.push(route);
    }
  }
  if (result.errors.length) {
    result.routes = [];
    host.dispose();
  } else {
    result.retire = () => host.retire();
    result.dispose = () => host.dispose();
  }
  return result;
}

function toRoute(
  d: ExportDescription,
  host: ModuleHost,
  { base, from, maxDelayMs }: { base: string; from: string; maxDelayMs?: number },
  fail: (message: string) => void,
): RouteDef | undefined {
  const { key } = d;
  const keyFail = (message: string) => fail(`"${key}": ${message}`);
  const parsed = parseRouteKey(key);
  if (!parsed) return void keyFail('a key is "METHOD /path", "/path" (GET), "* /path" (any method), "WS /path" or "SSE /path"');
  const { method, path } = parsed;
  try {
    compilePattern(path);
  } catch (err) {
    return void keyFail((err as Error).message);
  }
  if (method === 'WS') {
    if (d.type !== 'ws') return void keyFail('a WS entry is an object { onOpen, onMessage, onClose, onError } or { handler, protocols, origins }');
    if (d.problem) return void keyFail(d.problem);
    const protocols = stringList(d.protocols);
    const origins = stringList(d.origins);
    if (protocols === false) return void keyFail('protocols must be a list of strings');
    if (origins === false) return void keyFail('origins must be a list of strings');
    return { kind: 'ws', pattern: path, route: host.webSocketRoute(key, d.callbacks, protocols, origins), description: `WebSocket from ${from}` };
  }
  if (method === 'SSE') {
    if (d.type !== 'sse') return void keyFail('an SSE entry is an object { onOpen(stream, req) { … }, onClose(stream, reason) { … } }');
    if (d.problem) return void keyFail(d.problem);
    return { kind: 'sse', method: ['GET'], pattern: path, handler: host.httpHandler(key), description: `event stream from ${from}` };
  }
  const methods = method.split(',').filter(Boolean);
  if (!methods.every((x) => x === ANY_METHOD || TOKEN.test(x))) return void keyFail(`"${method}" is not a method`);
  if (d.type === 'function') {
    return { kind: 'http', method: methods, pattern: path, handler: host.httpHandler(key), description: `handler ${d.name} from ${from}` };
  }
  if (d.type === 'data') {
    const ok = checkEntry(d.value, key, (_at, message) => fail(message), { base, maxDelayMs }, { path });
    return ok ? compileEntry(d.value as Record<string, unknown>, methods, path, base) : undefined;
  }
  return void keyFail('expected a handler function (req, res) => …, or a response object like { status, headers, body }');
}

/** undefined when absent, false when not a list of strings. */
function stringList(v: unknown): readonly string[] | undefined | false {
  if (v === undefined) return undefined;
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : false;
}
