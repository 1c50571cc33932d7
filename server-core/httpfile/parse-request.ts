// An HTTP request of a `.http` file, from its request line to the end of its
// region: the target (continued on indented, `?`, `&` and `/` lines), the
// headers, the body (text, `< file` parts, comment lines dropped as all three
// tools drop them), GraphQL in its three forms, and what follows the body
// (response handlers, `<>` references, `>> file`). httpYac ends a request at
// the next request line even without `###`; that line starts the next block.
import {
  COMMENT,
  FILE_REFERENCE,
  GRAPHQL_FRAGMENT,
  GRAPHQL_OPERATION,
  HEADER,
  HEADER_SPREAD,
  HTTPYAC_ASSERTION,
  HTTPYAC_SCRIPT_OPEN,
  METADATA,
  PATH_CONTINUATION,
  QUERY_CONTINUATION,
  RESPONSE_OUTPUT,
  RESPONSE_REF,
  SCRIPT_FILE,
  SCRIPT_ONE_LINE,
  SCRIPT_OPEN,
  isBlank,
  isImplicitRequestLine,
  parseRequestLine,
} from './line-patterns.js';
import { diagnostic, divergence, readHttpyacScript, readJetbrainsScript, type BlockCommonInit, type ParseState } from './parse-state.js';
import type { BodyPart, Diagnostic, GraphqlBody, HeaderLine, HttpRequestBlock } from './types.js';

