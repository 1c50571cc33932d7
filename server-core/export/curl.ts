// cURL export and import.
//
// toCurl(spec) writes a command that makes curl put the same request bytes on
// the wire as Wireplay's sender: every header we send is passed with -H in our
// order, and the headers curl would add on its own (User-Agent, Accept,
// Content-Type for -d, Expect, Content-Length) are suppressed with `-H 'Name:'`
// when we do not send them. Host and Content-Length are left to curl when ours
// are the automatic ones, since curl computes the same values in the same places.
//
// parseCurl(command) reads a pasted curl command into a RequestSpec. Options it
// does not know are reported (CurlImportError, or `unknown` from importCurl),
// never silently dropped.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  createRequestSpec,
  prepareRequest,
  type AutoHeaderToggles,
  type RequestSpec,
  type SpecBody,
  type SpecHeader,
} from '../client/request-spec.js';
import { quoteShellBytes, quoteShellWord, splitShellWords, type ShellWord } from './shell-words.js';

export interface ToCurlOptions {
  /** One option per line with ` \` continuations (default), or everything on one line. */
  multiline?: boolean;
}

/** curl adds `Expect: 100-continue` above a body size (1 MiB in curl 8, 1 KiB in old versions); we suppress it above the smaller one. */
const EXPECT_THRESHOLD = 1024;

export function toCurl(spec: RequestSpec, options: ToCurlOptions = {}): string {
  const prepared = prepareRequest(spec);
  const args: string[] = ['curl'];
  let pipePrefix = '';
  const hasBody = prepared.bodyLength > 0;
  const method = prepared.method;

  if (method === 'HEAD' && !hasBody) args.push('-I');
  else if (hasBody ? method !== 'POST' : method !== 'GET') args.push('-X', quoteShellWord(method));
  if (prepared.tls) args.push('--http1.1');
  if (spec.options.insecure) args.push('-k');
  if (spec.options.followRedirects) {
    args.push('-L');
    if (spec.options.maxRedirects !== 50) args.push('--max-redirs', String(spec.options.maxRedirects));
  }
  if (spec.options.timeoutMs > 0) args.push('-m', String(spec.options.timeoutMs / 1000));
  const urlText = prepared.url.href;
  if (/[[\]{}]/.test(urlText)) args.push('-g');
  if (/(^|\/)\.\.?(\/|$)/.test(prepared.url.pathname)) args.push('--path-as-is');
  args.push(quoteShellWord(urlText));

  const present = (name: string) => prepared.headers.some((h) => h.name.toLowerCase() === name);
  prepared.headers.forEach((h, i) => {
    const lower = h.name.toLowerCase();
    if (h.auto && lower === 'host' && i === 0) return;
    if (h.auto && lower === 'content-length' && hasBody) return;
    args.push('-H', quoteShellWord(h.value === '' ? `${h.name};` : `${h.name}: ${h.value}`));
  });
  if (!present('host')) args.push('-H', quoteShellWord('Host:'));
  if (!present('user-agent')) args.push('-H', quoteShellWord('User-Agent:'));
  if (!present('accept')) args.push('-H', quoteShellWord('Accept:'));
  if (hasBody) {
    if (!present('content-type')) args.push('-H', quoteShellWord('Content-Type:'));
    if (!present('content-length')) args.push('-H', quoteShellWord('Content-Length:'));
    if (!present('expect') && prepared.bodyLength > EXPECT_THRESHOLD) args.push('-H', quoteShellWord('Expect:'));
    const body = prepared.body;
    if (body.kind === 'file') args.push('--data-binary', quoteShellWord('@' + body.path));
    else if (body.kind === 'bytes' && body.bytes.includes(0)) {
      pipePrefix = `printf %s ${quoteShellWord(body.bytes.toString('base64'))} | base64 -d | `;
      args.push('--data-binary', '@-');
    } else if (body.kind === 'bytes') args.push('--data-raw', quoteShellBytes(body.bytes));
  }
  const multiline = options.multiline ?? true;
  if (!multiline) return pipePrefix + args.join(' ');
  // Keep an option and its value on one line.
  const lines: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (i > 0 && args[i].startsWith('-') && args[i + 1] !== undefined && !args[i + 1].startsWith('-') && takesValueInExport(args[i])) {
      lines.push(`${args[i]} ${args[i + 1]}`);
      i++;
    } else lines.push(args[i]);
  }
  return pipePrefix + lines[0] + (lines.length > 1 ? ' ' + lines.slice(1).join(' \\\n  ') : '');
}

