// Turns a ScriptJob into the one JSON document the sandbox reads: the job is
// checked (a malformed one is refused with BAD_INPUT, never half-run), the
// response body is decoded with its charset, and whether `response.body` is
// parsed JSON is decided here, from the content type, as JetBrains documents
// (JSON when the type says JSON, text otherwise). The sandbox parses this
// document with its own JSON.parse, so every object a script sees belongs to
// the script's realm (no prototype chain leads back to the host).
import type { HeaderPair, JsonValue, ScriptJob, ScriptKind, TimingName } from './types.js';
import { SCRIPT_KINDS } from './types.js';

/** The kinds the sandbox runs: the public ones but assertions, plus expressions that assertions evaluate there. */
export type SandboxKind = Exclude<ScriptKind, 'httpyac-assert'> | 'httpyac-expression';

/** The stack-trace file name of user code inside the sandbox; errors are mapped back from it. */
export const SCRIPT_FILE = 'wireplay-user-script';

export interface SandboxRequest {
  method: string;
  url: string;
  headers: HeaderPair[];
  body: string | null;
  raw: { url: string; headers: HeaderPair[]; body: string | null };
}

export interface SandboxResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  headers: HeaderPair[];
  bodyText: string;
  mimeType: string;
  charset: string;
  /** Parse bodyText as JSON for `response.body` / `parsedBody`. */
  isJson: boolean;
  durationMs: number | null;
  timings: Partial<Record<TimingName, number>>;
  stream: { mode: 'messages' | 'lines'; items: string[]; ended: boolean; acceptsOutput: boolean } | null;
}

export interface SandboxData {
  kind: SandboxKind;
  scriptFile: string;
  request: SandboxRequest | null;
  response: SandboxResponse | null;
  variables: Record<string, JsonValue>;
  environment: Record<string, string>;
  globals: Record<string, JsonValue>;
  /** Extra globals for expression jobs (assertion helpers). */
  bindings: Record<string, JsonValue>;
  limits: { maxLogBytes: number; maxTests: number; maxEvents: number };
}

export class BadScriptInput extends Error {
  readonly code = 'BAD_INPUT';
}

export interface ContentType {
  /** Lower-cased `type/subtype`, '' when there is no content type. */
  mimeType: string;
  /** Lower-cased charset parameter, '' when absent. */
  charset: string;
}

export function parseContentType(value: string | undefined): ContentType {
  if (!value) return { mimeType: '', charset: '' };
  const [type = '', ...params] = value.split(';');
  let charset = '';
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    charset = param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return { mimeType: type.trim().toLowerCase(), charset };
}

/** application/json, text/json and any `+json` type (application/problem+json, application/vnd.api+json, …). */
export function isJsonMimeType(mimeType: string): boolean {
  return /^(application|text)\/([\w.-]+\+)?json$/.test(mimeType);
}

/** All values of a header, case-insensitively, in wire order. */
export function headerValues(headers: readonly HeaderPair[], name: string): string[] {
  const wanted = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v);
}

/**
 * Body bytes to text with the content type's charset (UTF-8 when none is named).
 * An unknown charset decodes as UTF-8 and says so in `warning`.
 */
export function decodeBody(body: Uint8Array | string | undefined, charset: string): { text: string; charset: string; warning?: string } {
  const used = charset || 'utf-8';
  if (body === undefined) return { text: '', charset: used };
  if (typeof body === 'string') return { text: body, charset: used };
  try {
    return { text: new TextDecoder(used).decode(body), charset: used };
  } catch {
    return {
      text: new TextDecoder('utf-8').decode(body),
      charset: 'utf-8',
      warning: `The response charset "${charset}" is not known; the body was decoded as UTF-8.`,
    };
  }
}

/** A job checked and turned into sandbox input, plus what the caller should be told. */
export interface PreparedInput {
  data: SandboxData;
  warnings: string[];
}

export function prepareSandboxInput(
  job: ScriptJob,
  kind: SandboxKind,
  limits: SandboxData['limits'],
  bindings: Record<string, JsonValue> = {},
): PreparedInput {
  const warnings: string[] = [];
  if (kind === 'jetbrains-response' && !job.response) throw new BadScriptInput('A jetbrains-response script needs the response (job.response).');
  const response = job.response ? prepareResponse(job.response, warnings) : null;
  const data: SandboxData = {
    kind,
    scriptFile: SCRIPT_FILE,
    request: job.request ? prepareRequest(job.request) : null,
    response,
    variables: jsonRecord(job.variables, 'variables'),
    environment: stringRecord(job.environment, 'environment'),
    globals: jsonRecord(job.globals, 'globals'),
    bindings,
    limits,
  };
  return { data, warnings };
}