/** Lines that start a body right under the headers, without an empty line (httpYac reads them so). */
const BODY_START = /^\s*([{["<]|query\b|mutation\b|fragment\b)/;

export function parseHttpRequest(state: ParseState, start: number, end: number, common: BlockCommonInit): { block?: HttpRequestBlock; next: number } {
  const { lines, dialect } = state;
  const raw = lines[start];
  const parsed = parseRequestLine(raw);
  if (!parsed) {
    const indent = raw.length - raw.trimStart().length;
    state.fileError(start, indent, raw.length, `Expected a request line such as "GET https://example.com", "WEBSOCKET ws://…" or "RAW tcp://host:port", found "${raw.trim().slice(0, 40)}"`, 'syntax');
    return { next: end };
  }
  const block: HttpRequestBlock = {
    kind: 'http',
    ...common,
    method: parsed.method ?? 'GET',
    url: parsed.target,
    headers: [],
    body: [],
    responseRefs: [],
  };
  if (parsed.httpVersion) block.httpVersion = parsed.httpVersion;
  const implicit = dialect === 'auto' || dialect === 'httpyac';
  const error = (line: number, message: string, code: Diagnostic['code'] = 'syntax', column = 0) =>
    block.errors.push(diagnostic(line, column, lines[line].length, message, 'error', code));

  // The target, continued (JetBrains spec 3.2.1.3: indented lines; REST Client: ? and & lines; httpYac: / lines).
  let i = start + 1;
  for (; i < end; i++) {
    const line = lines[i];
    if (isBlank(line)) break;
    if (COMMENT.test(line)) continue;
    if (QUERY_CONTINUATION.test(line) || PATH_CONTINUATION.test(line)) {
      block.url += line.trim();
      continue;
    }
    if (/^\s/.test(line)) {
      if (HEADER.test(line) && dialect !== 'jetbrains') {
        if (dialect === 'auto') block.warnings.push(divergence(i, 0, line.length, 'An indented "Name: value" line right under the request line: JetBrains reads it as part of the URL, REST Client and httpYac (and Wireplay) as a header'));
        break;
      }
      block.url += line.trim();
      continue;
    }
    break;
  }

  // Headers, until an empty line.
  for (; i < end; i++) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      break;
    }
    if (COMMENT.test(line)) continue;
    if (implicit && isImplicitRequestLine(line)) return { block, next: i };
    if (QUERY_CONTINUATION.test(line) || PATH_CONTINUATION.test(line)) {
      block.url += line.trim();
      continue;
    }
    if (HEADER_SPREAD.test(line)) {
      error(i, `\`${line.trim()}\` (httpYac's headers from a JavaScript object) is not supported: Wireplay runs JavaScript only in script blocks (\`{{ }}\`, \`< {% %}\`, \`> {% %}\`); write the headers out`, 'unsupported');
      continue;
    }
    const h = HEADER.exec(line);
    const previous = block.headers[block.headers.length - 1];
    if (/^\s/.test(line) && previous && (!h || dialect === 'jetbrains')) {
      if (dialect === 'jetbrains') {
        // JetBrains spec 3.2.2: an indented line continues the header value.
        previous.value += ` ${line.trim()}`;
        continue;
      }
      if (!h) {
        error(i, 'An indented line under a header: JetBrains continues the header value, REST Client reads it as another header, httpYac starts the body here; write the header on one line, or put an empty line before the body');
        continue;
      }
    }
    if (h) {
      block.headers.push({ name: h[1], value: h[2], line: i });
      continue;
    }
    if (dialect === 'httpyac' || (dialect === 'auto' && BODY_START.test(line))) break; // httpYac: the body may follow the headers directly
    error(i, `Expected a header "Name: value" or an empty line before the body, found "${line.trim().slice(0, 40)}"`);
  }

  const next = parseBody(state, block, i, end, implicit);
  detectGraphql(state, block);
  return { block, next };
}

/** Reads the body and what follows it; returns where the next request starts (`end` unless httpYac's request-line rule applies). */
function parseBody(state: ParseState, block: HttpRequestBlock, from: number, end: number, implicit: boolean): number {
  const { lines, dialect } = state;
  const httpyacSyntax = dialect === 'auto' || dialect === 'httpyac';
  const bodyLines: { text: string; line: number; file?: BodyPart }[] = [];
  let after = false; // past the body: handlers, references, outputs only
  let next = end;
  const error = (line: number, message: string, code: Diagnostic['code'] = 'syntax') =>
    block.errors.push(diagnostic(line, 0, lines[line].length, message, 'error', code));

  for (let i = from; i < end; i++) {
    const line = lines[i];
    if (implicit && isImplicitRequestLine(line)) {
      // Comment and metadata lines right above it belong to the next request.
      let split = i;
      while (split - 1 >= from && !isBlank(lines[split - 1]) && (COMMENT.test(lines[split - 1]) || METADATA.test(lines[split - 1]))) split--;
      next = split;
      break;
    }
    if (httpyacSyntax && HTTPYAC_SCRIPT_OPEN.test(line)) {
      const script = readHttpyacScript(state, i, end, 'body');
      block.scripts.push(script.script);
      i = script.last;
      continue;
    }
    if (httpyacSyntax && HTTPYAC_ASSERTION.test(line)) {
      block.scripts.push({ kind: 'httpyac-assertion', phase: 'after', text: line.trim().replace(/^\?\?\s*/, ''), range: { startLine: i, endLine: i } });
      continue;
    }
    const handler = SCRIPT_ONE_LINE.test(line) || SCRIPT_OPEN.test(line) || SCRIPT_FILE.test(line) ? readJetbrainsScript(state, i, end) : undefined;
    if (handler) {
      if (handler.script.phase === 'before') error(i, 'A pre-request script (`< {% … %}`) goes above the request line, not in the body');
      else block.scripts.push(handler.script);
      after = true;
      i = handler.last;
      continue;
    }
    const ref = RESPONSE_REF.exec(line);
    if (ref) {
      // JetBrains: a link to a previous response, for comparison in the IDE; it sends nothing.
      block.responseRefs.push({ path: ref[1], line: i });
      after = true;
      continue;
    }
    const out = RESPONSE_OUTPUT.exec(line);
    if (out) {
      block.responseOutput = { path: out[2], overwrite: out[1] === '!', line: i };
      after = true;
      continue;
    }
    if (COMMENT.test(line)) continue; // comment lines are dropped from bodies by all three tools
    if (after) {
      if (!isBlank(line)) error(i, `Expected a response handler, "<> file" or ">> file" after the response handler, found "${line.trim().slice(0, 40)}"`);
      continue;
    }
    const file = FILE_REFERENCE.exec(line);
    if (file) {
      const part: BodyPart = { kind: 'file', path: file[3], processVariables: file[1] === '@', line: i };
      if (file[2]) part.encoding = file[2];
      bodyLines.push({ text: line, line: i, file: part });
      continue;
    }
    bodyLines.push({ text: line, line: i });
  }
  block.body = assembleBody(state, block, bodyLines);
  return next;
}

/** Text lines and file parts in order; surrounding empty lines dropped (per dialect), text lines joined with LF. */
function assembleBody(state: ParseState, block: HttpRequestBlock, lines: { text: string; line: number; file?: BodyPart }[]): BodyPart[] {
  const { dialect } = state;
  let first = 0;
  while (first < lines.length && !lines[first].file && isBlank(lines[first].text)) first++;
  let last = lines.length - 1;
  while (last >= first && !lines[last].file && isBlank(lines[last].text)) last--;
  // REST Client takes the first empty line as the end of the headers and sends any further ones.
  const start = dialect === 'rest-client' ? 0 : first;
  if (dialect === 'auto' && first > 0 && first <= last) {
    block.warnings.push(divergence(lines[0].line, 0, 0, `${first} empty line${first > 1 ? 's' : ''} more between the headers and the body: REST Client sends ${first > 1 ? 'them' : 'it'}, httpYac and JetBrains (and Wireplay) do not`));
  }
  const kept = lines.slice(start, last + 1);
  const textOf = (l: { text: string }) => l.text;
  if (kept.length && dialect === 'jetbrains') {
    // JetBrains spec 4.2.2: whitespace around an in-place body is trimmed.
    const a = kept[0];
    const z = kept[kept.length - 1];
    if (!a.file) kept[0] = { ...a, text: a.text.trimStart() };
    if (!z.file) kept[kept.length - 1] = { ...kept[kept.length - 1], text: kept[kept.length - 1].text.trimEnd() };
  } else if (kept.length && dialect === 'auto') {
    const a = kept[0];
    const z = kept[kept.length - 1];
    if ((!a.file && /^\s/.test(a.text)) || (!z.file && /\s$/.test(z.text))) {
      block.warnings.push(divergence(!a.file && /^\s/.test(a.text) ? a.line : z.line, 0, 0, 'Whitespace at the start or end of the body: JetBrains trims it, REST Client and httpYac (and Wireplay) send it'));
    }
  }
  const parts: BodyPart[] = [];
  let text: string[] = [];
  let textLine = 0;
  const flush = () => {
    if (text.length) parts.push({ kind: 'text', text: text.map((t) => t).join('\n'), line: textLine });
    text = [];
  };
  for (const l of kept) {
    if (l.file) {
      flush();
      parts.push(l.file);
      continue;
    }
    if (text.length === 0) textLine = l.line;
    text.push(textOf(l));
  }
  flush();
  return parts;
}

function headerValue(headers: HeaderLine[], name: string): HeaderLine | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower);
}