function takesValueInExport(flag: string): boolean {
  return ['-X', '-H', '-m', '--max-redirs', '--data-binary', '--data-raw'].includes(flag);
}

// ---------------------------------------------------------------- import

export type CurlImportErrorCode = 'NOT_CURL' | 'SHELL_SYNTAX' | 'MISSING_VALUE' | 'NO_URL' | 'UNKNOWN_OPTION' | 'FILE' | 'UNSUPPORTED';

export class CurlImportError extends Error {
  override readonly name = 'CurlImportError';
  constructor(
    readonly code: CurlImportErrorCode,
    message: string,
    /** For UNKNOWN_OPTION: every option that was not understood. */
    readonly options: string[] = [],
  ) {
    super(message);
  }
}

export interface CurlImport {
  spec: RequestSpec;
  /** Options curl knows but Wireplay does not: reported to the user, the rest was imported. */
  unknown: string[];
  /** Known options with no effect on the request bytes (output, verbosity), and why. */
  ignored: string[];
  /** Other notes: extra URLs, a cookie file, a user without a password. */
  warnings: string[];
}

/** A curl command → RequestSpec; throws CurlImportError (UNKNOWN_OPTION) when an option was not understood. */
export function parseCurl(commandLine: string): RequestSpec {
  const result = importCurl(commandLine);
  if (result.unknown.length) {
    throw new CurlImportError('UNKNOWN_OPTION', `unknown curl option${result.unknown.length > 1 ? 's' : ''}: ${result.unknown.join(', ')}`, result.unknown);
  }
  return result.spec;
}

type DataKind = 'data' | 'ascii' | 'raw' | 'binary' | 'urlencode' | 'json';

interface OptionDef {
  long: string;
  short?: string;
  value: boolean;
  apply: (state: ImportState, value: string, raw: Buffer) => void;
}

interface ImportState {
  method?: string;
  url?: string;
  headers: SpecHeader[];
  removed: Set<string>;
  data: { kind: DataKind; bytes: Buffer; file?: string }[];
  form: { name: string; value: Buffer; filename?: string; type?: string }[];
  get: boolean;
  head: boolean;
  insecure: boolean;
  follow: boolean;
  maxRedirects?: number;
  timeoutMs?: number;
  compressed: boolean;
  stdin?: Buffer;
  warnings: string[];
  ignored: string[];
}

function readFileFor(option: string, path: string, state: ImportState): Buffer {
  if (path === '-') {
    if (state.stdin) return state.stdin;
    throw new CurlImportError('UNSUPPORTED', `${option} @- reads standard input, which an imported command does not have`);
  }
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CurlImportError('FILE', `${option}: cannot read ${path}: ${(err as Error).message}`);
  }
}

function addData(kind: DataKind, option: string) {
  return (state: ImportState, value: string, raw: Buffer) => {
    if ((kind === 'data' || kind === 'ascii' || kind === 'binary' || kind === 'json') && value.startsWith('@')) {
      const path = value.slice(1);
      let bytes = readFileFor(option, path, state);
      if (kind === 'data' || kind === 'ascii') bytes = Buffer.from(bytes.filter((b) => b !== 0x0d && b !== 0x0a));
      state.data.push({ kind, bytes, file: kind === 'binary' && path !== '-' ? path : undefined });
      return;
    }
    if (kind === 'urlencode') {
      state.data.push({ kind, bytes: Buffer.from(urlencodePiece(value, state, option), 'utf8') });
      return;
    }
    state.data.push({ kind, bytes: raw });
  };
}

