// Parses `.http` / `.rest` files in the REST Client, httpYac and JetBrains
// dialects, plus Wireplay's RAW blocks: the one parser every path uses (the
// CLI, the editor's CodeLens, diagnostics and sends). Pure: text in, blocks
// and diagnostics out; it never throws on user input.
//
// A file is cut into regions at `###` lines. A region's preamble holds
// comments, `# @metadata`, `@variables`, pre-request scripts and httpYac
// script blocks; then comes the request line. A region without a request
// holds what applies to the whole file. httpYac also starts a new request at
// a request line without `###` (see parse-request.ts).
import {
  BLOCK_COMMENT_CLOSE,
  BLOCK_COMMENT_OPEN,
  COMMENT,
  CURL_COMMAND,
  FILE_VARIABLE,
  GRAPHQL_FRAGMENT,
  HTTPYAC_SCRIPT_OPEN,
  METADATA,
  SCRIPT_FILE,
  SCRIPT_ONE_LINE,
  SCRIPT_OPEN,
  SEPARATOR,
  isBlank,
  splitLines,
} from './line-patterns.js';
import { ParseState, lastNonBlank, readHttpyacScript, readJetbrainsScript } from './parse-state.js';
import { parseCurlRequest, parseHttpRequest } from './parse-request.js';
import { parseRaw, parseWebSocket } from './parse-stream-blocks.js';
import type { Dialect, FileVariable, HttpFile, MetadataLine, RequestBlock, RequestScript } from './types.js';

export { HTTP_METHODS } from './line-patterns.js';

export interface ParseOptions {
  /** Which tool's reading to follow where the tools disagree (default `auto`). */
  dialect?: Dialect;
}

export function parseHttpFile(text: string, options: ParseOptions = {}): HttpFile {
  const state = new ParseState(splitLines(text), options.dialect ?? 'auto');
  const lines = state.lines;
  let start = 0;
  let title: string | undefined;
  for (let i = 0; i <= lines.length; i++) {
    const m = i < lines.length ? SEPARATOR.exec(lines[i]) : null;
    if (i < lines.length && !m) continue;
    parseRegion(state, start, i, title);
    if (m) {
      const t = m[1].trim();
      title = t === '' ? undefined : t;
      start = i + 1;
    }
  }
  return state.result();
}

/** What sits above a request line. */
interface Preamble {
  metadata: MetadataLine[];
  variables: FileVariable[];
  scripts: RequestScript[];
  /** First line with content (metadata, a script…), or -1. */
  firstContent: number;
  /** The request line, or `end` when the region holds none. */
  requestLine: number;
}

function parseRegion(state: ParseState, start: number, end: number, title: string | undefined): void {
  let from = start;
  let regionTitle = title;
  while (from < end) {
    const region = state.nextRegion();
    const pre = parsePreamble(state, from, end);
    if (pre.requestLine >= end) {
      // A region without a request: what it says applies to the whole file.
      state.fileVariables.push(...pre.variables);
      state.fileMetadata.push(...pre.metadata);
      state.fileScripts.push(...pre.scripts);
      return;
    }
    // Variables above the first request of the file, with no ### before them, are the file's in
    // REST Client and JetBrains; httpYac scopes them to that first request's region.
    const topOfFile = region === 0 && start === 0 && state.dialect !== 'httpyac';
    if (topOfFile) state.fileVariables.push(...pre.variables.splice(0));
    const metadata: Record<string, string> = {};
    for (const m of pre.metadata) metadata[m.key] = m.value;
    const name = metadata.name || regionTitle;
    const common = {
      metadata,
      metadataLines: pre.metadata,
      range: { startLine: pre.firstContent >= 0 ? Math.min(pre.firstContent, pre.requestLine) : pre.requestLine, endLine: pre.requestLine },
      requestLine: pre.requestLine,
      region,
      variables: pre.variables,
      scripts: pre.scripts,
      errors: [],
      warnings: [],
      ...(regionTitle !== undefined ? { title: regionTitle } : {}),
      ...(name ? { name } : {}),
    };
    const line = state.lines[pre.requestLine];
    const keyword = /^\s*(\S+)\s*(.*)$/.exec(line)!;
    const word = keyword[1].toUpperCase();
    let block: RequestBlock | undefined;
    let next = end;
    if (word === 'WEBSOCKET' || word === 'WS') {
      block = parseWebSocket(state, pre.requestLine, lastNonBlank(state.lines, pre.requestLine, end), keyword[1], keyword[2].trim(), common);
    } else if (word === 'RAW') {
      block = parseRaw(state, pre.requestLine, lastNonBlank(state.lines, pre.requestLine, end), keyword[2].trim(), common);
    } else if (CURL_COMMAND.test(line)) {
      block = parseCurlRequest(state, pre.requestLine, end, common);
    } else {
      const parsed = parseHttpRequest(state, pre.requestLine, end, common);
      block = parsed.block;
      next = parsed.next;
    }
    if (block) {
      block.range.endLine = Math.max(block.range.endLine, lastNonBlank(state.lines, pre.requestLine, next));
      state.blocks.push(block);
    }
    // httpYac: a request line without ### started the next request; it has no title of its own.
    from = next;
    regionTitle = undefined;
  }
}

function parsePreamble(state: ParseState, start: number, end: number): Preamble {
  const { lines } = state;
  const out: Preamble = { metadata: [], variables: [], scripts: [], firstContent: -1, requestLine: end };
  const content = (i: number) => {
    if (out.firstContent < 0) out.firstContent = i;
  };
  for (let i = start; i < end; i++) {
    const line = lines[i];
    if (isBlank(line)) continue;
    const meta = METADATA.exec(line);
    if (meta) {
      out.metadata.push({ key: meta[1], value: meta[2] ?? '', line: i });
      content(i);
      continue;
    }
    if (BLOCK_COMMENT_OPEN.test(line)) {
      let j = i + 1;
      while (j < end && !BLOCK_COMMENT_CLOSE.test(lines[j])) j++;
      if (j >= end) state.fileError(i, 0, line.length, 'This /* comment is never closed with */', 'syntax');
      i = j;
      continue;
    }
    if (HTTPYAC_SCRIPT_OPEN.test(line)) {
      const script = readHttpyacScript(state, i, end);
      out.scripts.push(script.script);
      content(i);
      i = script.last;
      continue;
    }
    if (SCRIPT_ONE_LINE.test(line) || SCRIPT_OPEN.test(line) || SCRIPT_FILE.test(line)) {
      const script = readJetbrainsScript(state, i, end);
      if (script) {
        out.scripts.push(script.script);
        content(i);
        i = script.last;
        continue;
      }
    }
    if (COMMENT.test(line)) continue;
    const variable = FILE_VARIABLE.exec(line);
    if (variable) {
      out.variables.push({ name: variable[1], value: variable[2], line: i });
      continue;
    }
    const fragment = state.dialect !== 'rest-client' && state.dialect !== 'jetbrains' ? GRAPHQL_FRAGMENT.exec(line) : null;
    if (fragment) {
      // httpYac: a GraphQL fragment outside a request, until the next empty line; a query naming it gets it appended.
      let j = i;
      while (j + 1 < end && !isBlank(lines[j + 1])) j++;
      state.graphqlFragments[fragment[1]] = { text: lines.slice(i, j + 1).join('\n'), line: i };
      i = j;
      continue;
    }
    out.requestLine = i;
    return out;
  }
  return out;
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