/** GraphQL: REST Client's `X-REQUEST-TYPE: GraphQL`, JetBrains' GRAPHQL method, httpYac's query/mutation/fragment bodies. */
function detectGraphql(state: ParseState, block: HttpRequestBlock): void {
  const { dialect } = state;
  const header = headerValue(block.headers, 'X-Request-Type');
  const firstText = block.body[0]?.kind === 'text' ? block.body[0].text.split('\n')[0] : undefined;
  const keyword = firstText !== undefined && (GRAPHQL_OPERATION.test(firstText) || GRAPHQL_FRAGMENT.test(firstText));
  let form: GraphqlBody['form'] | undefined;
  if (header && header.value.toLowerCase() === 'graphql' && dialect !== 'httpyac' && dialect !== 'jetbrains') {
    form = 'x-request-type';
    block.headers = block.headers.filter((h) => h !== header); // REST Client does not send it
  } else if (block.method === 'GRAPHQL' && (dialect !== 'httpyac' || keyword)) {
    form = 'method';
  } else if (keyword && (dialect === 'auto' || dialect === 'httpyac')) {
    form = 'keyword';
    if (dialect === 'auto') {
      const line = block.body[0].line;
      block.warnings.push(divergence(line, 0, 0, 'A body starting with a GraphQL operation: httpYac (and Wireplay) send it as GraphQL JSON {"query", "operationName", "variables"}; REST Client and JetBrains send it as written'));
    }
  }
  if (!form) return;
  // The query runs to the first empty line; what follows is the variables JSON.
  const query: BodyPart[] = [];
  const variables: BodyPart[] = [];
  let inVariables = false;
  for (const part of block.body) {
    if (inVariables || part.kind === 'file') {
      (inVariables ? variables : query).push(part);
      continue;
    }
    const lines = part.text.split('\n');
    const blank = lines.findIndex((l) => l.trim() === '');
    if (blank < 0) {
      query.push(part);
      continue;
    }
    const head = lines.slice(0, blank).join('\n');
    const tail = lines.slice(blank + 1).join('\n').trim();
    if (head) query.push({ kind: 'text', text: head, line: part.line });
    if (tail) variables.push({ kind: 'text', text: tail, line: part.line + blank + 1 });
    inVariables = true;
  }
  block.graphql = { form, query, variables, line: block.body[0]?.line ?? block.requestLine };
  block.body = [];
}

/** REST Client: a request written as a curl command, from its first line to the end of the region (comments dropped). */
export function parseCurlRequest(state: ParseState, start: number, end: number, common: BlockCommonInit): HttpRequestBlock {
  const kept: string[] = [];
  let last = start;
  for (let i = start; i < end; i++) {
    const line = state.lines[i];
    if (COMMENT.test(line)) continue;
    if (!isBlank(line)) last = i;
    kept.push(line);
  }
  return {
    kind: 'http',
    ...common,
    range: { ...common.range, endLine: last },
    method: 'GET',
    url: '',
    headers: [],
    body: [],
    responseRefs: [],
    curl: { command: kept.join('\n').trim(), line: start },
  };
}