function urlencodePiece(value: string, state: ImportState, option: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  const eq = value.indexOf('=');
  const at = value.indexOf('@');
  if (eq === 0) return enc(value.slice(1));
  if (eq > 0 && (at < 0 || eq < at)) return `${value.slice(0, eq)}=${enc(value.slice(eq + 1))}`;
  if (at >= 0) {
    const name = value.slice(0, at);
    const content = enc(readFileFor(option, value.slice(at + 1), state).toString('utf8'));
    return name ? `${name}=${content}` : content;
  }
  return enc(value);
}

function addHeader(state: ImportState, line: string) {
  if (line.startsWith('@')) throw new CurlImportError('UNSUPPORTED', `-H ${line}: headers from a file are not supported`);
  const colon = line.indexOf(':');
  const semi = line.indexOf(';');
  if (colon < 0 && semi > 0 && line.slice(semi + 1).trim() === '') {
    // `Name;` sends the header with an empty value.
    state.headers.push({ name: line.slice(0, semi).trim(), value: '', enabled: true });
    return;
  }
  if (colon <= 0) {
    state.warnings.push(`-H ${JSON.stringify(line)} has no colon; curl ignores it`);
    return;
  }
  const name = line.slice(0, colon).trim();
  const value = line.slice(colon + 1).trim();
  if (value === '') {
    // `Name:` removes a header curl would add itself.
    state.removed.add(name.toLowerCase());
    return;
  }
  state.headers.push({ name, value, enabled: true });
}

function parseFormPart(state: ImportState, value: string, literal: boolean) {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new CurlImportError('UNSUPPORTED', `-F ${JSON.stringify(value)}: expected name=content`);
  const name = value.slice(0, eq);
  let content = value.slice(eq + 1);
  if (literal) {
    state.form.push({ name, value: Buffer.from(content, 'utf8') });
    return;
  }
  const isFile = content.startsWith('@');
  const isContent = content.startsWith('<');
  let type: string | undefined;
  let filename: string | undefined;
  if (isFile || isContent) {
    const parts = content.slice(1).split(';');
    content = parts[0];
    for (const p of parts.slice(1)) {
      const m = /^\s*(type|filename)=(.*)$/.exec(p);
      if (m?.[1] === 'type') type = m[2].replace(/^"|"$/g, '');
      else if (m?.[1] === 'filename') filename = m[2].replace(/^"|"$/g, '');
    }
    const bytes = readFileFor('-F', content, state);
    if (isFile) state.form.push({ name, value: bytes, filename: filename ?? basename(content), type: type ?? 'application/octet-stream' });
    else state.form.push({ name, value: bytes, type });
    return;
  }
  const semi = content.indexOf(';type=');
  if (semi >= 0) {
    type = content.slice(semi + 6);
    content = content.slice(0, semi);
  }
  state.form.push({ name, value: Buffer.from(content, 'utf8'), type });
}

function ignore(why: string) {
  return (state: ImportState, _value: string) => {
    state.ignored.push(why);
  };
}

