// Parses `.http` / `.rest` files in the REST Client, httpYac and JetBrains
// dialects, plus Wireplay's RAW blocks. Pure: text in, blocks and diagnostics
// out; it never throws on user input.
import type {
  BodyPart,
  Diagnostic,
  FileVariable,
  HeaderLine,
  HttpFile,
  HttpRequestBlock,
  RawBlock,
  RequestBlock,
  WebSocketBlock,
  WebSocketStep,
} from './types.js';

export const HTTP_METHODS = [
  'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'PURGE', 'QUERY',
] as const;

const SEPARATOR = /^###(.*)$/;
const COMMENT = /^\s*(#|\/\/)/;
const METADATA = /^\s*(?:#|\/\/)\s*@([A-Za-z][\w-]*)(?:\s+(.*?))?\s*$/;
const FILE_VARIABLE = /^\s*@([A-Za-z_][\w.-]*)\s*=\s*(.*?)\s*$/;
const HEADER = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*:\s*(.*?)\s*$/;
const QUERY_CONTINUATION = /^\s+[?&]/;
const WS_SEPARATOR = /^===\s*(.*?)\s*$/;
const FILE_REFERENCE = /^<(@)?(\w+)?\s+(.+?)\s*$/;
const RESPONSE_OUTPUT = /^>>(!)?\s+(.+?)\s*$/;
const RESPONSE_HANDLER_START = /^>\s*\{%/;
const REQUEST_LINE = /^([A-Za-z]+)\s+((?:\{\{[^}]*\}\}|\S)+)(?:\s+(HTTP\/\d(?:\.\d)?))?\s*$/;
const BARE_URL = /^(https?:\/\/|wss?:\/\/|\/|\{\{)/i;

interface Segment {
  title?: string;
  /** Index of the first line after the separator (or 0). */
  start: number;
  /** Exclusive. */
  end: number;
}

export function parseHttpFile(text: string): HttpFile {
  const lines = text.split(/\r?\n/);
  const diagnostics: Diagnostic[] = [];
  const fileVariables: FileVariable[] = [];
  const blocks: RequestBlock[] = [];

  for (const segment of splitSegments(lines)) {
    const block = parseSegment(lines, segment, fileVariables, diagnostics);
    if (block) blocks.push(block);
  }
  return { blocks, fileVariables, diagnostics };
}

function splitSegments(lines: string[]): Segment[] {
  const segments: Segment[] = [];
  let current: Segment = { start: 0, end: lines.length };
  for (let i = 0; i < lines.length; i++) {
    const m = SEPARATOR.exec(lines[i]);
    if (!m) continue;
    current.end = i;
    segments.push(current);
    const title = m[1].trim();
    current = { start: i + 1, end: lines.length, ...(title ? { title } : {}) };
  }
  segments.push(current);
  return segments;
}

function diag(line: number, column: number, endColumn: number, message: string, severity: Diagnostic['severity'] = 'error'): Diagnostic {
  return { line, column, endLine: line, endColumn, message, severity };
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function parseSegment(lines: string[], seg: Segment, fileVariables: FileVariable[], diagnostics: Diagnostic[]): RequestBlock | undefined {
  const metadata: Record<string, string> = {};
  let i = seg.start;
  let firstContent = -1;

  // Preamble: blank lines, comments, `# @meta`, `@var = value`.
  for (; i < seg.end; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const meta = METADATA.exec(line);
    if (meta) {
      metadata[meta[1]] = meta[2] ?? '';
      if (firstContent < 0) firstContent = i;
      continue;
    }
    if (COMMENT.test(line)) continue;
    const variable = FILE_VARIABLE.exec(line);
    if (variable) {
      fileVariables.push({ name: variable[1], value: variable[2], line: i });
      continue;
    }
    break;
  }
  if (i >= seg.end) return undefined;

  const requestLineIndex = i;
  const requestLine = lines[i].trim();
  const lastLine = lastNonBlank(lines, requestLineIndex, seg.end);
  const common = {
    metadata,
    range: { startLine: firstContent >= 0 ? Math.min(firstContent, requestLineIndex) : requestLineIndex, endLine: lastLine },
    requestLine: requestLineIndex,
    ...(seg.title !== undefined ? { title: seg.title } : {}),
  };
  const name = metadata.name || seg.title;
  if (name) Object.assign(common, { name });

  const keyword = /^(\S+)\s*(.*)$/.exec(requestLine)!;
  const word = keyword[1].toUpperCase();
  if (word === 'WEBSOCKET' || word === 'WS') {
    return parseWebSocket(lines, requestLineIndex, lastLine, keyword[1], keyword[2].trim(), common, diagnostics);
  }
  if (word === 'RAW') {
    return parseRaw(lines, requestLineIndex, lastLine, keyword[2].trim(), common, diagnostics);
  }
  return parseHttp(lines, requestLineIndex, lastLine, common, diagnostics);
}

function lastNonBlank(lines: string[], from: number, end: number): number {
  let last = from;
  for (let j = from; j < end; j++) if (!isBlank(lines[j])) last = j;
  return last;
}

type Common = Pick<HttpRequestBlock, 'metadata' | 'range' | 'requestLine' | 'title' | 'name'>;

function parseHttp(lines: string[], start: number, last: number, common: Common, diagnostics: Diagnostic[]): HttpRequestBlock | undefined {
  const raw = lines[start];
  const text = raw.trim();
  const indent = raw.length - raw.trimStart().length;
  let method = 'GET';
  let url: string;
  let httpVersion: string | undefined;
  const m = REQUEST_LINE.exec(text);
  if (m && (HTTP_METHODS as readonly string[]).includes(m[1].toUpperCase())) {
    method = m[1].toUpperCase();
    url = m[2];
    httpVersion = m[3];
  } else if (m && /^[A-Z]+$/.test(m[1]) && !BARE_URL.test(text)) {
    // An extension method (anything that is a token in capitals) is sent as written.
    method = m[1];
    url = m[2];
    httpVersion = m[3];
  } else if (BARE_URL.test(text) || /^[\w.-]+(:\d+)?\//.test(text)) {
    const parts = /^(\S+)(?:\s+(HTTP\/\d(?:\.\d)?))?\s*$/.exec(text);
    url = parts ? parts[1] : text;
    httpVersion = parts?.[2];
  } else {
    diagnostics.push(diag(start, indent, raw.length, `Expected a request line such as "GET https://example.com", "WEBSOCKET ws://…" or "RAW tcp://host:port", found "${text.slice(0, 40)}"`));
    return undefined;
  }

  let i = start + 1;
  // REST Client: query parameters continued on indented lines starting with ? or &.
  while (i <= last && QUERY_CONTINUATION.test(lines[i])) {
    url += lines[i].trim();
    i++;
  }

  const headers: HeaderLine[] = [];
  i = parseHeaders(lines, i, last, headers, diagnostics);

  const block: HttpRequestBlock = { kind: 'http', ...common, method, url, headers, body: [] };
  if (httpVersion) block.httpVersion = httpVersion;
  block.body = parseBody(lines, i, last, block, diagnostics);
  return block;
}

/** Reads header lines until a blank line; returns the index after that blank line. */
function parseHeaders(lines: string[], i: number, last: number, headers: HeaderLine[], diagnostics: Diagnostic[]): number {
  for (; i <= last; i++) {
    const line = lines[i];
    if (isBlank(line)) return i + 1;
    if (COMMENT.test(line)) continue;
    const h = HEADER.exec(line);
    if (h) {
      headers.push({ name: h[1], value: h[2], line: i });
      continue;
    }
    diagnostics.push(diag(i, 0, line.length, `Expected a header "Name: value" or an empty line before the body, found "${line.trim().slice(0, 40)}"`));
  }
  return i;
}

function parseBody(lines: string[], from: number, last: number, block: HttpRequestBlock, diagnostics: Diagnostic[]): BodyPart[] {
  const parts: BodyPart[] = [];
  let text: string[] = [];
  let textLine = from;
  const flush = () => {
    if (text.length) parts.push({ kind: 'text', text: text.join('\n'), line: textLine });
    text = [];
  };
  for (let i = from; i <= last; i++) {
    const line = lines[i];
    if (RESPONSE_HANDLER_START.test(line)) {
      // JetBrains response handler script: skipped (Wireplay runs no scripts); the body ends here.
      diagnostics.push(diag(i, 0, line.length, 'Response handler scripts are not run by Wireplay; use {{name.response…}} references instead', 'info'));
      break;
    }
    const out = RESPONSE_OUTPUT.exec(line);
    if (out) {
      block.responseOutput = { path: out[2], overwrite: out[1] === '!', line: i };
      break;
    }
    const file = FILE_REFERENCE.exec(line);
    if (file) {
      flush();
      const part: BodyPart = { kind: 'file', path: file[3], processVariables: file[1] === '@', line: i };
      if (file[2]) part.encoding = file[2];
      parts.push(part);
      continue;
    }
    if (text.length === 0) textLine = i;
    text.push(line);
  }
  flush();
  return trimTrailingBlankText(parts);
}

function trimTrailingBlankText(parts: BodyPart[]): BodyPart[] {
  const last = parts[parts.length - 1];
  if (last?.kind === 'text') {
    last.text = last.text.replace(/\s+$/, '');
    if (last.text === '') parts.pop();
  }
  return parts;
}

function parseWebSocket(
  lines: string[],
  start: number,
  last: number,
  keyword: string,
  url: string,
  common: Common,
  diagnostics: Diagnostic[],
): WebSocketBlock {
  if (!url) diagnostics.push(diag(start, 0, lines[start].length, `${keyword} needs a URL, e.g. ${keyword} ws://localhost:8080/ws/echo`));
  const headers: HeaderLine[] = [];
  let i = parseHeaders(lines, start + 1, last, headers, diagnostics);
  const steps: WebSocketStep[] = [];
  let current: string[] = [];
  let currentLine = i;
  const flush = () => {
    const text = current.join('\n').replace(/\s+$/, '');
    if (text !== '') steps.push({ kind: 'send', parts: messageParts(text, currentLine), line: currentLine });
    current = [];
  };
  for (; i <= last; i++) {
    const line = lines[i];
    const sep = WS_SEPARATOR.exec(line);
    if (sep) {
      flush();
      if (sep[1] === 'wait-for-server') steps.push({ kind: 'wait-for-server', line: i });
      else if (sep[1] !== '') diagnostics.push(diag(i, 0, line.length, `Unknown directive "=== ${sep[1]}"; expected "===" or "=== wait-for-server"`));
      currentLine = i + 1;
      continue;
    }
    if (current.length === 0) currentLine = i;
    current.push(line);
  }
  flush();
  return { kind: 'websocket', ...common, keyword, url, headers, steps };
}

function messageParts(text: string, line: number): BodyPart[] {
  const file = FILE_REFERENCE.exec(text);
  if (file && !text.includes('\n')) {
    const part: BodyPart = { kind: 'file', path: file[3], processVariables: file[1] === '@', line };
    if (file[2]) part.encoding = file[2];
    return [part];
  }
  return [{ kind: 'text', text, line }];
}

function parseRaw(lines: string[], start: number, last: number, url: string, common: Common, diagnostics: Diagnostic[]): RawBlock {
  const lineText = lines[start];
  if (!/^(tcp|tls):\/\/[^\s/]+:\d+\/?$/i.test(url) && !/\{\{/.test(url)) {
    diagnostics.push(diag(start, lineText.indexOf('RAW') + 3, lineText.length, 'RAW needs tcp://host:port or tls://host:port'));
  }
  let i = start + 1;
  while (i <= last && isBlank(lines[i])) i++;
  const payloadLine = i;
  const payload = lines.slice(i, last + 1).join('');
  const encoding = common.metadata.encoding === 'hex' ? 'hex' : 'text';
  if (payload === '') diagnostics.push(diag(start, 0, lineText.length, 'RAW block has no bytes to send', 'warning'));
  return { kind: 'raw', ...common, url, payload, payloadLine, encoding };
}

/** The block whose lines contain `line`, or the nearest one above it (for "send at cursor"). */
export function blockAtLine(file: HttpFile, line: number): RequestBlock | undefined {
  let found: RequestBlock | undefined;
  for (const b of file.blocks) {
    if (b.range.startLine <= line) found = b;
    if (b.range.startLine > line) break;
  }
  return found;
}