/** Checks the parts of a job every kind reads; throws BadScriptInput with the first problem. */
export function checkJob(job: ScriptJob): void {
  if (job === null || typeof job !== 'object') throw new BadScriptInput('The script job must be an object.');
  if (!SCRIPT_KINDS.includes(job.kind)) throw new BadScriptInput(`Unknown script kind "${String(job.kind)}" (expected one of ${SCRIPT_KINDS.join(', ')}).`);
  if (typeof job.source !== 'string') throw new BadScriptInput('job.source must be the script text.');
  for (const key of ['lineOffset', 'columnOffset'] as const) {
    const v = job[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw new BadScriptInput(`job.${key} must be a whole number ≥ 0.`);
  }
  if (job.timeoutMs !== undefined && !(Number.isFinite(job.timeoutMs) && job.timeoutMs > 0)) throw new BadScriptInput('job.timeoutMs must be a positive number of milliseconds.');
}

function prepareRequest(request: NonNullable<ScriptJob['request']>): SandboxRequest {
  if (typeof request.method !== 'string' || typeof request.url !== 'string') throw new BadScriptInput('job.request needs a method and a url (strings).');
  const headers = headerList(request.headers, 'request.headers');
  const body = optionalString(request.body, 'request.body');
  const raw = request.raw ?? {};
  return {
    method: request.method,
    url: request.url,
    headers,
    body,
    raw: {
      url: optionalString(raw.url, 'request.raw.url') ?? request.url,
      headers: raw.headers ? headerList(raw.headers, 'request.raw.headers') : headers,
      body: optionalString(raw.body, 'request.raw.body') ?? body,
    },
  };
}

function prepareResponse(response: NonNullable<ScriptJob['response']>, warnings: string[]): SandboxResponse {
  if (!Number.isInteger(response.status)) throw new BadScriptInput('job.response.status must be a whole number.');
  const headers = headerList(response.headers, 'response.headers');
  const declared = response.contentType ?? headerValues(headers, 'content-type')[0];
  const type = parseContentType(declared);
  const body = response.body;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) throw new BadScriptInput('job.response.body must be bytes (Uint8Array) or text.');
  const decoded = decodeBody(body, type.charset);
  if (decoded.warning) warnings.push(decoded.warning);
  const stream = response.stream;
  if (stream && stream.mode !== 'messages' && stream.mode !== 'lines') throw new BadScriptInput('job.response.stream.mode must be "messages" or "lines".');
  const timings: Partial<Record<TimingName, number>> = {};
  for (const [name, value] of Object.entries(response.timings ?? {})) if (typeof value === 'number' && Number.isFinite(value)) timings[name as TimingName] = value;
  return {
    status: response.status,
    statusText: typeof response.statusText === 'string' ? response.statusText : '',
    httpVersion: typeof response.httpVersion === 'string' ? response.httpVersion : '1.1',
    headers,
    bodyText: decoded.text,
    mimeType: type.mimeType,
    charset: decoded.charset,
    isJson: isJsonMimeType(type.mimeType),
    durationMs: typeof response.durationMs === 'number' && Number.isFinite(response.durationMs) ? response.durationMs : null,
    timings,
    stream: stream
      ? {
          mode: stream.mode,
          items: (stream.items ?? []).map((item, i) => stringItem(item, `response.stream.items[${i}]`)),
          ended: stream.ended === true,
          acceptsOutput: stream.acceptsOutput === true,
        }
      : null,
  };
}

function stringItem(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new BadScriptInput(`job.${where} must be a string.`);
  return value;
}

function optionalString(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new BadScriptInput(`job.${where} must be a string.`);
  return value;
}

function headerList(value: unknown, where: string): HeaderPair[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new BadScriptInput(`job.${where} must be an array of [name, value] pairs.`);
  return value.map((pair, i) => {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      throw new BadScriptInput(`job.${where}[${i}] must be a [name, value] pair of strings.`);
    }
    return [pair[0], pair[1]];
  });
}

function stringRecord(value: unknown, where: string): Record<string, string> {
  const record = jsonRecord(value, where);
  for (const [k, v] of Object.entries(record)) if (typeof v !== 'string') throw new BadScriptInput(`job.${where}.${k} must be a string.`);
  return record as Record<string, string>;
}

/** A plain object whose values JSON keeps as they are (checked deeply, so nothing is silently dropped). */
function jsonRecord(value: unknown, where: string): Record<string, JsonValue> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new BadScriptInput(`job.${where} must be an object.`);
  for (const [k, v] of Object.entries(value)) {
    const problem = jsonProblem(v, 0);
    if (problem) throw new BadScriptInput(`job.${where}.${k} ${problem}.`);
  }
  return value as Record<string, JsonValue>;
}

function jsonProblem(value: unknown, depth: number): string | undefined {
  if (depth > 100) return 'is nested too deeply';
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `is ${value}, which JSON cannot carry`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const p = jsonProblem(item, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return 'holds an object that is not plain data';
    for (const v of Object.values(value)) {
      const p = jsonProblem(v, depth + 1);
      if (p) return p;
    }
    return undefined;
  }
  return `is a ${typeof value}, which JSON cannot carry`;
}