const OPTIONS: OptionDef[] = [
  { long: 'request', short: 'X', value: true, apply: (s, v) => (s.method = v) },
  { long: 'header', short: 'H', value: true, apply: (s, v) => addHeader(s, v) },
  { long: 'data', short: 'd', value: true, apply: addData('data', '-d') },
  { long: 'data-ascii', value: true, apply: addData('ascii', '--data-ascii') },
  { long: 'data-raw', value: true, apply: addData('raw', '--data-raw') },
  { long: 'data-binary', value: true, apply: addData('binary', '--data-binary') },
  { long: 'data-urlencode', value: true, apply: addData('urlencode', '--data-urlencode') },
  {
    long: 'json',
    value: true,
    apply: (s, v, raw) => {
      addData('json', '--json')(s, v, raw);
    },
  },
  {
    long: 'user',
    short: 'u',
    value: true,
    apply: (s, v) => {
      if (!v.includes(':')) s.warnings.push(`-u ${v}: no password given (curl would prompt); an empty one is used`);
      const cred = v.includes(':') ? v : `${v}:`;
      s.headers.push({ name: 'Authorization', value: `Basic ${Buffer.from(cred, 'utf8').toString('base64')}`, enabled: true });
    },
  },
  {
    long: 'cookie',
    short: 'b',
    value: true,
    apply: (s, v) => {
      if (v.includes('=')) s.headers.push({ name: 'Cookie', value: v, enabled: true });
      else s.warnings.push(`-b ${v}: reading cookies from a file is not supported; ignored`);
    },
  },
  { long: 'form', short: 'F', value: true, apply: (s, v) => parseFormPart(s, v, false) },
  { long: 'form-string', value: true, apply: (s, v) => parseFormPart(s, v, true) },
  { long: 'insecure', short: 'k', value: false, apply: (s) => (s.insecure = true) },
  { long: 'url', value: true, apply: (s, v) => setUrl(s, v) },
  { long: 'head', short: 'I', value: false, apply: (s) => (s.head = true) },
  { long: 'get', short: 'G', value: false, apply: (s) => (s.get = true) },
  { long: 'location', short: 'L', value: false, apply: (s) => (s.follow = true) },
  { long: 'max-redirs', value: true, apply: (s, v) => (s.maxRedirects = Number(v)) },
  {
    long: 'user-agent',
    short: 'A',
    value: true,
    apply: (s, v) => {
      if (v === '') s.removed.add('user-agent');
      else s.headers.push({ name: 'User-Agent', value: v, enabled: true });
    },
  },
  {
    long: 'referer',
    short: 'e',
    value: true,
    apply: (s, v) => {
      const ref = v.replace(/;auto$/, '');
      if (ref) s.headers.push({ name: 'Referer', value: ref, enabled: true });
      if (v.endsWith(';auto')) s.warnings.push('-e …;auto: automatic referers on redirects are not supported');
    },
  },
  { long: 'compressed', value: false, apply: (s) => (s.compressed = true) },
  { long: 'max-time', short: 'm', value: true, apply: (s, v) => (s.timeoutMs = Math.round(Number(v) * 1000)) },
  { long: 'http1.1', value: false, apply: () => {} },
  { long: 'globoff', short: 'g', value: false, apply: () => {} },
  { long: 'path-as-is', value: false, apply: () => {} },
  { long: 'silent', short: 's', value: false, apply: ignore('-s: output option, no effect on the request') },
  { long: 'show-error', short: 'S', value: false, apply: ignore('-S: output option, no effect on the request') },
  { long: 'verbose', short: 'v', value: false, apply: ignore('-v: output option, no effect on the request') },
  { long: 'include', short: 'i', value: false, apply: ignore('-i: output option, no effect on the request') },
  { long: 'no-buffer', short: 'N', value: false, apply: ignore('-N: output option, no effect on the request') },
  { long: 'fail', short: 'f', value: false, apply: ignore('-f: exit-status option, no effect on the request') },
  { long: 'output', short: 'o', value: true, apply: ignore('-o: output file, no effect on the request') },
  { long: 'connect-timeout', value: true, apply: ignore('--connect-timeout: only the whole-exchange timeout (-m) is imported') },
];

const BY_LONG = new Map(OPTIONS.map((o) => [o.long, o]));
const BY_SHORT = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short!, o]));

function setUrl(state: ImportState, url: string) {
  if (state.url === undefined) state.url = url;
  else state.warnings.push(`more than one URL; ${url} is ignored`);
}

/** Finds the curl words in a pasted line; accepts `printf %s B64 | base64 -d | curl … --data-binary @-` as toCurl writes it for bodies with NUL bytes. */
function curlWords(words: ShellWord[]): { args: ShellWord[]; stdin?: Buffer } {
  const segments: ShellWord[][] = [[]];
  for (const w of words) {
    if (w.kind === 'op' && w.text === '|') segments.push([]);
    else if (w.kind === 'op') throw new CurlImportError('UNSUPPORTED', `the shell operator ${w.text} is not supported; paste one curl command`);
    else segments[segments.length - 1].push(w);
  }
  const isCurl = (w: ShellWord | undefined) => w?.kind === 'word' && /(^|\/)curl(\.exe)?$/.test(w.text);
  const idx = segments.findIndex((s) => isCurl(s[0]));
  if (idx < 0) throw new CurlImportError('NOT_CURL', 'not a curl command (it should start with curl)');
  let stdin: Buffer | undefined;
  if (idx === 2) {
    const [p, b] = segments;
    if (p.length === 3 && p[0].text === 'printf' && p[1].text === '%s' && b.length === 2 && b[0].text === 'base64' && b[1].text === '-d') {
      stdin = Buffer.from(p[2].text, 'base64');
    }
  }
  if (idx !== 0 && stdin === undefined) throw new CurlImportError('UNSUPPORTED', 'only a curl command (optionally fed by printf … | base64 -d) is supported');
  if (segments.length > idx + 1) throw new CurlImportError('UNSUPPORTED', 'the output of curl is piped somewhere; paste the curl command alone');
  return { args: segments[idx].slice(1), stdin };
}

export function importCurl(commandLine: string): CurlImport {
  let words: ShellWord[];
  try {
    words = splitShellWords(commandLine.trim());
  } catch (err) {
    throw new CurlImportError('SHELL_SYNTAX', (err as Error).message);
  }
  const { args, stdin } = curlWords(words);
  const state: ImportState = {
    headers: [], removed: new Set(), data: [], form: [], get: false, head: false, insecure: false,
    follow: false, compressed: false, stdin, warnings: [], ignored: [],
  };
  const unknown: string[] = [];
  const valueOf = (i: number, name: string): Extract<ShellWord, { kind: 'word' }> => {
    const w = args[i];
    if (!w || w.kind !== 'word') throw new CurlImportError('MISSING_VALUE', `${name} needs a value`);
    return w;
  };
  let endOfOptions = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    if (w.kind !== 'word') continue;
    const t = w.text;
    if (endOfOptions || !t.startsWith('-') || t === '-') {
      setUrl(state, t);
    } else if (t === '--') {
      endOfOptions = true;
    } else if (t.startsWith('--')) {
      const name = t.slice(2);
      const def = BY_LONG.get(name);
      if (!def && name.startsWith('no-') && BY_LONG.get(name.slice(3))?.value === false) {
        state.ignored.push(`${t}: negation of a switch, nothing to import`);
        continue;
      }
      if (!def) {
        unknown.push(t);
        continue;
      }
      if (def.value) {
        const v = valueOf(++i, t);
        def.apply(state, v.text, v.bytes);
      } else def.apply(state, '', Buffer.alloc(0));
    } else {
      // Short options, possibly combined (-sSL) or with the value attached (-XPOST, -H'X: y').
      for (let j = 1; j < t.length; j++) {
        const def = BY_SHORT.get(t[j]);
        if (!def) {
          unknown.push(`-${t[j]}`);
          continue;
        }
        if (!def.value) {
          def.apply(state, '', Buffer.alloc(0));
          continue;
        }
        if (j + 1 < t.length) {
          const prefix = Buffer.byteLength(t.slice(0, j + 1), 'utf8');
          def.apply(state, t.slice(j + 1), w.bytes.subarray(prefix));
        } else {
          const v = valueOf(++i, `-${t[j]}`);
          def.apply(state, v.text, v.bytes);
        }
        break;
      }
    }
  }
  if (state.url === undefined) throw new CurlImportError('NO_URL', 'the curl command has no URL');
  return { spec: buildSpec(state), unknown, ignored: state.ignored, warnings: state.warnings };
}

function hasHeader(state: ImportState, name: string): boolean {
  return state.headers.some((h) => h.name.toLowerCase() === name) || state.removed.has(name);
}

function buildSpec(state: ImportState): RequestSpec {
  let url = state.url!;
  let body: SpecBody = { kind: 'none' };
  let method = 'GET';
  const headers = state.headers;
  if (state.form.length) {
    if (state.data.length) throw new CurlImportError('UNSUPPORTED', 'curl does not allow -d and -F together');
    const boundary = '------------------------' + randomBytes(8).toString('hex');
    const parts: Buffer[] = [];
    for (const f of state.form) {
      let head = `--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"`;
      if (f.filename !== undefined) head += `; filename="${f.filename}"`;
      head += '\r\n';
      if (f.type) head += `Content-Type: ${f.type}\r\n`;
      parts.push(Buffer.from(head + '\r\n', 'utf8'), f.value, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    body = { kind: 'base64', data: Buffer.concat(parts).toString('base64') };
    method = 'POST';
    if (!hasHeader(state, 'content-type')) headers.push({ name: 'Content-Type', value: `multipart/form-data; boundary=${boundary}`, enabled: true });
  } else if (state.data.length) {
    const joined: Buffer[] = [];
    state.data.forEach((d, i) => {
      if (i > 0 && !(d.kind === 'json' && state.data[i - 1].kind === 'json')) joined.push(Buffer.from('&'));
      joined.push(d.bytes);
    });
    const bytes = Buffer.concat(joined);
    if (state.get) {
      const text = bytes.toString('utf8');
      url += (url.includes('?') ? '&' : '?') + text;
    } else {
      method = 'POST';
      if (state.data.length === 1 && state.data[0].file) body = { kind: 'file', path: state.data[0].file };
      else {
        const text = bytes.toString('utf8');
        body = Buffer.from(text, 'utf8').equals(bytes) ? { kind: 'text', text } : { kind: 'base64', data: bytes.toString('base64') };
      }
      const json = state.data.some((d) => d.kind === 'json');
      if (json) {
        if (!hasHeader(state, 'content-type')) headers.push({ name: 'Content-Type', value: 'application/json', enabled: true });
        if (!hasHeader(state, 'accept')) headers.push({ name: 'Accept', value: 'application/json', enabled: true });
      } else if (!hasHeader(state, 'content-type')) {
        headers.push({ name: 'Content-Type', value: 'application/x-www-form-urlencoded', enabled: true });
      }
    }
  }
  if (state.head) method = 'HEAD';
  if (state.method) method = state.method;
  if (state.compressed && !hasHeader(state, 'accept-encoding')) {
    headers.push({ name: 'Accept-Encoding', value: 'deflate, gzip, br, zstd', enabled: true });
  }
  const auto: Partial<AutoHeaderToggles> = { connection: false };
  if (state.removed.has('host')) auto.host = false;
  if (state.removed.has('user-agent')) auto.userAgent = false;
  if (state.removed.has('accept')) auto.accept = false;
  // curl sends Content-Length only with data (-d, -F, --json), and not when told `-H 'Content-Length:'`.
  if (state.removed.has('content-length') || body.kind === 'none') auto.contentLength = false;
  return createRequestSpec({
    method,
    url,
    headers,
    body,
    options: {
      followRedirects: state.follow,
      ...(state.maxRedirects !== undefined && Number.isFinite(state.maxRedirects) ? { maxRedirects: state.maxRedirects } : {}),
      ...(state.timeoutMs !== undefined && Number.isFinite(state.timeoutMs) ? { timeoutMs: state.timeoutMs } : {}),
      insecure: state.insecure,
      autoHeaders: auto,
    },
  });
}
